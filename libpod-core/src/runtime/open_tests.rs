//! The refresh after a reboot, with the SQLite state and the fake OCI runtime.

use super::ALIVE;
use crate::container::{ContainerStatus, with_command, with_rootfs_path};
use crate::oci::FakeRuntime;
use crate::runtime::Runtime;
use std::sync::Arc;

/// What a reboot does to the run root, as far as these tests need it: every mount gone (the
/// containers' shm), and a boot ID other than this one in the alive marker.
fn simulate_reboot(dir: &std::path::Path) {
    let canonical = dir.canonicalize().unwrap();
    libpod_testutil::unmount_beneath(&canonical).unwrap();
    std::fs::write(dir.join("run").join(ALIVE), "another boot").unwrap();
}

fn open(dir: &std::path::Path) -> crate::error::Result<Runtime> {
    Runtime::builder()
        .root(dir.join("root"))
        .run_root(dir.join("run"))
        .engine_config(crate::runtime::config::without_networking())
        .storage_driver("vfs")
        .with_oci(Arc::new(FakeRuntime::new()))
        .open()
}

#[test]
fn a_container_whose_config_does_not_decode_does_not_stop_the_refresh() {
    let dir = libpod_testutil::TempRoot::new().unwrap();
    let rootfs = dir.path().join("rootfs");
    std::fs::create_dir_all(&rootfs).unwrap();
    let rt = open(dir.path()).unwrap();
    let make = |name: &str| {
        rt.new_container([
            with_rootfs_path(rootfs.clone()),
            with_command(["/bin/true"]),
            crate::container::with_name(name),
        ])
        .unwrap()
    };
    let (damaged, sound) = (make("damaged"), make("sound"));
    sound.init().unwrap();
    assert_eq!(sound.status().unwrap(), ContainerStatus::Created);
    let ids = (damaged.id().to_string(), sound.id().to_string());
    drop((damaged, sound, rt));
    rusqlite::Connection::open(dir.path().join("root/db.sql"))
        .unwrap()
        .execute("UPDATE containers SET config = '{' WHERE id = ?1", [&ids.0])
        .unwrap();
    simulate_reboot(dir.path());

    let rt = open(dir.path()).expect("the open fails on the damaged config");
    assert_eq!(
        rt.container(&ids.1).unwrap().status().unwrap(),
        ContainerStatus::Configured,
        "the sound container was not refreshed"
    );
    assert!(matches!(
        rt.container(&ids.0),
        Err(crate::CoreError::Corrupt { .. })
    ));
}

