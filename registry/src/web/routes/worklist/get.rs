//! `GET /?page=N`

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use super::WorkItem;
use crate::domain::{access::Permission, schedule::VisitStatus};
use crate::web::{
    auth::{extract::CurrentUser, session::TypedSession},
    error::{AppError, render},
    layout::Layout,
    startup::AppState,
};

/// Lines per page: the most urgent first; the counts above the table cover every page.
pub const PAGE_SIZE: usize = 100;

/// The query string: the page, from 1 (absent means the first).
#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<String>,
}

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
    /// The page shown (from 1) and how many there are (at least 1).
    pub page: usize,
    pub pages: usize,
    /// The position of the first line shown, from 1 (0 when the list is empty).
    pub first_shown: usize,
    pub today: String,
}

/// The worklist of the user's sites, most urgent first, a page at a time. A page number that
/// is not a positive whole number is not found; one past the end shows the last page (the list
/// may have shrunk since the link was made).
pub async fn get(
    user: CurrentUser,
    session: TypedSession,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let requested = match query.page.as_deref() {
        None => 1,
        Some(text) => match text.trim().parse::<usize>() {
            Ok(n) if n >= 1 => n,
            _ => return Err(AppError::NotFound),
        },
    };
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
        page: 1,
        pages: 1,
        first_shown: 0,
        today: today.to_string(),
    };
    if user.can(Permission::ReadPatients) {
        let filter = user.sites_for(Permission::ReadPatients)?;
        let shared = state.clone();
        let kept = state
            .db(move |conn| Ok(shared.worklist.kept(conn, &filter, today)?))
            .await?;
        page.overdue = kept.count(VisitStatus::Overdue);
        page.due = kept.count(VisitStatus::Due);
        page.missed = kept.count(VisitStatus::Missed);
        page.total = kept.len();
        page.pages = kept.len().div_ceil(PAGE_SIZE).max(1);
        page.page = requested.min(page.pages);
        let skip = (page.page - 1) * PAGE_SIZE;
        page.first_shown = if kept.is_empty() { 0 } else { skip + 1 };
        page.items = kept.items(skip, PAGE_SIZE);
        page.has_worklist = true;
    }
    render(StatusCode::OK, &page)
}
