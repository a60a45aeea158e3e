//! `GET /?status=S&site=CODE&page=N`: the worklist, optionally only one status (overdue, due,
//! missed) and one site, a page at a time.

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use super::WorkItem;
use crate::domain::{access::Permission, patient::SiteCode, schedule::VisitStatus};
use crate::web::{
    auth::{extract::CurrentUser, session::TypedSession},
    error::{AppError, render},
    form::{SelectOption, page_number},
    layout::Layout,
    startup::AppState,
};

/// Lines per page: the most urgent first; the counts above the table cover every page.
pub const PAGE_SIZE: usize = 100;

/// The query string: the page, from 1 (absent means the first), and the filters (absent or
/// blank means all).
#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<String>,
    status: Option<String>,
    site: Option<String>,
}

/// The statuses a worklist line can have, as the filter offers them (code, label).
const STATUSES: [(&str, &str, VisitStatus); 3] = [
    ("overdue", "Overdue", VisitStatus::Overdue),
    ("due", "Due", VisitStatus::Due),
    ("missed", "Missed", VisitStatus::Missed),
];

/// The filters as chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub status: Option<VisitStatus>,
    pub site: Option<SiteCode>,
}

impl Filters {
    /// Parses the filters of a query string (absent or blank means all). A value that cannot
    /// be one gives the parameter's name and what it accepts.
    pub fn parse(status: Option<&str>, site: Option<&str>) -> Result<Self, (&'static str, String)> {
        fn given(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|t| !t.is_empty())
        }
        let status = match given(status) {
            None => None,
            Some(code) => Some(
                STATUSES
                    .iter()
                    .find(|(c, _, _)| *c == code)
                    .ok_or_else(|| {
                        let codes: Vec<&str> = STATUSES.iter().map(|(c, _, _)| *c).collect();
                        ("status", format!("One of {}.", codes.join(", ")))
                    })?
                    .2,
            ),
        };
        let site = match given(site) {
            None => None,
            Some(code) => Some(SiteCode::parse(code).map_err(|e| ("site", e.to_string()))?),
        };
        Ok(Self { status, site })
    }

    /// True when a line of this status and site is shown.
    pub fn keeps(&self, status: VisitStatus, site_code: &str) -> bool {
        self.status.is_none_or(|wanted| wanted == status)
            && self
                .site
                .as_ref()
                .is_none_or(|wanted| wanted.as_str() == site_code)
    }

    fn status_code(&self) -> &'static str {
        STATUSES
            .iter()
            .find(|(_, _, s)| Some(*s) == self.status)
            .map_or("", |(c, _, _)| c)
    }

    /// The query string of these filters and `page`, for the page links.
    pub fn href(&self, page: usize) -> String {
        let mut parts = Vec::new();
        if self.status.is_some() {
            parts.push(format!("status={}", self.status_code()));
        }
        if let Some(site) = &self.site {
            parts.push(format!("site={site}"));
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        if parts.is_empty() {
            "/".to_owned()
        } else {
            format!("/?{}", parts.join("&"))
        }
    }

    pub fn is_any(&self) -> bool {
        self.status.is_some() || self.site.is_some()
    }
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
    pub filters: Filters,
    /// The status filter's choices, the chosen one selected.
    pub status_options: Vec<SelectOption>,
    /// The site filter's choices (the sites with lines), the chosen one selected; offered
    /// when the user works at more than one site.
    pub site_options: Vec<SelectOption>,
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
    let requested = page_number(query.page.as_deref()).ok_or(AppError::NotFound)?;
    // A status or site code that cannot be one is not found, as a nonsense page number.
    let filters = Filters::parse(query.status.as_deref(), query.site.as_deref())
        .map_err(|_| AppError::NotFound)?;
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
        status_options: STATUSES
            .iter()
            .map(|(code, label, status)| SelectOption {
                code: (*code).to_owned(),
                label: (*label).to_owned(),
                selected: filters.status == Some(*status),
            })
            .collect(),
        site_options: Vec::new(),
        filters,
    };
    if user.can(Permission::ReadPatients) {
        let filter = user.sites_for(Permission::ReadPatients)?;
        let shared = state.clone();
        let kept = state
            .db(move |conn| Ok(shared.worklist.kept(conn, &filter, today)?))
            .await?;
        // The counts above the table are of every line of the user's sites; the table shows
        // the lines the filters keep.
        page.overdue = kept.count(VisitStatus::Overdue);
        page.due = kept.count(VisitStatus::Due);
        page.missed = kept.count(VisitStatus::Missed);
        let sites = kept.site_codes();
        if sites.len() > 1 || page.filters.site.is_some() {
            page.site_options = sites
                .into_iter()
                .map(|code| SelectOption {
                    selected: page
                        .filters
                        .site
                        .as_ref()
                        .is_some_and(|s| s.as_str() == code),
                    label: code.clone(),
                    code,
                })
                .collect();
        }
        let kept = if page.filters.is_any() {
            kept.only(|status, code| page.filters.keeps(status, code))
        } else {
            kept
        };
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
