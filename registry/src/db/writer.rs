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
//! [`writing_through`] with the app's writer pool (one connection); inside it,
//! [`crate::db::write_transaction`] takes that connection, once its turn at the write gate has
//! come, and runs the transaction on it instead of the request's pooled connection. Reads
//! outside write transactions stay on the pooled connection, in parallel. Outside
//! [`writing_through`] (the CLI, the seed, most tests) a write transaction runs on the
//! connection it is given, as before.
//!
//! The writer connection's lifetime is its pool's, so it closes with the app: nothing outlives
//! the program or keeps a file open behind its back.

use std::cell::RefCell;

use crate::db::DbPool;

thread_local! {
    /// Inside [`writing_through`] on this thread: the pool of the writer connection.
    static WRITER: RefCell<Option<DbPool>> = const { RefCell::new(None) };
}

/// Runs `work` with `writer` (a pool of one connection, on the same database as the
/// connections `work` uses) as the connection of its write transactions.
pub fn writing_through<T>(writer: &DbPool, work: impl FnOnce() -> T) -> T {
    /// Puts back the enclosing writer even if `work` panics, so a thread of a pool never
    /// keeps writing through a pool that is not its current work's.
    struct Restore(Option<Option<DbPool>>);
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

/// The writer pool of the enclosing [`writing_through`], if any.
pub(crate) fn current() -> Option<DbPool> {
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
        let (readers, writer) = (pool(&path, 2), pool(&path, 1));
        mark(&mut writer.get().unwrap());
        let mut conn = readers.get().unwrap();
        writing_through(&writer, || {
            crate::db::write_transaction(&mut conn, |tx| -> QueryResult<()> {
                assert!(marked(tx), "the transaction runs on the writer connection");
                tx.batch_execute("INSERT INTO t VALUES (1)")
            })
            .unwrap();
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
        let writer = pool(&path, 1);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            writing_through(&writer, || panic!("work failed"))
        }));
        assert!(caught.is_err());
        assert!(current().is_none());
        let outer = pool(&path, 1);
        mark(&mut outer.get().unwrap());
        writing_through(&outer, || {
            writing_through(&writer, || {
                assert!(!marked(&mut current().unwrap().get().unwrap()));
            });
            assert!(marked(&mut current().unwrap().get().unwrap()));
        });
        assert!(current().is_none());
    }

    #[test]
    fn a_failed_transaction_on_the_writer_rolls_back_and_frees_it() {
        let (_dir, path) = database();
        let (readers, writer) = (pool(&path, 1), pool(&path, 1));
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
