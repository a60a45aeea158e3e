//! The analysis datasets in the CDISC ADaM shape (domain.md §6.6), written as CSV:
//! `tables/adtte.csv` (one row per patient and time-to-event parameter) and `tables/adrs.csv`
//! (best overall response). Rows are sorted (`USUBJID`, then parameter order), dates are ISO,
//! booleans are ADaM flags (`Y` or blank), so the files are byte-identical for the same data.
//!
//! `CNSR` codes (see [`super::endpoints::cnsr`]): 0 event; 1 alive/event-free at last contact;
//! 2 censored at the start of a subsequent anticancer therapy or transplant (only when that
//! option is on); 3 lost to follow-up, withdrawn or transferred (censored at last contact);
//! 4 the competing event of CIR/NRM (its cause in `CRCAUSE`); 5 censored at the last measurement
//! of a longitudinal series (BCAPL: last B-cell count; PERSLOSS: last persistence test).
//! `AVAL = ADT - STARTDT` in days. Grouping columns hold codes; `index.html` shows their labels.

use std::io::Write;
use std::path::Path;

use polars::prelude::*;

use super::load::from_epoch_days;

/// ADRS: one `BOR` row per patient of the analysis set.
pub fn adrs(set: &DataFrame) -> PolarsResult<DataFrame> {
    set.clone()
        .lazy()
        .select([
            col("usubjid").alias("USUBJID"),
            lit("BOR").alias("PARAMCD"),
            lit("Best overall response").alias("PARAM"),
            col("bor").alias("AVALC"),
            col("criteria").alias("CRIT"),
            col("day0").alias("STARTDT"),
            col("bor_date").alias("ADT"),
            col("responder").alias("RSPFL"),
            col("complete").alias("CRFL"),
            col("disease").alias("DISEASE"),
            col("product").alias("PRODUCT"),
            col("antigen").alias("ANTIGEN"),
            col("site").alias("SITE"),
        ])
        .sort(["USUBJID"], SortMultipleOptions::default())
        .collect()
}

enum Cell<'a> {
    Str(&'a StringChunked),
    Int(&'a Int32Chunked),
    Date(&'a Int32Chunked),
    Flag(&'a BooleanChunked),
    Float(&'a Float64Chunked),
}

/// Writes `df` as CSV (comma, `"` quoting only where needed, `\n` line ends). Dates are ISO
/// `YYYY-MM-DD`, booleans `Y` or empty, nulls empty, floats shortest round-trip.
pub fn write_csv(df: &DataFrame, path: &Path) -> anyhow::Result<()> {
    let mut df = df.clone();
    df.rechunk_mut();
    let physical: Vec<(DataType, Series)> = df
        .columns()
        .iter()
        .map(|c| {
            let s = c.as_materialized_series().clone();
            let dt = s.dtype().clone();
            let phys = if dt == DataType::Date {
                s.cast(&DataType::Int32)
            } else {
                Ok(s)
            };
            phys.map(|p| (dt, p))
        })
        .collect::<PolarsResult<_>>()?;
    let mut cells = Vec::with_capacity(physical.len());
    for (dt, s) in &physical {
        cells.push(match dt {
            DataType::String => Cell::Str(s.str()?),
            DataType::Int32 => Cell::Int(s.i32()?),
            DataType::Date => Cell::Date(s.i32()?),
            DataType::Boolean => Cell::Flag(s.bool()?),
            DataType::Float64 => Cell::Float(s.f64()?),
            other => anyhow::bail!(
                "write_csv: column {} has unsupported type {other}",
                s.name()
            ),
        });
    }
    let file = std::fs::File::create(path)?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(std::io::BufWriter::with_capacity(1 << 20, file));
    let names: Vec<&str> = df.get_column_names().iter().map(|s| s.as_str()).collect();
    w.write_record(&names)?;
    let mut record: Vec<String> = vec![String::new(); cells.len()];
    for i in 0..df.height() {
        for (slot, cell) in record.iter_mut().zip(&cells) {
            slot.clear();
            match cell {
                Cell::Str(c) => slot.push_str(c.get(i).unwrap_or("")),
                Cell::Int(c) => {
                    if let Some(v) = c.get(i) {
                        slot.push_str(&v.to_string());
                    }
                }
                Cell::Date(c) => {
                    if let Some(v) = c.get(i) {
                        slot.push_str(&from_epoch_days(v).format("%Y-%m-%d").to_string());
                    }
                }
                Cell::Flag(c) => {
                    if c.get(i) == Some(true) {
                        slot.push('Y');
                    }
                }
                Cell::Float(c) => {
                    if let Some(v) = c.get(i) {
                        slot.push_str(&v.to_string());
                    }
                }
            }
        }
        w.write_record(&record)?;
    }
    let mut inner = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    inner.flush()?;
    Ok(())
}
