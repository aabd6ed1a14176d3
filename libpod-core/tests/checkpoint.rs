//! Checkpoint and restore with the real runc, conmon and CRIU (found through PATH, as runc
//! finds it: `cargo xtask test` puts a CRIU that works on this kernel first). A counting
//! process is checkpointed, its count stops, and it resumes where it was after a restore, in
//! place or from an exported archive in a new container; with its addresses, named volumes,
//! /dev/shm and a held file lock.

mod common;

use common::{CgroupParent, process_gone, runtime, shell};
use libpod_core::CoreError;
use libpod_core::container::{
    CheckpointOptions, Compression, Container, ContainerStatus, CtrCreateOption, LogDriver,
    RemoveOptions, RestoreOptions, with_cgroup_parent, with_command, with_log_driver, with_name,
    with_named_volumes, with_rootfs_from_image, with_stop_timeout,
};
use libpod_core::events::{EventType, ReadOptions};
use libpod_core::exec::{ExecEnd, ExecStreams};
use libpod_core::record::ExecConfig;
use libpod_core::runtime::Runtime;
use libpod_testutil::{TempRoot, require_criu, require_root, serial};
use std::time::{Duration, Instant};

/// Writes 1, 2, 3, ... to stdout, one every 100 ms.
const COUNTER: &str = "i=0; while true; do i=$((i+1)); echo $i; sleep 0.1; done";

fn counter(rt: &Runtime, cg: &CgroupParent, name: &str) -> Container {
    counter_after(rt, cg, name, "true", Vec::new())
}

/// [`counter`] that runs `first` before it counts, with `extra` options.
fn counter_after(
    rt: &Runtime,
    cg: &CgroupParent,
    name: &str,
    first: &str,
    extra: Vec<CtrCreateOption>,
) -> Container {
    let mut options = vec![
        with_name(name),
        with_log_driver(LogDriver::K8sFile),
        with_stop_timeout(1),
    ];
    options.extend(extra);
    shell(rt, cg, &format!("{first}; {COUNTER}"), options)
}

/// The numbers the container wrote, in order (its k8s-file log).
fn counts(ctr: &Container) -> Vec<u64> {
    std::fs::read_to_string(ctr.log_path())
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.rsplit(' ').next()?.parse().ok())
        .collect()
}

/// Waits until the container's last count is at least `at_least`; returns it.
fn wait_count(ctr: &Container, at_least: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(&last) = counts(ctr).last()
            && last >= at_least
        {
            return last;
        }
        assert!(
            Instant::now() < deadline,
            "count stuck at {:?}",
            counts(ctr).last()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Asserts that `numbers` count 1, 2, 3, ... with no restart and no gap.
fn assert_consecutive(numbers: &[u64]) {
    for (i, n) in numbers.iter().enumerate() {
        assert_eq!(*n, i as u64 + 1, "not a steady count: {numbers:?}");
    }
}

/// The PID the container's process has in its own PID namespace.
fn pid_in_namespace(pid: i32) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("NSpid:")).unwrap();
    line.split_whitespace().last().unwrap().to_string()
}

fn events(rt: &Runtime, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    rt.events()
        .read(&ReadOptions::default(), &|| false, &mut |e| {
            if e.kind == EventType::Container && e.name == name {
                out.push(e.status.to_string());
            }
            true
        })
        .unwrap();
    out
}

