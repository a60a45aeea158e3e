//! Infections: date, organism, CTCAE severity, hospital and ICU admission, outcome and
//! resolution; and the site of each.

use super::codes::{infection_severity, infection_site, organism_codes, yes_no};
use super::tables::{INFECTION_SITES, INFECTIONS};
use super::{CohortWriter, PatientIds};
use crate::seed::simulate::Infection;

impl CohortWriter {
    /// Every infection of the patient, each with its site.
    pub(super) fn write_infections(&mut self, ids: &PatientIds, infections: &[Infection]) {
        for i in infections {
            let infection = self.write_infection(ids, i);
            self.insert(INFECTION_SITES, |v| {
                v.int(infection).code(infection_site(i.site));
            });
        }
    }

    /// One infection; returns its id.
    fn write_infection(&mut self, ids: &PatientIds, i: &Infection) -> i64 {
        let (class, organism) = organism_codes(i.class, i.organism);
        self.insert(INFECTIONS, |v| {
            v.int(ids.patient)
                .opt_int(ids.reported_in(i.follow_up))
                .date(i.date.date)
                .flag(i.date.estimated)
                .code(class)
                .code(organism)
                .code(infection_severity(i.grade))
                .code(yes_no(i.hospitalised))
                .code(yes_no(i.icu && i.hospitalised))
                .text(outcome(i))
                .opt_date(i.resolution);
        })
    }
}

/// Fatal at grade 5; otherwise resolved once it has a resolution date, else ongoing.
fn outcome(i: &Infection) -> &'static str {
    if i.grade >= 5 {
        "FATAL"
    } else if i.resolution.is_some() {
        "RESOLVED"
    } else {
        "ONGOING"
    }
}
