//! Attach with the real conmon and runc: output demultiplexed, input reaching the container,
//! the end of input closing its stdin, detach keys leaving it running, a second attach, a
//! terminal resized through conmon's control FIFO. podctl's terminal use is tested through a
//! pty in examples/tests/podctl_attach.rs.

mod common;

use common::{CgroupParent, runtime, shell};
use libpod_core::container::{AttachOptions, ContainerStatus, RemoveOptions, with_stdin, with_tty};
use libpod_core::oci::{AttachEnd, AttachIo, DetachKeys, TerminalSize};
use libpod_testutil::{TempRoot, require_root, serial};
use std::io::Write;
use std::os::fd::AsFd;
use std::time::Duration;

#[test]
fn output_is_demultiplexed_and_input_reaches_the_container_until_its_end() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    // Reads its stdin to the end: it exits only when the attach closes it.
    let ctr = shell(
        &rt,
        &cg,
        "echo ready; echo to-stderr >&2; while read line; do echo got:$line; done; echo eof",
        vec![with_stdin()],
    );
    let (stdin_r, stdin_w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).unwrap();
    let feeder = std::thread::spawn(move || {
        let mut w = std::fs::File::from(stdin_w);
        writeln!(w, "one").unwrap();
        std::thread::sleep(Duration::from_millis(100));
        writeln!(w, "two").unwrap();
        // Dropped: the end of input.
    });
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let io = AttachIo::new(Some(stdin_r.as_fd()), Some(&mut out), Some(&mut err));
    let end = ctr.start_and_attach(io, &AttachOptions::default()).unwrap();
    feeder.join().unwrap();
    assert_eq!(end, AttachEnd::Finished);
    assert_eq!(
        String::from_utf8_lossy(&out),
        "ready\ngot:one\ngot:two\neof\n"
    );
    assert_eq!(String::from_utf8_lossy(&err), "to-stderr\n");
    assert_eq!(ctr.wait().unwrap(), 0);
    rt.remove_container(&ctr, RemoveOptions::default()).unwrap();
}

#[test]
fn detach_keys_leave_it_running_and_a_second_attach_sees_it_with_a_resized_terminal() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let ctr = shell(
        &rt,
        &cg,
        "while read line; do echo got:$line; stty size; done",
        vec![with_stdin(), with_tty()],
    );
    ctr.start().unwrap();

    // First attach: input, then ctrl-p ctrl-q.
    let (stdin_r, stdin_w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).unwrap();
    let mut w = std::fs::File::from(stdin_w);
    w.write_all(b"first\n").unwrap();
    let mut out = SeenWriter::default();
    let seen = out.seen.clone();
    let typist = std::thread::spawn(move || {
        // Typed once the container answered, so the keys come after the line's echo.
        wait_for(&seen, "got:first");
        w.write_all(b"\x10\x11").unwrap();
        w
    });
    let options = AttachOptions::default().initial_size(TerminalSize { rows: 20, cols: 70 });
    let io = AttachIo::new(Some(stdin_r.as_fd()), Some(&mut out), None);
    assert_eq!(ctr.attach(io, &options).unwrap(), AttachEnd::Detached);
    let _w = typist.join().unwrap();
    assert!(out.text().contains("20 70"), "{:?}", out.text());
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(ctr.status().unwrap(), ContainerStatus::Running);

    // Second attach, other keys and a new size: the same shell answers.
    ctr.resize(TerminalSize {
        rows: 41,
        cols: 132,
    })
    .unwrap();
    let (stdin_r, stdin_w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).unwrap();
    let mut w = std::fs::File::from(stdin_w);
    w.write_all(b"second\n").unwrap();
    let mut out = SeenWriter::default();
    let seen = out.seen.clone();
    let typist = std::thread::spawn(move || {
        wait_for(&seen, "41 132");
        w.write_all(b"\x01").unwrap();
        w
    });
    let options = AttachOptions::default().detach_keys(DetachKeys::parse("ctrl-a").unwrap());
    let io = AttachIo::new(Some(stdin_r.as_fd()), Some(&mut out), None);
    assert_eq!(ctr.attach(io, &options).unwrap(), AttachEnd::Detached);
    let _w = typist.join().unwrap();
    assert!(out.text().contains("got:second"), "{:?}", out.text());
    assert_eq!(ctr.status().unwrap(), ContainerStatus::Running);
    rt.remove_container(&ctr, RemoveOptions::default().force(true))
        .unwrap();
}

#[test]
fn attaching_to_a_stopped_container_is_refused() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let ctr = shell(&rt, &cg, "true", vec![]);
    ctr.start().unwrap();
    ctr.wait().unwrap();
    let mut out = Vec::new();
    let io = AttachIo::new(None, Some(&mut out), None);
    let err = ctr.attach(io, &AttachOptions::default()).unwrap_err();
    assert!(err.to_string().contains("cannot attach"), "{err}");
    rt.remove_container(&ctr, RemoveOptions::default()).unwrap();
}

/// A writer whose output another thread can watch.
#[derive(Default)]
struct SeenWriter {
    seen: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

impl SeenWriter {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.seen.lock().unwrap()).into_owned()
    }
}

impl Write for SeenWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.seen.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn wait_for(seen: &std::sync::Mutex<Vec<u8>>, what: &str) {
    for _ in 0..200 {
        if String::from_utf8_lossy(&seen.lock().unwrap()).contains(what) {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!(
        "{what:?} never came: {:?}",
        String::from_utf8_lossy(&seen.lock().unwrap())
    );
}
