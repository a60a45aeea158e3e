//! End-to-end tests against the real `registry` binary, each on its own temporary database:
//! the coordinator's journey in a headless Chromium (through chromedriver), and `kill -9`
//! during a stream of saves. Chromium and chromedriver must be installed (Debian's `chromium`
//! and `chromium-driver`; `.ci/run` installs them): without them the browser test fails and
//! says so.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers panic on broken fixtures, like the tests themselves"
)]

// The registry binary (CLI and `serve` on port 0) and a small HTTP client with a cookie jar.
mod support;
// Log in, enrol, record an infusion and a follow-up with an infection, read the timeline,
// and see rejected forms keep what was typed: in a real headless Chromium.
mod browser;
// SIGKILL the server during a stream of saves; integrity and every acknowledged save after.
mod crash;
// The administrator's shell: site list, a user's role and sites.
mod admin_cli;
