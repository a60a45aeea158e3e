//! `/api/v1`: the JSON API. Per-user bearer tokens (`auth::api_token`), the same roles, site
//! scoping, validation and audit as the pages (the handlers call the same query and validation
//! functions), JSON errors, and an OpenAPI document at `/api/v1/openapi.json`.

pub mod follow_ups;
pub mod openapi;
pub mod patients;
pub mod worklist;

use actix_web::{HttpResponse, ResponseError, http::StatusCode};

use crate::web::{auth::api_token::json_error, error::AppError};

/// An `AppError` rendered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self.0 {
            AppError::Unauthenticated | AppError::SessionExpired => StatusCode::UNAUTHORIZED,
            ref other => other.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Unexpected(e) = &self.0 {
            eprintln!("error: {e:#}");
        }
        json_error(&self.0)
    }
}
