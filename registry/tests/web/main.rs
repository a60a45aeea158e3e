//! The web app's integration tests: one binary. Each test spawns its own app on a fresh
//! temporary SQLite file and port 0 (`helpers::spawn_app`), and talks HTTP to it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers panic on broken fixtures, like the tests themselves"
)]

// spawn_app, TestApp (one method per endpoint), Browser (a cookie jar), the seeded users.
mod helpers;
// Login, logout, sessions, throttling, CSRF, security headers.
mod auth;
// Every route requires login; route x role x own/other site matrix.
mod access;
// A form posted after the session expired is kept and brought back after logging in again.
mod kept_forms;
// Logged-in sessions outlive a restart of the server; ended ones stay ended.
mod restart;
// The JSON API: tokens, scoping, validation, audit.
mod api;
// Admin pages: sites and users, with their audit rows.
mod admin;
// Corrections: editing and deleting recorded events, demographics, follow-up status, and a
// user's own password.
mod corrections;
// CSV exports: scope, de-identification, codes and labels.
mod exports;
// The follow-up form: sections, validation, stale edits, lock and unlock.
mod follow_ups;
// Lab results: the follow-up form's lab panel, normalised values, corrections, migration 000025.
mod labs;
// The request path's lookups called directly: patient scope, the follow-up form's context.
mod lookups;
// Patients: list and filters, patient page, enrolment and its validation table.
mod patients;
// Recording diagnosis, course and infusion; the whole coordinator workflow.
mod treatments;
// The demo cohort (`registry seed`) against the app's rules: every seeded toxicity opened in
// the correction form and saved unchanged is accepted and changes nothing.
mod seeded;
// Snapshots (insta) of the follow-up form and the OpenAPI document, dynamic parts redacted.
mod snapshot_pages;
// The worklist (home page): statuses, urgency, site scoping.
mod worklist;
