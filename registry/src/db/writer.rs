//! The writer connection: the web app runs every write transaction on one connection of its
//! own, whose page cache stays warm.
//!
//! In WAL mode, a connection that begins a transaction after another connection has committed
//! throws its whole page cache away (and unmaps its memory map), then reads again every page it
//! needs. When the pooled connections took turns at writing, nearly every write transaction
//! began that way, and paid for it while holding the write lock, which serialises the writers:
//! in the load benchmark's profile (issue 3) the refill was about a fifth of the CPU time of a
//! save. One connection that does all of this process's writing finds the database as it left
//! it (only a write from elsewhere, such as a CLI command or a login's last-use time, resets
//! it, as it must).
//!
//! [`AppState::db`](crate::web::startup::AppState::db) runs a request's work inside
//! [`writing_through`] with the app's [`Writer`] (one connection, and its file's durability
//! found once, so no write asks SQLite for its file); inside it,
//! [`crate::db::write_transaction`] takes that connection, once its turn at the write gate has
//! come, and runs the transaction on it instead of the request's pooled connection. Reads
//! outside write transactions stay on the pooled connection, in parallel. Outside
//! [`writing_through`] (the CLI, the seed, most tests) a write transaction runs on the
//! connection it is given, as before.
//!
//! The writer connection's lifetime is its pool's, so it closes with the app: nothing outlives
//! the program or keeps a file open behind its back.

use std::cell::RefCell;
use std::sync::Arc;

use diesel::r2d2::{ConnectionManager, PooledConnection};
use diesel::{QueryResult, SqliteConnection};

use crate::db::{
    DbPool,
    wal_sync::{self, Durability},
};

/// The writer connection (a pool of one) and the durability of its file, found once when it is
/// made rather than asked of SQLite on every write transaction.
#[derive(Clone)]
pub struct Writer {
    pool: DbPool,
    /// `None` for an in-memory or temporary database (nothing to sync).
    pub(crate) durability: Option<Arc<Durability>>,
}

impl Writer {
    /// The writer of `pool`'s database: `pool` must hold one connection, used for nothing else.
    pub fn new(pool: DbPool) -> QueryResult<Self> {
        let mut writer = Self {
            pool,
            durability: None,
        };
        let file = crate::db::write_gate::main_file(&mut *writer.connection()?)?;
        writer.durability = file.map(|file| wal_sync::of_file(&file));
        Ok(writer)
    }

    /// The writer connection (free whenever this process's write gate is held).
    pub(crate) fn connection(
        &self,
    ) -> QueryResult<PooledConnection<ConnectionManager<SqliteConnection>>> {
        self.pool.get().map_err(|e| {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::Unknown,
                Box::new(format!("could not get the writer connection: {e}")),
            )
        })
    }
}

thread_local! {
    /// Inside [`writing_through`] on this thread: the writer.
    static WRITER: RefCell<Option<Writer>> = const { RefCell::new(None) };
}

/// Runs `work` with `writer` (on the same database as the connections `work` uses) as the
/// connection of its write transactions.
pub fn writing_through<T>(writer: &Writer, work: impl FnOnce() -> T) -> T {
    /// Puts back the enclosing writer even if `work` panics, so a thread of a pool never
    /// keeps writing through a writer that is not its current work's.
    struct Restore(Option<Option<Writer>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(outer) = self.0.take() {
                WRITER.set(outer);
            }
        }
    }
    let _restore = Restore(Some(WRITER.replace(Some(writer.clone()))));
    work()
}

/// The writer of the enclosing [`writing_through`], if any.
pub(crate) fn current() -> Option<Writer> {
    WRITER.with_borrow(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;

    fn database() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("writer.sqlite");
        let mut conn = crate::db::open(&path).unwrap();
        conn.batch_execute("CREATE TABLE t (v INTEGER NOT NULL)")
            .unwrap();
        (dir, path)
    }

    fn pool(path: &std::path::Path, size: u32) -> DbPool {
        diesel::r2d2::Pool::builder()
            .max_size(size)
            .connection_customizer(Box::new(crate::db::ConnectionCustomizer::default()))
            .build(diesel::r2d2::ConnectionManager::new(path.to_str().unwrap()))
            .unwrap()
    }

    fn writer_of(path: &std::path::Path) -> Writer {
        Writer::new(pool(path, 1)).unwrap()
    }

    /// A connection-local mark: a TEMP table exists on the connection that created it only.
    fn mark(conn: &mut SqliteConnection) {
        conn.batch_execute("CREATE TEMP TABLE mark (x INTEGER)")
            .unwrap();
    }

    fn marked(conn: &mut SqliteConnection) -> bool {
        conn.batch_execute("SELECT x FROM temp.mark").is_ok()
    }

    #[test]
    fn write_transactions_inside_run_on_the_writer_connection() {
        let (_dir, path) = database();
        let (readers, writer) = (pool(&path, 2), writer_of(&path));
        mark(&mut writer.connection().unwrap());
        let mut conn = readers.get().unwrap();
        let durability = writer.durability.clone().expect("a file database syncs");
        let syncs = durability.syncs();
        writing_through(&writer, || {
            crate::db::write_transaction(&mut conn, |tx| -> QueryResult<()> {
                assert!(marked(tx), "the transaction runs on the writer connection");
                tx.batch_execute("INSERT INTO t VALUES (1)")
            })
            .unwrap();
            assert!(
                durability.syncs() > syncs,
                "synced through the writer's durability"
            );
            // Reads outside a write transaction stay on the request's connection, and see
            // the commit.
            assert!(!marked(&mut conn));
            let n: i64 = diesel::dsl::sql::<diesel::sql_types::BigInt>("SELECT count(*) FROM t")
                .get_result(&mut conn)
                .unwrap();
            assert_eq!(n, 1);
        });
        // Outside, the connection given is the one written through.
        crate::db::write_transaction(&mut conn, |tx| -> QueryResult<()> {
            assert!(!marked(tx));
            tx.batch_execute("INSERT INTO t VALUES (2)")
        })
        .unwrap();
    }

    #[test]
    fn the_writer_is_forgotten_after_the_work_even_after_a_panic() {
        let (_dir, path) = database();
        let writer = writer_of(&path);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            writing_through(&writer, || panic!("work failed"))
        }));
        assert!(caught.is_err());
        assert!(current().is_none());
        let outer = writer_of(&path);
        mark(&mut outer.connection().unwrap());
        writing_through(&outer, || {
            writing_through(&writer, || {
                assert!(!marked(&mut current().unwrap().connection().unwrap()));
            });
            assert!(marked(&mut current().unwrap().connection().unwrap()));
        });
        assert!(current().is_none());
    }

    #[test]
    fn a_failed_transaction_on_the_writer_rolls_back_and_frees_it() {
        let (_dir, path) = database();
        let (readers, writer) = (pool(&path, 1), writer_of(&path));
        let mut conn = readers.get().unwrap();
        writing_through(&writer, || {
            let failed = crate::db::write_transaction(&mut conn, |tx| -> QueryResult<()> {
                tx.batch_execute("INSERT INTO t VALUES (1)")?;
                Err(diesel::result::Error::RollbackTransaction)
            });
            assert!(failed.is_err());
            crate::db::write_transaction(&mut conn, |tx| {
                tx.batch_execute("INSERT INTO t VALUES (2)")
            })
            .unwrap();
        });
        let sum: i64 = diesel::dsl::sql::<diesel::sql_types::BigInt>("SELECT sum(v) FROM t")
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(sum, 2);
    }
}
