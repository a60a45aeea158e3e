//! `/`: the worklist, the home page. Follow-ups due, overdue and missed for the user's sites,
//! most urgent first, each one click from its form, a page at a time. The site filter is in
//! the SQL (`query`); the statuses come from the domain's schedule, computed on day numbers
//! (`crate::domain::schedule::days`), which gives the same statuses as the full schedule. The
//! page keeps the courses it read between requests and updates them from the audit trail
//! (`cache`); [`load_worklist`] reads afresh.

mod cache;
pub mod get;
mod query;

pub use cache::{KeptWorklist, WorklistCache};

use chrono::NaiveDate;
use diesel::SqliteConnection;

use crate::domain::{
    schedule::{Schedule, ScheduledVisit},
    vocabulary::Vocabulary,
};
use crate::web::auth::extract::SiteFilter;

/// One line of the worklist.
#[derive(Debug, Clone)]
pub struct WorkItem {
    pub patient_id: i32,
    pub registry_id: String,
    pub site_code: String,
    pub course_id: i32,
    pub course_number: i32,
    pub visit: ScheduledVisit,
}

impl WorkItem {
    /// The CSS class and label of the status.
    pub fn status_code(&self) -> &'static str {
        use crate::domain::schedule::VisitStatus as S;
        match self.visit.status {
            S::Due => "due",
            S::Overdue => "overdue",
            S::Missed => "missed",
            S::Done => "done",
            S::NotYetDue => "not-yet-due",
            S::NotApplicable => "not-applicable",
        }
    }

    /// Where the form for this timepoint is.
    pub fn form_href(&self) -> String {
        format!(
            "/patients/{}/courses/{}/follow-ups/{}",
            self.patient_id,
            self.course_id,
            self.visit.timepoint.code()
        )
    }
}

/// The worklist of the sites in `filter` on `today`, most urgent first (ties by registry ID).
pub fn load_worklist(
    conn: &mut SqliteConnection,
    filter: &SiteFilter,
    today: NaiveDate,
) -> anyhow::Result<Vec<WorkItem>> {
    query::load(conn, filter, today, &Schedule::default())
}
