//! The SQLite state store: WAL, a busy timeout, immediate transactions, schema migrations.
//! One database file holds every kind, so that a change spanning kinds is one transaction;
//! the queries of each kind are in their own file beside this one.

mod containers;
mod exec;
mod meta;
mod networks;
mod pods;
mod volumes;

use super::schema;
use crate::error::{CoreError, Result};
use parking_lot::Mutex;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How long an operation waits for another connection's lock before failing with "database is
/// locked": Podman's 100 s. Writers hold the lock for one short transaction, so this is only
/// reached when something is badly stuck.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(100);

/// The `synchronous` level: `FULL` (Podman's `_sync=FULL`), so that a committed transaction is
/// on disk before the call returns. With WAL, `NORMAL` would still never corrupt the file but
/// could lose the last commits on a power cut, after the engine had already acted on them
/// (storage deleted, a process started): the database and the filesystem would disagree in
/// ways a reopen cannot repair. The cost is one fsync of the WAL per write.
pub const SYNCHRONOUS: &str = "FULL";

/// The `synchronous` level of the writes about a volatile container (one removed when it
/// exits, see [`with_volatile`](crate::container::with_volatile)) and about exec sessions:
/// `NORMAL`, no fsync at commit. Neither outlives a reboot (a volatile container's storage
/// record lives in the run root, and the refresh after a reboot removes it; a session's
/// process is gone with the boot, and the refresh removes its row), so a power cut losing
/// their last commits loses nothing that would have been kept; a process killed loses
/// nothing at all (the commit is in the WAL, in the page cache); the file stays consistent,
/// and the next durable commit syncs the WAL with everything before it.
pub const VOLATILE_SYNCHRONOUS: &str = "NORMAL";

/// How many WAL pages may stay in the WAL: past them, a commit checkpoints them into the
/// database file, and so does a closing connection (emptying the WAL).
///
/// The WAL is not checkpointed and deleted at every close (SQLite's default): a command-line
/// process opens the database for one command, and that close (two fsyncs and an unlink) cost
/// more than the command's own writes. It stays instead, and whoever finds it this long
/// checkpoints it, so that the next opener's recovery of the WAL stays short (100 pages: 400
/// KiB). Durability is the same: every commit is in the fsync'ed WAL.
pub const WAL_AUTOCHECKPOINT: u32 = 100;

/// A state store in a SQLite database file, safe across processes.
///
/// One connection, behind a mutex: threads of a process take turns; processes coordinate
/// through SQLite's file locks (WAL mode: readers never wait for the writer, writers take the
/// write lock up front with `BEGIN IMMEDIATE` and wait up to [`BUSY_TIMEOUT`] for it).
///
/// ```
/// use libpod_core::container::{ContainerConfig, ContainerState};
/// use libpod_core::state::{ContainerStore, SqliteState};
///
/// let dir = tempfile::tempdir()?;
/// let store = SqliteState::open(&dir.path().join("state/db.sql"))?;
/// let mut config = ContainerConfig::default();
/// config.id = "1f0c".repeat(16);
/// config.name = "web".into();
/// store.add_container(&config, &ContainerState::default())?;
/// assert_eq!(store.lookup_container("web")?, config.id);
/// assert_eq!(store.lookup_container("1f0")?, config.id);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SqliteState {
    conn: Mutex<Connection>,
    path: PathBuf,
    /// The volatile containers this connection has added or read the config of.
    volatile: Mutex<HashSet<String>>,
    /// The connection is at [`VOLATILE_SYNCHRONOUS`] (changed only with `conn` locked).
    relaxed: AtomicBool,
}

fn db_err(op: &'static str) -> impl FnOnce(rusqlite::Error) -> CoreError {
    move |source| CoreError::Database { op, source }
}

/// Starts a write: `BEGIN IMMEDIATE`, so the write lock is taken now (waiting on the busy
/// timeout) rather than on the first write, where WAL could fail with an unretried
/// `SQLITE_BUSY_SNAPSHOT`.
fn begin<'c>(conn: &'c mut Connection, op: &'static str) -> Result<Transaction<'c>> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db_err(op))
}

