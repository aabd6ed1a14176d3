//! Exec sessions with the real conmon and runc: output and exit codes, stdin, env, user and
//! workdir, a session started and removed in one step, detached sessions, stop, removal of a container with running execs, the
//! sessionless exec, a terminal's size (at the start and resized), the detach keys, and 200
//! execs at once leaving nothing behind.

mod common;

use common::{CgroupParent, runtime, shell};
use libpod_core::CoreError;
use libpod_core::container::{Container, RemoveOptions};
use libpod_core::exec::{ExecEnd, ExecStreams};
use libpod_core::oci::TerminalSize;
use libpod_core::record::{ExecConfig, ExecStatus};
use libpod_core::runtime::Runtime;
use libpod_testutil::{TempRoot, require_root, serial};
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A writer whose bytes the test reads afterwards.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

fn command(args: &[&str]) -> ExecConfig {
    let mut config = ExecConfig::new(args.iter().map(|s| s.to_string()).collect());
    config.attach_stdout = true;
    config.attach_stderr = true;
    config
}

/// Runs `config` attached; its exit code, stdout and stderr.
fn run(ctr: &Container, config: ExecConfig, stdin: Option<&'static [u8]>) -> (i32, String, String) {
    let (out, err) = (Captured::default(), Captured::default());
    let mut streams = ExecStreams::new(out.clone(), err.clone());
    if let Some(input) = stdin {
        streams = streams.stdin(input);
    }
    match ctr.exec(config, streams).unwrap() {
        ExecEnd::Exited(code) => (code, out.text(), err.text()),
        other => panic!("{other:?}"),
    }
}

fn running(rt: &Runtime, cg: &CgroupParent) -> Container {
    let ctr = shell(rt, cg, "sleep 600", vec![]);
    ctr.start().unwrap();
    ctr
}

/// What a container's exec sessions left: rows, session directories, intents, monitors.
fn leftovers(rt: &Runtime, ctr: &Container) -> (usize, usize, usize, usize) {
    // A session's monitor records the exit code, then closes its connections and starts the
    // exit command before it exits (conmon too): a moment after the code can be read.
    let deadline = Instant::now() + Duration::from_secs(5);
    while monitors_of(ctr.id()) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let rows = ctr.exec_sessions().unwrap().len();
    let exec_dir = rt.run_root().join("containers").join(ctr.id()).join("exec");
    let dirs = std::fs::read_dir(exec_dir).map(|d| d.count()).unwrap_or(0);
    let intents = std::fs::read_dir(rt.run_root().join("exec-intents"))
        .map(|d| d.count())
        .unwrap_or(0);
    (rows, dirs, intents, monitors_of(ctr.id()))
}

/// The exec monitors of container `id`'s sessions: conmon processes whose command line names
/// it (`-e`), and libcontainer's session monitors (`--exec-session`), whose working directory
/// is the session's, under the container's run directory.
fn monitors_of(id: &str) -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| {
            let Ok(cmd) = std::fs::read(e.path().join("cmdline")) else {
                return false;
            };
            let args: Vec<&[u8]> = cmd.split(|&b| b == 0).collect();
            let conmon = args.first().is_some_and(|a| a.ends_with(b"conmon"))
                && args.contains(&id.as_bytes())
                && args.contains(&&b"-e"[..]);
            let session_flag = libpod_libcontainer::EXEC_SESSION_FLAG.as_bytes();
            let libcontainer = args.contains(&session_flag)
                && std::fs::read_link(e.path().join("cwd"))
                    .is_ok_and(|cwd| cwd.to_string_lossy().contains(&format!("/{id}/")));
            conmon || libcontainer
        })
        .count()
}

fn remove(rt: &Runtime, ctr: &Container) {
    rt.remove_container(ctr, RemoveOptions::default().force(true).timeout(0))
        .unwrap();
}

