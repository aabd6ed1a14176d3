//! Fixtures of the tests against real software: an environment (temp dirs, the serial lock),
//! containers whose drop tears down and removes their namespace, a DNS query, host snapshots,
//! and running podman.

#![allow(dead_code)]

use libpod_net::backend::{NativeBridge, Netavark, NetnsArgs, NetworkBackend};
use libpod_net::netns;
use libpod_net::types::{
    Network, NetworkOptions, PerNetworkOptions, PortMapping, StatusBlock, Subnet,
};
use libpod_testutil::{Podman, TempRoot, require_root, serial};
use std::io::{Read, Write};
use std::net::{IpAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::MutexGuard;
use std::time::Duration;

/// A test's directories; holds the serial lock.
pub struct Env {
    tmp: TempRoot,
    native: bool,
    _serial: MutexGuard<'static, ()>,
}

impl Env {
    pub fn new() -> Env {
        require_root();
        let serial = serial();
        Env {
            tmp: TempRoot::new().unwrap(),
            native: false,
            _serial: serial,
        }
    }

    /// Containers set up by the in-process bridge backend rather than by netavark.
    pub fn native() -> Env {
        Env {
            native: true,
            ..Env::new()
        }
    }

    /// The backend containers are set up by.
    pub fn chosen(&self) -> Box<dyn NetworkBackend> {
        if self.native {
            Box::new(NativeBridge::new(self.backend()))
        } else {
            Box::new(self.backend())
        }
    }

    pub fn backend(&self) -> Netavark {
        Netavark::new(self.tmp.path().join("netavark"))
    }

    pub fn netns_dir(&self) -> PathBuf {
        self.tmp.path().join("netns")
    }

    /// One setup and teardown on `network`, so that netavark's global chains exist.
    pub fn warm_up(&self, network: &Network) {
        let ctr = Container::start(self, "warmup", network, &tenth(network), &[], vec![]);
        drop(ctr);
    }

    /// aardvark-dns's per-network files left in netavark's config dir.
    pub fn aardvark_entries(&self) -> Vec<String> {
        let dir = self.tmp.path().join("netavark/aardvark-dns");
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name != "aardvark.pid")
            .collect()
    }
}

fn tenth(network: &Network) -> String {
    match network.subnets[0].subnet.address() {
        IpAddr::V4(v4) => std::net::Ipv4Addr::from(u32::from(v4) + 10).to_string(),
        IpAddr::V6(_) => unreachable!(),
    }
}

/// A bridge network definition as our store would write it.
pub fn network(name: &str, bridge: &str, subnet: &str, dns: bool, internal: bool) -> Network {
    let mut network = Network::default();
    network.name = name.into();
    network.id = format!("{:0>64}", name.len());
    network.driver = "bridge".into();
    network.network_interface = bridge.into();
    network.dns_enabled = dns;
    network.internal = internal;
    network
        .ipam_options
        .insert("driver".into(), "host-local".into());
    let mut subnet = Subnet::new(subnet.parse().unwrap());
    if !internal || dns {
        subnet.gateway = Some(first(subnet.subnet.address()));
    }
    network.subnets = vec![subnet];
    network
}

fn first(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4((u32::from(v4) + 1).into()),
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) + 1).into()),
    }
}

/// A container's options on one network.
pub fn options(
    name: &str,
    network: &Network,
    ip: &str,
    aliases: &[&str],
    ports: Vec<PortMapping>,
) -> (NetworkOptions, Vec<Network>) {
    let mut on_network = PerNetworkOptions::default();
    on_network.interface_name = "eth0".into();
    on_network.static_ips = vec![ip.parse().unwrap()];
    on_network.aliases = aliases.iter().map(|a| a.to_string()).collect();
    let mut options = NetworkOptions::default();
    options.container_id = format!("{name:0>64}");
    options.container_name = name.into();
    options.port_mappings = ports;
    options.networks.insert(network.name.clone(), on_network);
    (options, vec![network.clone()])
}

