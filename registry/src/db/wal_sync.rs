//! Group commit: every write transaction is on the disk before it is acknowledged, with one
//! sync of the write-ahead log for all the commits that queued up meanwhile.
//!
//! A coordinator who saw "saved" must find the save after a power loss or an operating system
//! crash, not only after a crash of this process. SQLite's `synchronous = FULL` gives that by
//! syncing the WAL inside every COMMIT, while the write lock is held, so writers queue behind
//! each other's syncs: on a disk whose flush takes 1 ms, 32 coordinators saving at once wait
//! up to 32 ms for the others' flushes, and throughput is capped at one save per flush.
//!
//! Here connections run `synchronous = NORMAL` (in WAL mode: a COMMIT appends its frames to
//! the WAL without syncing; SQLite still syncs the WAL before each checkpoint and the database
//! after it) and [`crate::db::write_transaction`], after the COMMIT and after letting the next
//! writer in, waits in [`Durability::wait_synced`] until the WAL has been synced past its
//! commit. The first waiter syncs the WAL file (`fdatasync` on a descriptor of its own: a
//! sync covers the file, whichever descriptor wrote it) for every commit made so far; the
//! commits made during that sync are covered by the next one, taken by one of their waiters.
//! So a sync is shared by everyone who committed before it started, and no writer ever holds
//! the write lock during a sync. A WAL frame on the disk is replayed by SQLite's recovery
//! after a crash, so a synced commit is as durable as with `FULL`.
//!
//! The parent directory is synced once per database and process, the first time, so a WAL
//! file created since start-up is found after a power loss.
//!
//! A request's database work runs on a pooled connection it does not need for the sync: the
//! web app runs it inside [`deferring_syncs`], so its write transactions leave their syncs to
//! the returned [`PendingSyncs`], awaited after the connection is back in the pool (with four
//! connections, savers waiting for a 2 ms flush would otherwise hold them all).
//!
//! A commit is visible to other connections as soon as the gate lets the next writer in, a
//! sync before it is acknowledged: a page may show a save whose writer is still waiting, which
//! a power loss in that moment would take back (never one that was acknowledged, and never
//! a later commit without it: the WAL is synced in order).

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};

/// The commits and syncs of one database file in this process.
pub struct Durability {
    state: Mutex<State>,
    synced: Condvar,
    sync: Box<dyn Fn() -> io::Result<()> + Send + Sync>,
}

#[derive(Default)]
struct State {
    /// Commits counted so far (the number of the last one).
    committed: u64,
    /// Every commit up to this number is on the disk.
    synced: u64,
    /// A sync is running.
    syncing: bool,
    /// Syncs done (for the tests and the benchmark).
    syncs: u64,
}

/// A commit made: its number, to wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Commit(u64);

