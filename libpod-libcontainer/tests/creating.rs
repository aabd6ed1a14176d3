//! A create under way reads `creating`, not stopped: libcontainer records the container
//! `Creating` without a PID as its build begins, and reads that record as stopped. While the
//! monitor that creates it lives, the state says `creating` (so that libpod-core waits for the
//! monitor of an interrupted init instead of deleting under its create and releasing mounts
//! that the create then holds: crash harness, pod-start seed 3). The record is written by
//! libcontainer's own `Container::save`, the monitor is this crate's monitor program.

use libcontainer::container::{Container, ContainerStatus};
use libpod_core::oci::OciRuntime;
use libpod_libcontainer::{
    CONTAINER_FLAG, LibcontainerConfig, LibcontainerRuntime, MonitorCommand,
};
use libpod_testutil::TempRoot;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A monitor program named for container `id`, waiting for its request (killed and reaped on
/// drop).
struct Monitor(Child);

impl Monitor {
    fn spawn(id: &str) -> Monitor {
        let child = Command::new(env!("CARGO_BIN_EXE_libpod-libcontainer-monitor"))
            .args([CONTAINER_FLAG, id])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        // Its command line shows once its exec is through (a moment after `spawn` returns).
        let cmdline = format!("/proc/{}/cmdline", child.id());
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::fs::read(&cmdline).unwrap().is_empty() {
            assert!(
                Instant::now() < deadline,
                "the monitor's exec did not finish"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        Monitor(child)
    }

    /// Ends it the way an abandoned create does: its stdin closed without a request.
    fn end(mut self) {
        drop(self.0.stdin.take());
        assert!(self.0.wait().unwrap().success());
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn runtime(tmp: &TempRoot) -> LibcontainerRuntime {
    let monitor = MonitorCommand::new(env!("CARGO_BIN_EXE_libpod-libcontainer-monitor"));
    LibcontainerRuntime::new(LibcontainerConfig::new(tmp.path().join("run"), monitor)).unwrap()
}

/// libcontainer's record of a build of `id` that has begun: `Creating`, no PID.
fn record_creating(rt: &LibcontainerRuntime, id: &str, bundle: &Path) {
    let dir = rt.config().state_root.join(id);
    std::fs::create_dir_all(&dir).unwrap();
    Container::new(id, ContainerStatus::Creating, None, bundle, &dir)
        .unwrap()
        .save()
        .unwrap();
}

fn status(rt: &LibcontainerRuntime, id: &str) -> (String, Option<i32>) {
    let state = rt.state(id).unwrap().expect("the runtime knows it");
    (state.status, state.pid)
}

#[test]
fn a_create_whose_monitor_lives_is_creating_then_stopped_once_it_is_gone() {
    let id = &format!("creating-{}-with-record", std::process::id());
    let tmp = TempRoot::new().unwrap();
    let rt = runtime(&tmp);
    let bundle = tmp.path().join("bundle");
    std::fs::create_dir_all(&bundle).unwrap();
    record_creating(&rt, id, &bundle);
    let monitor = Monitor::spawn(id);
    assert_eq!(status(&rt, id), ("creating".to_string(), None));
    monitor.end();
    assert_eq!(status(&rt, id), ("stopped".to_string(), None));
    // Deleted as any stopped container: the ID is free again.
    rt.delete(id, true).unwrap();
    assert!(rt.state(id).unwrap().is_none());
}

#[test]
fn a_state_directory_without_its_record_is_creating_while_the_monitor_lives() {
    let id = &format!("creating-{}-without-record", std::process::id());
    let tmp = TempRoot::new().unwrap();
    let rt = runtime(&tmp);
    // libcontainer makes the directory, then writes the record.
    std::fs::create_dir_all(rt.config().state_root.join(id)).unwrap();
    let monitor = Monitor::spawn(id);
    assert_eq!(status(&rt, id), ("creating".to_string(), None));
    monitor.end();
    assert!(
        rt.state(id).is_err(),
        "no record and no monitor: unreadable"
    );
}