pub fn args<'a>(
    netns: &'a Path,
    options: &'a NetworkOptions,
    networks: &'a [Network],
) -> NetnsArgs<'a> {
    NetnsArgs {
        netns,
        options,
        networks,
    }
}

/// A namespace set up on a network; dropped: torn down and removed.
pub struct Container {
    backend: Box<dyn NetworkBackend>,
    pub netns: PathBuf,
    options: NetworkOptions,
    networks: Vec<Network>,
    pub status: StatusBlock,
}

impl Container {
    pub fn start(
        env: &Env,
        name: &str,
        network: &Network,
        ip: &str,
        aliases: &[&str],
        ports: Vec<PortMapping>,
    ) -> Container {
        let (options, networks) = self::options(name, network, ip, aliases, ports);
        let netns = netns::create(&env.netns_dir(), name).unwrap();
        let mut ctr = Container {
            backend: env.chosen(),
            netns,
            options,
            networks,
            status: StatusBlock::default(),
        };
        let args = args(&ctr.netns, &ctr.options, &ctr.networks);
        let mut status = ctr.backend.setup(&args).unwrap();
        ctr.status = status.remove(&network.name).unwrap();
        ctr
    }

    /// The namespace's IPv4 routes, as `/proc/net/route` lines.
    pub fn routes(&self) -> Vec<String> {
        netns::run_in(&self.netns, || {
            std::fs::read_to_string("/proc/thread-self/net/route")
                .unwrap()
                .lines()
                .skip(1)
                .map(str::to_string)
                .collect()
        })
        .unwrap()
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        let args = args(&self.netns, &self.options, &self.networks);
        let torn = self.backend.teardown(&args);
        let _ = netns::remove(&self.netns);
        if !std::thread::panicking() {
            torn.unwrap();
        }
    }
}