#[test]
fn a_checkpointed_count_stops_and_resumes_where_it_was_after_restore() {
    require_root();
    require_criu();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let ctr = counter(&rt, &cg, "counter");
    ctr.start().unwrap();
    let pid = ctr.state().unwrap().pid.unwrap();
    wait_count(&ctr, 5);

    let report = ctr.checkpoint(&CheckpointOptions::default()).unwrap();
    // CRIU's statistics, as --print-stats shows them.
    let stats = report.statistics.expect("CRIU's stats-dump");
    assert!(stats.pages_written.unwrap() > 0, "{stats:?}");
    assert!(stats.frozen_time.is_some() && stats.restore_time.is_none());
    assert!(report.runtime_duration > Duration::ZERO);
    let state = ctr.state().unwrap();
    assert_eq!(state.status, ContainerStatus::Exited);
    assert!(state.checkpointed && state.checkpointed_at.is_some());
    assert_eq!(state.pid, None);
    assert!(process_gone(pid), "the checkpointed process ended");
    assert!(ctr.checkpoint_path().join("inventory.img").exists());
    let inspect = ctr.inspect().unwrap();
    assert_eq!(inspect["State"]["Checkpointed"], true);
    assert_eq!(inspect["State"]["Status"], "exited");
    assert_ne!(inspect["State"]["CheckpointedAt"], "0001-01-01T00:00:00Z");
    let stopped = counts(&ctr);
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(counts(&ctr), stopped, "the count stopped");
    // Not an exit: no died event; the checkpoint's own.
    let seen = events(&rt, "counter");
    assert!(seen.contains(&"checkpoint".to_string()), "{seen:?}");
    assert!(!seen.contains(&"died".to_string()), "{seen:?}");

    let report = ctr.restore(&RestoreOptions::default()).unwrap();
    let stats = report.statistics.expect("CRIU's stats-restore");
    assert!(
        stats.restore_time.is_some() && stats.pages_written.is_none(),
        "{stats:?}"
    );
    let state = ctr.state().unwrap();
    assert_eq!(state.status, ContainerStatus::Running);
    assert!(state.restored && !state.checkpointed);
    let inspect = ctr.inspect().unwrap();
    assert_eq!(inspect["State"]["Restored"], true);
    assert_eq!(inspect["State"].get("Checkpointed"), None);
    let restored_pid = state.pid.unwrap();
    assert_eq!(
        pid_in_namespace(restored_pid),
        "1",
        "still PID 1 in its namespace"
    );
    let last = *stopped.last().unwrap();
    wait_count(&ctr, last + 5);
    assert_consecutive(&counts(&ctr));
    assert!(!ctr.checkpoint_path().exists(), "removed without --keep");
    assert!(events(&rt, "counter").contains(&"restore".to_string()));

    // Monitored like any other: a stop records its exit.
    ctr.stop(None).unwrap();
    assert!(process_gone(restored_pid));
    assert_eq!(ctr.status().unwrap(), ContainerStatus::Exited);
    rt.remove_container(&ctr, RemoveOptions::default()).unwrap();
}

