//! The nightly report's integration tests (feature `report`): one binary.
#![expect(
    clippy::unwrap_used,
    reason = "helpers outside #[test] fns panic on a broken fixture, which is a test failure"
)]

/// Cut-off handling through the real load: death on the cut-off day, events after it.
mod cutoff;
/// A hand-made registry database (raw SQL inserts) and a seeded one.
mod helpers;
/// B-cell aplasia duration and persistence loss through the real load and cut-off.
mod immune;
/// The typed load on its own: declared schema, parallel = sequential, cut-off rules, data hash.
mod load;
/// The whole report: equality with the engine on adtte.csv, byte-identical reruns, exit codes.
mod report;
/// summary.json against analytics/schemas/summary.schema.json with a JSON Schema validator.
mod schema;
