//! Reading a CSV export into typed columns, fast (one reused `ByteRecord`, no
//! per-cell allocation) and strict: every unusable value is an [`InputError`]
//! naming the column, the line and the value.
//!
//! A row with a missing value (empty or `NA`) in any requested column is dropped
//! and counted, as R's `na.omit`. Categorical columns (events, groups, factors)
//! are interned: each distinct value is stored once with the line it first
//! appeared on, and decoded after the whole file is read.

use std::collections::HashMap;
use std::path::Path;

/// A value the user must fix, located in the file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("column {column:?} not found in the header (columns: {available})")]
    MissingColumn { column: String, available: String },
    #[error("column {column:?}, line {line}: value {value:?} {reason}")]
    BadValue {
        column: String,
        line: u64,
        value: String,
        reason: String,
    },
    #[error("column {column:?}: {reason}")]
    BadColumn { column: String, reason: String },
    #[error("no rows left after dropping {dropped} with missing values")]
    NoRows { dropped: usize },
}

/// How a requested column is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Finite number >= 0.
    Time,
    /// Any finite number.
    Numeric,
    /// Kept as interned text (event codes, groups, factors).
    Categorical,
}

/// One parsed column, rows aligned with every other column of the read.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    Numbers(Vec<f64>),
    Categories(Categories),
}

/// Interned text values: `codes[row]` indexes `values`, in order of first appearance.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Categories {
    pub values: Vec<String>,
    /// The line each distinct value first appeared on.
    pub first_line: Vec<u64>,
    pub codes: Vec<u32>,
    /// What R's `read.csv` makes of the whole column, rows dropped for a missing
    /// value elsewhere included (`type.convert` runs before `na.omit`);
    /// `None` when not read from a file (then the kept values decide).
    pub r_type: Option<RType>,
    /// The largest number in the whole column, dropped rows included (R's
    /// `Surv` picks the 1/2 coding from `max(status)` before `na.omit`).
    pub r_max: Option<f64>,
}

/// The type `read.csv` (`type.convert`) gives a column: the first of logical,
/// integer, double that every non-missing value fits, else character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RType {
    Logical,
    Integer,
    Double,
    Character,
}

/// Running `type.convert` verdict over the cells of one column.
#[derive(Debug, Clone, Copy)]
struct TypeScan {
    logical: bool,
    integer: bool,
    double: bool,
    max: Option<f64>,
}

impl TypeScan {
    const START: Self = Self {
        logical: true,
        integer: true,
        double: true,
        max: None,
    };
    fn see(&mut self, cell: &[u8]) {
        let Ok(text) = std::str::from_utf8(cell) else {
            *self = Self {
                logical: false,
                integer: false,
                double: false,
                max: self.max,
            };
            return;
        };
        self.logical &= parse_logical(text).is_some();
        self.integer &= is_r_integer(text);
        match parse_number(cell).filter(|x| x.is_finite()) {
            Some(x) => self.max = Some(self.max.map_or(x, |m| m.max(x))),
            None => self.double = false,
        }
    }
    fn verdict(self) -> RType {
        if self.logical {
            RType::Logical
        } else if self.integer {
            RType::Integer
        } else if self.double {
            RType::Double
        } else {
            RType::Character
        }
    }
}

/// The requested columns of a file, missing rows removed.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    pub names: Vec<String>,
    pub columns: Vec<Column>,
    pub n_rows: usize,
    pub n_dropped: usize,
}

impl Columns {
    pub fn numbers(&self, i: usize) -> &[f64] {
        match &self.columns[i] {
            Column::Numbers(v) => v,
            Column::Categories(_) => &[],
        }
    }
    pub fn categories(&self, i: usize) -> Option<&Categories> {
        match &self.columns[i] {
            Column::Categories(c) => Some(c),
            Column::Numbers(_) => None,
        }
    }
}

fn is_missing(cell: &[u8]) -> bool {
    cell.is_empty() || cell == b"NA"
}

fn trim(cell: &[u8]) -> &[u8] {
    cell.trim_ascii()
}

