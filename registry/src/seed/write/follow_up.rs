//! The follow-up forms: the contact (date, type, survival, ECOG), relapse since the last form
//! and how it was detected, the form's status and "nothing to report" flags, and who signed it
//! off when.

use super::codes::{contact_type, form_status, relapse_antigen_status, relapse_method};
use super::sql::Values;
use super::tables::{FOLLOW_UPS, RELAPSE_METHODS, SIGN_OFFS};
use super::{CohortWriter, PatientIds, SYSTEM_USER, SYSTEM_USER_NAME};
use crate::domain::follow_up::SurvivalStatus;
use crate::domain::missing::{MissingCode, YesNo};
use crate::seed::simulate::{FollowUp, PatientHistory, Relapse};

/// What a follow-up form says about relapse since the previous form.
enum RelapseReport<'a> {
    /// No relapse so far.
    NotRelapsed,
    /// The relapse is reported on this form.
    New(&'a Relapse),
    /// An earlier form reported it.
    PreviouslyReported,
}

impl<'a> RelapseReport<'a> {
    /// The report on the form of visit `visit` (its index among the patient's visits).
    fn at(relapse: Option<&'a Relapse>, visit: usize) -> Self {
        match relapse {
            Some(r) if r.follow_up == Some(visit) => Self::New(r),
            Some(r) if r.follow_up.is_some_and(|at| at < visit) => Self::PreviouslyReported,
            _ => Self::NotRelapsed,
        }
    }

    /// The relapse columns: relapse since last, date, date estimated, first method, antigen.
    fn write(&self, v: &mut Values<'_>) {
        match self {
            Self::New(r) => v
                .code(YesNo::Yes)
                .date(r.date.date)
                .flag(r.date.estimated)
                .code(relapse_method(r.method))
                .opt_code(r.cd19_negative.map(relapse_antigen_status)),
            Self::PreviouslyReported => v
                .code(MissingCode::PreviouslyReported)
                .null()
                .flag(false)
                .null()
                .null(),
            Self::NotRelapsed => v.code(YesNo::No).null().flag(false).null().null(),
        };
    }
}

impl CohortWriter {
    /// Takes the ids of a patient's `count` follow-up forms before any row is written, so that
    /// every event can point at the form that reported it.
    pub(super) fn follow_up_ids(&mut self, count: usize) -> Vec<i64> {
        (0..count).map(|_| self.id(FOLLOW_UPS)).collect()
    }

    /// Every follow-up form of the patient, with its relapse methods and sign-offs.
    pub(super) fn write_follow_ups(&mut self, ids: &PatientIds, h: &PatientHistory) {
        for (visit, (f, &id)) in h.follow_ups.iter().zip(&ids.follow_ups).enumerate() {
            let relapse = RelapseReport::at(h.relapse.as_ref(), visit);
            let nothing_to_report = nothing_to_report(h, visit);
            self.row(FOLLOW_UPS, |v| {
                v.int(id)
                    .int(ids.patient)
                    .int(ids.course)
                    .code(f.timepoint)
                    .date(f.contact_date)
                    .code(contact_type(f.contact_type))
                    .code(if f.alive {
                        SurvivalStatus::Alive
                    } else {
                        SurvivalStatus::Dead
                    })
                    .opt_int(f.ecog.map(i64::from));
                relapse.write(v);
                v.code(form_status(f.form_status));
                for none in nothing_to_report {
                    v.flag(none);
                }
                v.opt_int(f.locked_on.map(|_| SYSTEM_USER))
                    .opt_noon(f.locked_on);
            });
            if let RelapseReport::New(r) = relapse {
                self.write_relapse_methods(id, r);
            }
            self.write_sign_offs(id, f);
        }
    }

    /// How the relapse reported on a form was detected, one row per method.
    fn write_relapse_methods(&mut self, follow_up: i64, r: &Relapse) {
        // The first method is always among them (as the web app keeps it).
        let mut methods = r.methods.clone();
        if !methods.contains(&r.method) {
            methods.push(r.method);
            methods.sort();
        }
        for method in methods {
            self.insert(RELAPSE_METHODS, |v| {
                v.int(follow_up).code(relapse_method(method));
            });
        }
    }

    /// The form's completion, verification and lock, each signed by the system account at noon.
    fn write_sign_offs(&mut self, follow_up: i64, f: &FollowUp) {
        let acts = [
            ("COMPLETE", f.completed_on),
            ("VERIFY", f.verified_on),
            ("LOCK", f.locked_on),
        ];
        for (act, on) in acts {
            let Some(on) = on else { continue };
            self.insert(SIGN_OFFS, |v| {
                v.int(follow_up)
                    .text(act)
                    .int(SYSTEM_USER)
                    .text(SYSTEM_USER_NAME)
                    .opt_noon(Some(on));
            });
        }
    }
}

/// The form's "nothing to report" flags, in column order: whether no response, toxicity,
/// infection, new malignancy, subsequent therapy, persistence test, lab result or
/// immunoglobulin course was reported on the form of visit `visit`.
fn nothing_to_report(h: &PatientHistory, visit: usize) -> [bool; 8] {
    let here = |reported_on: Option<usize>| reported_on == Some(visit);
    [
        !h.responses.iter().any(|e| here(e.follow_up)),
        !h.toxicities.iter().any(|e| here(e.follow_up)),
        !h.infections.iter().any(|e| here(e.follow_up)),
        !h.malignancies.iter().any(|e| here(e.follow_up)),
        !h.therapies.iter().any(|e| here(e.follow_up)),
        !h.persistence.iter().any(|e| here(e.follow_up)),
        !h.labs.iter().any(|e| here(e.follow_up)),
        !h.immunoglobulin.iter().any(|e| here(e.follow_up)),
    ]
}