#[test]
fn leave_running_keeps_the_count_going_and_keep_keeps_the_files() {
    require_root();
    require_criu();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let ctr = counter(&rt, &cg, "runner");
    ctr.start().unwrap();
    let pid = ctr.state().unwrap().pid.unwrap();
    wait_count(&ctr, 3);

    let options = CheckpointOptions::default().leave_running(true).keep(true);
    ctr.checkpoint(&options).unwrap();
    let at_checkpoint = *counts(&ctr).last().unwrap();
    let state = ctr.state().unwrap();
    assert_eq!(state.status, ContainerStatus::Running);
    assert_eq!(state.pid, Some(pid));
    assert!(!state.checkpointed);
    wait_count(&ctr, at_checkpoint + 5);
    assert!(ctr.checkpoint_path().join("inventory.img").exists());
    let static_dir = ctr.checkpoint_path().parent().unwrap().to_path_buf();
    assert!(
        static_dir.join("dump.log").exists(),
        "--keep keeps CRIU's log"
    );

    // Restored after a stop, it counts from the checkpoint again.
    ctr.stop(None).unwrap();
    let err = ctr
        .restore(&RestoreOptions::default().keep(true))
        .map(|_| ctr.state().unwrap().status);
    assert_eq!(err.unwrap(), ContainerStatus::Running);
    let deadline = Instant::now() + Duration::from_secs(10);
    let resumed = loop {
        let all = counts(&ctr);
        // The log holds the first run, then the restored one from the checkpoint.
        if let Some(i) = all.windows(2).position(|w| w[1] <= w[0]) {
            break all[i + 1];
        }
        assert!(Instant::now() < deadline, "no resumed count: {all:?}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        resumed > 1 && resumed <= at_checkpoint + 2,
        "resumed at {resumed}, checkpointed at {at_checkpoint}"
    );
    assert!(ctr.checkpoint_path().exists(), "kept");
    rt.remove_container(&ctr, RemoveOptions::default().force(true))
        .unwrap();
}

#[test]
fn an_exported_checkpoint_resumes_in_a_new_container() {
    require_root();
    require_criu();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let ctr = counter(&rt, &cg, "origin");
    ctr.start().unwrap();
    wait_count(&ctr, 5);
    // Root filesystem changes, which the archives carry: a file added, one deleted.
    let mount = ctr.mount().unwrap();
    std::fs::write(mount.join("marker"), "kept").unwrap();
    std::fs::remove_file(mount.join("etc/group")).unwrap();
    ctr.unmount().unwrap();
    for (compression, file) in [
        (Compression::Gzip, "c.tar.gz"),
        (Compression::Zstd, "c.tar.zst"),
    ] {
        let archive = tmp.path().join(file);
        let options = CheckpointOptions::default()
            .leave_running(true)
            .export(&archive)
            .compression(compression);
        ctr.checkpoint(&options).unwrap();
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(&archive).unwrap().permissions(),
        );
        assert_eq!(mode & 0o777, 0o600);
    }
    ctr.checkpoint(&CheckpointOptions::default()).unwrap();
    let last = *counts(&ctr).last().unwrap();

    // A new name: a new container (new ID) on the same image, counting on.
    let archive = tmp.path().join("c.tar.zst");
    let copy = rt
        .import_checkpoint(&archive, &RestoreOptions::default().name("copy"))
        .unwrap()
        .0;
    assert_ne!(copy.id(), ctr.id());
    assert_eq!(copy.name(), "copy");
    assert_eq!(copy.status().unwrap(), ContainerStatus::Running);
    let first = wait_count(&copy, 1);
    let resumed = counts(&copy)[0];
    assert!(
        resumed > 3 && resumed <= last + 1,
        "resumed at {resumed} (origin ended at {last}, first read {first})"
    );
    wait_count(&copy, resumed + 3);
    let numbers = counts(&copy);
    assert!(numbers.windows(2).all(|w| w[1] == w[0] + 1), "{numbers:?}");
    let mount = copy.mount().unwrap();
    assert_eq!(
        std::fs::read_to_string(mount.join("marker")).unwrap(),
        "kept"
    );
    assert!(!mount.join("etc/group").exists(), "the deletion came along");
    assert!(mount.join("etc/passwd").exists());
    copy.unmount().unwrap();

    // Without a name: the original's name and ID, refused while the original exists.
    let gz = tmp.path().join("c.tar.gz");
    let err = rt
        .import_checkpoint(&gz, &RestoreOptions::default())
        .unwrap_err();
    assert!(
        matches!(
            &err,
            CoreError::InvalidOption { option: "id", .. } | CoreError::NameInUse(_)
        ),
        "{err:?}"
    );
    assert!(ctr.state().is_ok(), "the original is untouched");
    rt.remove_container(&ctr, RemoveOptions::default()).unwrap();
    let same = rt
        .import_checkpoint(&gz, &RestoreOptions::default().ignore_rootfs(true))
        .unwrap()
        .0;
    assert_eq!((same.id(), same.name()), (ctr.id(), "origin"));
    assert_eq!(same.status().unwrap(), ContainerStatus::Running);
    let mount = same.mount().unwrap();
    assert!(
        !mount.join("marker").exists(),
        "ignore_rootfs: the image's files"
    );
    assert!(mount.join("etc/group").exists());
    same.unmount().unwrap();

    // An archive that is not one.
    let junk = tmp.path().join("junk.tar");
    std::fs::write(&junk, b"not a tar").unwrap();
    let err = rt
        .import_checkpoint(&junk, &RestoreOptions::default())
        .unwrap_err();
    assert!(
        matches!(
            err,
            CoreError::Io { .. } | CoreError::CheckpointArchive { .. }
        ),
        "{err:?}"
    );
    for c in [copy, same] {
        rt.remove_container(&c, RemoveOptions::default().force(true))
            .unwrap();
    }
}

#[test]
fn checkpoint_and_restore_refuse_the_wrong_states() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let ctr = counter(&rt, &cg, "states");
    let invalid = |err: CoreError, op: &str, status: ContainerStatus| match err {
        CoreError::InvalidState {
            operation,
            status: s,
            ..
        } => assert_eq!((operation, s), (op, status)),
        other => panic!("{other:?}"),
    };
    invalid(
        ctr.checkpoint(&CheckpointOptions::default()).unwrap_err(),
        "checkpoint",
        ContainerStatus::Configured,
    );
    match ctr.restore(&RestoreOptions::default()).unwrap_err() {
        CoreError::NoCheckpoint { id } => assert_eq!(id, ctr.id()),
        other => panic!("{other:?}"),
    }
    ctr.start().unwrap();
    invalid(
        ctr.restore(&RestoreOptions::default()).unwrap_err(),
        "restore",
        ContainerStatus::Running,
    );
    ctr.pause().unwrap();
    invalid(
        ctr.checkpoint(&CheckpointOptions::default()).unwrap_err(),
        "checkpoint",
        ContainerStatus::Paused,
    );
    ctr.unpause().unwrap();
    ctr.stop(None).unwrap();
    invalid(
        ctr.checkpoint(&CheckpointOptions::default()).unwrap_err(),
        "checkpoint",
        ContainerStatus::Exited,
    );
    rt.remove_container(&ctr, RemoveOptions::default()).unwrap();
}

