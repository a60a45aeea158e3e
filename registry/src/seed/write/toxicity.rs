//! Toxicity events (CRS, ICANS, IEC-HS, ICAHT, TLS, hypogammaglobulinaemia, delayed
//! neurotoxicity): type, grade on the toxicity's own scale, dates, the CRS and ICANS grading
//! components and the early-ICAHT neutrophil counts; and what each was treated with.

use chrono::NaiveDate;

use super::codes::{grade_code, hypotension, hypoxia, toxicity_treatment, yes_no};
use super::sql::Values;
use super::tables::{TOX_TREATMENTS, TOXICITIES};
use super::{CohortWriter, PatientIds};
use crate::domain::toxicity::{
    CerebralOedema, Consciousness, GradingSystem, MotorFinding, Seizure, ToxicityType,
};
use crate::seed::simulate::{PatientHistory, ToxicityEvent, ToxicityKind};

impl CohortWriter {
    /// Every toxicity event of the patient, each with its treatments.
    pub(super) fn write_toxicities(&mut self, ids: &PatientIds, h: &PatientHistory) {
        let died = h.death.as_ref().map(|d| d.date.date);
        for t in &h.toxicities {
            let reported_by = t
                .follow_up
                .and_then(|i| h.follow_ups.get(i))
                .map(|f| f.contact_date);
            let max_grade_date = max_grade_date(t, reported_by, died);
            let event = self.write_toxicity_event(ids, t, max_grade_date);
            self.write_toxicity_treatments(event, t, max_grade_date);
        }
    }

    /// One toxicity event; returns its id.
    fn write_toxicity_event(
        &mut self,
        ids: &PatientIds,
        t: &ToxicityEvent,
        max_grade_date: NaiveDate,
    ) -> i64 {
        let (kind, system, term) = toxicity_type(t);
        self.insert(TOXICITIES, |v| {
            v.int(ids.patient)
                .int(ids.course)
                .opt_int(ids.reported_in(t.follow_up))
                .code(kind)
                .opt_text(term)
                .code(system);
            grade_code(v, t.kind, t.grade);
            v.date(max_grade_date)
                .date(t.onset.date)
                .flag(t.onset.estimated)
                .opt_date(t.resolution)
                .flag(t.resolution.is_none() && !t.fatal)
                .code(yes_no(t.icu))
                .opt_real(t.max_temperature_c)
                .opt_code(t.hypotension.map(hypotension))
                .opt_code(t.hypoxia.map(hypoxia))
                .opt_int(t.lowest_ice.map(i64::from));
            icans_components(v, t);
            v.opt_int(t.early_icaht_counts.map(|c| i64::from(c.days_le_500())))
                .opt_int(t.early_icaht_counts.map(|c| i64::from(c.days_le_100())));
        })
    }

    /// What the toxicity event was treated with, one row per agent.
    fn write_toxicity_treatments(
        &mut self,
        event: i64,
        t: &ToxicityEvent,
        max_grade_date: NaiveDate,
    ) {
        for treatment in &t.treatments {
            let (agent, detail) = toxicity_treatment(treatment.agent);
            // Doses are counted for tocilizumab only (the form asks for no other count).
            let doses = treatment.doses.filter(|_| agent.counts_doses());
            let start = treatment.start.unwrap_or(max_grade_date);
            self.insert(TOX_TREATMENTS, |v| {
                v.int(event)
                    .code(agent)
                    .opt_text(detail)
                    .opt_int(doses.map(i64::from))
                    .date(start);
            });
        }
    }
}

/// The registry's toxicity type, its grading system, and the term of a delayed neurotoxicity.
fn toxicity_type(t: &ToxicityEvent) -> (ToxicityType, GradingSystem, Option<&'static str>) {
    match t.kind {
        ToxicityKind::Crs => (ToxicityType::Crs, GradingSystem::Astct2019, None),
        ToxicityKind::Icans => (ToxicityType::Icans, GradingSystem::Astct2019, None),
        ToxicityKind::IecHs => (ToxicityType::IecHs, GradingSystem::Ctcae5, None),
        ToxicityKind::EarlyIcaht => (ToxicityType::IcahtEarly, GradingSystem::EhaEbmt2023, None),
        ToxicityKind::LateIcaht => (ToxicityType::IcahtLate, GradingSystem::EhaEbmt2023, None),
        ToxicityKind::Tls => (ToxicityType::Tls, GradingSystem::Ctcae5, None),
        ToxicityKind::Hypogammaglobulinaemia => (
            ToxicityType::Hypogammaglobulinaemia,
            GradingSystem::Ctcae5,
            None,
        ),
        ToxicityKind::DelayedNeurotoxicity => (
            ToxicityType::DelayedNeurotoxicity,
            GradingSystem::Ctcae5,
            Some(if t.grade >= 2 {
                "Parkinsonism"
            } else {
                "Cranial nerve palsy"
            }),
        ),
    }
}

/// The date of the maximum grade: the day after the onset, but within the event, by its
/// reporting contact and never after death (the entry rules' bounds).
fn max_grade_date(
    t: &ToxicityEvent,
    reported_by: Option<NaiveDate>,
    died: Option<NaiveDate>,
) -> NaiveDate {
    let onset = t.onset.date;
    [t.resolution, reported_by, died]
        .into_iter()
        .flatten()
        .fold(onset + chrono::Days::new(1), NaiveDate::min)
        .max(onset)
}

/// The ICANS components besides the ICE score (consciousness, seizure, motor findings,
/// cerebral oedema), consistent with the grade; NULL for any other toxicity.
fn icans_components(v: &mut Values<'_>, t: &ToxicityEvent) {
    let is_icans = t.kind == ToxicityKind::Icans;
    let severe = t.grade >= 4;
    let seizure = match (t.seizure, severe) {
        (false, _) => Seizure::None,
        (true, false) => Seizure::RapidlyResolving,
        (true, true) => Seizure::LifeThreatening,
    };
    let oedema = match (t.cerebral_oedema, severe) {
        (false, _) => CerebralOedema::None,
        (true, false) => CerebralOedema::Focal,
        (true, true) => CerebralOedema::Diffuse,
    };
    v.opt_code(is_icans.then_some(consciousness(t.grade)))
        .opt_code(is_icans.then_some(seizure))
        .opt_code(is_icans.then_some(MotorFinding::None))
        .opt_code(is_icans.then_some(oedema));
}

/// The level of consciousness that goes with an ICANS grade (ASTCT).
fn consciousness(grade: u8) -> Consciousness {
    match grade {
        1 => Consciousness::AwakensSpontaneously,
        2 => Consciousness::AwakensToVoice,
        3 => Consciousness::AwakensToTouch,
        _ => Consciousness::Unarousable,
    }
}
