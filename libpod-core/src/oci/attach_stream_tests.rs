//! The attach loop against a stand-in for conmon's end of the socket (a listening
//! SOCK_SEQPACKET socket in a temporary directory); the real conmon is in
//! `tests/attach.rs`.

use super::*;
use crate::oci::attach_socket::{STDERR, STDOUT, TerminalSize, ctl_path, resize};
use nix::sys::socket::{
    AddressFamily, Backlog, MsgFlags, SockFlag, SockType, UnixAddr, bind, listen, recv, send,
    socket, socketpair,
};
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::Path;
use std::thread::JoinHandle;

/// conmon's end of a connection (a socket pair), served by `serve` on a thread of its own.
fn fake_conmon(serve: impl FnOnce(OwnedFd) + Send + 'static) -> (AttachSocket, JoinHandle<()>) {
    let (ours, theirs) = socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
    .unwrap();
    let server = std::thread::spawn(move || serve(theirs));
    (AttachSocket::from_fd(ours, Path::new("attach")), server)
}

fn packet(stream: u8, data: &[u8]) -> Vec<u8> {
    let mut p = vec![stream];
    p.extend_from_slice(data);
    p
}

/// Reads input packets until the client shuts its writing half.
fn read_input(fd: &OwnedFd) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = vec![0u8; MAX_INPUT_PACKET];
    loop {
        let n = recv(fd.as_raw_fd(), &mut buf, MsgFlags::empty()).unwrap();
        if n == 0 {
            return all;
        }
        all.extend_from_slice(&buf[..n]);
    }
}

#[test]
fn output_is_demultiplexed_and_input_reaches_conmon_then_its_end() {
    let (input_tx, input_rx) = std::sync::mpsc::channel();
    let (sock, server) = fake_conmon(move |fd| {
        send(
            fd.as_raw_fd(),
            &packet(STDOUT, b"out 1\n"),
            MsgFlags::empty(),
        )
        .unwrap();
        send(fd.as_raw_fd(), &packet(STDERR, b"err\n"), MsgFlags::empty()).unwrap();
        // The input, up to its end (the client's shutdown).
        input_tx.send(read_input(&fd)).unwrap();
        send(
            fd.as_raw_fd(),
            &packet(STDOUT, b"out 2\n"),
            MsgFlags::empty(),
        )
        .unwrap();
    });
    let (stdin_r, stdin_w) = nix::unistd::pipe().unwrap();
    nix::unistd::write(&stdin_w, b"hello\n").unwrap();
    drop(stdin_w);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let io = AttachIo::new(Some(stdin_r.as_fd()), Some(&mut out), Some(&mut err));
    let end = pump(&sock, io, &DetachKeys::default()).unwrap();
    server.join().unwrap();
    assert_eq!(end, AttachEnd::Finished);
    assert_eq!(input_rx.recv().unwrap(), b"hello\n");
    assert_eq!(out, b"out 1\nout 2\n");
    assert_eq!(err, b"err\n");
}

#[test]
fn detach_keys_detach_and_close_the_input_with_what_came_before_them() {
    let (input_tx, input_rx) = std::sync::mpsc::channel();
    let (sock, server) = fake_conmon(move |fd| {
        input_tx.send(read_input(&fd)).unwrap();
    });
    let (stdin_r, stdin_w) = nix::unistd::pipe().unwrap();
    nix::unistd::write(&stdin_w, b"ls\x10").unwrap();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        nix::unistd::write(&stdin_w, b"\x11never sent").unwrap();
        // stdin_w stays open until here: the detach, not an end of input, ends the attach.
        std::thread::sleep(std::time::Duration::from_millis(50));
    });
    let mut out = Vec::new();
    let io = AttachIo::new(Some(stdin_r.as_fd()), Some(&mut out), None);
    let end = pump(&sock, io, &DetachKeys::default()).unwrap();
    assert_eq!(end, AttachEnd::Detached);
    assert_eq!(input_rx.recv().unwrap(), b"ls");
    server.join().unwrap();
    writer.join().unwrap();
}

#[test]
fn the_end_of_output_ends_the_attach_while_input_stays_open() {
    let (sock, server) = fake_conmon(|fd| {
        send(fd.as_raw_fd(), &packet(STDOUT, b"bye"), MsgFlags::empty()).unwrap();
    });
    let (stdin_r, _stdin_w) = nix::unistd::pipe().unwrap();
    let mut out = Vec::new();
    let io = AttachIo::new(Some(stdin_r.as_fd()), Some(&mut out), None);
    assert_eq!(
        pump(&sock, io, &DetachKeys::default()).unwrap(),
        AttachEnd::Finished
    );
    assert_eq!(out, b"bye");
    server.join().unwrap();
}

#[test]
fn unattached_streams_are_read_and_dropped() {
    let (sock, server) = fake_conmon(|fd| {
        send(
            fd.as_raw_fd(),
            &packet(STDERR, b"dropped"),
            MsgFlags::empty(),
        )
        .unwrap();
        send(fd.as_raw_fd(), &packet(STDOUT, b"kept"), MsgFlags::empty()).unwrap();
    });
    let mut out = Vec::new();
    let io = AttachIo::new(None, Some(&mut out), None);
    pump(&sock, io, &DetachKeys::default()).unwrap();
    assert_eq!(out, b"kept");
    server.join().unwrap();
}