#[test]
fn named_volumes_travel_in_the_archive_into_new_volumes() {
    require_root();
    require_criu();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let data = with_named_volumes(vec![("data".into(), "/data".into(), Vec::new())]);
    let ctr = counter_after(&rt, &cg, "voluminous", "echo kept > /data/file", vec![data]);
    ctr.start().unwrap();
    wait_count(&ctr, 2);
    let archive = tmp.path().join("v.tar.zst");
    ctr.checkpoint(&CheckpointOptions::default().export(&archive))
        .unwrap();
    assert_eq!(ctr.status().unwrap(), ContainerStatus::Exited);
    rt.remove_container(&ctr, RemoveOptions::default().force(true))
        .unwrap();

    // As Podman: the volume whose contents would be restored must not exist.
    let err = rt
        .import_checkpoint(&archive, &RestoreOptions::default())
        .unwrap_err();
    assert!(
        matches!(&err, CoreError::ImportVolumeExists(name) if name == "data"),
        "{err:?}"
    );
    assert!(rt.containers().unwrap().is_empty(), "nothing made");

    let volume = rt.volume("data").unwrap();
    rt.remove_volume(&volume, Default::default()).unwrap();
    // Its name taken: the import fails after making the volume, which goes again.
    let squatter = shell(&rt, &cg, "true", vec![with_name("voluminous")]);
    assert!(
        rt.import_checkpoint(&archive, &RestoreOptions::default())
            .is_err()
    );
    assert!(
        !rt.volume_exists("data").unwrap(),
        "the volume it made went"
    );
    rt.remove_container(&squatter, RemoveOptions::default())
        .unwrap();
    let (restored, _) = rt
        .import_checkpoint(&archive, &RestoreOptions::default())
        .unwrap();
    let data = rt.volume("data").unwrap().config().mount_point.clone();
    assert_eq!(
        std::fs::read_to_string(data.join("file")).unwrap(),
        "kept\n"
    );
    let at = wait_count(&restored, 1);
    wait_count(&restored, at + 2);

    // With ignore_volumes: nothing of them in the archive, and an existing volume is used
    // as it is.
    std::fs::write(data.join("file"), "changed\n").unwrap();
    let bare = tmp.path().join("bare.tar");
    let options = CheckpointOptions::default()
        .export(&bare)
        .compression(Compression::None)
        .ignore_volumes(true);
    restored.checkpoint(&options).unwrap();
    let listing = std::process::Command::new("tar")
        .arg("-tf")
        .arg(&bare)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert!(!listing.contains("volumes/"), "{listing}");
    rt.remove_container(&restored, RemoveOptions::default().force(true))
        .unwrap();
    let options = RestoreOptions::default().ignore_volumes(true);
    let (again, _) = rt.import_checkpoint(&bare, &options).unwrap();
    assert_eq!(
        std::fs::read_to_string(data.join("file")).unwrap(),
        "changed\n"
    );
    rt.remove_container(&again, RemoveOptions::default().force(true))
        .unwrap();

    // An import whose restore fails takes the volumes it made with its container: CRIU's
    // inventory emptied, the volume gone, so that the import makes it.
    let unpacked = tmp.path().join("unpacked");
    std::fs::create_dir(&unpacked).unwrap();
    let untar = std::process::Command::new("tar")
        .arg("-xf")
        .arg(&bare)
        .arg("-C")
        .arg(&unpacked)
        .status()
        .unwrap();
    assert!(untar.success());
    std::fs::write(unpacked.join("checkpoint/inventory.img"), b"").unwrap();
    let broken = tmp.path().join("broken.tar");
    let retar = std::process::Command::new("tar")
        .arg("-cf")
        .arg(&broken)
        .arg("-C")
        .arg(&unpacked)
        .arg(".")
        .status()
        .unwrap();
    assert!(retar.success());
    let volume = rt.volume("data").unwrap();
    rt.remove_volume(&volume, Default::default()).unwrap();
    assert!(
        rt.import_checkpoint(&broken, &RestoreOptions::default())
            .is_err()
    );
    assert!(rt.containers().unwrap().is_empty(), "its container went");
    assert!(!rt.volume_exists("data").unwrap(), "its volume went");
}

