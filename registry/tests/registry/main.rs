//! The registry library's integration tests: one binary, one module per area. Each test works
//! on its own temporary database file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers panic on broken fixtures, like the tests themselves"
)]

// The schema: migrations up/down/up, foreign keys indexed and enforced, CHECK constraints, the
// append-only audit log, vocabularies in CHECKs equal to the domain enums, and `registry migrate`
// on bad input.
mod schema;

// `registry seed`: the same seed gives the same rows whatever the thread count, every row
// satisfies the schema and the clinical timeline, an existing database is kept unless forced.
mod seed;

// `registry export` and `registry::export`: RFC 4180 files with a code and a label column per
// coded column, row counts, the de-identified profile (no identities, study days), site
// scoping, deterministic output, and bad input refused with one line and nothing written.
mod export;