/// The A record aardvark-dns at `server` gives for `name`, asked over UDP (a few tries while
/// it starts).
/// [`dns_query`] until it finds `name` (up to 5 s): aardvark-dns loads a new container's
/// entry when netavark signals it, a moment after the setup returned.
pub fn dns_resolve(server: &str, name: &str) -> Option<IpAddr> {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let found = dns_query(server, name);
        if found.is_some() || std::time::Instant::now() > deadline {
            return found;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn dns_query(server: &str, name: &str) -> Option<IpAddr> {
    let socket = UdpSocket::bind("0.0.0.0:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    let mut query = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in name.split('.') {
        query.push(u8::try_from(label.len()).unwrap());
        query.extend_from_slice(label.as_bytes());
    }
    query.extend_from_slice(&[0, 0, 1, 0, 1]);
    for _ in 0..5 {
        socket.send_to(&query, (server, 53)).unwrap();
        let mut reply = [0u8; 512];
        let Ok(len) = socket.recv(&mut reply) else {
            continue;
        };
        return first_a_record(&reply[..len], query.len());
    }
    None
}

fn first_a_record(reply: &[u8], question_end: usize) -> Option<IpAddr> {
    let answers = u16::from_be_bytes([reply[6], reply[7]]);
    let mut at = question_end;
    for _ in 0..answers {
        // The name: a pointer, or labels ending in 0.
        if reply[at] & 0xc0 == 0xc0 {
            at += 2;
        } else {
            while reply[at] != 0 {
                at += usize::from(reply[at]) + 1;
            }
            at += 1;
        }
        let kind = u16::from_be_bytes([reply[at], reply[at + 1]]);
        let len = usize::from(u16::from_be_bytes([reply[at + 8], reply[at + 9]]));
        at += 10;
        if kind == 1 && len == 4 {
            let b = &reply[at..at + 4];
            return Some(IpAddr::from([b[0], b[1], b[2], b[3]]));
        }
        at += len;
    }
    None
}

/// What setup changes on the host, normalized (no counters, no comments).
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub links: String,
    pub iptables: String,
    pub ip6tables: String,
    pub nft: String,
}

/// `nft list ruleset` without its packet and byte counts: the host's own traffic moves them
/// (an ip6 forward counter did, between two snapshots of an otherwise unchanged ruleset).
fn without_counters(ruleset: &str) -> String {
    let line = |line: &str| {
        let mut out = Vec::new();
        let mut words = line.split(' ').peekable();
        while let Some(word) = words.next() {
            out.push(word);
            if word.ends_with("counter") && words.peek() == Some(&"packets") {
                // `packets N bytes N`
                for _ in 0..4 {
                    words.next();
                }
            }
        }
        out.join(" ")
    };
    ruleset.lines().map(line).collect::<Vec<_>>().join("\n")
}

pub fn snapshot() -> Snapshot {
    let run = |program: &str, args: &[&str]| {
        let out = Command::new(program).args(args).output().unwrap();
        assert!(out.status.success(), "{program} {args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let rules = |text: String| {
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| match l.find(" [") {
                Some(at) if l.starts_with(':') => l[..at].to_string(),
                _ => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let links = run("ip", &["-o", "link", "show"])
        .lines()
        .filter_map(|l| l.split(": ").nth(1))
        .map(|name| name.split('@').next().unwrap_or(name).to_string())
        .collect::<Vec<_>>()
        .join(" ");
    Snapshot {
        links,
        iptables: rules(run("iptables-save", &[])),
        ip6tables: rules(run("ip6tables-save", &[])),
        nft: without_counters(&run("nft", &["list", "ruleset"])),
    }
}

/// A containers.conf for podman on this host: runc, netavark.
pub const PODMAN_CONF: &str =
    "[engine]\nruntime = \"runc\"\n[network]\nnetwork_backend = \"netavark\"\n";

/// Runs `podman ARGS` against the private store and asserts that it succeeds.
pub fn podman_run(podman: &Podman, args: &[&str]) -> Output {
    let out = podman.command().args(args).output().expect("podman runs");
    assert!(
        out.status.success(),
        "podman {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A port mapping (host address, host port, container port, range, protocol).
pub fn port(
    host_ip: &str,
    host_port: u16,
    container_port: u16,
    range: u16,
    protocol: &str,
) -> PortMapping {
    let mut port = PortMapping::default();
    port.host_ip = host_ip.into();
    port.host_port = host_port;
    port.container_port = container_port;
    port.range = range;
    port.protocol = protocol.into();
    port
}

/// A container at `ip` on `network` (set up by `env`'s backend) reaches a listener on the
/// gateway, has a default route, and a port it publishes on 127.0.0.1 answers from the host
/// with what a listener inside its namespace sends.
pub fn reaches_gateway_and_serves_published_port(env: &Env, network: &Network, ip: &str) {
    let free_port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let published = port("127.0.0.1", free_port, 8080, 1, "tcp");
    let ctr = Container::start(env, "web", network, ip, &[], vec![published]);
    assert_eq!(
        ctr.status.interfaces["eth0"].subnets[0].ipnet.address(),
        ip.parse::<IpAddr>().unwrap()
    );

    // The gateway: a listener the test runs on the bridge's address.
    let gateway = network.subnets[0].gateway.unwrap();
    let gateway = TcpListener::bind((gateway, 0)).unwrap();
    let gateway_addr = gateway.local_addr().unwrap();
    let connected = netns::run_in(&ctr.netns, || {
        TcpStream::connect_timeout(&gateway_addr, Duration::from_secs(5)).is_ok()
    })
    .unwrap();
    assert!(connected);
    let (_, peer) = gateway.accept().unwrap();
    assert_eq!(peer.ip(), ip.parse::<IpAddr>().unwrap());
    assert!(
        ctr.routes().iter().any(|r| r.starts_with("eth0\t00000000")),
        "a default route"
    );

    // The published port: a listener inside the namespace, reached from the host's loopback.
    let inside = netns::run_in(&ctr.netns, || TcpListener::bind("0.0.0.0:8080").unwrap()).unwrap();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = inside.accept().unwrap();
        stream.write_all(b"hello from the namespace").unwrap();
    });
    let mut answer = String::new();
    let mut stream = TcpStream::connect(("127.0.0.1", free_port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.read_to_string(&mut answer).unwrap();
    assert_eq!(answer, "hello from the namespace");
    server.join().unwrap();
}