#[test]
fn copy_passes_a_readers_input_then_its_end_and_the_output_after_it() {
    let (input_tx, input_rx) = std::sync::mpsc::channel();
    let (sock, server) = fake_conmon(move |fd| {
        // As `cat`: the output comes once the input ended.
        let input = read_input(&fd);
        for chunk in input.chunks(8192) {
            send(fd.as_raw_fd(), &packet(STDOUT, chunk), MsgFlags::empty()).unwrap();
        }
        send(fd.as_raw_fd(), &packet(STDERR, b"done"), MsgFlags::empty()).unwrap();
        input_tx.send(input).unwrap();
    });
    let big = vec![b'x'; 3 * MAX_INPUT_PACKET + 7];
    let stdin: Box<dyn io::Read + Send> = Box::new(io::Cursor::new(big.clone()));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let end = sock
        .copy(Some(stdin), &mut out, &mut err, &DetachKeys::default())
        .unwrap();
    server.join().unwrap();
    assert_eq!(end, AttachEnd::Finished);
    assert_eq!(input_rx.recv().unwrap(), big);
    assert_eq!(out, big);
    assert_eq!(err, b"done");
}

#[test]
fn copy_detaches_on_keys_split_across_a_readers_reads() {
    let (input_tx, input_rx) = std::sync::mpsc::channel();
    let (sock, server) = fake_conmon(move |fd| {
        input_tx.send(read_input(&fd)).unwrap();
    });
    // Each read returns one chunk; the reader then blocks (its writer stays open).
    let (chunks_tx, chunks_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    struct Chunks(std::sync::mpsc::Receiver<Vec<u8>>);
    impl io::Read for Chunks {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let chunk = self.0.recv().unwrap_or_default();
            buf[..chunk.len()].copy_from_slice(&chunk);
            Ok(chunk.len())
        }
    }
    chunks_tx.send(b"echo hi\x10".to_vec()).unwrap();
    chunks_tx.send(b"\x11not sent".to_vec()).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let keys = DetachKeys::parse("ctrl-p,ctrl-q").unwrap();
    let end = sock
        .copy(Some(Box::new(Chunks(chunks_rx))), &mut out, &mut err, &keys)
        .unwrap();
    assert_eq!(end, AttachEnd::Detached);
    assert_eq!(input_rx.recv().unwrap(), b"echo hi");
    server.join().unwrap();
    // The stdin thread, not waited for, ends at its next read.
    drop(chunks_tx);
}

#[test]
fn copy_ends_with_the_output_while_its_reader_blocks() {
    let (sock, server) = fake_conmon(|fd| {
        send(
            fd.as_raw_fd(),
            &packet(STDOUT, b"exited"),
            MsgFlags::empty(),
        )
        .unwrap();
    });
    let (reader, _writer) = std::io::pipe().unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let end = sock
        .copy(
            Some(Box::new(reader)),
            &mut out,
            &mut err,
            &DetachKeys::default(),
        )
        .unwrap();
    assert_eq!(end, AttachEnd::Finished);
    assert_eq!(out, b"exited");
    server.join().unwrap();
}

#[test]
fn a_socket_path_longer_than_a_socket_address_is_reached() {
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("d".repeat(100)).join("e".repeat(60));
    std::fs::create_dir_all(&deep).unwrap();
    let path = deep.join("attach");
    assert!(path.as_os_str().len() > 108);
    // Bound as conmon binds it: through /proc/self/fd.
    let dir_fd = std::fs::File::open(&deep).unwrap();
    let short = Path::new("/proc/self/fd")
        .join(dir_fd.as_raw_fd().to_string())
        .join("attach");
    let listener = socket(
        AddressFamily::Unix,
        SockType::SeqPacket,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .unwrap();
    bind(listener.as_raw_fd(), &UnixAddr::new(&short).unwrap()).unwrap();
    listen(&listener, Backlog::new(1).unwrap()).unwrap();
    // A listening SOCK_SEQPACKET socket takes the connection into its backlog.
    let sock = AttachSocket::connect(&path).unwrap();
    assert_eq!(sock.path(), path);
    let missing = AttachSocket::connect(&dir.path().join("attach")).unwrap_err();
    assert_eq!(missing.kind(), io::ErrorKind::NotFound);
}

#[test]
fn resize_writes_conmons_control_line() {
    let dir = tempfile::tempdir().unwrap();
    let ctl = ctl_path(dir.path());
    nix::unistd::mkfifo(&ctl, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    // conmon holds the FIFO open for reading.
    let reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NONBLOCK)
        .open(&ctl)
        .unwrap();
    resize(
        &ctl,
        TerminalSize {
            rows: 33,
            cols: 101,
        },
    )
    .unwrap();
    let mut line = String::new();
    std::io::Read::read_to_string(&mut &reader, &mut line).unwrap();
    assert_eq!(line, "1 33 101\n");
    drop(reader);
    // No conmon reading: an error naming the FIFO, at once.
    let err = resize(&ctl, TerminalSize { rows: 1, cols: 1 }).unwrap_err();
    assert!(err.to_string().contains("ctl"), "{err}");
}

use std::os::unix::fs::OpenOptionsExt;
