//! The one generic table reader: runs a [`TableSpec`]'s query on a connection, streams the rows
//! into typed Polars builders, applies the row's cut-off fate, hashes what it keeps, and runs
//! the table's derivation.
//!
//! Speed: diesel lends each result row only to a `QueryableByName::build`, so [`Streamed`]'s
//! `build` is where the row is consumed: it reads each SQLite value positionally (a text as a
//! borrowed `&str`, never a `String`) straight into the typed builder of the chunk being read
//! on this thread ([`Sink`], in a thread-local) and into the hash, and returns nothing. Dates
//! are parsed from their ISO text in Rust; the builders are sized from the chunk's id range;
//! the hash is fed from a buffer, not value by value.

use std::cell::RefCell;

use diesel::connection::DefaultLoadingMode;
use diesel::deserialize::{self, QueryableByName};
use diesel::row::{Field, NamedRow, Row};
use diesel::sql_types::{BigInt, Nullable};
use diesel::sqlite::{Sqlite, SqliteType, SqliteValue};
use diesel::{RunQueryDsl, SqliteConnection};
use polars::prelude::*;
use sha2::{Digest, Sha256};

use super::LoadError;
use super::spec::{BadCode, ColumnSpec, ColumnType, IdRange, TableSpec};

/// A row that could not be taken: its index in the chunk's query, the column, what is wrong.
type Failure = (usize, &'static str, String);

/// The chunk being read on this thread: where [`Streamed::build`] puts each row.
struct Sink {
    columns: &'static [ColumnSpec],
    builders: Vec<Builder>,
    feed: Feed,
    rows: usize,
    kept: u64,
    dropped: u64,
    failure: Option<Failure>,
}

thread_local! {
    static SINK: RefCell<Option<Sink>> = const { RefCell::new(None) };
}

impl Sink {
    /// Takes one result row: the fate, then the spec's columns in order.
    fn take<'a>(&mut self, row: &impl NamedRow<'a, Sqlite>) -> Result<(), Failure> {
        let index = self.rows;
        self.rows += 1;
        let fail = |column: &'static str, reason: String| (index, column, reason);
        if row.field_count() != self.columns.len() + 1 {
            return Err(fail("(row)", format!("{} values", row.field_count())));
        }
        let fate_field = Row::get(row, 0).ok_or_else(|| fail("(fate)", "missing".to_owned()))?;
        let fate = fate_field
            .value()
            .map(|mut v| (v.value_type(), v.read_long()));
        match fate {
            Some((Some(SqliteType::Long), 0)) => {}
            Some((Some(SqliteType::Long), 1)) => {
                self.dropped += 1;
                return Ok(());
            }
            Some((Some(SqliteType::Long), 2)) => return Ok(()),
            other => return Err(fail("(fate)", format!("{other:?}"))),
        }
        self.kept += 1;
        for (i, (builder, column)) in self.builders.iter_mut().zip(self.columns).enumerate() {
            let field =
                Row::get(row, i + 1).ok_or_else(|| fail(column.name, "missing".to_owned()))?;
            builder
                .push(field.value(), column.nullable, &mut self.feed)
                .map_err(|reason| fail(column.name, reason))?;
        }
        Ok(())
    }
}

/// A result row consumed as it is built (see the module documentation): nothing is returned.
struct Streamed;

impl QueryableByName<Sqlite> for Streamed {
    fn build<'a>(row: &impl NamedRow<'a, Sqlite>) -> deserialize::Result<Self> {
        SINK.with_borrow_mut(|sink| {
            let Some(sink) = sink.as_mut() else {
                return Err("no chunk is being read on this thread".into());
            };
            match sink.take(row) {
                Ok(()) => Ok(Streamed),
                Err(failure) => {
                    let message = format!("column {}: {}", failure.1, failure.2);
                    sink.failure = Some(failure);
                    Err(message.into())
                }
            }
        })
    }
}

/// Installs a [`Sink`] on this thread for the life of the guard and removes it when dropped
/// (also on an early return), so no later read sees a stale one.
struct SinkGuard;

impl SinkGuard {
    fn install(sink: Sink) -> Self {
        SINK.with_borrow_mut(|slot| *slot = Some(sink));
        Self
    }

    /// The sink, with every row the query gave.
    fn take(self) -> Option<Sink> {
        SINK.with_borrow_mut(Option::take)
    }
}

impl Drop for SinkGuard {
    fn drop(&mut self) {
        SINK.with_borrow_mut(|slot| *slot = None);
    }
}