/// Reads `path` and returns the `requested` columns (name, kind) with missing rows dropped.
pub fn read_columns(path: &Path, requested: &[(&str, Kind)]) -> Result<Columns, InputError> {
    let unreadable = |e: &dyn std::fmt::Display| InputError::Unreadable {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .buffer_capacity(1 << 20)
        .from_path(path)
        .map_err(|e| unreadable(&e))?;
    let headers = reader.byte_headers().map_err(|e| unreadable(&e))?.clone();
    let header_names: Vec<String> = headers
        .iter()
        .map(|h| {
            String::from_utf8_lossy(trim(h))
                .trim_matches('"')
                .to_owned()
        })
        .collect();
    let mut index = Vec::with_capacity(requested.len());
    for (name, _) in requested {
        let i = header_names.iter().position(|h| h == name).ok_or_else(|| {
            InputError::MissingColumn {
                column: (*name).to_owned(),
                available: header_names.join(", "),
            }
        })?;
        index.push(i);
    }
    let mut numbers: Vec<Vec<f64>> = requested.iter().map(|_| Vec::new()).collect();
    let mut cats: Vec<Categories> = requested.iter().map(|_| Categories::default()).collect();
    let mut lookup: Vec<HashMap<Box<[u8]>, u32>> =
        requested.iter().map(|_| HashMap::new()).collect();
    let mut scans = vec![TypeScan::START; requested.len()];
    let mut record = csv::ByteRecord::new();
    let mut n_rows = 0usize;
    let mut n_dropped = 0usize;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(unreadable(&e)),
        }
        let line = record.position().map_or(0, |p| p.line());
        if index
            .iter()
            .any(|&i| is_missing(trim(record.get(i).unwrap_or(b""))))
        {
            n_dropped += 1;
            // R types the column before dropping the row
            for (k, (&i, (_, kind))) in index.iter().zip(requested).enumerate() {
                let cell = trim(record.get(i).unwrap_or(b""));
                if *kind == Kind::Categorical && !is_missing(cell) {
                    scans[k].see(cell);
                }
            }
            continue;
        }
        for (k, (&i, (name, kind))) in index.iter().zip(requested).enumerate() {
            let cell = trim(record.get(i).unwrap_or(b""));
            match kind {
                Kind::Time | Kind::Numeric => {
                    let value = parse_number(cell).ok_or_else(|| {
                        let reason = if *kind == Kind::Numeric {
                            format!(
                                "is not a number (for a categorical covariate use --factor {name})"
                            )
                        } else {
                            "is not a number".to_owned()
                        };
                        bad(name, line, cell, &reason)
                    })?;
                    if !value.is_finite() {
                        return Err(bad(name, line, cell, "is not finite"));
                    }
                    if *kind == Kind::Time && value < 0.0 {
                        return Err(bad(name, line, cell, "is negative; times must be >= 0"));
                    }
                    numbers[k].push(value);
                }
                Kind::Categorical => {
                    let code = match lookup[k].get(cell) {
                        Some(&c) => c,
                        None => {
                            scans[k].see(cell);
                            let c = cats[k].values.len() as u32;
                            lookup[k].insert(cell.into(), c);
                            cats[k]
                                .values
                                .push(String::from_utf8_lossy(cell).into_owned());
                            cats[k].first_line.push(line);
                            c
                        }
                    };
                    cats[k].codes.push(code);
                }
            }
        }
        n_rows += 1;
    }
    if n_rows == 0 {
        return Err(InputError::NoRows { dropped: n_dropped });
    }
    let columns = requested
        .iter()
        .zip(numbers.into_iter().zip(cats))
        .zip(&scans)
        .map(|(((_, kind), (num, cat)), scan)| match kind {
            Kind::Categorical => Column::Categories(Categories {
                r_type: Some(scan.verdict()),
                r_max: scan.max,
                ..cat
            }),
            _ => Column::Numbers(num),
        })
        .collect();
    Ok(Columns {
        names: requested.iter().map(|(n, _)| (*n).to_owned()).collect(),
        columns,
        n_rows,
        n_dropped,
    })
}

fn bad(column: &str, line: u64, cell: &[u8], reason: &str) -> InputError {
    InputError::BadValue {
        column: column.to_owned(),
        line,
        value: String::from_utf8_lossy(cell).into_owned(),
        reason: reason.to_owned(),
    }
}

/// Parses a number as R's `read.csv` would (surrounding quotes allowed).
pub fn parse_number(cell: &[u8]) -> Option<f64> {
    let cell = cell
        .strip_prefix(b"\"")
        .and_then(|c| c.strip_suffix(b"\""))
        .unwrap_or(cell);
    std::str::from_utf8(cell).ok()?.parse::<f64>().ok()
}

/// How the event column is coded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventCoding {
    /// R's `Surv` rule: logical TRUE/FALSE, or numeric 0/1, or numeric 1/2 (when
    /// the largest value is 2: 1 censored, 2 event).
    Auto,
    /// Event iff the value equals this one (as R's `status == V` on the column
    /// `read.csv` makes: numerically in a numeric column, so `1` matches `1.0`;
    /// as TRUE/FALSE in a logical one, so `TRUE` matches `T`); any other value
    /// is censored.
    Value(String),
}

