use super::{BUSY_TIMEOUT, SqliteState, WAL_AUTOCHECKPOINT};
use crate::error::CoreError;
use crate::record::ContainerConfig;
use crate::record::ContainerState;
use crate::state::schema::{self, MIGRATIONS, SCHEMA_VERSION};
use crate::state::suite::{self, Subject, config, id};
use crate::state::{ContainerStore, MetaStore, StateStore};
use rusqlite::Connection;
use tempfile::TempDir;

struct Fixture {
    state: SqliteState,
    _dir: TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let state = SqliteState::open(&dir.path().join("db.sql")).unwrap();
    Fixture { state, _dir: dir }
}

impl Subject for Fixture {
    fn store(&self) -> &dyn StateStore {
        &self.state
    }
    fn damage(&self, id: &str, what: &str, json: &str) {
        let sql = match what {
            "config" => "UPDATE containers SET config = ?1 WHERE id = ?2",
            _ => "UPDATE containers SET state = ?1 WHERE id = ?2",
        };
        let changed = self.state.connection().execute(sql, [json, id]).unwrap();
        assert_eq!(changed, 1);
    }
    fn age_exit_code(&self, id: &str, seconds: i64) {
        self.state
            .connection()
            .execute(
                "UPDATE exit_codes SET timestamp = timestamp - ?1 WHERE id = ?2",
                rusqlite::params![seconds, id],
            )
            .unwrap();
    }
}

crate::state_store_suite!(fixture);

fn tables(conn: &Connection) -> Vec<String> {
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap();
    stmt.query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |row| row.get(0)).unwrap()
}

#[test]
fn a_new_file_in_a_new_directory_gets_every_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/db.sql");
    let state = SqliteState::open(&path).unwrap();
    assert_eq!(state.path(), path);
    let conn = state.connection();
    assert_eq!(schema::version(&conn).unwrap(), SCHEMA_VERSION);
    assert_eq!(
        tables(&conn),
        [
            "container_networks",
            "container_volumes",
            "containers",
            "dependencies",
            "exec_sessions",
            "exit_codes",
            "metadata",
            "network_addresses",
            "pods",
            "volumes"
        ]
    );
    for table in [
        "pods",
        "volumes",
        "exec_sessions",
        "container_networks",
        "container_volumes",
        "network_addresses",
    ] {
        assert_eq!(count(&conn, &format!("SELECT count(*) FROM {table}")), 0);
    }
}

#[test]
fn an_empty_file_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sql");
    std::fs::write(&path, b"").unwrap();
    let state = SqliteState::open(&path).unwrap();
    assert_eq!(
        schema::version(&state.connection()).unwrap(),
        SCHEMA_VERSION
    );
    state
        .add_container(&config(&id("1", '0'), "x"), &ContainerState::default())
        .unwrap();
}