/// Whether `sql` (with `?1` = `key`) finds a row.
fn exists(conn: &Connection, sql: &str, key: &str, op: &'static str) -> Result<bool> {
    conn.prepare_cached(sql)
        .and_then(|mut stmt| stmt.exists([key]))
        .map_err(db_err(op))
}

/// Fails with `ContainerNotFound` unless container `id` exists.
fn require_container(conn: &Connection, id: &str) -> Result<()> {
    let sql = "SELECT 1 FROM containers WHERE id = ?1";
    if exists(conn, sql, id, "check container")? {
        Ok(())
    } else {
        Err(CoreError::ContainerNotFound(id.to_string()))
    }
}

/// Switches to WAL. Several openers of a new file race for the switch, and SQLite answers
/// the losers SQLITE_BUSY at once, without calling the busy handler (it could deadlock): so
/// the switch is retried here for up to the busy timeout.
fn set_wal_mode(conn: &Connection) -> rusqlite::Result<String> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0)) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            other => return other,
        }
    }
}

/// Makes the database file 0600 (it holds every container's environment, secrets
/// included): created so when new (SQLite gives its WAL and shared-memory files the
/// database's mode), closed with those two when an earlier version left it readable.
fn make_private(path: &Path) -> Result<()> {
    use crate::runtime::modes::{PRIVATE_FILE, private_file, tighten, tighten_if_present};
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(path) {
        Ok(meta) if meta.permissions().mode() & 0o077 == 0 => Ok(()),
        Ok(_) => {
            for suffix in ["-wal", "-shm"] {
                let mut side = path.as_os_str().to_owned();
                side.push(suffix);
                tighten_if_present(Path::new(&side), PRIVATE_FILE)?;
            }
            // Last: a failure before leaves it open, and the next open tries again.
            tighten(path, PRIVATE_FILE)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => private_file()
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map(drop)
            .map_err(|e| CoreError::io("create state database", path, e)),
        Err(e) => Err(CoreError::io("inspect state database", path, e)),
    }
}

impl SqliteState {
    /// Opens (creating and migrating) the database at `path`, creating its directory if needed.
    ///
    /// Sets WAL mode (kept between connections, see [`WAL_AUTOCHECKPOINT`]), `synchronous` =
    /// [`SYNCHRONOUS`], foreign keys on and a busy timeout of [`BUSY_TIMEOUT`], then applies
    /// the missing schema migrations. A database written by a
    /// newer libpod-rs is refused with [`CoreError::SchemaTooNew`].
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::runtime::modes::create_private_dir(dir)?;
        }
        make_private(path)?;
        let mut conn = Connection::open(path).map_err(db_err("open"))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(db_err("set busy timeout"))?;
        let mode = set_wal_mode(&conn).map_err(db_err("set journal mode"))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(path = %path.display(), mode, "state database is not in WAL mode");
        }
        conn.pragma_update(None, "synchronous", SYNCHRONOUS)
            .map_err(db_err("set synchronous mode"))?;
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
            .map_err(db_err("keep the WAL on close"))?;
        conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT)
            .map_err(db_err("set the WAL checkpoint size"))?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(db_err("enable foreign keys"))?;
        schema::migrate(&mut conn, path)?;
        tracing::debug!(
            path = %path.display(),
            schema_version = schema::SCHEMA_VERSION,
            "state database open"
        );
        Ok(SqliteState {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
            volatile: Mutex::default(),
            relaxed: AtomicBool::new(false),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection, for tests that inspect or damage the database directly.
    #[cfg(test)]
    pub(crate) fn connection(&self) -> parking_lot::MutexGuard<'_, Connection> {
        self.conn.lock()
    }

    /// Whether container `id` is one of the volatile containers this connection knows.
    fn is_volatile(&self, id: &str) -> bool {
        self.volatile.lock().contains(id)
    }

    /// Starts a write at the `synchronous` level it needs: [`VOLATILE_SYNCHRONOUS`] when it is
    /// about a volatile container only (`relaxed`), else [`SYNCHRONOUS`].
    fn begin_with<'c>(
        &self,
        conn: &'c mut Connection,
        relaxed: bool,
        op: &'static str,
    ) -> Result<Transaction<'c>> {
        if relaxed != self.relaxed.load(Ordering::Relaxed) {
            let level = if relaxed {
                VOLATILE_SYNCHRONOUS
            } else {
                SYNCHRONOUS
            };
            conn.pragma_update(None, "synchronous", level)
                .map_err(db_err("set synchronous mode"))?;
            self.relaxed.store(relaxed, Ordering::Relaxed);
        }
        begin(conn, op)
    }

    /// Empties a WAL longer than [`WAL_AUTOCHECKPOINT`] pages into the database file, unless
    /// another connection is using the database right now (then a later close does it).
    ///
    /// Needed across processes: each process's first open rebuilds the WAL's index, which
    /// forgets what earlier checkpoints copied, so the WAL would only ever grow.
    fn checkpoint_if_long(conn: &Connection) -> rusqlite::Result<()> {
        let page_size: i64 = conn.query_row("PRAGMA page_size", [], |row| row.get(0))?;
        let mut wal = conn
            .path()
            .map(std::ffi::OsString::from)
            .unwrap_or_default();
        wal.push("-wal");
        let Ok(meta) = std::fs::metadata(&wal) else {
            return Ok(());
        };
        if meta.len() <= u64::from(WAL_AUTOCHECKPOINT) * page_size.unsigned_abs() {
            return Ok(());
        }
        conn.busy_timeout(Duration::ZERO)?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
    }

    /// The text column (a `config` or `state` JSON, a `name`) that `sql` selects with `?1` =
    /// `key`; `not_found` when there is no such row.
    fn read_text(
        &self,
        sql: &str,
        key: &str,
        op: &'static str,
        not_found: impl FnOnce() -> CoreError,
    ) -> Result<String> {
        let conn = self.conn.lock();
        conn.prepare_cached(sql)
            .and_then(|mut stmt| stmt.query_row([key], |row| row.get(0)).optional())
            .map_err(db_err(op))?
            .ok_or_else(not_found)
    }

    /// Runs a write of one statement in a transaction of its own (at the durable level);
    /// returns how many rows it changed.
    fn write(&self, sql: &str, params: impl rusqlite::Params, op: &'static str) -> Result<usize> {
        self.write_at(false, sql, params, op)
    }

    /// [`write`](Self::write) at the `relaxed` level ([`VOLATILE_SYNCHRONOUS`]) when asked.
    fn write_at(
        &self,
        relaxed: bool,
        sql: &str,
        params: impl rusqlite::Params,
        op: &'static str,
    ) -> Result<usize> {
        let mut conn = self.conn.lock();
        let tx = self.begin_with(&mut conn, relaxed, op)?;
        let changed = tx
            .prepare_cached(sql)
            .and_then(|mut stmt| stmt.execute(params))
            .map_err(db_err(op))?;
        tx.commit().map_err(db_err(op))?;
        Ok(changed)
    }

    /// The first column of every row `sql` selects, with `?1` = `param` if given.
    fn ids(&self, sql: &str, param: Option<&str>, op: &'static str) -> Result<Vec<String>> {
        let conn = self.conn.lock();
        let mut stmt = conn.prepare_cached(sql).map_err(db_err(op))?;
        let params: &[&dyn rusqlite::ToSql] = match &param {
            Some(p) => &[p],
            None => &[],
        };
        stmt.query_map(params, |row| row.get(0))
            .and_then(|rows| rows.collect())
            .map_err(db_err(op))
    }
}

impl Drop for SqliteState {
    fn drop(&mut self) {
        if let Err(err) = Self::checkpoint_if_long(self.conn.get_mut()) {
            tracing::debug!(path = %self.path.display(), %err, "state database checkpoint left for later");
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod concurrency_tests;

#[cfg(test)]
mod migration_tests;