#[test]
fn what_earlier_versions_left_open_is_closed_at_open() {
    use std::os::unix::fs::PermissionsExt;
    let dir = libpod_testutil::TempRoot::new().unwrap();
    let rt = open(dir.path()).unwrap();
    let rootfs = dir.path().join("rootfs");
    std::fs::create_dir_all(&rootfs).unwrap();
    let ctr = rt
        .new_container([with_rootfs_path(rootfs), with_command(["/bin/true"])])
        .unwrap();
    ctr.init().unwrap();
    drop((ctr, rt));
    let (root, run) = (dir.path().join("root"), dir.path().join("run"));
    std::fs::create_dir_all(root.join("volumes")).unwrap();
    // As earlier versions made them: 0755 and 0644.
    let dirs = [
        root.clone(),
        root.join("containers"),
        root.join("volumes"),
        run.clone(),
        run.join("containers"),
        run.join("locks"),
    ];
    let files = [
        root.join("db.sql"),
        root.join("db.sql-wal"),
        root.join("db.sql-shm"),
        run.join("alive"),
        run.join("alive.lock"),
    ];
    let set = |path: &std::path::Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o7777;
    dirs.iter().for_each(|d| set(d, 0o755));
    files.iter().for_each(|f| set(f, 0o644));

    drop(open(dir.path()).unwrap());
    for dir in &dirs {
        assert_eq!(mode(dir), 0o700, "{}", dir.display());
    }
    for file in &files {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
}

#[test]
fn storage_of_an_interrupted_create_is_reclaimed_at_the_next_open() {
    let dir = libpod_testutil::TempRoot::new().unwrap();
    let rootfs = dir.path().join("rootfs");
    std::fs::create_dir_all(rootfs.join("etc")).unwrap();
    let tar = dir.path().join("rootfs.tar");
    libpod_testutil::tar_directory(&rootfs, &tar).unwrap();
    let rt = open(dir.path()).unwrap();
    let image = libpod_storage::ImageReference::parse("localhost/tiny").unwrap();
    rt.storage()
        .import_tarball(std::fs::File::open(&tar).unwrap(), Some(&image), &[])
        .unwrap();
    let sound = rt
        .new_container([
            crate::container::with_rootfs_from_image("localhost/tiny"),
            with_command(["/bin/true"]),
        ])
        .unwrap();
    let intents = dir.path().join("root/create-intents");
    assert_eq!(
        std::fs::read_dir(&intents).unwrap().count(),
        0,
        "a create that finished left its intent"
    );
    // What a create killed after its storage, before its row, leaves: the intent and the
    // storage; and one killed after both were made, before the intent was cleared.
    let orphan = "0f".repeat(32);
    let storage = libpod_storage::ContainerOptions::default();
    rt.storage()
        .create_container_with(&orphan, Some("localhost/tiny"), &storage)
        .unwrap();
    // A store container no intent covers is not ours to judge: it stays.
    let unclaimed = "0e".repeat(32);
    rt.storage()
        .create_container_with(&unclaimed, Some("localhost/tiny"), &storage)
        .unwrap();
    for id in [orphan.as_str(), sound.id()] {
        std::fs::write(intents.join(id), "").unwrap();
    }
    let sound_id = sound.id().to_string();
    drop((sound, rt));

    let rt = open(dir.path()).unwrap();
    assert!(
        rt.storage().container(&orphan).is_err(),
        "the orphan's storage is left"
    );
    assert!(rt.storage().container(&unclaimed).is_ok());
    assert!(rt.storage().container(&sound_id).is_ok());
    assert!(rt.container(&sound_id).is_ok());
    assert_eq!(std::fs::read_dir(&intents).unwrap().count(), 0);
}

#[test]
fn a_container_whose_state_does_not_decode_is_skipped_listed_and_removable() {
    let dir = libpod_testutil::TempRoot::new().unwrap();
    let rootfs = dir.path().join("rootfs");
    std::fs::create_dir_all(&rootfs).unwrap();
    let rt = open(dir.path()).unwrap();
    let make = |name: &str| {
        let ctr = rt
            .new_container([
                with_rootfs_path(rootfs.clone()),
                with_command(["/bin/true"]),
                crate::container::with_name(name),
            ])
            .unwrap();
        ctr.init().unwrap();
        ctr.id().to_string()
    };
    let (damaged, sound) = (make("damaged"), make("sound"));
    drop(rt);
    rusqlite::Connection::open(dir.path().join("root/db.sql"))
        .unwrap()
        .execute(
            "UPDATE containers SET state = '{broken' WHERE id = ?1",
            [&damaged],
        )
        .unwrap();
    simulate_reboot(dir.path());

    let rt = open(dir.path()).expect("the open fails on the damaged state");
    assert_eq!(
        rt.container(&sound).unwrap().status().unwrap(),
        ContainerStatus::Configured,
        "the sound container was not refreshed"
    );
    let listed: Vec<_> = rt
        .list_containers()
        .unwrap()
        .into_iter()
        .map(|entry| match entry {
            crate::runtime::ContainerEntry::Sound(ctr) => (ctr.id().to_string(), None),
            crate::runtime::ContainerEntry::Broken(b) => (b.id, Some((b.name, b.reason))),
        })
        .collect();
    let mut expected = vec![
        (sound.clone(), None),
        (
            damaged.clone(),
            Some((
                "damaged".to_string(),
                format!("state database: malformed state of {damaged}"),
            )),
        ),
    ];
    expected.sort();
    assert_eq!(listed, expected);
    assert_eq!(
        rt.containers().unwrap().len(),
        2,
        "its config still decodes"
    );
    let ctr = rt.container(&damaged).unwrap();
    assert!(matches!(
        rt.remove_container(&ctr, crate::container::RemoveOptions::default()),
        Err(crate::CoreError::Corrupt { .. })
    ));
    rt.remove_container(&ctr, crate::container::RemoveOptions::default().force(true))
        .unwrap();
    assert!(matches!(
        rt.container(&damaged),
        Err(crate::CoreError::ContainerNotFound(_))
    ));
    assert_eq!(rt.list_containers().unwrap().len(), 1);
}

#[test]
fn exec_sessions_are_forgotten_after_a_reboot() {
    use crate::record::{ExecConfig, ExecSession, ExecStatus};
    let dir = libpod_testutil::TempRoot::new().unwrap();
    let rootfs = dir.path().join("rootfs");
    std::fs::create_dir_all(&rootfs).unwrap();
    let rt = open(dir.path()).unwrap();
    let ctr = rt
        .new_container([with_rootfs_path(rootfs.clone()), with_command(["sleep"])])
        .unwrap();
    ctr.init().unwrap();
    // A container whose state will not decode: its sessions go all the same.
    let broken = rt
        .new_container([with_rootfs_path(rootfs.clone()), with_command(["sleep"])])
        .unwrap();
    broken.init().unwrap();
    let broken_session = ExecSession::new(
        "b".repeat(64),
        broken.id().to_string(),
        ExecConfig::new(vec!["true".into()]),
    );
    rt.state().add_exec_session(&broken_session).unwrap();
    let broken_id = broken.id().to_string();
    // A session the boot ended while it ran (its row last written without an fsync).
    let mut session = ExecSession::new(
        "e".repeat(64),
        ctr.id().to_string(),
        ExecConfig::new(vec!["true".into()]),
    );
    rt.state().add_exec_session(&session).unwrap();
    session.status = ExecStatus::Running;
    session.pid = Some(1);
    rt.state().save_exec_session(&session).unwrap();
    let id = ctr.id().to_string();
    drop((ctr, broken, rt));
    rusqlite::Connection::open(dir.path().join("root/db.sql"))
        .unwrap()
        .execute(
            "UPDATE containers SET state = '{broken' WHERE id = ?1",
            [&broken_id],
        )
        .unwrap();
    simulate_reboot(dir.path());

    let rt = open(dir.path()).unwrap();
    assert_eq!(rt.state().exec_sessions(&id).unwrap(), Vec::<String>::new());
    assert_eq!(
        rt.state().exec_sessions(&broken_id).unwrap(),
        Vec::<String>::new()
    );
    assert!(matches!(
        rt.state().exec_session(&session.id),
        Err(crate::CoreError::ExecSessionNotFound(_))
    ));
}

#[test]
fn an_open_leaves_intents_not_yet_in_place_to_their_live_makers() {
    let tmp = libpod_testutil::TempRoot::new().unwrap();
    drop(open(tmp.path()).unwrap());
    // Made under their temporary names and not yet locked, the moment a scan used to take
    // for an abandoned entry: one of a maker that lives (this process), one of a dead one.
    let me = std::process::id();
    let dead = libpod_testutil::dead_pid();
    let exec = tmp.path().join("run/exec-intents");
    let recreate = tmp.path().join("root/recreate-intents");
    let mut live = Vec::new();
    let mut left = Vec::new();
    for dir in [&exec, &recreate] {
        std::fs::create_dir_all(dir).unwrap();
        live.push(dir.join(format!(".{}.{me}", "a".repeat(64))));
        left.push(dir.join(format!(".{}.{dead}", "b".repeat(64))));
    }
    for path in live.iter().chain(&left) {
        std::fs::write(path, "").unwrap();
    }

    drop(open(tmp.path()).unwrap());

    for path in &live {
        assert!(
            path.exists(),
            "{} stays while its maker lives",
            path.display()
        );
    }
    for path in &left {
        assert!(!path.exists(), "{} goes with its maker", path.display());
    }
}