#[test]
fn wal_full_sync_foreign_keys_and_busy_timeout_are_on() {
    let f = fixture();
    {
        let conn = f.state.connection();
        let pragma = |name: &str| -> String {
            conn.query_row(&format!("PRAGMA {name}"), [], |row| {
                row.get::<_, rusqlite::types::Value>(0)
            })
            .map(|v| match v {
                rusqlite::types::Value::Integer(i) => i.to_string(),
                rusqlite::types::Value::Text(t) => t,
                other => format!("{other:?}"),
            })
            .unwrap()
        };
        assert_eq!(pragma("journal_mode"), "wal");
        assert_eq!(pragma("synchronous"), "2", "FULL");
        assert_eq!(pragma("foreign_keys"), "1");
        assert_eq!(pragma("busy_timeout"), BUSY_TIMEOUT.as_millis().to_string());
        assert_eq!(pragma("wal_autocheckpoint"), WAL_AUTOCHECKPOINT.to_string());
    }
    // WAL is a property of the file: another connection sees it.
    let other = Connection::open(f.state.path()).unwrap();
    let mode: String = other
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

/// The connection's `synchronous` level: 1 `NORMAL`, 2 `FULL`.
fn synchronous(state: &SqliteState) -> i64 {
    state
        .connection()
        .query_row("PRAGMA synchronous", [], |row| row.get(0))
        .unwrap()
}

#[test]
fn exec_session_writes_skip_the_fsync() {
    use crate::record::{ExecConfig, ExecSession};
    use crate::state::ExecStore;
    let f = fixture();
    let ctr = config(&id("1", 'a'), "kept");
    f.state
        .add_container(&ctr, &ContainerState::default())
        .unwrap();
    assert_eq!(synchronous(&f.state), 2, "adding a durable container");
    let mut session = ExecSession::new(id("e", '0'), ctr.id.clone(), ExecConfig::default());
    f.state.add_exec_session(&session).unwrap();
    assert_eq!(synchronous(&f.state), 1, "adding a session");
    f.state.set_metadata("k", "v").unwrap();
    assert_eq!(synchronous(&f.state), 2, "setting metadata");
    session.pid = Some(42);
    f.state.save_exec_session(&session).unwrap();
    assert_eq!(synchronous(&f.state), 1, "saving a session");
    f.state.set_metadata("k", "w").unwrap();
    f.state.remove_exec_session(&session.id).unwrap();
    assert_eq!(synchronous(&f.state), 1, "removing a session");
}

#[test]
fn writes_about_a_volatile_container_skip_the_fsync_and_all_others_keep_it() {
    let f = fixture();
    let volatile = ContainerConfig {
        volatile: true,
        ..config(&id("1", 'a'), "rm")
    };
    let durable = config(&id("2", 'b'), "kept");
    let state = ContainerState::default();
    f.state.add_container(&volatile, &state).unwrap();
    assert_eq!(synchronous(&f.state), 1, "adding a volatile container");
    f.state.add_container(&durable, &state).unwrap();
    assert_eq!(synchronous(&f.state), 2, "adding a durable container");
    f.state.save_container_state(&volatile.id, &state).unwrap();
    assert_eq!(synchronous(&f.state), 1, "saving a volatile container");
    f.state.set_metadata("k", "v").unwrap();
    assert_eq!(synchronous(&f.state), 2, "setting metadata");

    // Another process knows a container is volatile once it has read its config.
    let other = SqliteState::open(f.state.path()).unwrap();
    other.save_container_state(&volatile.id, &state).unwrap();
    assert_eq!(synchronous(&other), 2, "before reading the config");
    assert!(other.container_config(&volatile.id).unwrap().volatile);
    other
        .record_exit_code(&volatile.id, 0, Some(&state))
        .unwrap();
    assert_eq!(
        synchronous(&other),
        1,
        "recording a volatile container's exit"
    );
    other.save_container_state(&durable.id, &state).unwrap();
    assert_eq!(synchronous(&other), 2, "saving a durable container");
    other.remove_container(&volatile.id).unwrap();
    assert_eq!(synchronous(&other), 1, "removing a volatile container");
    // Its ID is forgotten with it: the exit code kept for `wait` is written durably.
    other.record_exit_code(&volatile.id, 0, None).unwrap();
    assert_eq!(synchronous(&other), 2);
    // The writes are there, whatever their level.
    assert_eq!(f.state.exit_code(&volatile.id).unwrap(), Some(0));
    assert!(f.state.container_state(&volatile.id).is_err());
}

#[test]
fn reopening_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sql");
    let base = config(&id("1", '1'), "base");
    let full = suite::full_config(&id("2", '2'), "full", &base.id);
    {
        let state = SqliteState::open(&path).unwrap();
        state
            .add_container(&base, &ContainerState::default())
            .unwrap();
        crate::state::VolumeStore::add_volume(
            &state,
            &crate::record::VolumeConfig::new("data"),
            &crate::record::VolumeState::new(),
        )
        .unwrap();
        state.add_container(&full, &suite::full_state()).unwrap();
        state.record_exit_code("gone", 137, None).unwrap();
        state.set_metadata("boot", "b1").unwrap();
    }
    let state = SqliteState::open(&path).unwrap();
    assert_eq!(state.container_config(&full.id).unwrap(), full);
    assert_eq!(
        state.container_state(&full.id).unwrap(),
        suite::full_state()
    );
    assert_eq!(state.dependents(&base.id).unwrap(), [full.id.as_str()]);
    assert_eq!(state.lookup_container("full").unwrap(), full.id);
    assert_eq!(state.exit_code("gone").unwrap(), Some(137));
    assert_eq!(state.metadata("boot").unwrap().as_deref(), Some("b1"));
}