#[test]
fn attached_output_exit_codes_stdin_env_user_workdir() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let ctr = running(&rt, &cg);

    let (code, out, err) = run(&ctr, command(&["sh", "-c", "echo out; echo err >&2"]), None);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "out\n", "err\n"));
    assert_eq!(run(&ctr, command(&["sh", "-c", "exit 3"]), None).0, 3);
    assert_eq!(run(&ctr, command(&["true"]), None).0, 0);

    let missing = ctr.exec(command(&["/no/such"]), ExecStreams::discard());
    assert!(
        matches!(missing, Err(CoreError::ExecCommandNotFound { .. })),
        "{missing:?}"
    );
    let denied = ctr.exec(command(&["/etc"]), ExecStreams::discard());
    assert!(
        matches!(denied, Err(CoreError::ExecCannotInvoke { .. })),
        "{denied:?}"
    );

    let mut cat = command(&["cat"]);
    cat.attach_stdin = true;
    assert_eq!(run(&ctr, cat, Some(b"from stdin\n")).1, "from stdin\n");

    let mut env = command(&["sh", "-c", "echo $FOO:$HOME"]);
    env.env.insert("FOO".into(), "bar".into());
    assert_eq!(run(&ctr, env, None).1, "bar:/root\n");

    let mut user = command(&["id"]);
    user.user = Some("nobody".into());
    let out = run(&ctr, user, None).1;
    assert!(out.starts_with("uid=65534(nobody)"), "{out}");

    let mut workdir = command(&["pwd"]);
    workdir.workdir = Some("/tmp".into());
    assert_eq!(run(&ctr, workdir, None).1, "/tmp\n");

    // Made first, then started and removed in one step (what `podctl exec` does).
    let session = ctr.exec_create(command(&["sh", "-c", "exit 4"])).unwrap();
    assert_eq!(ctr.exec_sessions().unwrap().len(), 1);
    let end = ctr.exec_start_and_remove(&session, ExecStreams::discard());
    assert_eq!(end.unwrap(), ExecEnd::Exited(4));
    assert!(ctr.exec_sessions().unwrap().is_empty(), "the session went");

    assert_eq!(
        leftovers(&rt, &ctr),
        (0, 0, 0, 0),
        "every session ended and went"
    );
    remove(&rt, &ctr);
}

#[test]
fn detached_then_wait_stop_and_sessionless() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let ctr = running(&rt, &cg);

    let session = ctr
        .exec_create(command(&["sh", "-c", "sleep 0.2; exit 7"]))
        .unwrap();
    ctr.exec_start_detached(&session).unwrap();
    let row = &ctr.exec_sessions().unwrap()[0];
    assert_eq!((row.status, row.pid.is_some()), (ExecStatus::Running, true));
    assert_eq!(
        ctr.exec_wait(&session, Some(Duration::from_secs(10)))
            .unwrap(),
        Some(7)
    );
    assert_eq!(leftovers(&rt, &ctr), (0, 0, 0, 0));

    let session = ctr.exec_create(command(&["sleep", "600"])).unwrap();
    ctr.exec_start_detached(&session).unwrap();
    assert_eq!(
        ctr.inspect().unwrap()["ExecIDs"],
        serde_json::json!([session]),
        "inspect lists the running session"
    );
    let refused = ctr.exec_remove(&session, false);
    assert!(
        matches!(refused, Err(CoreError::ExecSessionState { .. })),
        "{refused:?}"
    );
    let began = Instant::now();
    ctr.exec_stop(&session, Some(1)).unwrap();
    assert!(began.elapsed() < Duration::from_secs(5));
    // SIGTERM: sleep as PID != 1 dies of it.
    assert_eq!(
        ctr.exec_wait(&session, Some(Duration::ZERO)).unwrap(),
        Some(128 + 15)
    );
    assert_eq!(leftovers(&rt, &ctr), (0, 0, 0, 0));

    let (out, err) = (Captured::default(), Captured::default());
    let end = ctr
        .exec_sessionless(
            command(&["sh", "-c", "echo hi; exit 4"]),
            ExecStreams::new(out.clone(), err),
        )
        .unwrap();
    assert_eq!((end, out.text().as_str()), (ExecEnd::Exited(4), "hi\n"));
    assert_eq!(leftovers(&rt, &ctr), (0, 0, 0, 0));
    remove(&rt, &ctr);
}

