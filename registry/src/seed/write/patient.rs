//! The enrolment form: the patient (registration, consent, follow-up status) and the disease
//! treated (diagnosis, risk, prior lines and transplant).

use super::codes::{
    disease_code, ltfu_status, prior_transplant, refractory_code, riss_stage, sex, yes_no,
};
use super::tables::{DIAGNOSES, PATIENTS};
use super::{CohortWriter, p};
use crate::domain::missing::{MissingCode, YesNo};
use crate::domain::patient::ConsentStatus;
use crate::seed::simulate::{Diagnosis, PatientHistory};

impl CohortWriter {
    /// The patient's row; returns the patient's id, which is the simulation's patient number.
    pub(super) fn write_patient(&mut self, h: &PatientHistory) -> i64 {
        let id = h.number as i64;
        let (site_code, _, _) = p::SITES.get(h.site).copied().unwrap_or(("SITE", "", 0.0));
        let site_id = h.site as i64 + 1;
        let registry_id = format!("{site_code}-{:06}", h.number);
        let data_sharing = if h.data_sharing_consent {
            ConsentStatus::Given
        } else {
            ConsentStatus::Declined
        };
        self.row(PATIENTS, |v| {
            v.int(id)
                .text(&registry_id)
                .int(site_id)
                .code(sex(h.sex))
                .date(h.birth_date.date)
                .flag(h.birth_date.estimated)
                .int(i64::from(chrono::Datelike::year(&h.birth_date.date)))
                // Enrolled on the day of consent to research.
                .date(h.consent_date)
                .code(ConsentStatus::Given)
                .date(h.consent_date)
                .code(data_sharing)
                .date(h.consent_date)
                .code(ltfu_status(h.status))
                .opt_date(h.status_date)
                .opt_int(h.tracing_attempts.map(i64::from))
                .opt_text(h.transfer_centre);
        });
        id
    }

    /// The disease the patient is treated for; returns the diagnosis's id.
    pub(super) fn write_diagnosis(&mut self, patient: i64, dx: &Diagnosis) -> i64 {
        self.insert(DIAGNOSES, |v| {
            v.int(patient)
                .code(disease_code(dx.subtype))
                .date(dx.date.date)
                .flag(dx.date.estimated)
                .opt_int(dx.ipi.map(i64::from))
                .opt_text(dx.riss.map(riss_stage))
                .opt_code(dx.high_risk_cytogenetics.map(yes_no))
                .int(i64::from(dx.prior_lines));
            match refractory_code(dx.refractory) {
                Some(code) => v.code(code),
                None => v.code(MissingCode::Unknown),
            };
            v.code(prior_transplant(dx.prior_hct))
                .opt_date(dx.prior_hct_date)
                // No prior CAR-T: every course written is the patient's first.
                .code(YesNo::No);
        })
    }
}