/// For each distinct value of `cats`, whether it equals `value` as R's `==`
/// does on the column `read.csv` makes ([`Categories::r_type`]): numerically in
/// a numeric column, logically in a logical one, as text otherwise.
pub fn matches_value(cats: &Categories, value: &str) -> Vec<bool> {
    let r_type = cats.r_type.unwrap_or_else(|| {
        let mut scan = TypeScan::START;
        cats.values.iter().for_each(|v| scan.see(v.as_bytes()));
        scan.verdict()
    });
    let number = parse_number(value.as_bytes()).filter(|x| x.is_finite());
    let logical = parse_logical(value);
    cats.values
        .iter()
        .map(|x| match r_type {
            RType::Integer | RType::Double if number.is_some() => {
                parse_number(x.as_bytes()) == number
            }
            RType::Logical if logical.is_some() => parse_logical(x) == logical,
            _ => x == value,
        })
        .collect()
}

/// Decodes an interned event column into booleans.
pub fn decode_events(
    column: &str,
    cats: &Categories,
    coding: &EventCoding,
) -> Result<Vec<bool>, InputError> {
    let is_event: Vec<bool> = match coding {
        EventCoding::Value(v) => matches_value(cats, v),
        EventCoding::Auto => auto_event_codes(column, cats)?,
    };
    Ok(cats.codes.iter().map(|&c| is_event[c as usize]).collect())
}

fn auto_event_codes(column: &str, cats: &Categories) -> Result<Vec<bool>, InputError> {
    let logical = parse_logical;
    let bad_value = |k: usize, reason: String| InputError::BadValue {
        column: column.to_owned(),
        line: cats.first_line[k],
        value: cats.values[k].clone(),
        reason,
    };
    if cats.values.iter().all(|v| logical(v).is_some()) {
        return Ok(cats
            .values
            .iter()
            .map(|v| logical(v) == Some(true))
            .collect());
    }
    let mut nums = Vec::with_capacity(cats.values.len());
    for (k, v) in cats.values.iter().enumerate() {
        match parse_number(v.as_bytes()) {
            Some(x) if x.is_finite() => nums.push(x),
            _ => {
                return Err(bad_value(
                    k,
                    "is not a recognised event code (use 0/1, TRUE/FALSE, 1/2, or --event-value)"
                        .into(),
                ));
            }
        }
    }
    let max = nums.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    // R decides on the whole column: a 2 on a row dropped for a missing group
    // still makes it the 1/2 coding
    let two = cats.r_max.map_or(max, |m| m.max(max)) == 2.0;
    nums.iter()
        .enumerate()
        .map(|(k, &x)| {
            if two {
                match x {
                    1.0 => Ok(false),
                    2.0 => Ok(true),
                    _ => Err(bad_value(
                        k,
                        "is not a recognised event code: with R's 1/2 coding (largest value 2) only 1 = censored and 2 = event are allowed".into(),
                    )),
                }
            } else {
                match x {
                    0.0 => Ok(false),
                    1.0 => Ok(true),
                    _ => Err(bad_value(
                        k,
                        "is not a recognised event code (use 0/1, TRUE/FALSE, 1/2, or --event-value)".into(),
                    )),
                }
            }
        })
        .collect()
}

/// Level order and labels of a categorical column as R's `factor()` of what
/// `read.csv` makes of it (`type.convert`, over the whole column: a value in a
/// row later dropped for a missing cell still decides the type, see
/// [`Categories::r_type`]):
/// * every value `TRUE`/`FALSE` (or `T`, `F`, `true`, `True`, ...): logical, levels
///   `FALSE`, `TRUE` (so `T` and `TRUE` are one level);
/// * every value a number: sorted numerically; labelled as an R integer (plain
///   digits) when every value is written as an integer within R's integer range,
///   else as `as.character()` of a double (`1e+05`, `0.5`; see
///   [`crate::survival::format_r_number`]);
/// * otherwise text, sorted by code point (R in the C locale).
///
/// Returns (levels as labels, code remap from interned code to level index).
pub fn factor_levels(cats: &Categories) -> (Vec<String>, Vec<u32>) {
    let r_type = cats.r_type.unwrap_or_else(|| {
        let mut scan = TypeScan::START;
        cats.values.iter().for_each(|v| scan.see(v.as_bytes()));
        scan.verdict()
    });
    match r_type {
        RType::Logical => {
            let values: Vec<bool> = cats
                .values
                .iter()
                .map(|v| parse_logical(v) == Some(true))
                .collect();
            let labels: Vec<String> = [false, true]
                .into_iter()
                .filter(|b| values.contains(b))
                .map(|b| if b { "TRUE" } else { "FALSE" }.to_owned())
                .collect();
            let remap = values
                .iter()
                .map(|&b| u32::from(b && labels.len() == 2))
                .collect();
            (labels, remap)
        }
        RType::Integer | RType::Double => {
            let nums: Vec<f64> = cats
                .values
                .iter()
                .map(|v| parse_number(v.as_bytes()).unwrap_or(f64::NAN))
                .collect();
            let mut sorted = nums.clone();
            sorted.sort_by(f64::total_cmp);
            sorted.dedup();
            let remap = nums
                .iter()
                .map(|x| sorted.partition_point(|l| l < x) as u32)
                .collect();
            let labels = sorted
                .iter()
                .map(|&x| {
                    if r_type == RType::Integer {
                        format!("{x:.0}")
                    } else {
                        crate::survival::format_r_number(x)
                    }
                })
                .collect();
            (labels, remap)
        }
        RType::Character => {
            let mut sorted: Vec<&String> = cats.values.iter().collect();
            sorted.sort();
            sorted.dedup();
            let remap = cats
                .values
                .iter()
                .map(|v| sorted.partition_point(|l| *l < v) as u32)
                .collect();
            (sorted.into_iter().cloned().collect(), remap)
        }
    }
}

