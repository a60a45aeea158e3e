//! The nightly report's integration tests (feature `report`): one binary.

/// A hand-made registry database (raw SQL inserts) and a seeded one.
mod helpers;
/// Cut-off handling through the real load: death on the cut-off day, events after it.
mod cutoff;
/// The whole report: equality with the engine on adtte.csv, byte-identical reruns, exit codes.
mod report;
