//! New malignancies after CAR-T: date, type, whether a T-cell malignancy, testing for the CAR
//! transgene and the report to the manufacturer.

use super::codes::{malignancy_type, transgene_result, yes_no};
use super::tables::MALIGNANCIES;
use super::{CohortWriter, PatientIds};
use crate::seed::simulate::{MalignancyType, NewMalignancy};

impl CohortWriter {
    /// Every new malignancy of the patient.
    pub(super) fn write_malignancies(&mut self, ids: &PatientIds, malignancies: &[NewMalignancy]) {
        for m in malignancies {
            self.insert(MALIGNANCIES, |v| {
                v.int(ids.patient)
                    .opt_int(ids.reported_in(m.follow_up))
                    .date(m.date.date)
                    .flag(m.date.estimated)
                    .code(malignancy_type(m.kind))
                    .opt_text(m.detail)
                    .flag(m.kind == MalignancyType::TCellLymphoma)
                    .code(yes_no(m.transgene_tested))
                    .opt_code(m.transgene_detected.map(transgene_result))
                    .opt_date(m.reported_to_manufacturer);
            });
        }
    }
}
