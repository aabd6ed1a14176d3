//! Version 1 databases, as the release before version 2 wrote them, opened by this code.

use super::SqliteState;
use crate::error::CoreError;
use crate::record::{
    ContainerState, ContainerStatus, ExecConfig, ExecSession, NetworkAttachment, PodConfig,
    PodState, VolumeConfig, VolumeState,
};
use crate::state::schema::{self, MIGRATIONS, SCHEMA_VERSION};
use crate::state::suite::{config, full_config, full_state, id};
use crate::state::{ContainerStore, ExecStore, MetaStore, NetworkAttachmentStore};
use crate::state::{PodStore, VolumeStore};
use rusqlite::{Connection, params};
use std::path::Path;

/// The rows a version 1 store holds: two containers (one depending on the other), a
/// removed container's exit code and the boot marker. Written with version 1's schema
/// (its migration step, which never changes) and the statements its store ran.
fn write_v1(path: &Path) -> (String, String) {
    let mut conn = Connection::open(path).unwrap();
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))
        .unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    schema::migrate_with(&mut conn, path, &MIGRATIONS[..1]).unwrap();
    assert_eq!(schema::version(&conn).unwrap(), 1);
    let base = config(&id("ba5e", '0'), "base");
    let full = full_config(&id("f011", '0'), "full", &base.id);
    let running = ContainerState {
        status: ContainerStatus::Running,
        pid: Some(42),
        ..ContainerState::default()
    };
    let insert = "INSERT INTO containers (id, name, pod_id, config, state) \
                  VALUES (?1, ?2, ?3, ?4, ?5)";
    for (ctr, state) in [(&base, &running), (&full, &full_state())] {
        conn.execute(
            insert,
            params![
                ctr.id,
                ctr.name,
                ctr.pod,
                serde_json::to_string(ctr).unwrap(),
                serde_json::to_string(state).unwrap()
            ],
        )
        .unwrap();
    }
    conn.execute(
        "INSERT INTO dependencies (container_id, depends_on) VALUES (?1, ?2)",
        [&full.id, &base.id],
    )
    .unwrap();
    conn.execute(
        "INSERT OR REPLACE INTO exit_codes (id, code, timestamp) VALUES (?1, ?2, ?3)",
        params!["gone", 137, crate::state::common::now_unix()],
    )
    .unwrap();
    conn.execute(
        "INSERT OR REPLACE INTO metadata (key, value) VALUES ('boot', 'b1')",
        [],
    )
    .unwrap();
    (base.id, full.id)
}

#[test]
fn a_version_1_database_keeps_its_rows_and_gains_the_new_tables() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sql");
    let (base, full) = write_v1(&path);

    let state = SqliteState::open(&path).unwrap();
    assert_eq!(
        schema::version(&state.connection()).unwrap(),
        SCHEMA_VERSION
    );
    assert_eq!(SCHEMA_VERSION, 3);
    // Every row survived.
    assert_eq!(
        state.all_containers().unwrap(),
        [base.clone(), full.clone()]
    );
    assert_eq!(
        state.container_config(&full).unwrap(),
        full_config(&full, "full", &base)
    );
    assert_eq!(state.container_state(&full).unwrap(), full_state());
    assert_eq!(state.container_state(&base).unwrap().pid, Some(42));
    assert_eq!(state.lookup_container("base").unwrap(), base);
    assert_eq!(state.dependents(&base).unwrap(), [full.as_str()]);
    assert_eq!(state.exit_code("gone").unwrap(), Some(137));
    assert_eq!(state.metadata("boot").unwrap().as_deref(), Some("b1"));
    assert!(matches!(
        state.remove_container(&base),
        Err(CoreError::HasDependents { .. })
    ));

    // The new tables work, beside the old rows.
    let pod = PodConfig::new(id("d0", '0'), "pod");
    state.add_pod(&pod, &PodState::new()).unwrap();
    assert!(matches!(
        state.add_pod(&PodConfig::new(id("d1", '0'), "base"), &PodState::new()),
        Err(CoreError::NameInUse(_))
    ));
    let mut member = config(&id("e", '0'), "member");
    member.pod = Some(pod.id.clone());
    state
        .add_container(&member, &ContainerState::default())
        .unwrap();
    assert_eq!(state.pod_containers(&pod.id).unwrap(), [member.id.clone()]);
    state
        .add_volume(&VolumeConfig::new("data"), &VolumeState::new())
        .unwrap();
    state.link_volume(&full, "data").unwrap();
    state
        .connect_network(&full, &NetworkAttachment::new("podman"))
        .unwrap();
    let address = "10.88.0.2".parse().unwrap();
    assert!(state.reserve_address(&full, "podman", address).unwrap());
    let session = ExecSession::new(id("5e", '0'), full.clone(), ExecConfig::default());
    state.add_exec_session(&session).unwrap();
    assert!(matches!(
        state.remove_volume("data"),
        Err(CoreError::VolumeInUse { .. })
    ));
    // An old container goes with its new links.
    state.remove_container(&full).unwrap();
    assert!(state.volume_users("data").unwrap().is_empty());
    assert!(state.network_users("podman").unwrap().is_empty());
    assert!(state.allocated_addresses("podman").unwrap().is_empty());
    assert!(state.exec_sessions(&full).unwrap().is_empty());
    state.remove_volume("data").unwrap();
    state.remove_container(&base).unwrap();
}

#[test]
fn reopening_a_migrated_database_migrates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sql");
    let (base, _) = write_v1(&path);
    {
        let state = SqliteState::open(&path).unwrap();
        state
            .add_pod(&PodConfig::new(id("d0", '0'), "pod"), &PodState::new())
            .unwrap();
    }
    // Were step 2 run again, it would drop the pod.
    let state = SqliteState::open(&path).unwrap();
    assert_eq!(state.all_pods().unwrap(), [id("d0", '0')]);
    assert_eq!(state.lookup_container("base").unwrap(), base);
}

#[test]
fn a_version_1_database_under_a_newer_version_number_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sql");
    write_v1(&path);
    let future = SCHEMA_VERSION + 1;
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", future)
        .unwrap();
    match SqliteState::open(&path).unwrap_err() {
        CoreError::SchemaTooNew {
            found, supported, ..
        } => {
            assert_eq!((found, supported), (future, SCHEMA_VERSION));
        }
        other => panic!("expected SchemaTooNew, got {other}"),
    }
    // Not migrated: version 1's placeholder tables are still there, the new ones are not.
    let conn = Connection::open(&path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        !tables.contains(&"container_networks".to_string()),
        "{tables:?}"
    );
    assert_eq!(schema::version(&conn).unwrap(), future);
}
