//! A stop waits for the exit with the container's lock released (as Podman does), with the real
//! conmon and runc: while a container that ignores SIGTERM is being stopped, inspect and state
//! reads answer at once, from another thread, another runtime handle and another process.

mod common;

use common::{CgroupParent, runtime, shell};
use libpod_core::container::{ContainerStatus, RemoveOptions, with_name};
use libpod_testutil::{TempRoot, require_root, serial};
use std::time::{Duration, Instant};

/// How long a read may take while the stop waits (it takes milliseconds; the stop, 10 s).
const PROMPT: Duration = Duration::from_secs(2);

#[test]
fn inspect_answers_while_a_stop_waits_for_the_timeout() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let ctr = shell(
        &rt,
        &cg,
        "trap '' TERM; sleep 60",
        vec![with_name("stubborn")],
    );
    ctr.start().unwrap();
    let stopper = {
        let ctr = ctr.clone();
        std::thread::spawn(move || {
            let start = Instant::now();
            let result = ctr.stop(Some(10));
            (result, start.elapsed())
        })
    };
    // The stop sends SIGTERM and begins its wait.
    let deadline = Instant::now() + Duration::from_secs(5);
    while ctr.status().unwrap() != ContainerStatus::Stopping {
        assert!(Instant::now() < deadline, "the stop never began its wait");
        std::thread::sleep(Duration::from_millis(20));
    }

    let start = Instant::now();
    let inspected = ctr.inspect().unwrap();
    assert!(
        start.elapsed() < PROMPT,
        "inspect took {:?}",
        start.elapsed()
    );
    assert_eq!(inspected["State"]["Status"], "stopping", "{inspected}");

    // Another handle on the same root locks through its own lock files, as another process.
    let other = common::open(tmp.path());
    let start = Instant::now();
    let listed: Vec<_> = other
        .containers()
        .unwrap()
        .iter()
        .map(|c| c.state().unwrap().status)
        .collect();
    assert!(start.elapsed() < PROMPT, "ps took {:?}", start.elapsed());
    assert_eq!(listed, [ContainerStatus::Stopping]);

    // And another process.
    let start = Instant::now();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "probe_inspect",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("LIBPOD_RS_STOP_PROBE_ROOT", tmp.path())
        .output()
        .unwrap();
    let probe_took = start.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("PROBE stopping"),
        "the other process saw: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        probe_took < 4 * PROMPT,
        "the other process took {probe_took:?}"
    );
    let (result, elapsed) = stopper.join().unwrap();

    result.unwrap();
    assert!(
        elapsed >= Duration::from_secs(10),
        "stopped after {elapsed:?}"
    );
    let state = ctr.state().unwrap();
    assert_eq!(
        (state.status, state.exit_code),
        (ContainerStatus::Exited, Some(137)),
        "SIGKILL after the timeout"
    );
    assert!(state.stopped_by_user);
    rt.remove_container(&ctr, RemoveOptions::default()).unwrap();
}

/// Run by `inspect_answers_while_a_stop_waits_for_the_timeout` in a child process.
#[test]
fn probe_inspect() {
    let Ok(root) = std::env::var("LIBPOD_RS_STOP_PROBE_ROOT") else {
        return;
    };
    let rt = common::open(std::path::Path::new(&root));
    let inspected = rt.container("stubborn").unwrap().inspect().unwrap();
    println!(
        "PROBE {}",
        inspected["State"]["Status"].as_str().unwrap_or("?")
    );
}
