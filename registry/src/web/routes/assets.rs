//! The static assets, compiled into the binary: the stylesheet, and one small script that asks
//! before a page with unsaved typing is left (`static/guard.js`; every page works without it,
//! and no inline script is ever served).

use actix_web::{HttpResponse, http::header};

/// `GET /static/app.css`
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("../../../static/app.css"))
}

/// `GET /static/guard.js`
pub async fn unsaved_guard() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("../../../static/guard.js"))
}
