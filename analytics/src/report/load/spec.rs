//! The declarative vocabulary of the load: a table is a list of [`ColumnSpec`]s (frame name,
//! SQL expression, Polars type, nullable or not) plus the rule that decides, per row, whether
//! it is inside the data cut-off ([`Fate`]), and optionally columns derived in Rust from the
//! domain vocabularies ([`Derivation`]). The one generic reader (`reader`) executes any
//! [`TableSpec`]; `tables` holds the fourteen descriptions.
//!
//! SQL expressions may use the token [`CUTOFF`], which the reader replaces with the cut-off as
//! an ISO date literal (`'2024-06-30'`). Dates are stored as ISO text, so comparing them with
//! it is a plain text comparison inside SQLite. A dated column is compared as `+column`: a
//! `DATE` column has NUMERIC affinity, and SQLite would otherwise try to convert both sides
//! to a number on every row before falling back to the text comparison (same result, slower).

use polars::prelude::{Column, DataFrame, DataType, PolarsResult};

/// The token an SQL expression uses for the data cut-off (an ISO date literal).
pub const CUTOFF: &str = "{cutoff}";

/// The Polars type of a loaded column, which is also how its SQLite value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// `Int32`, from an SQLite integer.
    Int,
    /// `Float64`, from an SQLite real (an integer is widened).
    Real,
    /// `Boolean`, from an SQLite integer (0 is false).
    Bool,
    /// `Date`, from ISO `YYYY-MM-DD` text, converted in Rust (cheaper than `julianday`).
    Date,
    /// `String`, from text.
    Text,
}

impl ColumnType {
    /// The Polars data type of a column of this type.
    pub fn dtype(self) -> DataType {
        match self {
            Self::Int => DataType::Int32,
            Self::Real => DataType::Float64,
            Self::Bool => DataType::Boolean,
            Self::Date => DataType::Date,
            Self::Text => DataType::String,
        }
    }

    /// The name the module documentation uses for this type.
    pub fn doc_name(self) -> &'static str {
        match self {
            Self::Int => "i32",
            Self::Real => "f64",
            Self::Bool => "bool",
            Self::Date => "date",
            Self::Text => "str",
        }
    }
}

/// One column read from SQLite.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// The column's name in the frame.
    pub name: &'static str,
    /// The SQL expression that reads it (may use [`CUTOFF`]).
    pub sql: &'static str,
    pub ty: ColumnType,
    /// Whether SQL `NULL` is allowed; a `NULL` in a non-nullable column is an error.
    pub nullable: bool,
    /// Read (and hashed, and seen by the derivation) but not part of the frame, for example a
    /// row id only used to name a row whose code does not parse.
    pub internal: bool,
}

impl ColumnSpec {
    /// A non-nullable column of the frame.
    pub const fn new(name: &'static str, sql: &'static str, ty: ColumnType) -> Self {
        Self {
            name,
            sql,
            ty,
            nullable: false,
            internal: false,
        }
    }

    /// A column computed by a [`Derivation`] (no SQL of its own).
    pub const fn derived(name: &'static str, ty: ColumnType) -> Self {
        Self::new(name, "", ty)
    }

    /// The same column, allowing `NULL`.
    pub const fn nullable(self) -> Self {
        Self {
            nullable: true,
            ..self
        }
    }

    /// The same column, read but left out of the frame.
    pub const fn internal(self) -> Self {
        Self {
            internal: true,
            ..self
        }
    }
}

/// What the data cut-off does to a row.
#[derive(Debug, Clone, Copy)]
pub enum Fate {
    /// Nothing in the row is dated: every row is kept.
    Always,
    /// The row is dropped, and counted, when this date expression is after the cut-off.
    DropAfter(&'static str),
    /// An SQL expression giving 0 (keep), 1 (drop and count as after the cut-off) or 2 (leave
    /// out without counting: the row holds nothing dated at all).
    Sql(&'static str),
}

impl Fate {
    /// The SQL expression of the row's fate (0 keep, 1 dropped, 2 left out).
    pub fn sql(self) -> String {
        match self {
            Self::Always => "0".to_owned(),
            Self::DropAfter(date) => format!("CASE WHEN +{date} > {CUTOFF} THEN 1 ELSE 0 END"),
            Self::Sql(expr) => expr.to_owned(),
        }
    }
}

/// A code that did not parse, as (table, row id, what).
pub type BadCode = (String, i32, String);

/// Columns computed in Rust from the read ones (domain parsing of codes), appended to the
/// frame in the order of `columns`.
#[derive(Debug, Clone, Copy)]
pub struct Derivation {
    /// Names and types of the derived columns (for the schema and its documentation).
    pub columns: &'static [ColumnSpec],
    /// Computes them from the read frame (internal columns included); codes that do not parse
    /// are pushed onto the list with their row id.
    pub derive: fn(&DataFrame, &mut Vec<BadCode>) -> PolarsResult<Vec<Column>>,
}

/// One table of the load.
#[derive(Debug, Clone, Copy)]
pub struct TableSpec {
    /// The registry table: the key of the row counts and of the data hash.
    pub table: &'static str,
    /// Everything after `FROM` up to the `WHERE`: the table, then any joins.
    pub from: &'static str,
    /// A condition rows must meet (without `WHERE`), if any.
    pub filter: Option<&'static str>,
    /// The row id expression (the table's `INTEGER PRIMARY KEY`): rows are read in its order,
    /// so rows and the hash are in a fixed order, and in [`IdRange`] chunks of it.
    pub id: &'static str,
    pub fate: Fate,
    pub columns: &'static [ColumnSpec],
    pub derivation: Option<Derivation>,
}

/// A half-open range of row ids, `start <= id < end`, unbounded where `None`: the unit of work
/// of the parallel load (a large table is read as several ranges, on several connections).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdRange {
    pub start: Option<i64>,
    pub end: Option<i64>,
}

impl IdRange {
    /// Every row.
    pub const ALL: Self = Self {
        start: None,
        end: None,
    };

