//! `/api/v1`: the JSON API. Per-user bearer tokens (`auth::api_token`), the same roles, site
//! scoping, validation and audit as the pages (the handlers call the same query and validation
//! functions), JSON errors, and an OpenAPI document at `/api/v1/openapi.json`.

pub mod follow_ups;
pub mod openapi;
pub mod patients;
pub mod worklist;

use actix_web::{HttpResponse, ResponseError, http::StatusCode, web};

use crate::web::{auth::api_token::json_error, error::AppError};

/// The API's extractors answer what they cannot read in JSON, as every other API error: an id
/// that is not one is a 404, a query or body that cannot be read a 400 saying what.
pub fn extractor_errors(config: &mut web::ServiceConfig) {
    let (path, form, query) = crate::web::error::extractor_errors(|e| ApiError(e).into());
    config
        .app_data(path)
        .app_data(form)
        .app_data(query)
        .app_data(web::JsonConfig::default().error_handler(|e, _| {
            ApiError(AppError::BadRequest(format!(
                "The body could not be read as JSON ({e})."
            )))
            .into()
        }));
}

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