/// `type.convert`'s logical values.
fn parse_logical(v: &str) -> Option<bool> {
    match v {
        "TRUE" | "True" | "true" | "T" => Some(true),
        "FALSE" | "False" | "false" | "F" => Some(false),
        _ => None,
    }
}

/// Whether `type.convert` reads `v` as an R integer: an optional sign and
/// decimal digits only, within `-2147483647..=2147483647` (R's `Strtoi`).
fn is_r_integer(v: &str) -> bool {
    let v = v
        .strip_prefix('"')
        .and_then(|c| c.strip_suffix('"'))
        .unwrap_or(v);
    let digits = v.strip_prefix(['+', '-']).unwrap_or(v);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && v.parse::<i64>()
            .is_ok_and(|x| x.abs() <= i64::from(i32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cats(values: &[&str]) -> Categories {
        Categories {
            values: values.iter().map(|s| (*s).to_owned()).collect(),
            first_line: (2..).take(values.len()).collect(),
            codes: (0..values.len() as u32).collect(),
            r_type: None,
            r_max: None,
        }
    }

    #[test]
    fn event_codings_follow_r_surv() {
        let auto = EventCoding::Auto;
        assert_eq!(
            decode_events("s", &cats(&["0", "1"]), &auto).unwrap(),
            [false, true]
        );
        assert_eq!(
            decode_events("s", &cats(&["1", "2"]), &auto).unwrap(),
            [false, true]
        );
        // all ones is 0/1 coding: every subject had the event
        assert_eq!(decode_events("s", &cats(&["1"]), &auto).unwrap(), [true]);
        assert_eq!(
            decode_events("s", &cats(&["TRUE", "F"]), &auto).unwrap(),
            [true, false]
        );
        let err = decode_events("s", &cats(&["0", "1", "2"]), &auto).unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        let v = EventCoding::Value("dead".into());
        assert_eq!(
            decode_events("s", &cats(&["alive", "dead"]), &v).unwrap(),
            [false, true]
        );
        // R's status == 1 on a numeric column, status == TRUE on a logical one
        let v = EventCoding::Value("1".into());
        assert_eq!(
            decode_events("s", &cats(&["1.0", "0.0", "2"]), &v).unwrap(),
            [true, false, false]
        );
        let v = EventCoding::Value("TRUE".into());
        assert_eq!(
            decode_events("s", &cats(&["T", "F", "TRUE"]), &v).unwrap(),
            [true, false, true]
        );
    }

    #[test]
    fn factor_levels_sort_numbers_numerically() {
        let (levels, remap) = factor_levels(&cats(&["10", "9", "1.0"]));
        assert_eq!(levels, ["1", "9", "10"]);
        assert_eq!(remap, [2, 1, 0]);
        let (levels, remap) = factor_levels(&cats(&["b", "a", "10"]));
        assert_eq!(levels, ["10", "a", "b"]);
        assert_eq!(remap, [2, 1, 0]);
        // an integer column prints in full; a double column as R's as.character
        let (levels, _) = factor_levels(&cats(&["100000", "2"]));
        assert_eq!(levels, ["2", "100000"]);
        let (levels, _) = factor_levels(&cats(&["100000", "0.5", "3000000000"]));
        assert_eq!(levels, ["0.5", "1e+05", "3e+09"]);
        let (levels, _) = factor_levels(&cats(&["1e5", "2"]));
        assert_eq!(levels, ["2", "1e+05"]);
        // logical: T and TRUE are one level, FALSE first
        let (levels, remap) = factor_levels(&cats(&["T", "FALSE", "TRUE"]));
        assert_eq!(levels, ["FALSE", "TRUE"]);
        assert_eq!(remap, [1, 0, 1]);
    }
}
