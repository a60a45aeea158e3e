//! Death: date, primary cause (an "other" cause named), autopsy, and the contributing causes.

use super::codes::cause_code;
use super::tables::{DEATH_CAUSES, DEATHS};
use super::{CohortWriter, PatientIds};
use crate::domain::death::Autopsy;
use crate::domain::missing::MissingCode;
use crate::seed::simulate::{Death, Infection};

impl CohortWriter {
    /// The patient's death and its contributing causes. A death from infection takes the
    /// organism class of the patient's fatal (grade 5) infection, if any.
    pub(super) fn write_death(&mut self, ids: &PatientIds, d: &Death, infections: &[Infection]) {
        let fatal_infection = infections.iter().find(|i| i.grade >= 5).map(|i| i.class);
        let primary = cause_code(d.primary, fatal_infection);
        let death = self.insert(DEATHS, |v| {
            v.int(ids.patient)
                .opt_int(ids.reported_in(d.follow_up))
                .date(d.date.date)
                .flag(d.date.estimated);
            match primary {
                Some(cause) => v.code(cause),
                None => v.code(MissingCode::Unknown),
            };
            v.opt_text(d.other)
                .code(if d.autopsy { Autopsy::Yes } else { Autopsy::No });
        });
        // A contributing cause recorded as unknown is left out.
        for cause in &d.contributing {
            let Some(code) = cause_code(*cause, fatal_infection) else {
                continue;
            };
            self.insert(DEATH_CAUSES, |v| {
                v.int(death).code(code);
            });
        }
    }
}
