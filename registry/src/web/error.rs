//! Errors of the web layer, and which to use where.
//!
//! - A handler returns `Result<HttpResponse, AppError>`. `AppError` separates the user's fault
//!   (`NotFound`, `Forbidden`, `CsrfRejected`, `TooManyAttempts`, `Conflict`, `BadRequest`)
//!   from ours
//!   (`Unexpected`, from any `anyhow::Error`, with `.context("Failed to …")` at each step).
//! - A form that fails validation is *not* an error: the handler re-renders it with status 422,
//!   the typed values and a message beside each field.
//! - Another site's record is `NotFound`, never `Forbidden`: its existence is not disclosed.

use actix_web::{HttpResponse, ResponseError, http::StatusCode, web};
use askama::Template;

/// What a handler can fail with.
#[derive(thiserror::Error)]
pub enum AppError {
    #[error("Log in to continue")]
    Unauthenticated,
    #[error("Your session has expired; log in again")]
    SessionExpired,
    #[error("Not found")]
    NotFound,
    #[error("You do not have access to this page")]
    Forbidden,
    #[error("The form has expired or did not come from this site. Go back, reload and retry.")]
    CsrfRejected,
    /// Refused like [`AppError::CsrfRejected`] (a page from an earlier session of the same
    /// user), with what was typed kept for them (`crate::web::kept_forms`) behind a link.
    #[error(
        "This page was opened before you logged in again (perhaps in another tab), so it was not \
         saved. Nothing was saved; what you typed is kept for you to review and save."
    )]
    StalePage { review: String },
    #[error("Too many failed attempts. Wait a few minutes and try again.")]
    TooManyAttempts,
    #[error("{0}")]
    Conflict(String),
    /// A request no page of ours sends: a form or address that cannot be read (a browser never
    /// sends one; a hand-made request may).
    #[error("{0}")]
    BadRequest(String),
    #[error("Something went wrong on our side")]
    Unexpected(#[from] anyhow::Error),
}

impl std::fmt::Debug for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{self}")?;
        if let Self::Unexpected(e) = self {
            for cause in e.chain() {
                writeln!(f, "Caused by: {cause}")?;
            }
        }
        Ok(())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::NotFound,
            other => Self::Unexpected(anyhow::Error::new(other).context("Database query failed")),
        }
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::Unexpected(anyhow::anyhow!("The blocking thread pool failed: {e}"))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: String,
    /// A link to what to do next (where to, what it says).
    next_step: Option<(&'a str, &'a str)>,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthenticated | Self::SessionExpired => StatusCode::SEE_OTHER,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden | Self::CsrfRejected | Self::StalePage { .. } => StatusCode::FORBIDDEN,
            Self::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        match self {
            Self::Unauthenticated => return see_other("/login"),
            Self::SessionExpired => return see_other("/login?expired=1"),
            _ => {}
        }
        if let Self::Unexpected(e) = self {
            eprintln!("error: {e:#}");
        }
        let page = ErrorPage {
            status: status.as_u16(),
            title: status.canonical_reason().unwrap_or("Error"),
            message: self.to_string(),
            next_step: match self {
                Self::StalePage { review } => Some((review.as_str(), "Review what you typed")),
                _ => None,
            },
        };
        let body = page
            .render()
            .unwrap_or_else(|_| "<!doctype html><title>Error</title><p>Error</p>".to_owned());
        HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(body)
    }
}

/// How the extractors of the pages answer a request they cannot read: an HTML error page,
/// like every other refusal, instead of actix's plain-text default. A path segment that is not
/// an id names no record (404); a form or query that cannot be read is a 400 saying what.
pub fn page_extractor_errors() -> (web::PathConfig, web::FormConfig, web::QueryConfig) {
    extractor_errors(|e| e.into())
}

/// The largest url-encoded form body read.
pub const FORM_BODY_LIMIT: usize = 256 * 1024;

/// The extractors' errors as `into` renders an [`AppError`] (HTML for pages, JSON for the API).
pub fn extractor_errors(
    into: fn(AppError) -> actix_web::Error,
) -> (web::PathConfig, web::FormConfig, web::QueryConfig) {
    (
        web::PathConfig::default().error_handler(move |_, _| into(AppError::NotFound)),
        // As large a body as the follow-up form's (actix's default for raw bodies, 256 KiB;
        // 16 KiB for forms), so an over-long value pasted into a field is refused beside the
        // field, with the form kept, not by an error page.
        web::FormConfig::default()
            .limit(FORM_BODY_LIMIT)
            .error_handler(move |e, _| {
                into(AppError::BadRequest(format!(
                    "The form could not be read ({e}). Go back, reload the page and try again."
                )))
            }),
        web::QueryConfig::default().error_handler(move |e, _| {
            into(AppError::BadRequest(format!(
                "The address has a value that cannot be read ({e})."
            )))
        }),
    )
}

/// A 303 See Other to `location`: the answer to a successful POST.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location))
        .finish()
}

/// Renders a template into an HTML response with the given status.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Result<HttpResponse, AppError> {
    let body = page
        .render()
        .map_err(|e| anyhow::anyhow!("Failed to render a template: {e}"))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}
