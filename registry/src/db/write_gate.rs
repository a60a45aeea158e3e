//! One writer at a time, in arrival order: the gate every write transaction of this process
//! passes before `BEGIN IMMEDIATE`.
//!
//! SQLite allows one write transaction per database at a time. Without a gate, a second
//! `BEGIN IMMEDIATE` gets `SQLITE_BUSY` and SQLite's busy handler sleeps 1, 2, 5, 10, 15, 20,
//! 25, 25, 25, 50, 50 and then 100 ms between retries, so under contention a save that waits
//! for a 1 ms write sleeps far longer than the write it waits for, and the unlucky ones
//! retry many times (the save p99 of the load benchmark, issue 3). [`write_transaction`]
//! instead queues this process's writers on a FIFO ticket gate: each waits on a condition
//! variable and is woken the moment the writer before it has committed or rolled back. The
//! busy handler stays for writers of other processes (the CLI, a second server).
//!
//! The gate is process-wide, not per database file: a connection does not say which file it
//! is on, and the web app has one database. Processes with several databases (the tests)
//! only serialise short write transactions across them. A thread already inside a write
//! transaction passes straight through, so a nested call cannot deadlock: it fails at once,
//! as diesel's nested `immediate_transaction` always has (`AlreadyInTransaction`). A write
//! transaction must not wait for another
//! thread's write transaction (for example by taking a second pooled connection and writing
//! through it): that would wait forever instead of failing after the busy timeout.

use std::cell::Cell;
use std::path::PathBuf;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use diesel::prelude::*;
use diesel::result::DatabaseErrorKind;
use diesel::sql_types::Text;

use crate::db::{cached_sql::CachedSql, wal_sync, writer};

/// Runs `work` in an immediate (write) transaction, after waiting for this process's earlier
/// writers to finish: the replacement for `conn.immediate_transaction(work)`, with the same
/// commit-or-roll-back semantics. It returns once the commit is on the disk
/// ([`wal_sync`](crate::db::wal_sync): synced with the commits of the writers that queued
/// meanwhile, after the gate has let the next writer in), or, inside
/// [`wal_sync::deferring_syncs`], leaves that wait to its caller. Inside
/// [`writer::writing_through`] (the web app's requests), `work` runs on the writer connection
/// instead of `conn`.
pub fn write_transaction<T, E, F>(conn: &mut SqliteConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut SqliteConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let Some(turn) = GATE.enter() else {
        // Nested: diesel refuses it (`AlreadyInTransaction`).
        return conn.immediate_transaction(work);
    };
    // Inside `writer::writing_through`: the transaction runs on the writer connection, taken
    // once the turn has come (so it is always free) and put back before the sync is awaited;
    // its file's durability was found when the writer was made.
    let (mut writer_conn, durability) = match writer::current() {
        Some(writer) => (Some(writer.connection()?), writer.durability),
        None => (None, main_file(conn)?.map(|file| wal_sync::of_file(&file))),
    };
    let conn = writer_conn.as_deref_mut().unwrap_or(conn);
    let outcome = conn.immediate_transaction(work);
    let commit = match (&outcome, &durability) {
        (Ok(_), Some(d)) => Some(d.committed()),
        _ => None,
    };
    drop(turn);
    drop(writer_conn);
    if let (Some(commit), Some(d)) = (commit, durability) {
        wal_sync::after_commit(d, commit).map_err(|e| {
            diesel::result::Error::DatabaseError(
                DatabaseErrorKind::Unknown,
                Box::new(format!(
                    "the change was committed but could not be synced to the disk: {e}"
                )),
            )
        })?;
    }
    outcome
}

#[derive(QueryableByName)]
struct MainFile {
    #[diesel(sql_type = Text)]
    file: String,
}

/// The file of the connection's main database; `None` for an in-memory or temporary one.
pub(crate) fn main_file(conn: &mut SqliteConnection) -> QueryResult<Option<PathBuf>> {
    let rows: Vec<MainFile> =
        CachedSql::new("SELECT file FROM pragma_database_list WHERE name = 'main'").load(conn)?;
    Ok(rows
        .into_iter()
        .next()
        .filter(|r| !r.file.is_empty())
        .map(|r| PathBuf::from(r.file)))
}

/// The ticket counters: the next ticket to hand out and the ticket whose turn it is.
struct Tickets {
    next: u64,
    serving: u64,
}

struct Gate {
    tickets: Mutex<Tickets>,
    turn: Condvar,
}

