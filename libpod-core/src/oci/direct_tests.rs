//! The decisions of the direct start and delete, on state directories written here. That they
//! do what runc does is shown against the real runc in `conmon_tests.rs` and the suite.

use super::*;
use std::io::Write;
use std::time::Instant;

/// A state.json as runc 1.1 writes it (the fields read, plus some that are not).
fn state_json(pid: i32, start: u64, cgroups: &[(&str, &str)]) -> serde_json::Value {
    let paths: serde_json::Map<String, serde_json::Value> = cgroups
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::from(*v)))
        .collect();
    serde_json::json!({
        "id": "c1",
        "init_process_pid": pid,
        "init_process_start": start,
        "created": "2026-12-02T03:45:21.675960651Z",
        "config": {
            "rootfs": "/x",
            "namespaces": [{"type": "NEWPID", "path": ""}, {"type": "NEWNS", "path": ""}],
            "cgroups": {"path": "/p/c1", "Systemd": false, "Rootless": false},
            "Hooks": null,
            "seccomp": {"default_action": 2}
        },
        "rootless": false,
        "cgroup_paths": paths,
        "namespace_paths": {},
        "external_descriptors": ["/dev/null"],
        "intel_rdt_path": ""
    })
}

fn write_state(dir: &Path, state: &serde_json::Value) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(STATE_FILE), serde_json::to_vec(state).unwrap()).unwrap();
}

/// This process's PID and start time: an init that is alive.
fn live_init() -> (i32, u64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let (_, start) = parse_stat(&stat).unwrap();
    (std::process::id().cast_signed(), start)
}

fn reason(direct: Direct) -> String {
    match direct {
        Direct::Fallback(why) => why,
        Direct::Done => panic!("expected a fallback"),
    }
}

#[test]
fn stat_fields_count_from_the_last_parenthesis() {
    let line = "42 (a) b (c)) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 7777 1000 10";
    assert_eq!(parse_stat(line), Some(('S', 7777)));
    let zombie = "7 (sh) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 123 0 0";
    assert_eq!(parse_stat(zombie), Some(('Z', 123)));
    assert_eq!(parse_stat("7 (sh) S 1 2"), None);
    assert_eq!(parse_stat("no parenthesis"), None);
    assert_eq!(parse_stat(""), None);
}

#[test]
fn init_liveness_follows_pid_and_start_time() {
    let (pid, start) = live_init();
    assert!(
        InitProcess {
            pid,
            start_time: start
        }
        .alive()
    );
    // Same PID, another start time: a reused PID, not our init.
    assert!(
        !InitProcess {
            pid,
            start_time: start + 1
        }
        .alive()
    );
    assert!(
        !InitProcess {
            pid: 0,
            start_time: start
        }
        .alive()
    );
    assert!(
        !InitProcess {
            pid: i32::MAX,
            start_time: 1
        }
        .alive()
    );
}

#[test]
fn a_state_with_anything_but_files_to_remove_falls_back() {
    let parse = |value: serde_json::Value| -> StateFile { serde_json::from_value(value).unwrap() };
    let cgroups = [("memory", "/sys/fs/cgroup/memory/p/c1")];
    assert_eq!(
        parse(state_json(1, 1, &cgroups)).only_files_to_remove(),
        Ok(())
    );
    type Change = fn(&mut serde_json::Value);
    let cases: [(&str, Change); 7] = [
        ("PID namespace", |s| {
            s["config"]["namespaces"] = serde_json::json!([])
        }),
        ("PID namespace", |s| {
            s["config"]["namespaces"][0]["path"] = "/proc/1/ns/pid".into()
        }),
        ("hooks", |s| {
            s["config"]["Hooks"] = serde_json::json!({"poststop": [{"path": "/bin/true"}]})
        }),
        ("Intel RDT", |s| {
            s["intel_rdt_path"] = "/sys/fs/resctrl/c1".into()
        }),
        ("systemd", |s| {
            s["config"]["cgroups"]["Systemd"] = true.into()
        }),
        ("rootless", |s| s["rootless"] = true.into()),
        ("cgroup path", |s| {
            s["cgroup_paths"]["memory"] = "/sys/fs/cgroup/../../etc".into()
        }),
    ];
    for (what, change) in cases {
        let mut state = state_json(1, 1, &cgroups);
        change(&mut state);
        let err = parse(state).only_files_to_remove().unwrap_err();
        assert!(
            err.contains(what) || err.contains(&what.to_lowercase()),
            "{what}: {err}"
        );
    }
    // Empty hook lists are no hooks.
    let mut state = state_json(1, 1, &cgroups);
    state["config"]["Hooks"] = serde_json::json!({"poststop": [], "prestart": null});
    assert_eq!(parse(state).only_files_to_remove(), Ok(()));
    let mut outside = state_json(1, 1, &[("memory", "/tmp/elsewhere")]);
    outside["id"] = "c2".into();
    assert!(parse(outside).only_files_to_remove().is_err());
}