/// The file `name` in the container's /dev/shm, seen through its running process.
fn shm_file(ctr: &Container, name: &str) -> String {
    let pid = ctr.state().unwrap().pid.expect("it runs");
    std::fs::read_to_string(format!("/proc/{pid}/root/dev/shm/{name}")).unwrap_or_default()
}

#[test]
fn dev_shm_keeps_its_contents_across_a_restore_in_place_and_from_an_archive() {
    require_root();
    require_criu();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let ctr = counter_after(&rt, &cg, "shm", "echo kept > /dev/shm/file", Vec::new());
    ctr.start().unwrap();
    wait_count(&ctr, 2);
    assert_eq!(shm_file(&ctr, "file"), "kept\n");

    ctr.checkpoint(&CheckpointOptions::default()).unwrap();
    ctr.restore(&RestoreOptions::default()).unwrap();
    assert_eq!(shm_file(&ctr, "file"), "kept\n", "in place");

    let archive = tmp.path().join("shm.tar.zst");
    ctr.checkpoint(&CheckpointOptions::default().export(&archive))
        .unwrap();
    let (copy, _) = rt
        .import_checkpoint(&archive, &RestoreOptions::default().name("shm2"))
        .unwrap();
    assert_eq!(shm_file(&copy, "file"), "kept\n", "from the archive");
    let at = wait_count(&copy, 1);
    wait_count(&copy, at + 2);
    for c in [&ctr, &copy] {
        rt.remove_container(c, RemoveOptions::default().force(true))
            .unwrap();
    }
}

/// An image of busybox with util-linux's `flock` from the host (busybox has none) and the
/// libraries it needs, copied in: CRIU restores the container's mounts, so no bind mounts.
fn flock_image(rt: &Runtime, tmp: &TempRoot) -> &'static str {
    let rootfs = tmp.path().join("flock-rootfs");
    libpod_testutil::busybox_rootfs(&rootfs).unwrap();
    for (from, to) in [
        ("/usr/bin/flock", "usr/bin/flock"),
        (
            "/lib/x86_64-linux-gnu/libc.so.6",
            "lib/x86_64-linux-gnu/libc.so.6",
        ),
        ("/lib64/ld-linux-x86-64.so.2", "lib64/ld-linux-x86-64.so.2"),
    ] {
        let to = rootfs.join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, &to).unwrap();
    }
    let tar = tmp.path().join("flock.tar");
    libpod_testutil::tar_directory(&rootfs, &tar).unwrap();
    let name = "localhost/busybox-flock";
    rt.storage()
        .import_tarball(
            std::fs::File::open(&tar).unwrap(),
            Some(&libpod_storage::ImageReference::parse(name).unwrap()),
            &[],
        )
        .unwrap();
    name
}

#[test]
fn a_held_file_lock_needs_file_locks_and_is_held_again_after_the_restore() {
    require_root();
    require_criu();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let image = flock_image(&rt, &tmp);
    let ctr = rt
        .new_container([
            with_rootfs_from_image(image),
            with_command([
                "/usr/bin/flock".to_string(),
                "/tmp/lock".into(),
                "sh".into(),
                "-c".into(),
                COUNTER.into(),
            ]),
            with_cgroup_parent(cg.0.clone()),
            with_name("locker"),
            with_log_driver(LogDriver::K8sFile),
            with_stop_timeout(1),
        ])
        .unwrap();
    ctr.start().unwrap();
    wait_count(&ctr, 2);
    let try_lock = |ctr: &Container| {
        let config = ExecConfig::new(
            ["/usr/bin/flock", "-n", "/tmp/lock", "true"]
                .map(String::from)
                .to_vec(),
        );
        ctr.exec(config, ExecStreams::discard()).unwrap()
    };
    assert_eq!(try_lock(&ctr), ExecEnd::Exited(1), "held");

    // CRIU refuses a lock it was not told to dump; the processes go on.
    assert!(ctr.checkpoint(&CheckpointOptions::default()).is_err());
    assert_eq!(ctr.status().unwrap(), ContainerStatus::Running);

    ctr.checkpoint(&CheckpointOptions::default().file_locks(true))
        .unwrap();
    let stopped = *counts(&ctr).last().unwrap();
    ctr.restore(&RestoreOptions::default().file_locks(true))
        .unwrap();
    wait_count(&ctr, stopped + 2);
    assert_eq!(try_lock(&ctr), ExecEnd::Exited(1), "held after the restore");
    rt.remove_container(&ctr, RemoveOptions::default().force(true))
        .unwrap();
}