#[test]
fn terminal_size_resize_and_detach_keys() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let ctr = running(&rt, &cg);

    // The size given at the start is the terminal's.
    let mut stty = command(&["sh", "-c", "sleep 0.5; stty size"]);
    stty.terminal = true;
    let out = Captured::default();
    let streams = ExecStreams::new(out.clone(), std::io::sink()).terminal_size(TerminalSize {
        rows: 33,
        cols: 101,
    });
    assert_eq!(ctr.exec(stty, streams).unwrap(), ExecEnd::Exited(0));
    assert_eq!(out.text(), "33 101\r\n");

    // A resize reaches the running session's terminal (its process gets SIGWINCH).
    let mut trap = command(&[
        "sh",
        "-c",
        "trap 'stty size; exit 0' WINCH; echo ready; while :; do sleep 0.1; done",
    ]);
    trap.terminal = true;
    let session = ctr.exec_create(trap).unwrap();
    let out = Captured::default();
    let attached = {
        let (ctr, session, out) = (ctr.clone(), session.clone(), out.clone());
        std::thread::spawn(move || ctr.exec_start(&session, ExecStreams::new(out, std::io::sink())))
    };
    let began = Instant::now();
    while !out.text().contains("ready") {
        assert!(began.elapsed() < Duration::from_secs(10), "{}", out.text());
        std::thread::sleep(Duration::from_millis(20));
    }
    ctr.exec_resize(
        &session,
        TerminalSize {
            rows: 40,
            cols: 120,
        },
    )
    .unwrap();
    assert_eq!(attached.join().unwrap().unwrap(), ExecEnd::Exited(0));
    assert!(out.text().ends_with("40 120\r\n"), "{:?}", out.text());
    // Ended: no terminal to resize.
    let refused = ctr.exec_resize(&session, TerminalSize { rows: 1, cols: 1 });
    assert!(
        matches!(refused, Err(CoreError::ExecSessionState { .. })),
        "{refused:?}"
    );
    ctr.exec_remove(&session, false).unwrap();

    // The detach keys in the input leave the process running, its session kept.
    let mut cat = command(&["cat"]);
    cat.attach_stdin = true;
    cat.detach_keys = Some("ctrl-a,b".into());
    let session = ctr.exec_create(cat).unwrap();
    let out = Captured::default();
    let streams = ExecStreams::new(out.clone(), std::io::sink()).stdin(&b"typed\n\x01b"[..]);
    assert_eq!(
        ctr.exec_start(&session, streams).unwrap(),
        ExecEnd::Detached
    );
    let row = &ctr.exec_sessions().unwrap()[0];
    assert_eq!(row.status, ExecStatus::Running);
    ctr.exec_remove(&session, true).unwrap();
    assert_eq!(leftovers(&rt, &ctr).0, 0);
    remove(&rt, &ctr);
}

#[test]
fn removing_a_container_with_running_execs_reaps_them() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let ctr = running(&rt, &cg);
    for _ in 0..3 {
        let session = ctr.exec_create(command(&["sleep", "600"])).unwrap();
        ctr.exec_start_detached(&session).unwrap();
    }
    // One attached, from another thread, running while the container goes.
    let attached = {
        let ctr = ctr.clone();
        std::thread::spawn(move || ctr.exec(command(&["sleep", "600"]), ExecStreams::discard()))
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while monitors_of(ctr.id()) < 4 {
        assert!(Instant::now() < deadline, "four monitors");
        std::thread::sleep(Duration::from_millis(20));
    }
    let id = ctr.id().to_string();
    let began = Instant::now();
    remove(&rt, &ctr);
    assert!(
        began.elapsed() < Duration::from_secs(15),
        "rm does not hang"
    );
    let end = attached.join().unwrap().unwrap();
    assert_eq!(end, ExecEnd::Exited(137), "killed with its container");
    assert_eq!(monitors_of(&id), 0, "no monitor left");
    assert!(!rt.run_root().join("containers").join(&id).exists());
    let intents = std::fs::read_dir(rt.run_root().join("exec-intents")).map(|d| d.count());
    assert_eq!(intents.unwrap_or(0), 0);
}

#[test]
fn two_hundred_parallel_execs_leave_nothing() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let ctr = running(&rt, &cg);
    let threads: Vec<_> = (0..200)
        .map(|i| {
            let ctr = ctr.clone();
            std::thread::spawn(move || {
                let script = format!("echo {i}; exit {}", i % 5);
                let (out, err) = (Captured::default(), Captured::default());
                let end = ctr.exec(
                    command(&["sh", "-c", &script]),
                    ExecStreams::new(out.clone(), err),
                );
                (i, end.map_err(|e| e.to_string()), out.text())
            })
        })
        .collect();
    for thread in threads {
        let (i, end, out) = thread.join().unwrap();
        assert_eq!(end, Ok(ExecEnd::Exited(i % 5)), "exec {i}");
        assert_eq!(out, format!("{i}\n"));
    }
    assert_eq!(
        leftovers(&rt, &ctr),
        (0, 0, 0, 0),
        "rows, dirs, intents, monitors"
    );
    let exit_files = walk_count(&rt.run_root().join("containers").join(ctr.id()), "exit");
    assert_eq!(exit_files, 0, "no exit file");
    remove(&rt, &ctr);
}

/// Files or directories named `name` under `dir`.
fn walk_count(dir: &Path, name: &str) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let here = usize::from(e.file_name() == name);
            here + if e.path().is_dir() {
                walk_count(&e.path(), name)
            } else {
                0
            }
        })
        .sum()
}
