//! Shared test helpers: fixture paths and JSON, spawning the built binary,
//! relative-tolerance comparisons that treat R's NA/Inf (JSON null) as equal.

use analytics::cli::Format;
use analytics::commands;
use analytics::config::{Source, SurvivalConfig};
use analytics::input::EventCoding;
use analytics::survival::{ConfType, SurvivalData};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Output;

pub const R_TOL: f64 = 1e-9;
pub const COX_TOL: f64 = 1e-6;

pub fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/reference")
}

pub fn dataset(name: &str) -> PathBuf {
    reference_dir().join("datasets").join(name)
}

pub fn expected(name: &str) -> Value {
    let path = reference_dir().join("expected").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// Runs the built `analytics` binary.
pub fn run_cli(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_analytics"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs the binary, asserts success and parses its JSON.
pub fn cli_json(args: &[&str]) -> Value {
    let out = run_cli(args);
    assert!(
        out.status.success(),
        "analytics {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A JSON number, null as NaN.
pub fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

pub fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(num)
        .collect()
}

/// Equal within `tol` relative; both undefined (NaN/Inf/null) counts as equal.
/// Values within 1e-15 absolute count as equal (zeros computed as 1e-17).
pub fn close(got: f64, want: f64, tol: f64) -> bool {
    if !want.is_finite() || !got.is_finite() {
        return !want.is_finite() && !got.is_finite();
    }
    let diff = (got - want).abs();
    diff <= tol * got.abs().max(want.abs()) || diff <= 1e-15
}

pub fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        close(got, want, tol),
        "{what}: got {got:e}, R {want:e} (tol {tol:e} relative)"
    );
}

pub fn assert_all_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(
        got.len(),
        want.len(),
        "{what}: length {} vs R {}",
        got.len(),
        want.len()
    );
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_close(&format!("{what}[{i}]"), *g, *w, tol);
    }
}

/// Loads a CSV through the library's own front end (as the CLI does).
pub fn load(file: &str, time: &str, event: &str, group: Option<&str>) -> SurvivalData {
    let config = SurvivalConfig {
        source: Source {
            csv: dataset(file),
            time: time.into(),
            event: event.into(),
            format: Format::Json,
        },
        event_coding: EventCoding::Auto,
        group: group.map(str::to_owned),
        conf_type: ConfType::Log,
        conf_level: 0.95,
        times: vec![],
    };
    commands::load_survival(&config).unwrap().0
}

pub fn conf_types() -> [(ConfType, &'static str, &'static str); 3] {
    [
        (ConfType::Log, "log", "log"),
        (ConfType::LogLog, "loglog", "log-log"),
        (ConfType::Plain, "plain", "plain"),
    ]
}

/// Writes `text` to a temporary CSV and returns its directory guard and path.
pub fn temp_csv(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.csv");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}
