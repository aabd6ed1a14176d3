//! The libraries' conformance suites run from another crate, as a backend living outside
//! libpod-core or libpod-storage would run them (with their `testsuite` feature): the
//! StateStore suite on SQLite (damaged through its own file), the OciRuntime suite on the
//! fake runtime, the storage driver suite on vfs.

use libpod_core::oci::{FakeRuntime, OciRuntime, suite::Fixture};
use libpod_core::state::{SqliteState, StateStore, suite::Subject};
use libpod_storage::driver::{DriverKind, suite::Subject as DriverSubject};
use libpod_storage::{RegistriesConfig, Store, StoreOptions};
use libpod_testutil::{TempRoot, require_root};
use std::path::PathBuf;

/// A SQLite state, with a second connection to reach behind the trait.
struct Sqlite {
    state: SqliteState,
    db: rusqlite::Connection,
    _dir: tempfile::TempDir,
}

impl Subject for Sqlite {
    fn store(&self) -> &dyn StateStore {
        &self.state
    }
    fn damage(&self, id: &str, what: &str, json: &str) {
        let sql = match what {
            "config" => "UPDATE containers SET config = ?1 WHERE id = ?2",
            _ => "UPDATE containers SET state = ?1 WHERE id = ?2",
        };
        assert_eq!(self.db.execute(sql, [json, id]).unwrap(), 1);
    }
    fn age_exit_code(&self, id: &str, seconds: i64) {
        let sql = "UPDATE exit_codes SET timestamp = timestamp - ?1 WHERE id = ?2";
        self.db
            .execute(sql, rusqlite::params![seconds, id])
            .unwrap();
    }
}

fn sqlite() -> Sqlite {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sql");
    let state = SqliteState::open(&path).unwrap();
    let db = rusqlite::Connection::open(&path).unwrap();
    Sqlite {
        state,
        db,
        _dir: dir,
    }
}

mod sqlite_state {
    libpod_core::state_store_suite!(super::sqlite);
}

/// The fake runtime, its processes finished by hand.
struct Fake(FakeRuntime);

impl Fixture for Fake {
    fn runtime(&self) -> &dyn OciRuntime {
        &self.0
    }
    fn prepare(&self, id: &str) -> (PathBuf, PathBuf) {
        // Like a shell as PID 1 without a handler.
        self.0.ignore_signals(id, &[15]);
        ("/nonexistent/bundle".into(), "/nonexistent/run".into())
    }
    fn finish(&self, id: &str, code: i32) {
        self.0.exit(id, code);
    }
}

mod fake_runtime {
    libpod_core::oci_runtime_suite!(|| super::Fake(libpod_core::oci::FakeRuntime::new()));
}

/// A vfs store under a TempRoot.
struct Vfs {
    store: Store,
    _tmp: TempRoot,
}

impl DriverSubject for Vfs {
    fn store(&self) -> &Store {
        &self.store
    }
}

fn vfs() -> Vfs {
    require_root();
    let tmp = TempRoot::new().unwrap();
    let mut options = StoreOptions::new(tmp.path().join("root"), tmp.path().join("run"));
    options.driver = Some(DriverKind::Vfs);
    options.registries = Some(RegistriesConfig::default());
    Vfs {
        store: Store::open(options).unwrap(),
        _tmp: tmp,
    }
}

mod vfs_driver {
    libpod_storage::driver_suite!(super::vfs);
}
