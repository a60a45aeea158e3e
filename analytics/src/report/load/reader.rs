//! The one generic table reader: runs a [`TableSpec`]'s query on a connection, streams the rows
//! into typed Polars builders, applies the row's cut-off fate, hashes what it keeps, and runs
//! the table's derivation.
//!
//! Speed: rows come through diesel's `sql_query(..).load_iter` into [`RawRow`], which reads
//! each SQLite value positionally without going through a `String` (text up to 24 bytes, every
//! code and id here, stays inline in a `PlSmallStr`); dates are parsed from their ISO text in
//! Rust; the builders are sized from the table's largest rowid; the hash is fed from a buffer,
//! not value by value.

use diesel::connection::DefaultLoadingMode;
use diesel::deserialize::{self, QueryableByName};
use diesel::row::{Field, NamedRow, Row};
use diesel::sqlite::{Sqlite, SqliteType};
use diesel::{RunQueryDsl, SqliteConnection};
use polars::prelude::*;
use sha2::{Digest, Sha256};

use super::LoadError;
use super::spec::{BadCode, ColumnSpec, ColumnType, IdRange, TableSpec};

/// The most values a row may have (the fate and the columns of the widest table).
const MAX_VALUES: usize = 10;

/// One SQLite value, as read.
#[derive(Debug, Default, Clone)]
enum Cell {
    #[default]
    Null,
    Int(i64),
    Real(f64),
    Text(PlSmallStr),
}

/// One result row: the fate, then the spec's columns, in order.
#[derive(Debug)]
struct RawRow {
    len: usize,
    cells: [Cell; MAX_VALUES],
}

impl QueryableByName<Sqlite> for RawRow {
    fn build<'a>(row: &impl NamedRow<'a, Sqlite>) -> deserialize::Result<Self> {
        let len = row.field_count();
        if len > MAX_VALUES {
            return Err(format!("{len} values in a row, at most {MAX_VALUES} supported").into());
        }
        let mut cells: [Cell; MAX_VALUES] = Default::default();
        for (i, cell) in cells.iter_mut().enumerate().take(len) {
            let field = Row::get(row, i).ok_or(diesel::result::UnexpectedEndOfRow)?;
            if let Some(mut value) = field.value() {
                *cell = match value.value_type() {
                    Some(SqliteType::Long) => Cell::Int(value.read_long()),
                    Some(SqliteType::Double) => Cell::Real(value.read_double()),
                    Some(SqliteType::Text) => Cell::Text(PlSmallStr::from_str(value.read_text())),
                    None => Cell::Null,
                    Some(other) => return Err(format!("unexpected {other:?} value").into()),
                };
            }
        }
        Ok(Self { len, cells })
    }
}

/// Days since 1970-01-01 of an ISO `YYYY-MM-DD` date, `None` if it is not one.
pub fn iso_day(text: &str) -> Option<i32> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(num(0..4)?).ok()?;
    let date = chrono::NaiveDate::from_ymd_opt(year, num(5..7)?, num(8..10)?)?;
    Some(super::epoch_days(date))
}

/// The typed builder of one column.
enum Builder {
    Int(PrimitiveChunkedBuilder<Int32Type>),
    Real(PrimitiveChunkedBuilder<Float64Type>),
    Bool(BooleanChunkedBuilder),
    Date(PrimitiveChunkedBuilder<Int32Type>),
    Text(StringChunkedBuilder),
}

impl Builder {
    fn new(spec: &ColumnSpec, capacity: usize) -> Self {
        let name = PlSmallStr::from_static(spec.name);
        match spec.ty {
            ColumnType::Int => Self::Int(PrimitiveChunkedBuilder::new(name, capacity)),
            ColumnType::Real => Self::Real(PrimitiveChunkedBuilder::new(name, capacity)),
            ColumnType::Bool => Self::Bool(BooleanChunkedBuilder::new(name, capacity)),
            ColumnType::Date => Self::Date(PrimitiveChunkedBuilder::new(name, capacity)),
            ColumnType::Text => Self::Text(StringChunkedBuilder::new(name, capacity)),
        }
    }