#[test]
fn the_wal_outlives_each_connection_and_stays_short() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sql");
    let wal = dir.path().join("db.sql-wal");
    let page_size = {
        let state = SqliteState::open(&path).unwrap();
        let size: i64 = state
            .connection()
            .query_row("PRAGMA page_size", [], |row| row.get(0))
            .unwrap();
        state
            .add_container(&config(&id("1", '1'), "first"), &ContainerState::default())
            .unwrap();
        u64::try_from(size).unwrap()
    };
    // Closed without a checkpoint: the commit is in the WAL, which is still there.
    assert!(wal.metadata().unwrap().len() > 0, "the WAL was deleted");
    // Many short-lived processes' worth of writes: each opens, writes and closes.
    for n in 0..300 {
        let state = SqliteState::open(&path).unwrap();
        let ctr_state = ContainerState {
            restart_count: n,
            ..ContainerState::default()
        };
        state
            .save_container_state(&id("1", '1'), &ctr_state)
            .unwrap();
    }
    let state = SqliteState::open(&path).unwrap();
    assert_eq!(
        state.container_state(&id("1", '1')).unwrap().restart_count,
        299
    );
    // Checkpoints kept it near WAL_AUTOCHECKPOINT pages (plus the header and a commit).
    let limit = (u64::from(WAL_AUTOCHECKPOINT) + 20) * (page_size + 24);
    let size = wal.metadata().unwrap().len();
    assert!(size <= limit, "WAL of {size} bytes, over {limit}");
}

#[test]
fn a_newer_schema_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sql");
    drop(SqliteState::open(&path).unwrap());
    let future = SCHEMA_VERSION + 1;
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", future)
        .unwrap();
    let err = SqliteState::open(&path).unwrap_err();
    match &err {
        CoreError::SchemaTooNew {
            path: p,
            found,
            supported,
        } => {
            assert_eq!(p, &path);
            assert_eq!((*found, *supported), (future, SCHEMA_VERSION));
        }
        other => panic!("expected SchemaTooNew, got {other}"),
    }
    assert!(err.to_string().contains("newer"), "{err}");
    let conn = Connection::open(&path).unwrap();
    assert_eq!(schema::version(&conn).unwrap(), future);
}

#[test]
fn migration_steps_apply_once_and_a_failing_step_rolls_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sql");
    drop(SqliteState::open(&path).unwrap());
    let mut conn = Connection::open(&path).unwrap();

    // A step that fails if applied twice.
    let mut steps: Vec<&str> = MIGRATIONS.to_vec();
    steps.push("CREATE TABLE extra (x TEXT NOT NULL);");
    schema::migrate_with(&mut conn, &path, &steps).unwrap();
    schema::migrate_with(&mut conn, &path, &steps).unwrap();
    assert_eq!(schema::version(&conn).unwrap(), SCHEMA_VERSION + 1);
    assert!(tables(&conn).contains(&"extra".to_string()));

    // A step failing halfway leaves the previous version whole.
    steps.push("CREATE TABLE half (x); INSERT INTO missing_table VALUES (1);");
    let err = schema::migrate_with(&mut conn, &path, &steps).unwrap_err();
    assert!(
        matches!(
            err,
            CoreError::Database {
                op: "apply schema migration",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(schema::version(&conn).unwrap(), SCHEMA_VERSION + 1);
    assert!(!tables(&conn).contains(&"half".to_string()));

    // And the code's own list now sees a newer schema.
    assert!(matches!(
        schema::migrate(&mut conn, &path),
        Err(CoreError::SchemaTooNew { .. })
    ));
}

#[test]
fn a_file_that_is_not_a_database_is_a_database_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sql");
    std::fs::write(&path, vec![b'x'; 4096]).unwrap();
    let err = SqliteState::open(&path).unwrap_err();
    assert!(matches!(err, CoreError::Database { .. }), "{err}");
}

#[test]
fn an_unusable_directory_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, b"").unwrap();
    let err = SqliteState::open(&file.join("db.sql")).unwrap_err();
    assert!(matches!(err, CoreError::Io { .. }), "{err}");
}

#[test]
fn foreign_keys_back_the_dependency_table() {
    let f = fixture();
    let base = config(&id("1", '0'), "base");
    let mut dep = config(&id("2", '0'), "dep");
    dep.dependencies = vec![base.id.clone()];
    f.state
        .add_container(&base, &ContainerState::default())
        .unwrap();
    f.state
        .add_container(&dep, &ContainerState::default())
        .unwrap();
    let conn = f.state.connection();
    assert_eq!(count(&conn, "SELECT count(*) FROM dependencies"), 1);
    // The database itself refuses to drop a container that others need...
    assert!(
        conn.execute("DELETE FROM containers WHERE id = ?1", [&base.id])
            .is_err()
    );
    // ... and a dependency on nothing.
    assert!(
        conn.execute(
            "INSERT INTO dependencies VALUES (?1, 'nothing')",
            [&base.id]
        )
        .is_err()
    );
    drop(conn);
    f.state.remove_container(&dep.id).unwrap();
    let conn = f.state.connection();
    assert_eq!(
        count(&conn, "SELECT count(*) FROM dependencies"),
        0,
        "cascade"
    );
}