    /// Consecutive ranges of `size` ids covering ids 1 to `max_id` (row ids of these tables
    /// start at 1), the first open below and the last open above so that no row is missed;
    /// one range for an empty table. Depends only on `max_id` and `size`, never on threads.
    pub fn chunks(max_id: i64, size: i64) -> Vec<Self> {
        let size = size.max(1);
        let count = ((max_id.max(1) - 1) / size + 1).max(1);
        (0..count)
            .map(|k| Self {
                start: (k > 0).then(|| 1 + k * size),
                end: (k + 1 < count).then(|| 1 + (k + 1) * size),
            })
            .collect()
    }

    /// How many ids the range spans at most, for sizing builders (0 when unbounded).
    pub fn len_hint(self) -> i64 {
        match (self.start, self.end) {
            (Some(s), Some(e)) => (e - s).max(0),
            (None, Some(e)) => e.max(0),
            _ => 0,
        }
    }
}

impl TableSpec {
    /// The table whose row ids [`Self::id`] reads: the first word of [`Self::from`].
    pub fn base_table(&self) -> &'static str {
        self.from.split_whitespace().next().unwrap_or(self.table)
    }

    /// The `WHERE` conditions of a read of `ids`: the filter, then the range (always at least
    /// `1`, so the clause is never empty).
    pub fn conditions(&self, ids: IdRange) -> String {
        let mut all: Vec<String> = self.filter.iter().map(|f| format!("({f})")).collect();
        if let Some(start) = ids.start {
            all.push(format!("{} >= {start}", self.id));
        }
        if let Some(end) = ids.end {
            all.push(format!("{} < {end}", self.id));
        }
        if all.is_empty() {
            all.push("1".to_owned());
        }
        all.join(" AND ")
    }

    /// The query of the rows in `ids`, with the cut-off literal in place of [`CUTOFF`]: the
    /// fate first, then the columns in order.
    pub fn query(&self, cutoff_literal: &str, ids: IdRange) -> String {
        let mut select = vec![self.fate.sql()];
        select.extend(self.columns.iter().map(|c| c.sql.to_owned()));
        format!(
            "SELECT {} FROM {} WHERE {} ORDER BY {}",
            select.join(", "),
            self.from,
            self.conditions(ids),
            self.id
        )
        .replace(CUTOFF, cutoff_literal)
    }

    /// The frame's columns, in order: the read ones that are not internal, then the derived.
    pub fn frame_columns(&self) -> impl Iterator<Item = &'static ColumnSpec> {
        let derived: &'static [ColumnSpec] = match self.derivation {
            Some(d) => d.columns,
            None => &[],
        };
        self.columns
            .iter()
            .filter(|c| !c.internal)
            .chain(derived.iter())
    }

    /// The line of the module documentation that describes this frame.
    pub fn doc_line(&self, field: &str) -> String {
        let cols: Vec<String> = self
            .frame_columns()
            .map(|c| {
                let null = if c.nullable { "?" } else { "" };
                format!("`{}` {}{null}", c.name, c.ty.doc_name())
            })
            .collect();
        format!("//! - `{field}` (`{}`): {}", self.table, cols.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::IdRange;

    fn bounds(chunks: &[IdRange]) -> Vec<(Option<i64>, Option<i64>)> {
        chunks.iter().map(|r| (r.start, r.end)).collect()
    }

    #[test]
    fn id_chunks_cover_every_id_once_with_open_ends() {
        assert_eq!(bounds(&IdRange::chunks(0, 10)), vec![(None, None)]);
        assert_eq!(bounds(&IdRange::chunks(10, 10)), vec![(None, None)]);
        assert_eq!(
            bounds(&IdRange::chunks(11, 10)),
            vec![(None, Some(11)), (Some(11), None)]
        );
        assert_eq!(
            bounds(&IdRange::chunks(25, 10)),
            vec![(None, Some(11)), (Some(11), Some(21)), (Some(21), None)]
        );
        assert_eq!(IdRange::chunks(25, 10)[1].len_hint(), 10);
    }

    #[test]
    fn a_read_of_a_range_asks_for_the_filter_and_the_range() {
        let spec = super::super::tables::LABS;
        let sql = spec.query(
            "'2025-01-01'",
            IdRange {
                start: Some(11),
                end: Some(21),
            },
        );
        assert!(
            sql.contains(
                "WHERE (analyte IN ('IGG', 'CD19_ABS')) AND id >= 11 AND id < 21 ORDER BY id"
            ),
            "{sql}"
        );
        assert!(!sql.contains("{cutoff}"));
        let all = super::super::tables::DEATHS.query("'2025-01-01'", IdRange::ALL);
        assert!(all.contains("WHERE 1 ORDER BY id"), "{all}");
    }
}