    /// Appends `cell`, or says what is wrong with it.
    fn push(&mut self, cell: &Cell, nullable: bool) -> Result<(), String> {
        match (self, cell) {
            (Self::Int(b), Cell::Null) if nullable => b.append_null(),
            (Self::Real(b), Cell::Null) if nullable => b.append_null(),
            (Self::Bool(b), Cell::Null) if nullable => b.append_null(),
            (Self::Date(b), Cell::Null) if nullable => b.append_null(),
            (Self::Text(b), Cell::Null) if nullable => b.append_null(),
            (_, Cell::Null) => return Err("NULL in a column that may not be null".to_owned()),
            (Self::Int(b), Cell::Int(v)) => b.append_value(
                i32::try_from(*v).map_err(|_| format!("{v} does not fit a 32-bit integer"))?,
            ),
            (Self::Real(b), Cell::Real(v)) => b.append_value(*v),
            // SQLite may return an integral real as an integer; lab values are far below 2^53.
            (Self::Real(b), Cell::Int(v)) => b.append_value(*v as f64),
            (Self::Bool(b), Cell::Int(v)) => b.append_value(*v != 0),
            (Self::Date(b), Cell::Text(s)) => {
                b.append_value(iso_day(s).ok_or_else(|| format!("{s:?} is not an ISO date"))?)
            }
            (Self::Text(b), Cell::Text(s)) => b.append_value(s.as_str()),
            (_, other) => return Err(format!("unexpected value {other:?}")),
        }
        Ok(())
    }

    fn finish(self) -> Column {
        match self {
            Self::Int(b) => b.finish().into_column(),
            Self::Real(b) => b.finish().into_column(),
            Self::Bool(b) => b.finish().into_column(),
            Self::Date(b) => b.finish().into_date().into_column(),
            Self::Text(b) => b.finish().into_column(),
        }
    }
}

/// SHA-256 fed through a buffer: a call per value costs more than the hashing itself.
pub struct Feed {
    sha: Sha256,
    buf: Vec<u8>,
}

impl Feed {
    const FLUSH_AT: usize = 1 << 16;

    pub fn new() -> Self {
        Self {
            sha: Sha256::new(),
            buf: Vec::with_capacity(Self::FLUSH_AT + 64),
        }
    }

    /// A length-prefixed byte string.
    pub fn bytes(&mut self, v: &[u8]) {
        self.buf.push(2);
        self.buf.extend_from_slice(&(v.len() as u64).to_le_bytes());
        self.buf.extend_from_slice(v);
        self.flush_if_full();
    }

    /// A 64-bit integer.
    pub fn int(&mut self, v: i64) {
        self.buf.push(1);
        self.buf.extend_from_slice(&v.to_le_bytes());
        self.flush_if_full();
    }

    /// One value: a tag byte, then its little-endian bytes (text: length, then UTF-8).
    fn cell(&mut self, cell: &Cell) {
        match cell {
            Cell::Null => self.buf.push(0),
            Cell::Int(v) => self.int(*v),
            Cell::Real(v) => {
                self.buf.push(3);
                self.buf.extend_from_slice(&v.to_bits().to_le_bytes());
            }
            Cell::Text(s) => self.bytes(s.as_bytes()),
        }
        self.flush_if_full();
    }

    fn flush_if_full(&mut self) {
        if self.buf.len() >= Self::FLUSH_AT {
            self.sha.update(&self.buf);
            self.buf.clear();
        }
    }

    pub fn finish(mut self) -> [u8; 32] {
        self.sha.update(&self.buf);
        self.sha.finalize().into()
    }
}

/// What reading one chunk of a table (a range of its row ids) gave: the read columns, internal
/// ones included, before the table's derivation.
pub struct ChunkRead {
    pub frame: DataFrame,
    pub kept: u64,
    pub dropped: u64,
    /// SHA-256 of every kept row's read values, in id order.
    pub digest: [u8; 32],
}

/// What reading one table gave.
pub struct TableRead {
    pub frame: DataFrame,
    pub kept: u64,
    pub dropped: u64,
    pub bad_codes: Vec<BadCode>,
    /// SHA-256 of the table's chunk digests, in id order (see [`ChunkRead::digest`]).
    pub digest: [u8; 32],
}

/// The table's largest row id, found in one b-tree lookup (a `count(*)` would scan the table):
/// an upper bound of its row count, the builders' capacity, where its chunks end, and the
/// order the tables are handed to the threads in (largest first).
pub fn max_row_id(conn: &mut SqliteConnection, spec: &TableSpec) -> i64 {
    diesel::sql_query(format!("SELECT max(rowid) FROM {}", spec.base_table()))
        .get_result::<RawRow>(conn)
        .ok()
        .and_then(|row| match row.cells.first() {
            Some(Cell::Int(n)) => Some(*n),
            _ => None,
        })
        .unwrap_or(0)
}

