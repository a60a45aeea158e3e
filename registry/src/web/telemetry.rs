//! Request logging: one line per request on stderr, `method path status duration_ms`. The path
//! only, never the query string (searches may hold registry ids), never a body.

use std::time::Instant;

use actix_web::{
    Error,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
};

/// The access-log middleware.
pub async fn access_log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_owned();
    let response = next.call(req).await;
    let status = match &response {
        Ok(r) => r.status().as_u16(),
        Err(e) => e.as_response_error().status_code().as_u16(),
    };
    eprintln!(
        "http.request method={method} path={path} status={status} duration_ms={:.1}",
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}