/// A single nullable integer, for the two small queries that are not streamed.
#[derive(QueryableByName)]
struct OneId {
    #[diesel(sql_type = Nullable<BigInt>)]
    id: Option<i64>,
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

    /// Appends an SQLite value (`None` is SQL `NULL`) and feeds it to the hash, or says what is
    /// wrong with it.
    fn push(
        &mut self,
        value: Option<SqliteValue<'_, '_, '_>>,
        nullable: bool,
        feed: &mut Feed,
    ) -> Result<(), String> {
        let Some(mut value) = value else {
            feed.null();
            if !nullable {
                return Err("NULL in a column that may not be null".to_owned());
            }
            match self {
                Self::Int(b) | Self::Date(b) => b.append_null(),
                Self::Real(b) => b.append_null(),
                Self::Bool(b) => b.append_null(),
                Self::Text(b) => b.append_null(),
            }
            return Ok(());
        };
        match value.value_type() {
            Some(SqliteType::Long) => {
                let v = value.read_long();
                feed.int(v);
                match self {
                    Self::Int(b) => b.append_value(
                        i32::try_from(v)
                            .map_err(|_| format!("{v} does not fit a 32-bit integer"))?,
                    ),
                    // SQLite may return an integral real as an integer; lab values are far
                    // below 2^53.
                    Self::Real(b) => b.append_value(v as f64),
                    Self::Bool(b) => b.append_value(v != 0),
                    Self::Date(_) | Self::Text(_) => return Err(format!("unexpected integer {v}")),
                }
            }
            Some(SqliteType::Double) => {
                let v = value.read_double();
                feed.real(v);
                match self {
                    Self::Real(b) => b.append_value(v),
                    _ => return Err(format!("unexpected real {v}")),
                }
            }
            Some(SqliteType::Text) => {
                let s = value.read_text();
                feed.bytes(s.as_bytes());
                match self {
                    Self::Date(b) => b.append_value(
                        iso_day(s).ok_or_else(|| format!("{s:?} is not an ISO date"))?,
                    ),
                    Self::Text(b) => b.append_value(s),
                    _ => return Err(format!("unexpected text {s:?}")),
                }
            }
            other => return Err(format!("unexpected {other:?} value")),
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

    /// SQL `NULL`.
    pub fn null(&mut self) {
        self.buf.push(0);
        self.flush_if_full();
    }

    /// A 64-bit float, by its bits.
    pub fn real(&mut self, v: f64) {
        self.buf.push(3);
        self.buf.extend_from_slice(&v.to_bits().to_le_bytes());
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
    diesel::sql_query(format!(
        "SELECT max(rowid) AS id FROM {}",
        spec.base_table()
    ))
    .get_result::<OneId>(conn)
    .ok()
    .and_then(|row| row.id)
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
    let capacity = usize::try_from(ids.len_hint()).unwrap_or(0).min(1 << 24);
    let guard = SinkGuard::install(Sink {
        columns: spec.columns,
        builders: spec
            .columns
            .iter()
            .map(|c| Builder::new(c, capacity))
            .collect(),
        feed: Feed::new(),
        rows: 0,
        kept: 0,
        dropped: 0,
        failure: None,
    });
    let outcome = diesel::sql_query(spec.query(cutoff_literal, ids))
        .load_iter::<Streamed, DefaultLoadingMode>(conn)
        .and_then(|mut rows| rows.try_for_each(|row| row.map(drop)));
    let sink = guard.take().ok_or(LoadError::NotRead { table })?;
    if let Some((index, column, reason)) = sink.failure {
        // The statement is finished (dropped) by now; name the row by its id.
        let id = row_id_at(conn, spec, ids, index);
        return Err(LoadError::Value {
            table,
            column,
            id,
            reason,
        });
    }
    outcome.map_err(|source| LoadError::Query { table, source })?;
    let frame =
        DataFrame::new_infer_height(sink.builders.into_iter().map(Builder::finish).collect())
            .map_err(|source| LoadError::Frame { table, source })?;
    Ok(ChunkRead {
        frame,
        kept: sink.kept,
        dropped: sink.dropped,
        digest: sink.feed.finish(),
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
        "SELECT {} AS id FROM {} WHERE {} ORDER BY {} LIMIT 1 OFFSET {index}",
        spec.id,
        spec.from,
        spec.conditions(ids),
        spec.id
    );
    diesel::sql_query(sql).get_result::<OneId>(conn).ok()?.id
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
