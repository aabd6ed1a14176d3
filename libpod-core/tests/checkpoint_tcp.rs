//! A TCP connection established from the host to a container survives a checkpoint and a
//! restore with `tcp_established`, with the real runc, conmon, netavark and CRIU (the first
//! `criu` in PATH: `cargo xtask test` puts one there that can dump TCP sockets on this
//! kernel). busybox's `nc -l -p 5000 -e cat` in the container echoes what the test sends
//! from the host over a bridge network of the test's own: a line before the checkpoint, one
//! after the restore, on the same socket, and the end of the connection ends the container.
//! A dropped or reset connection fails the test. Traffic goes only to the bridge and the
//! namespace the test made.

mod common;

use common::net::{NetCleanup, TestNet};
use common::{CgroupParent, process_gone, runtime, shell};
use libpod_core::CoreError;
use libpod_core::container::{
    CheckpointOptions, Container, ContainerStatus, RemoveOptions, RestoreOptions, with_name,
    with_networks, with_stop_timeout,
};
use libpod_core::record::NetworkAttachment;
use libpod_core::runtime::Runtime;
use libpod_testutil::{TempRoot, require_criu, require_root, serial};
use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, TcpStream};
use std::time::{Duration, Instant};

/// The port busybox's nc listens on in the container.
const PORT: u16 = 5000;

/// The container's address on `net`: the subnet's `.10`.
fn address(net: &TestNet) -> IpAddr {
    let base: Ipv4Addr = net.subnet.split('/').next().unwrap().parse().unwrap();
    let [a, b, c, _] = base.octets();
    Ipv4Addr::new(a, b, c, 10).into()
}

/// An echo server on `net` at `ip`: the first connection's lines come back; its end is the
/// container's. The MAC address is fixed too, so that after the restore the host's
/// neighbour entry still points at the container's new interface (no wait for a new ARP).
fn echo_server(rt: &Runtime, cg: &CgroupParent, net: &TestNet, ip: IpAddr) -> Container {
    let mut attachment = NetworkAttachment::new(net.name.clone());
    attachment.static_ips = vec![ip];
    attachment.static_mac = Some("0a:58:0a:e7:4d:0a".into());
    shell(
        rt,
        cg,
        &format!("exec nc -l -p {PORT} -e cat"),
        vec![
            with_name("echo"),
            with_networks(vec![attachment]),
            with_stop_timeout(1),
        ],
    )
}

/// A connection to `ip:PORT`, retried while nc starts to listen.
fn connect(ip: IpAddr) -> TcpStream {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match TcpStream::connect_timeout(&(ip, PORT).into(), Duration::from_secs(2)) {
            Ok(stream) => {
                stream
                    .set_read_timeout(Some(Duration::from_secs(20)))
                    .unwrap();
                return stream;
            }
            Err(err) if Instant::now() < deadline => {
                eprintln!("connecting to {ip}:{PORT}: {err}; retrying");
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(err) => panic!("connecting to {ip}:{PORT}: {err}"),
        }
    }
}

/// Sends `line` on the connection and asserts that the echo comes back on it.
fn echoes(stream: &mut TcpStream, reader: &mut BufReader<TcpStream>, line: &str) {
    stream
        .write_all(format!("{line}\n").as_bytes())
        .unwrap_or_else(|err| panic!("sending {line:?}: {err}"));
    let mut echoed = String::new();
    let read = reader
        .read_line(&mut echoed)
        .unwrap_or_else(|err| panic!("reading the echo of {line:?}: {err}"));
    assert!(read > 0, "the connection ended before the echo of {line:?}");
    assert_eq!(echoed, format!("{line}\n"));
}

#[test]
fn an_established_connection_carries_on_after_checkpoint_and_restore() {
    require_root();
    require_criu();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let net = TestNet::new("ckpttcp", 0, 24);
    let _cleanup = NetCleanup(vec![net.clone()]);
    let rt = runtime(&tmp);
    rt.create_network(net.request(false)).unwrap();
    let ip = address(&net);
    let ctr = echo_server(&rt, &cg, &net, ip);
    ctr.start().unwrap();
    let pid = ctr.state().unwrap().pid.unwrap();
    let mut stream = connect(ip);
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    echoes(&mut stream, &mut reader, "before the checkpoint");

    // Without the option CRIU refuses an established connection, and the container and the
    // connection carry on.
    let err = ctr.checkpoint(&CheckpointOptions::default()).unwrap_err();
    assert!(
        matches!(&err, CoreError::Criu { operation: "checkpoint", reason, .. }
            if reason.contains("tcp-established")),
        "{err:?}"
    );
    assert_eq!(ctr.status().unwrap(), ContainerStatus::Running);
    echoes(&mut stream, &mut reader, "after a refused checkpoint");

    // With it: the processes end, the socket is in the checkpoint; nothing is sent meanwhile.
    ctr.checkpoint(&CheckpointOptions::default().tcp_established(true))
        .unwrap();
    assert_eq!(ctr.status().unwrap(), ContainerStatus::Exited);
    assert!(process_gone(pid), "the checkpointed nc ended");
    ctr.restore(&RestoreOptions::default().tcp_established(true))
        .unwrap();
    assert_eq!(ctr.status().unwrap(), ContainerStatus::Running);

    // The same connection: the restored nc echoes on it.
    echoes(&mut stream, &mut reader, "after the restore");
    echoes(&mut stream, &mut reader, "and again");
    // Its end is what ends the container: the restored nc held this connection.
    stream.shutdown(Shutdown::Write).unwrap();
    let mut rest = String::new();
    assert_eq!(reader.read_line(&mut rest).unwrap(), 0, "{rest:?}");
    assert_eq!(ctr.wait().unwrap(), 0);
    rt.remove_container(&ctr, RemoveOptions::default()).unwrap();
}
