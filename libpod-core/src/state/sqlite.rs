//! The SQLite state store: WAL, a busy timeout, immediate transactions, schema migrations.

use super::common::{
    check_exit_code, check_new_container, decode, encode, exit_code_cutoff, is_id_prefix, now_unix,
};
use super::{StateStore, schema};
use crate::error::{CoreError, Result};
use crate::record::{ContainerConfig, ContainerState};
use parking_lot::Mutex;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
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
/// exits, see [`with_volatile`](crate::container::with_volatile)): `NORMAL`, no fsync at
/// commit. Such a container does not outlive a reboot (its storage record lives in the run
/// root, and the refresh after a reboot removes it), so a power cut losing its last commits
/// loses nothing that would have been kept; the file stays consistent, and the next durable
/// commit syncs the WAL with everything before it.
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
/// use libpod_core::state::{SqliteState, StateStore};
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

/// Replaces container `id`'s state JSON within `tx`.
fn update_state(tx: &Transaction<'_>, id: &str, json: &str) -> Result<()> {
    let changed = tx
        .prepare_cached("UPDATE containers SET state = ?1 WHERE id = ?2")
        .and_then(|mut stmt| stmt.execute([json, id]))
        .map_err(db_err("save container state"))?;
    if changed == 0 {
        return Err(CoreError::ContainerNotFound(id.to_string()));
    }
    Ok(())
}