#[test]
fn delete_removes_the_state_directory_of_a_dead_init() {
    let dir = tempfile::tempdir().unwrap();
    let state_dir = dir.path().join("c1");
    // A PID no process has: init is gone.
    write_state(&state_dir, &state_json(i32::MAX, 1, &[]));
    assert_eq!(delete(&state_dir), Direct::Done);
    assert!(!state_dir.exists());
    // Unknown to the runtime: deleted already.
    assert_eq!(delete(&state_dir), Direct::Done);
}

#[test]
fn delete_falls_back_for_a_live_init_a_created_container_or_a_bad_state() {
    let dir = tempfile::tempdir().unwrap();
    let (pid, start) = live_init();
    let alive = dir.path().join("alive");
    write_state(&alive, &state_json(pid, start, &[]));
    assert!(reason(delete(&alive)).contains("alive"));
    let created = dir.path().join("created");
    write_state(&created, &state_json(i32::MAX, 1, &[]));
    nix::unistd::mkfifo(&created.join(EXEC_FIFO), nix::sys::stat::Mode::S_IRWXU).unwrap();
    assert!(reason(delete(&created)).contains("never started"));
    let garbage = dir.path().join("garbage");
    std::fs::create_dir_all(&garbage).unwrap();
    std::fs::write(garbage.join(STATE_FILE), b"{not json").unwrap();
    assert!(reason(delete(&garbage)).contains("parsing"));
    // An aborted create: a directory without state.json is runc's to clean.
    let aborted = dir.path().join("aborted");
    std::fs::create_dir_all(&aborted).unwrap();
    assert!(reason(delete(&aborted)).contains("reading"));
    for kept in [&alive, &created, &garbage, &aborted] {
        assert!(kept.exists(), "{} removed on a fallback", kept.display());
    }
}

#[test]
fn start_reads_inits_byte_and_removes_the_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join(EXEC_FIFO);
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    // init's side: a blocking open for writing, then one byte.
    let writer_path = fifo.clone();
    let init = std::thread::spawn(move || {
        let mut writer = OpenOptions::new().write(true).open(writer_path).unwrap();
        writer.write_all(b"0").unwrap();
    });
    assert_eq!(start(dir.path()), Direct::Done);
    init.join().unwrap();
    assert!(!fifo.exists());
    // Started already: no FIFO, the runtime says what is wrong.
    assert!(reason(start(dir.path())).contains("opening"));
}

#[test]
fn start_does_not_wait_for_a_dead_init() {
    let dir = tempfile::tempdir().unwrap();
    write_state(dir.path(), &state_json(i32::MAX, 1, &[]));
    nix::unistd::mkfifo(&dir.path().join(EXEC_FIFO), nix::sys::stat::Mode::S_IRWXU).unwrap();
    let began = Instant::now();
    assert!(reason(start(dir.path())).contains("gone"));
    assert!(began.elapsed() < Duration::from_secs(5));
    // The FIFO stays for the runtime's own start to report on.
    assert!(dir.path().join(EXEC_FIFO).exists());
}

#[test]
fn start_finishes_one_killed_after_init_went_on() {
    // An earlier start read init's byte and died before removing the FIFO: init (here, this
    // process, whose name is not runc's init) runs, and nobody will ever write again.
    let dir = tempfile::tempdir().unwrap();
    let (pid, start_time) = live_init();
    write_state(dir.path(), &state_json(pid, start_time, &[]));
    nix::unistd::mkfifo(&dir.path().join(EXEC_FIFO), nix::sys::stat::Mode::S_IRWXU).unwrap();
    let state_dir = dir.path().to_path_buf();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(start(&state_dir)));
    let result = finished
        .recv_timeout(Duration::from_secs(10))
        .expect("the start waited for a byte that never comes");
    assert_eq!(result, Direct::Done);
    assert!(!dir.path().join(EXEC_FIFO).exists());
}

#[test]
fn the_command_name_is_read_between_the_parentheses() {
    assert_eq!(stat_comm("7 (runc:[2:INIT]) S 1"), Some("runc:[2:INIT]"));
    assert_eq!(stat_comm("7 (a) b) S 1"), Some("a) b"));
    assert_eq!(stat_comm("no parenthesis"), None);
}

#[test]
fn start_refuses_what_is_not_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(EXEC_FIFO), b"0").unwrap();
    assert!(reason(start(dir.path())).contains("not a FIFO"));
    assert!(dir.path().join(EXEC_FIFO).exists());
}
