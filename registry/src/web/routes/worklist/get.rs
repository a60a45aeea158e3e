//! `GET /`

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;

use super::{WorkItem, load_worklist};
use crate::domain::{access::Permission, schedule::VisitStatus};
use crate::web::{
    auth::{extract::CurrentUser, session::TypedSession},
    error::{AppError, render},
    layout::Layout,
    startup::AppState,
};

/// How many lines the page shows at most (the counts cover everything).
const SHOWN: usize = 500;

/// The page.
#[derive(Template)]
#[template(path = "worklist.html")]
pub struct WorklistPage {
    pub layout: Layout,
    /// False for roles without patient access (analysts): they get a pointer to exports.
    pub has_worklist: bool,
    pub items: Vec<WorkItem>,
    pub overdue: usize,
    pub due: usize,
    pub missed: usize,
    pub total: usize,
    pub today: String,
}

/// The worklist of the user's sites, most urgent first.
pub async fn get(
    user: CurrentUser,
    session: TypedSession,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let layout = Layout::new(&user, &session, "worklist")?;
    let today = chrono::Utc::now().date_naive();
    let mut page = WorklistPage {
        layout,
        has_worklist: false,
        items: Vec::new(),
        overdue: 0,
        due: 0,
        missed: 0,
        total: 0,
        today: today.to_string(),
    };
    if user.can(Permission::ReadPatients) {
        let filter = user.sites_for(Permission::ReadPatients)?;
        let items = state
            .db(move |conn| Ok(load_worklist(conn, &filter, today)?))
            .await?;
        let count = |s: VisitStatus| items.iter().filter(|i| i.visit.status == s).count();
        page.overdue = count(VisitStatus::Overdue);
        page.due = count(VisitStatus::Due);
        page.missed = count(VisitStatus::Missed);
        page.total = items.len();
        page.items = items.into_iter().take(SHOWN).collect();
        page.has_worklist = true;
    }
    render(StatusCode::OK, &page)
}
