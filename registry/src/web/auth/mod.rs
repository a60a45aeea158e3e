//! Authentication and authorisation: argon2id passwords, server-side sessions with idle and
//! absolute expiry, the CSRF synchronizer token, login throttling, and the extractors that put
//! "who is asking" in every handler's signature.

pub mod api_token;
pub mod csrf;
pub mod extract;
pub mod password;
pub mod session;
pub mod session_store;
pub mod store;
pub mod throttle;
pub mod token;
