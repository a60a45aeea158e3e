//! Opening the registry read-only, and read transactions on several connections that all see
//! one committed state of the database, so tables read in parallel are as consistent as tables
//! read in one transaction.
//!
//! SQLite has no shared snapshot between connections (`sqlite3_snapshot_open` is not reachable
//! through diesel), so it is checked instead: `PRAGMA data_version` on the last connection is
//! read before the first transaction starts and again inside the last one. It changes only when
//! another connection committed in between; if it did not change, every transaction started in
//! that interval sees the same commit. If it changed, all are rolled back and tried again; after
//! [`ATTEMPTS`] the load falls back to one connection, which is always consistent with itself.

use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::dsl::sql;
use diesel::sql_types::BigInt;
use diesel::{Connection, QueryResult, RunQueryDsl, SqliteConnection};

use super::LoadError;

/// How often a shared snapshot is tried before reading on one connection.
pub const ATTEMPTS: usize = 5;

/// Opens `path` read-only and checks that its schema is exactly the one this program knows:
/// a newer schema (migrations this program lacks) or an older one (pending migrations) is
/// refused with a message naming the database.
pub fn open_read_only(path: &Path) -> Result<SqliteConnection, LoadError> {
    let input = |reason: String| LoadError::Input {
        path: path.to_owned(),
        reason,
    };
    if !path.is_file() {
        return Err(input("no such file".to_owned()));
    }
    let text = path
        .to_str()
        .ok_or_else(|| input("the path is not valid UTF-8".to_owned()))?;
    let url = format!(
        "file:{}?mode=ro",
        text.replace('?', "%3f").replace('#', "%23")
    );
    let mut conn = SqliteConnection::establish(&url).map_err(|e| input(e.to_string()))?;
    registry::db::configure_connection(&mut conn, registry::db::DEFAULT_BUSY_TIMEOUT)
        .map_err(|e| input(e.to_string()))?;
    let known = registry::db::known_versions().map_err(|e| input(e.to_string()))?;
    let applied = registry::db::applied_versions(&mut conn)
        .map_err(|e| input(format!("not a registry database ({e})")))?;
    if applied.is_empty() {
        return Err(input(
            "not a registry database (no migrations applied)".to_owned(),
        ));
    }
    let newer: Vec<&String> = applied.iter().filter(|v| !known.contains(v)).collect();
    if !newer.is_empty() {
        let list: Vec<&str> = newer.iter().map(|s| s.as_str()).collect();
        return Err(input(format!(
            "database schema is newer than this program (unknown migrations {}); use a newer analytics binary",
            list.join(", ")
        )));
    }
    let pending: Vec<&String> = known.iter().filter(|v| !applied.contains(v)).collect();
    if !pending.is_empty() {
        let list: Vec<&str> = pending.iter().map(|s| s.as_str()).collect();
        return Err(input(format!(
            "database schema is older than this program (pending migrations {}); run `registry migrate` first",
            list.join(", ")
        )));
    }
    Ok(conn)
}

/// Starts a read transaction and takes its snapshot (a deferred `BEGIN` takes none until the
/// first read).
pub fn begin(conn: &mut SqliteConnection) -> QueryResult<()> {
    conn.batch_execute("BEGIN")?;
    sql::<BigInt>("SELECT count(*) FROM sqlite_schema").get_result::<i64>(conn)?;
    Ok(())
}

/// Ends a read transaction: nothing to commit, only the snapshot to release.
pub fn end(conn: &mut SqliteConnection) {
    let _ = conn.batch_execute("ROLLBACK");
}

/// `PRAGMA data_version`: changes when another connection has committed since this
/// connection's previous read.
pub fn data_version(conn: &mut SqliteConnection) -> QueryResult<i64> {
    sql::<BigInt>("PRAGMA data_version").get_result(conn)
}

/// Starts a read transaction on every connection, all on the same committed state. Returns how
/// many connections, from the first, are in such a transaction: all of them, or only the first
/// when other connections kept committing through every attempt.
pub fn begin_all(conns: &mut [SqliteConnection]) -> QueryResult<usize> {
    let Some(last) = conns.len().checked_sub(1) else {
        return Ok(0);
    };
    for _ in 0..ATTEMPTS {
        let before = data_version(&mut conns[last])?;
        for conn in conns.iter_mut() {
            begin(conn)?;
        }
        if data_version(&mut conns[last])? == before {
            return Ok(conns.len());
        }
        for conn in conns.iter_mut() {
            end(conn);
        }
    }
    begin(&mut conns[0])?;
    Ok(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sites(conn: &mut SqliteConnection) -> i64 {
        sql::<BigInt>("SELECT count(*) FROM sites")
            .get_result(conn)
            .unwrap()
    }

    /// A commit between two connections' snapshots is seen by the data-version check, and
    /// really does make the snapshots differ; without one they agree.
    #[test]
    fn a_commit_between_two_snapshots_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.db");
        registry::db::create_or_upgrade(&path).unwrap();
        let mut writer = registry::db::open(&path).unwrap();
        let mut a = open_read_only(&path).unwrap();
        let mut b = open_read_only(&path).unwrap();

        let before = data_version(&mut b).unwrap();
        begin(&mut a).unwrap();
        writer
            .batch_execute(
                "INSERT INTO sites (id, code, name, created_by, updated_by) VALUES (1, 'BCN', 'Barcelona', 1, 1)",
            )
            .unwrap();
        begin(&mut b).unwrap();
        assert_ne!(data_version(&mut b).unwrap(), before);
        assert_ne!(sites(&mut a), sites(&mut b), "the snapshots differ");
        end(&mut a);
        end(&mut b);

        let mut conns = vec![a, b];
        assert_eq!(begin_all(&mut conns).unwrap(), 2);
        let counts: Vec<i64> = conns.iter_mut().map(sites).collect();
        assert_eq!(counts, vec![1, 1]);
    }
}