impl Durability {
    /// The durability of the database file at `path` (its WAL is `<path>-wal`).
    fn for_file(path: &Path) -> Self {
        let wal = wal_path(path);
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_owned);
        let dir_synced = OnceLock::new();
        Self::with_sync(move || {
            if dir_synced.get().is_none() {
                File::open(&dir)?.sync_all()?;
                let _ = dir_synced.set(());
            }
            match File::open(&wal) {
                Ok(file) => file.sync_data(),
                // No WAL: the last connection checkpointed it into the database (SQLite
                // syncs the database then) and removed it.
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(e),
            }
        })
    }

    /// Durability with `sync` as the way to put every commit made so far on the disk.
    pub fn with_sync(sync: impl Fn() -> io::Result<()> + Send + Sync + 'static) -> Self {
        Self {
            state: Mutex::new(State::default()),
            synced: Condvar::new(),
            sync: Box::new(sync),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Each update of the state is one statement; a panic cannot leave it half-done.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a commit. Call right after the COMMIT, before the next writer may commit, so
    /// the numbers follow the order of the commits in the WAL.
    pub fn committed(&self) -> Commit {
        let mut state = self.lock();
        state.committed += 1;
        Commit(state.committed)
    }

    /// Returns once `commit` is on the disk: at once if a sync that started after it has
    /// finished, else after waiting for the running sync or running one. An error is this
    /// caller's sync failing; the next waiter tries again.
    pub fn wait_synced(&self, commit: Commit) -> io::Result<()> {
        let mut state = self.lock();
        loop {
            if state.synced >= commit.0 {
                return Ok(());
            }
            if state.syncing {
                state = self
                    .synced
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            state.syncing = true;
            let covers = state.committed;
            drop(state);
            let outcome = (self.sync)();
            state = self.lock();
            state.syncing = false;
            state.syncs += 1;
            if outcome.is_ok() {
                state.synced = state.synced.max(covers);
            }
            self.synced.notify_all();
            outcome?;
        }
    }

    /// How many syncs have run.
    pub fn syncs(&self) -> u64 {
        self.lock().syncs
    }
}

/// Commits whose syncs are still to be awaited, with the durability of their file.
type Unsynced = Vec<(Arc<Durability>, Commit)>;

thread_local! {
    /// Inside [`deferring_syncs`] on this thread: the commits whose syncs are left to it.
    static DEFERRED: RefCell<Option<Unsynced>> = const { RefCell::new(None) };
}

/// After a commit: waits for its sync now, or, inside [`deferring_syncs`], leaves it to the
/// [`PendingSyncs`] that returns.
pub fn after_commit(durability: Arc<Durability>, commit: Commit) -> io::Result<()> {
    let left = DEFERRED.with_borrow_mut(|deferred| match deferred {
        Some(pending) => {
            pending.push((durability.clone(), commit));
            true
        }
        None => false,
    });
    if left {
        Ok(())
    } else {
        durability.wait_synced(commit)
    }
}

/// Runs `work`, leaving the syncs of the write transactions committed inside it to the
/// returned [`PendingSyncs`]: await them before acknowledging anything `work` wrote.
pub fn deferring_syncs<T>(work: impl FnOnce() -> T) -> (T, PendingSyncs) {
    /// Puts back the enclosing state even if `work` panics, so a thread of a pool never
    /// keeps deferring for later, unrelated work.
    struct Restore(Option<Option<Unsynced>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(outer) = self.0.take() {
                DEFERRED.set(outer);
            }
        }
    }
    let mut restore = Restore(Some(DEFERRED.replace(Some(Vec::new()))));
    let out = work();
    let outer = restore.0.take().unwrap_or_default();
    let pending = DEFERRED.replace(outer).unwrap_or_default();
    (out, PendingSyncs(pending))
}

/// Commits made inside [`deferring_syncs`] whose syncs are still to be awaited.
#[must_use = "a write is acknowledged only once its sync has been awaited"]
pub struct PendingSyncs(Unsynced);

impl PendingSyncs {
    /// Returns once every commit is on the disk.
    pub fn wait(self) -> io::Result<()> {
        for (durability, commit) in self.0 {
            durability.wait_synced(commit)?;
        }
        Ok(())
    }
}

/// `<database>-wal`, where SQLite keeps the write-ahead log.
fn wal_path(path: &Path) -> PathBuf {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    PathBuf::from(wal)
}

/// The durability of the database file at `path` (as SQLite names the main database of a
/// connection), one per file in this process.
pub fn of_file(path: &Path) -> Arc<Durability> {
    static FILES: OnceLock<Mutex<HashMap<PathBuf, Arc<Durability>>>> = OnceLock::new();
    let mut files = FILES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    files
        .entry(path.to_owned())
        .or_insert_with(|| Arc::new(Durability::for_file(path)))
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Barrier;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    /// Eight writers commit, then all wait: the first sync covers all eight.
    #[test]
    fn one_sync_covers_every_commit_made_before_it_started() {
        let durability = Arc::new(Durability::with_sync(|| {
            std::thread::sleep(Duration::from_millis(5));
            Ok(())
        }));
        let barrier = Arc::new(Barrier::new(8));
        let waiters: Vec<_> = (0..8)
            .map(|_| {
                let (durability, barrier) = (durability.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let commit = durability.committed();
                    barrier.wait();
                    durability.wait_synced(commit)
                })
            })
            .collect();
        for w in waiters {
            w.join().unwrap().unwrap();
        }
        assert_eq!(durability.syncs(), 1);
    }

    /// A commit made while a sync runs is not covered by it: its writer waits for, or runs,
    /// the next sync. A commit already covered returns without syncing again.
    #[test]
    fn a_commit_during_a_sync_waits_for_the_next_one() {
        let started = Arc::new(Barrier::new(2));
        let release = Arc::new(Barrier::new(2));
        let first_round = Arc::new(AtomicU64::new(0));
        let durability = {
            let (started, release, first_round) =
                (started.clone(), release.clone(), first_round.clone());
            Arc::new(Durability::with_sync(move || {
                if first_round.fetch_add(1, Ordering::SeqCst) == 0 {
                    started.wait();
                    release.wait();
                }
                Ok(())
            }))
        };
        let first = durability.committed();
        let syncer = {
            let durability = durability.clone();
            std::thread::spawn(move || durability.wait_synced(first))
        };
        started.wait();
        let second = durability.committed();
        release.wait();
        syncer.join().unwrap().unwrap();
        assert_eq!(durability.syncs(), 1);
        durability.wait_synced(second).unwrap();
        assert_eq!(durability.syncs(), 2);
        durability.wait_synced(first).unwrap();
        durability.wait_synced(second).unwrap();
        assert_eq!(durability.syncs(), 2);
    }

    /// A failed sync is the error of the writer that ran it, and covers nothing: the next
    /// waiter syncs again.
    #[test]
    fn a_failed_sync_is_reported_and_tried_again() {
        let calls = Arc::new(AtomicU64::new(0));
        let durability = {
            let calls = calls.clone();
            Durability::with_sync(move || {
                if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                    Err(io::Error::other("disk gone"))
                } else {
                    Ok(())
                }
            })
        };
        let commit = durability.committed();
        let failed = durability.wait_synced(commit).unwrap_err();
        assert_eq!(failed.to_string(), "disk gone");
        durability.wait_synced(commit).unwrap();
        assert_eq!(durability.syncs(), 2);
    }

    /// Inside `deferring_syncs` a commit returns without syncing; the sync runs when the
    /// pending syncs are awaited. Outside, it runs at once.
    #[test]
    fn deferred_commits_sync_when_awaited() {
        let durability = Arc::new(Durability::with_sync(|| Ok(())));
        let ((), pending) = deferring_syncs(|| {
            after_commit(durability.clone(), durability.committed()).unwrap();
            after_commit(durability.clone(), durability.committed()).unwrap();
        });
        assert_eq!(durability.syncs(), 0);
        pending.wait().unwrap();
        assert_eq!(durability.syncs(), 1, "one sync covers both");
        after_commit(durability.clone(), durability.committed()).unwrap();
        assert_eq!(durability.syncs(), 2, "no longer deferring");
        // A panic inside does not leave the thread deferring.
        let caught = std::panic::catch_unwind(|| deferring_syncs(|| panic!("work failed")));
        assert!(caught.is_err());
        after_commit(durability.clone(), durability.committed()).unwrap();
        assert_eq!(durability.syncs(), 3);
    }

    /// One durability per file, shared by every connection of this process.
    #[test]
    fn each_file_has_one_durability() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.sqlite"), dir.path().join("b.sqlite"));
        assert!(Arc::ptr_eq(&of_file(&a), &of_file(&a)));
        assert!(!Arc::ptr_eq(&of_file(&a), &of_file(&b)));
        // No WAL yet: nothing to sync but the directory.
        let commit = of_file(&a).committed();
        of_file(&a).wait_synced(commit).unwrap();
        assert_eq!(wal_path(&a), dir.path().join("a.sqlite-wal"));
    }
}
