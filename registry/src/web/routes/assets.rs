//! The stylesheet, compiled into the binary (no JavaScript is served at all).

use actix_web::{HttpResponse, http::header};

/// `GET /static/app.css`
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("../../../static/app.css"))
}
