//! Subsequent therapies after CAR-T: category, intent (relapse or consolidation) and start.

use super::codes::{therapy_category, therapy_intent};
use super::tables::THERAPIES;
use super::{CohortWriter, PatientIds};
use crate::seed::simulate::SubsequentTherapy;

impl CohortWriter {
    /// Every subsequent therapy of the patient.
    pub(super) fn write_therapies(&mut self, ids: &PatientIds, therapies: &[SubsequentTherapy]) {
        for t in therapies {
            self.insert(THERAPIES, |v| {
                v.int(ids.patient)
                    .int(ids.course)
                    .opt_int(ids.reported_in(t.follow_up))
                    .code(therapy_category(t.category))
                    .code(therapy_intent(t.intent))
                    .date(t.start);
            });
        }
    }
}