/// Reads the rows of `spec` whose id lies in `ids`, at the cut-off given as an SQL literal.
pub fn read_chunk(
    conn: &mut SqliteConnection,
    spec: &TableSpec,
    cutoff_literal: &str,
    ids: IdRange,
) -> Result<ChunkRead, LoadError> {
    let table = spec.table;
    let query_err = |source| LoadError::Query { table, source };
    let capacity = usize::try_from(ids.len_hint()).unwrap_or(0).min(1 << 24);
    let mut builders: Vec<Builder> = spec
        .columns
        .iter()
        .map(|c| Builder::new(c, capacity))
        .collect();
    let mut feed = Feed::new();
    let (mut kept, mut dropped) = (0u64, 0u64);
    let mut failure: Option<(usize, &'static str, String)> = None;
    let rows = diesel::sql_query(spec.query(cutoff_literal, ids))
        .load_iter::<RawRow, DefaultLoadingMode>(conn)
        .map_err(query_err)?;
    'rows: for (index, row) in rows.enumerate() {
        let row = row.map_err(query_err)?;
        if row.len != spec.columns.len() + 1 {
            failure = Some((index, "(row)", format!("{} values", row.len)));
            break;
        }
        match &row.cells[0] {
            Cell::Int(0) => {}
            Cell::Int(1) => {
                dropped += 1;
                continue;
            }
            Cell::Int(2) => continue,
            other => {
                failure = Some((index, "(fate)", format!("{other:?}")));
                break;
            }
        }
        kept += 1;
        for ((builder, column), cell) in builders.iter_mut().zip(spec.columns).zip(&row.cells[1..])
        {
            feed.cell(cell);
            if let Err(reason) = builder.push(cell, column.nullable) {
                failure = Some((index, column.name, reason));
                break 'rows;
            }
        }
    }
    if let Some((index, column, reason)) = failure {
        // The statement is finished (dropped) by now; name the row by its id.
        let id = row_id_at(conn, spec, ids, index);
        return Err(LoadError::Value {
            table,
            column,
            id,
            reason,
        });
    }
    let frame = DataFrame::new_infer_height(builders.into_iter().map(Builder::finish).collect())
        .map_err(|source| LoadError::Frame { table, source })?;
    Ok(ChunkRead {
        frame,
        kept,
        dropped,
        digest: feed.finish(),
    })
}

/// The id of the `index`-th row (from 0) of a chunk's query, to name a row that could not be
/// read; `None` if even that lookup fails.
fn row_id_at(
    conn: &mut SqliteConnection,
    spec: &TableSpec,
    ids: IdRange,
    index: usize,
) -> Option<i64> {
    let sql = format!(
        "SELECT {} FROM {} WHERE {} ORDER BY {} LIMIT 1 OFFSET {index}",
        spec.id,
        spec.from,
        spec.conditions(ids),
        spec.id
    );
    match diesel::sql_query(sql)
        .get_result::<RawRow>(conn)
        .ok()?
        .cells[0]
    {
        Cell::Int(id) => Some(id),
        _ => None,
    }
}

/// Joins a table's chunks (in id order) into its frame: stacks them, runs the table's
/// derivation over the whole, leaves out the internal columns, sums the counts and digests the
/// chunk digests.
pub fn finish_table(spec: &TableSpec, chunks: Vec<ChunkRead>) -> Result<TableRead, LoadError> {
    let table = spec.table;
    let frame_err = |source| LoadError::Frame { table, source };
    let mut sha = Sha256::new();
    let (mut kept, mut dropped) = (0u64, 0u64);
    let mut read: Option<DataFrame> = None;
    for chunk in chunks {
        sha.update(chunk.digest);
        kept += chunk.kept;
        dropped += chunk.dropped;
        match read.as_mut() {
            None => read = Some(chunk.frame),
            Some(frame) => {
                frame.vstack_mut_owned(chunk.frame).map_err(frame_err)?;
            }
        }
    }
    let mut read = read.ok_or(LoadError::NotRead { table })?;
    read.rechunk_mut_par();
    let mut bad_codes = Vec::new();
    let mut columns: Vec<Column> = spec
        .columns
        .iter()
        .filter(|c| !c.internal)
        .map(|c| read.column(c.name).cloned())
        .collect::<PolarsResult<_>>()
        .map_err(frame_err)?;
    if let Some(derivation) = spec.derivation {
        columns.extend((derivation.derive)(&read, &mut bad_codes).map_err(frame_err)?);
    }
    let frame = DataFrame::new(read.height(), columns).map_err(frame_err)?;
    Ok(TableRead {
        frame,
        kept,
        dropped,
        bad_codes,
        digest: sha.finalize().into(),
    })
}