static GATE: Gate = Gate {
    tickets: Mutex::new(Tickets {
        next: 0,
        serving: 0,
    }),
    turn: Condvar::new(),
};

thread_local! {
    /// True while this thread holds the gate (so a nested write transaction passes through).
    static HOLDS_GATE: Cell<bool> = const { Cell::new(false) };
}

/// This thread's turn at the gate; the next ticket is served when it is dropped (on return,
/// on error and on panic alike).
struct Turn;

impl Gate {
    fn lock(&self) -> MutexGuard<'_, Tickets> {
        // The counters stay consistent under a panic (each update is one statement), so a
        // poisoned lock is safe to keep using.
        self.tickets.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for this thread's turn; `None` when it already holds the gate.
    fn enter(&'static self) -> Option<Turn> {
        if HOLDS_GATE.get() {
            return None;
        }
        let mut tickets = self.lock();
        let mine = tickets.next;
        tickets.next += 1;
        while tickets.serving != mine {
            tickets = self
                .turn
                .wait(tickets)
                .unwrap_or_else(PoisonError::into_inner);
        }
        drop(tickets);
        HOLDS_GATE.set(true);
        Some(Turn)
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        HOLDS_GATE.set(false);
        GATE.lock().serving += 1;
        GATE.turn.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;
    use std::time::Duration;

    fn connect(path: &std::path::Path) -> SqliteConnection {
        let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
        crate::db::enable_wal(&mut conn).unwrap();
        // No busy timeout: a writer that found another one inside would fail at once.
        crate::db::configure_connection(&mut conn, Duration::ZERO).unwrap();
        conn
    }

    /// Without the gate, concurrent `BEGIN IMMEDIATE`s with a zero busy timeout fail with
    /// "database is locked"; through it, every one of them waits its turn and commits.
    #[test]
    fn concurrent_writers_take_turns_instead_of_failing_busy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gate.sqlite");
        connect(&path)
            .batch_execute("CREATE TABLE t (id INTEGER PRIMARY KEY, writer INTEGER NOT NULL)")
            .unwrap();
        // Connected one after another: with no busy timeout, connections opening at once
        // could find another one recovering the WAL index.
        let connections: Vec<_> = (0..8).map(|_| connect(&path)).collect();
        let threads: Vec<_> = connections
            .into_iter()
            .zip(0..8)
            .map(|(mut conn, writer)| {
                std::thread::spawn(move || {
                    for _ in 0..25 {
                        write_transaction(&mut conn, |conn| -> QueryResult<()> {
                            diesel::sql_query("INSERT INTO t (writer) VALUES (?)")
                                .bind::<diesel::sql_types::Integer, _>(writer)
                                .execute(conn)?;
                            // Hold the write lock a little, so the others queue up.
                            std::thread::sleep(Duration::from_micros(200));
                            Ok(())
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let n: i64 = diesel::dsl::sql::<diesel::sql_types::BigInt>("SELECT count(*) FROM t")
            .get_result(&mut connect(&path))
            .unwrap();
        assert_eq!(n, 200);
    }

    /// A write transaction inside another fails at once (diesel refuses it) instead of
    /// waiting for the gate its own thread holds, and an error inside a write transaction
    /// still lets the next writer in.
    #[test]
    fn nested_and_failed_write_transactions_release_the_gate() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = connect(&dir.path().join("nested.sqlite"));
        conn.batch_execute("CREATE TABLE t (v INTEGER NOT NULL)")
            .unwrap();
        write_transaction(&mut conn, |conn| -> QueryResult<()> {
            conn.batch_execute("INSERT INTO t VALUES (1)")?;
            let nested =
                write_transaction(conn, |conn| conn.batch_execute("INSERT INTO t VALUES (2)"));
            assert!(matches!(
                nested,
                Err(diesel::result::Error::AlreadyInTransaction)
            ));
            Ok(())
        })
        .unwrap();
        let failed = write_transaction(&mut conn, |conn| -> QueryResult<()> {
            conn.batch_execute("INSERT INTO t VALUES (3)")?;
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(failed.is_err());
        // On another thread: it would wait forever if the failed transaction kept the gate.
        let path = dir.path().join("nested.sqlite");
        std::thread::spawn(move || {
            write_transaction(&mut connect(&path), |conn| {
                conn.batch_execute("INSERT INTO t VALUES (4)")
            })
        })
        .join()
        .unwrap()
        .unwrap();
        let sum: i64 = diesel::dsl::sql::<diesel::sql_types::BigInt>("SELECT sum(v) FROM t")
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(sum, 1 + 4);
    }
}
