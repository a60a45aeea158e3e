//! The one integration test binary of `analytics`.
//!
//! Tolerances are fixed: 1e-9 relative against R for everything but Cox
//! regression (1e-6). Never loosen one to get a pass; find the bug.
#![expect(
    clippy::unwrap_used,
    reason = "helpers outside #[test] fns panic on a broken fixture, which is a test failure"
)]

/// Fixture loading, CLI spawning and tolerance checks.
mod helpers;

/// Every bad input exits 2 with a message naming column, line and value.
mod bad_input;
/// Event codings, missing values, factors: what the CSV front end accepts.
mod codings;
/// Aalen-Johansen cumulative incidence and Gray's test vs survfit / cmprsk (fixtures made here).
mod competing_risks;
/// Cox Efron and Breslow vs R's coxph.
mod cox;
/// Median follow-up (reverse Kaplan-Meier) vs R.
mod follow_up;
/// Row order, time shift, relabelling, two-group k-sample = two-sample.
mod invariants;
/// Kaplan-Meier tables, all three CI types, printed medians, landmarks, vs R.
mod km;
/// Log-rank and Peto-Peto (rho 0 and 1) vs R's survdiff.
mod log_rank;
/// Clopper-Pearson and the exact binomial test vs R's binom.test.
mod proportion;
/// Discrepancies found by the differential harness (tests/differential), pinned.
mod regressions;
/// Restricted mean survival time vs R's survmean.
mod rmst;
