//! Hand-written SQL that diesel keeps prepared.
//!
//! `diesel::sql_query` is never cached: diesel cannot know its text is a constant, so SQLite
//! parses and plans it again on every call. For the worklist's few large statements, run on
//! most requests, that parsing was a fifth of the worklist's CPU time (issue 3). A
//! [`CachedSql`] says the text is one of a few constants: diesel's statement cache then keys
//! the prepared statement by its text and reuses it on the same connection.
//!
//! Write the SQL with bare `?` placeholders, in the order of the [`Bind`]s, and never a `?`
//! anywhere else (not in a string literal or a comment).
//!
//! Two things undo diesel's statement cache even for its own, cacheable queries: with the
//! bundled SQLite (3.53), a statement whose plan depends on a bound value is marked to be
//! planned again whenever that value is re-bound, which diesel does on every run. Both showed
//! in the load benchmark's profile (issue 3: 14% of all CPU time spent re-parsing):
//! - `.first(conn)` appends `LIMIT ?`, and SQLite reads a bound LIMIT while planning. For a
//!   lookup by a unique key, use `.get_result(conn)`: the same first row, no LIMIT.
//! - `follow_ups.timepoint <> ?` is compared, value and all, with the partial unique index's
//!   `timepoint <> 'UNSCHEDULED'`. Filter such columns in Rust instead.

use chrono::NaiveDate;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Date, Integer, Text, Untyped};
use diesel::sqlite::Sqlite;
use diesel::{QueryResult, RunQueryDsl};

/// One bound value, with its SQL type.
#[derive(Debug, Clone, PartialEq)]
pub enum Bind {
    Integer(i32),
    BigInt(i64),
    Text(String),
    Date(NaiveDate),
}

/// A constant SQL text and its bound values; load rows with `.load::<T>(conn)` where `T` is
/// `QueryableByName`, as with `sql_query`.
#[derive(Debug, Clone)]
pub struct CachedSql {
    sql: &'static str,
    binds: Vec<Bind>,
}

impl CachedSql {
    /// The statement `sql` (bare `?` placeholders, one per bind, in order). Only for texts
    /// chosen among a few constants: each distinct text stays prepared on every connection.
    pub fn new(sql: &'static str) -> Self {
        Self {
            sql,
            binds: Vec::new(),
        }
    }

    /// Binds the next `?`.
    pub fn bind(mut self, value: Bind) -> Self {
        self.binds.push(value);
        self
    }
}

impl QueryFragment<Sqlite> for CachedSql {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        let mut parts = self.sql.split('?');
        if let Some(first) = parts.next() {
            out.push_sql(first);
        }
        let mut binds = self.binds.iter();
        for part in parts {
            // Each bind writes its own `?` into the text and its value into the bind list.
            match binds.next() {
                Some(Bind::Integer(v)) => out.push_bind_param::<Integer, _>(v)?,
                Some(Bind::BigInt(v)) => out.push_bind_param::<BigInt, _>(v)?,
                Some(Bind::Text(v)) => out.push_bind_param::<Text, _>(v)?,
                Some(Bind::Date(v)) => out.push_bind_param::<Date, _>(v)?,
                None => {
                    return Err(diesel::result::Error::QueryBuilderError(
                        format!("CachedSql: more `?` than binds in {}", self.sql).into(),
                    ));
                }
            }
            out.push_sql(part);
        }
        if binds.next().is_some() {
            return Err(diesel::result::Error::QueryBuilderError(
                format!("CachedSql: more binds than `?` in {}", self.sql).into(),
            ));
        }
        Ok(())
    }
}

/// No type-level id: diesel falls back to keying the cache by the SQL text.
impl QueryId for CachedSql {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for CachedSql {
    type SqlType = Untyped;
}

impl<Conn> RunQueryDsl<Conn> for CachedSql {}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::prelude::*;
    use diesel::sqlite::SqliteConnection;

    #[derive(QueryableByName, Debug, PartialEq)]
    struct Row {
        #[diesel(sql_type = Integer)]
        n: i32,
        #[diesel(sql_type = Text)]
        t: String,
        #[diesel(sql_type = Date)]
        d: NaiveDate,
    }

    const SQL: &str = "SELECT ? + CAST(? AS INTEGER) AS n, ? AS t, ? AS d";

    fn query(n: i32) -> CachedSql {
        CachedSql::new(SQL)
            .bind(Bind::Integer(n))
            .bind(Bind::BigInt(1))
            .bind(Bind::Text("x".to_owned()))
            .bind(Bind::Date(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()))
    }

    /// The binds land on their placeholders, and the statement is prepared once and kept
    /// (diesel reports caching it once), then reused with new values.
    #[test]
    fn binds_in_order_and_stays_prepared() {
        use diesel::connection::{Connection, InstrumentationEvent};
        use std::sync::{Arc, Mutex};
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        let cached = Arc::new(Mutex::new(Vec::new()));
        let seen = cached.clone();
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::CacheQuery { sql, .. } = event {
                seen.lock().unwrap().push(sql.to_owned());
            }
        });
        let first: Row = query(41).get_result(&mut conn).unwrap();
        assert_eq!(
            first,
            Row {
                n: 42,
                t: "x".to_owned(),
                d: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            }
        );
        let second: Row = query(1).get_result(&mut conn).unwrap();
        assert_eq!(second.n, 2);
        assert_eq!(
            cached.lock().unwrap().len(),
            1,
            "prepared once, then reused"
        );
        // `sql_query`, for contrast, is never kept.
        diesel::sql_query("SELECT 1 AS n, '' AS t, '2026-01-01' AS d")
            .get_result::<Row>(&mut conn)
            .unwrap();
        assert_eq!(cached.lock().unwrap().len(), 1);
    }

    /// A count of binds that does not match the placeholders is an error, not a wrong query.
    #[test]
    fn bind_count_must_match() {
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        let missing = CachedSql::new(SQL).bind(Bind::Integer(1));
        assert!(missing.get_result::<Row>(&mut conn).is_err());
        let extra = query(1).bind(Bind::Integer(2));
        assert!(extra.get_result::<Row>(&mut conn).is_err());
    }
}