fn exists(conn: &Connection, sql: &str, key: &str, op: &'static str) -> Result<bool> {
    conn.prepare_cached(sql)
        .and_then(|mut stmt| stmt.exists([key]))
        .map_err(db_err(op))
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

    /// A text column (`config`, `state` JSON, `name`) of a container.
    fn read_json(&self, sql: &str, id: &str) -> Result<String> {
        let conn = self.conn.lock();
        conn.prepare_cached(sql)
            .and_then(|mut stmt| stmt.query_row([id], |row| row.get(0)).optional())
            .map_err(db_err("read container"))?
            .ok_or_else(|| CoreError::ContainerNotFound(id.to_string()))
    }

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

impl StateStore for SqliteState {
    fn add_container(&self, config: &ContainerConfig, state: &ContainerState) -> Result<()> {
        let deps = check_new_container(config)?;
        let id = config.id.as_str();
        let config_json = encode("config", id, config)?;
        let state_json = encode("state", id, state)?;
        let mut conn = self.conn.lock();
        let tx = self.begin_with(&mut conn, config.volatile, "begin adding container")?;
        const ID_USED: &str =
            "SELECT 1 FROM containers WHERE id = ?1 UNION ALL SELECT 1 FROM pods WHERE id = ?1";
        if exists(&tx, ID_USED, id, "check container id")? {
            return Err(CoreError::InvalidOption {
                option: "id",
                reason: format!("the ID {id} is already in use"),
            });
        }
        const NAME_USED: &str = "SELECT 1 FROM containers WHERE name = ?1 \
             UNION ALL SELECT 1 FROM pods WHERE name = ?1";
        if exists(&tx, NAME_USED, &config.name, "check container name")? {
            return Err(CoreError::NameInUse(config.name.clone()));
        }
        if let Some(pod) = &config.pod
            && !exists(&tx, "SELECT 1 FROM pods WHERE id = ?1", pod, "check pod")?
        {
            return Err(CoreError::InvalidOption {
                option: "pod",
                reason: format!("container {id}: no pod with ID {pod}"),
            });
        }
        for dep in &deps {
            let sql = "SELECT 1 FROM containers WHERE id = ?1";
            if !exists(&tx, sql, dep, "check dependency")? {
                return Err(CoreError::ContainerNotFound(dep.clone()));
            }
        }
        tx.prepare_cached(
            "INSERT INTO containers (id, name, pod_id, config, state) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                id,
                config.name,
                config.pod,
                config_json,
                state_json
            ])
        })
        .map_err(db_err("insert container"))?;
        for dep in &deps {
            tx.prepare_cached(
                "INSERT INTO dependencies (container_id, depends_on) VALUES (?1, ?2)",
            )
            .and_then(|mut stmt| stmt.execute([id, dep.as_str()]))
            .map_err(db_err("insert container dependency"))?;
        }
        tx.commit().map_err(db_err("commit adding container"))?;
        if config.volatile {
            self.volatile.lock().insert(config.id.clone());
        }
        tracing::debug!(id, name = %config.name, "container added to the state database");
        Ok(())
    }

    fn remove_container(&self, id: &str) -> Result<()> {
        let mut conn = self.conn.lock();
        let tx = self.begin_with(&mut conn, self.is_volatile(id), "begin removing container")?;
        if !exists(
            &tx,
            "SELECT 1 FROM containers WHERE id = ?1",
            id,
            "check container",
        )? {
            return Err(CoreError::ContainerNotFound(id.to_string()));
        }
        let dependents: Vec<String> = tx
            .prepare_cached(
                "SELECT container_id FROM dependencies WHERE depends_on = ?1 ORDER BY container_id",
            )
            .and_then(|mut stmt| stmt.query_map([id], |row| row.get(0))?.collect())
            .map_err(db_err("read container dependents"))?;
        if !dependents.is_empty() {
            return Err(CoreError::HasDependents {
                id: id.to_string(),
                dependents,
            });
        }
        // Its own dependency rows and exec sessions go with it (ON DELETE CASCADE).
        tx.prepare_cached("DELETE FROM containers WHERE id = ?1")
            .and_then(|mut stmt| stmt.execute([id]))
            .map_err(db_err("delete container"))?;
        tx.commit().map_err(db_err("commit removing container"))?;
        self.volatile.lock().remove(id);
        tracing::debug!(id, "container removed from the state database");
        Ok(())
    }

    fn container_config(&self, id: &str) -> Result<ContainerConfig> {
        let config: ContainerConfig = decode(
            "config",
            id,
            &self.read_json("SELECT config FROM containers WHERE id = ?1", id)?,
        )?;
        if config.volatile {
            self.volatile.lock().insert(config.id.clone());
        }
        Ok(config)
    }

    fn container_state(&self, id: &str) -> Result<ContainerState> {
        decode(
            "state",
            id,
            &self.read_json("SELECT state FROM containers WHERE id = ?1", id)?,
        )
    }

    fn save_container_state(&self, id: &str, state: &ContainerState) -> Result<()> {
        let json = encode("state", id, state)?;
        let mut conn = self.conn.lock();
        let tx = self.begin_with(
            &mut conn,
            self.is_volatile(id),
            "begin saving container state",
        )?;
        update_state(&tx, id, &json)?;
        tx.commit().map_err(db_err("commit container state"))
    }

    fn lookup_container(&self, name_or_id: &str) -> Result<String> {
        let not_found = || CoreError::ContainerNotFound(name_or_id.to_string());
        if name_or_id.is_empty() {
            return Err(not_found());
        }
        for (sql, op) in [
            (
                "SELECT id FROM containers WHERE id = ?1",
                "look up container by ID",
            ),
            (
                "SELECT id FROM containers WHERE name = ?1",
                "look up container by name",
            ),
        ] {
            if let Some(id) = self.ids(sql, Some(name_or_id), op)?.pop() {
                return Ok(id);
            }
        }
        if !is_id_prefix(name_or_id) {
            return Err(not_found());
        }
        // Hex digits hold no GLOB pattern characters.
        let mut matches = self.ids(
            "SELECT id FROM containers WHERE id GLOB ?1 || '*' LIMIT 2",
            Some(name_or_id),
            "look up container by ID prefix",
        )?;
        match matches.len() {
            0 => Err(not_found()),
            1 => Ok(matches.remove(0)),
            _ => Err(CoreError::AmbiguousContainer(name_or_id.to_string())),
        }
    }

    fn all_containers(&self) -> Result<Vec<String>> {
        self.ids(
            "SELECT id FROM containers ORDER BY id",
            None,
            "list containers",
        )
    }

    fn container_name(&self, id: &str) -> Result<String> {
        self.read_json("SELECT name FROM containers WHERE id = ?1", id)
    }

    fn dependents(&self, id: &str) -> Result<Vec<String>> {
        self.ids(
            "SELECT container_id FROM dependencies WHERE depends_on = ?1 ORDER BY container_id",
            Some(id),
            "read container dependents",
        )
    }

    /// Records the code with the current time and, as Podman's cleanup does, prunes the codes
    /// of containers that are gone and that are older than
    /// [`EXIT_CODE_RETENTION`](super::EXIT_CODE_RETENTION).
    fn record_exit_code(&self, id: &str, code: i32, state: Option<&ContainerState>) -> Result<()> {
        check_exit_code(id, code)?;
        let json = state.map(|state| encode("state", id, state)).transpose()?;
        let mut conn = self.conn.lock();
        let tx = self.begin_with(&mut conn, self.is_volatile(id), "begin recording exit code")?;
        if let Some(json) = &json {
            update_state(&tx, id, json)?;
        }
        tx.prepare_cached(
            "INSERT OR REPLACE INTO exit_codes (id, code, timestamp) VALUES (?1, ?2, ?3)",
        )
        .and_then(|mut stmt| stmt.execute(params![id, code, now_unix()]))
        .map_err(db_err("record exit code"))?;
        let pruned = tx
            .prepare_cached(
                "DELETE FROM exit_codes WHERE timestamp <= ?1 \
                 AND id NOT IN (SELECT id FROM containers)",
            )
            .and_then(|mut stmt| stmt.execute([exit_code_cutoff()]))
            .map_err(db_err("prune exit codes"))?;
        tx.commit().map_err(db_err("commit exit code"))?;
        if pruned > 0 {
            tracing::debug!(pruned, "old exit codes pruned");
        }
        Ok(())
    }

    fn exit_code(&self, id: &str) -> Result<Option<i32>> {
        let conn = self.conn.lock();
        conn.prepare_cached("SELECT code FROM exit_codes WHERE id = ?1")
            .and_then(|mut stmt| stmt.query_row([id], |row| row.get(0)).optional())
            .map_err(db_err("read exit code"))
    }

    fn metadata(&self, key: &str) -> Result<Option<String>> {
        let conn = self.conn.lock();
        conn.prepare_cached("SELECT value FROM metadata WHERE key = ?1")
            .and_then(|mut stmt| stmt.query_row([key], |row| row.get(0)).optional())
            .map_err(db_err("read metadata"))
    }

    fn set_metadata(&self, key: &str, value: &str) -> Result<()> {
        let mut conn = self.conn.lock();
        let tx = self.begin_with(&mut conn, false, "begin setting metadata")?;
        tx.prepare_cached("INSERT OR REPLACE INTO metadata (key, value) VALUES (?1, ?2)")
            .and_then(|mut stmt| stmt.execute([key, value]))
            .map_err(db_err("set metadata"))?;
        tx.commit().map_err(db_err("commit metadata"))
    }
}

#[cfg(test)]
#[path = "sqlite_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "sqlite_concurrency_tests.rs"]
mod concurrency_tests;
