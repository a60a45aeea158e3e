//! The declarative vocabulary of the load: a table is a list of [`ColumnSpec`]s (frame name,
//! SQL expression, Polars type, nullable or not) plus the rule that decides, per row, whether
//! it is inside the data cut-off ([`Fate`]), and optionally columns derived in Rust from the
//! domain vocabularies ([`Derivation`]). The one generic reader (`reader`) executes any
//! [`TableSpec`]; `tables` holds the fourteen descriptions.
//!
//! SQL expressions may use the token [`CUTOFF`], which the reader replaces with the cut-off as
//! an ISO date literal (`'2024-06-30'`). Dates are stored as ISO text, so comparing them with
//! it is a plain text comparison inside SQLite.

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
            Self::DropAfter(date) => format!("CASE WHEN {date} > {CUTOFF} THEN 1 ELSE 0 END"),
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
    /// Everything after `FROM`: the table, joins and a `WHERE` clause.
    pub from: &'static str,
    /// The `ORDER BY` expression (the table's id), so rows and the hash are in a fixed order.
    pub order_by: &'static str,
    pub fate: Fate,
    pub columns: &'static [ColumnSpec],
    pub derivation: Option<Derivation>,
}

impl TableSpec {
    /// The query, with the cut-off literal in place of [`CUTOFF`]: the fate first, then the
    /// columns in order.
    pub fn query(&self, cutoff_literal: &str) -> String {
        let mut select = vec![self.fate.sql()];
        select.extend(self.columns.iter().map(|c| c.sql.to_owned()));
        format!(
            "SELECT {} FROM {} ORDER BY {}",
            select.join(", "),
            self.from,
            self.order_by
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
