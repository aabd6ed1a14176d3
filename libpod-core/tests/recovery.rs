//! OCI runtime state never leaks, with the real conmon and runc (or libcontainer, see
//! `common/oci.rs`): state left in the runtime's
//! directory of a run root that outlived a reboot, a Configured container the runtime still
//! knows (an init killed after its create) started or removed, and removal of a Created one.

mod common;

use common::{CgroupParent, process_gone, runtime, shell};
use libpod_core::container::{ContainerStatus, RemoveOptions};
use libpod_testutil::{TempRoot, require_root, serial};

/// What an init killed between runc's create and its save leaves: the runtime has the
/// container, the database says Configured.
fn forget_init(tmp: &TempRoot, id: &str) {
    let db = rusqlite::Connection::open(tmp.path().join("root/db.sql")).unwrap();
    let state: String = db
        .query_row("SELECT state FROM containers WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    let mut state: serde_json::Value = serde_json::from_str(&state).unwrap();
    state["status"] = "configured".into();
    for field in ["pid", "conmon_pid", "mountpoint", "bind_mounts"] {
        state.as_object_mut().unwrap().remove(field);
    }
    db.execute(
        "UPDATE containers SET state = ?1 WHERE id = ?2",
        [state.to_string().as_str(), id],
    )
    .unwrap();
}

#[test]
fn a_start_after_a_killed_init_deletes_its_leftover_first() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let ctr = shell(&rt, &cg, "exit 7", vec![]);
    ctr.init().unwrap();
    let pid = ctr.state().unwrap().pid.unwrap();
    forget_init(&tmp, ctr.id());
    ctr.start().unwrap();
    assert!(process_gone(pid), "the leftover's process is left");
    // Its own exit, not the leftover's (137, killed).
    assert_eq!(ctr.wait().unwrap(), 7);
    assert_eq!(ctr.status().unwrap(), ContainerStatus::Exited);
    assert_eq!(
        rt.storage().container_mount_count(ctr.id()),
        0,
        "the leftover's mount is still counted"
    );
    let run_dir = tmp.path().join("run/containers").join(ctr.id());
    assert!(
        !common::is_mount_point(&run_dir.join("shm")),
        "an shm is left"
    );
    rt.remove_container(&ctr, RemoveOptions::default()).unwrap();
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(!mounts.contains(ctr.id()), "a mount is left:\n{mounts}");
}

#[test]
fn a_start_after_a_reboot_is_not_refused_by_stale_runtime_state() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let ctr = shell(&rt, &cg, "exit 0", vec![]);
    let id = ctr.id().to_string();
    drop((ctr, rt));
    // What a run root that is not a tmpfs keeps of a container that ran before the reboot.
    let stale = common::oci::state_root(&tmp.path().join("run")).join(&id);
    std::fs::create_dir_all(&stale).unwrap();
    std::fs::write(stale.join("state.json"), "{}").unwrap();
    let other_boot = "00000000-0000-0000-0000-000000000000\n";
    std::fs::write(tmp.path().join("run/alive"), other_boot).unwrap();
    std::fs::write(tmp.path().join("run/storage/boot-id"), other_boot).unwrap();

    let rt = common::open(tmp.path());
    let ctr = rt.container(&id).unwrap();
    ctr.start().unwrap();
    assert_eq!(ctr.wait().unwrap(), 0);
    rt.remove_container(&ctr, RemoveOptions::default()).unwrap();
}

#[test]
fn removing_a_configured_or_created_container_leaves_no_runtime_state() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let runtime_root = common::oci::state_root(&tmp.path().join("run"));

    let created = shell(&rt, &cg, "exit 0", vec![]);
    created.init().unwrap();
    let pid = created.state().unwrap().pid.unwrap();
    assert!(runtime_root.join(created.id()).exists());
    rt.remove_container(&created, RemoveOptions::default())
        .unwrap();
    assert!(!runtime_root.join(created.id()).exists());
    assert!(process_gone(pid));

    // An init killed between runc's create and its save: the database says Configured.
    let leaked = shell(&rt, &cg, "exit 0", vec![]);
    leaked.init().unwrap();
    let pid = leaked.state().unwrap().pid.unwrap();
    forget_init(&tmp, leaked.id());
    assert_eq!(leaked.status().unwrap(), ContainerStatus::Configured);
    rt.remove_container(&leaked, RemoveOptions::default())
        .unwrap();
    assert!(
        !runtime_root.join(leaked.id()).exists(),
        "the OCI runtime still knows the container"
    );
    assert!(process_gone(pid), "its process is left");
    assert!(rt.containers().unwrap().is_empty());
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(!mounts.contains(leaked.id()), "a mount is left:\n{mounts}");
}
