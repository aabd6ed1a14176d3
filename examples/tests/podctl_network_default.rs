//! podctl's default network and exposed ports end to end, beside the real Podman 4.3 (each
//! on its own default network: ours `libpod`, here on a bridge and subnet of this test's own,
//! Podman's `podman` on `podman0`): `run` with no `--network` is on the default bridge
//! (inspect's `NetworkMode` and `NetworkSettings`, /etc/hosts and resolv.conf), `-P` publishes
//! the image's `EXPOSE` and `--expose` ports on free host ports (`port`, inspect's `Ports`, and
//! traffic to one on 127.0.0.1), `--expose` refusals, and `--ip6`. A guard removes the
//! containers and bridges even when an assertion fails.

mod common;

use common::pair::{Pair, error_lines};
use libpod_net::config::{NetworkStore, StoreConfig};
use libpod_testutil::{require_root, serial};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A bridge name of this test's own (at most 15 characters).
fn tagged(tag: &str) -> String {
    format!("lpd{}{tag}", std::process::id() % 100_000)
}

/// podctl's default network `libpod`, made before podctl first opens its network configs, on
/// a bridge and subnet of this test's own: podctl would otherwise make it on `libpod0`, which
/// every store on the host shares.
fn own_default_network(pair: &Pair, bridge: &str, subnet: &str) {
    let mut config = StoreConfig::new(pair.root.join("root/networks"));
    config.default_network.bridge = bridge.to_string();
    config.default_network.subnet = Some(subnet.parse().unwrap());
    NetworkStore::open(config).unwrap();
}

/// Removes what the test made even when it fails: both engines' containers, then our
/// networks and bridges. Dropped before the [`Pair`].
struct Cleanup {
    root: PathBuf,
    bridges: Vec<String>,
    networks: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = common::podctl(&self.root, &["rm", "-f", "-a"]);
        for name in &self.networks {
            let _ = common::podctl(&self.root, &["network", "rm", "-f", name]);
        }
        for bridge in &self.bridges {
            if Command::new("ip")
                .args(["link", "show", bridge])
                .output()
                .is_ok_and(|o| o.status.success())
            {
                let _ = Command::new("ip").args(["link", "del", bridge]).status();
            }
        }
    }
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

/// podctl with exactly these arguments (no `--network none` added), asserting success.
fn ours(pair: &Pair, args: &[&str]) -> String {
    let out = common::podctl_as_given(&pair.root, args);
    assert!(
        out.status.success(),
        "podctl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `run -d --name NAME` with the pair's flags, `extra`, then the image and command.
fn run_args(pair: &Pair, name: &str, extra: &[&str], rest: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["run", "-d", "--name", name].map(String::from).to_vec();
    args.extend(pair.run_flags());
    args.extend(extra.iter().chain(rest).map(|arg| arg.to_string()));
    args
}

/// The arguments as `&str`s.
fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// The container's `inspect` object.
fn inspect(json: &str) -> Value {
    serde_json::from_str::<Value>(json).unwrap()[0].clone()
}

/// The keys of a JSON object.
fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .cloned()
        .collect()
}

/// `text` with the container's own address, its network's gateway and its short ID as
/// placeholders, so that both engines' files compare.
fn placeholders(text: &str, settings: &Value, id: &str) -> String {
    text.replace(settings["IPAddress"].as_str().unwrap(), "<IP>")
        .replace(settings["Gateway"].as_str().unwrap(), "<GATEWAY>")
        .replace(&id[..12], "<ID>")
}

#[test]
fn run_without_a_network_is_on_the_default_bridge_as_podmans() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("netdefault");
    let bridge = tagged("d");
    let _cleanup = Cleanup {
        root: pair.root.clone(),
        bridges: vec![bridge.clone()],
        networks: Vec::new(),
    };
    own_default_network(&pair, &bridge, "10.232.7.0/24");

    let args = run_args(&pair, "web", &[], &["localhost/busybox", "sleep", "600"]);
    let args = strs(&args);
    let id = ours(&pair, &args).trim().to_string();
    let podman_id = pair.podman_ok(&args).trim().to_string();

    let mode = ["inspect", "--format", "{{.HostConfig.NetworkMode}}", "web"];
    assert_eq!(ours(&pair, &mode), "bridge\n");
    assert_eq!(pair.podman_ok(&mode), "bridge\n");

    let ctr = inspect(&ours(&pair, &["inspect", "web"]));
    let theirs = inspect(&pair.podman_ok(&["inspect", "web"]));
    let (settings, their_settings) = (&ctr["NetworkSettings"], &theirs["NetworkSettings"]);
    assert_eq!(keys(settings), keys(their_settings));
    assert_eq!(
        keys(&settings["Networks"]),
        BTreeSet::from(["libpod".to_string()])
    );
    assert_eq!(
        keys(&their_settings["Networks"]),
        BTreeSet::from(["podman".to_string()])
    );
    let (net, their_net) = (
        &settings["Networks"]["libpod"],
        &their_settings["Networks"]["podman"],
    );
    assert_eq!(keys(net), keys(their_net));
    assert_eq!(net["Aliases"], serde_json::json!([&id[..12]]));
    assert_eq!(their_net["Aliases"], serde_json::json!([&podman_id[..12]]));
    let address = settings["IPAddress"].as_str().unwrap();
    assert!(address.starts_with("10.232.7."), "{settings}");
    assert_eq!(settings["Gateway"], "10.232.7.1");
    assert_eq!(settings["IPPrefixLen"], 24);
    assert_eq!(net["IPAddress"], settings["IPAddress"]);
    assert!(settings["SandboxKey"].as_str().unwrap().ends_with(&id));
    assert_eq!(settings["Ports"], serde_json::json!({}));
    assert_eq!(their_settings["Ports"], serde_json::json!({}));

    // The address is the container's, on the bridge's subnet.
    let addrs = ours(
        &pair,
        &["exec", "web", "ip", "-o", "-4", "addr", "show", "eth0"],
    );
    assert!(addrs.contains(&format!("{address}/24")), "{addrs}");

    // hosts and resolv.conf as Podman writes them, its addresses and ID aside, and the
    // `host.docker.internal` name current Podmans add (libpod-spec's files/hosts.rs).
    for file in ["/etc/hosts", "/etc/resolv.conf"] {
        let mine = placeholders(&ours(&pair, &["exec", "web", "cat", file]), settings, &id)
            .replace(" host.docker.internal", "");
        let podmans = placeholders(
            &pair.podman_ok(&["exec", "web", "cat", file]),
            their_settings,
            &podman_id,
        );
        assert_eq!(mine, podmans, "{file}");
    }
    let hosts = ours(&pair, &["exec", "web", "cat", "/etc/hosts"]);
    assert!(
        hosts.contains(&format!("{address}\t{} web", &id[..12])),
        "{hosts}"
    );
    assert!(
        hosts.contains("10.232.7.1\thost.containers.internal"),
        "{hosts}"
    );

    // Removed with its container: no namespace, no bridge.
    ours(&pair, &["rm", "-f", "web"]);
    let netns: Vec<_> = std::fs::read_dir(pair.root.join("run/netns"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(netns.is_empty(), "namespaces left: {netns:?}");
    let links = Command::new("ip").args(["-o", "link"]).output().unwrap();
    let links = String::from_utf8_lossy(&links.stdout);
    assert!(!links.contains(&bridge), "bridge {bridge} left: {links}");
}

/// An HTTP GET of /index.html on 127.0.0.1:port, retried while httpd starts.
fn http_get(port: u16) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let attempt = (|| -> std::io::Result<String> {
            let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
            stream.set_read_timeout(Some(Duration::from_secs(5)))?;
            stream.write_all(b"GET /index.html HTTP/1.0\r\n\r\n")?;
            let mut text = String::new();
            stream.read_to_string(&mut text)?;
            Ok(text)
        })();
        match attempt {
            Ok(text) if text.contains("published by -P") => return text,
            _ if Instant::now() > deadline => panic!("no answer on 127.0.0.1:{port}: {attempt:?}"),
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// `port` lines with the host port as `<PORT>`, sorted (Podman orders the ports of `-P` as
/// Go's map gives them).
/// `ps`'s PORTS with the host ports (`:32768->`, `:32768-32769->`) hidden, the mappings sorted.
fn host_ports_hidden(text: &str) -> Vec<String> {
    let mut mappings: Vec<String> = text
        .trim()
        .split(", ")
        .map(
            |mapping| match (mapping.split_once(':'), mapping.split_once("->")) {
                (Some((ip, _)), Some((_, to))) => format!("{ip}:<PORT>->{to}"),
                _ => mapping.to_string(),
            },
        )
        .collect();
    mappings.sort();
    mappings
}

fn port_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .map(|line| match line.rsplit_once(':') {
            Some((before, port)) if port.parse::<u16>().is_ok() => format!("{before}:<PORT>"),
            _ => line.to_string(),
        })
        .collect();
    lines.sort();
    lines
}

#[test]
fn publish_all_publishes_the_exposed_ports_as_podmans() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("netpublishall");
    let bridge = tagged("p");
    let _cleanup = Cleanup {
        root: pair.root.clone(),
        bridges: vec![bridge.clone()],
        networks: Vec::new(),
    };
    own_default_network(&pair, &bridge, "10.232.8.0/24");
    // The image exposes 8080/tcp, as a Dockerfile's EXPOSE would.
    let rootfs = pair.dir().join("rootfs");
    let tar = pair.dir().join("rootfs.tar");
    ours(
        &pair,
        &[
            "import",
            "--change",
            "EXPOSE 8080/tcp",
            tar.to_str().unwrap(),
            "localhost/exposed",
        ],
    );
    pair.podman
        .import_rootfs(&rootfs, "localhost/exposed", &["EXPOSE 8080/tcp"])
        .unwrap();

    let serve = "mkdir -p /www && echo published by -P > /www/index.html && \
                 exec httpd -f -p 8080 -h /www";
    let args = run_args(
        &pair,
        "web",
        &["-P", "--expose", "9090/udp", "--expose", "7000-7001"],
        &["localhost/exposed", "sh", "-c", serve],
    );
    let args = strs(&args);
    ours(&pair, &args);
    pair.podman_ok(&args);

    // Every exposed port and protocol on a free host port of every address.
    let port = ours(&pair, &["port", "web"]);
    assert_eq!(
        port_lines(&port),
        port_lines(&pair.podman_ok(&["port", "web"]))
    );
    assert_eq!(
        port_lines(&port),
        [
            "7000/tcp -> 0.0.0.0:<PORT>",
            "7001/tcp -> 0.0.0.0:<PORT>",
            "8080/tcp -> 0.0.0.0:<PORT>",
            "9090/udp -> 0.0.0.0:<PORT>",
        ]
    );
    let ctr = inspect(&ours(&pair, &["inspect", "web"]));
    let theirs = inspect(&pair.podman_ok(&["inspect", "web"]));
    for section in ["HostConfig", "NetworkSettings"] {
        let field = if section == "HostConfig" {
            "PortBindings"
        } else {
            "Ports"
        };
        let (mine, podmans) = (&ctr[section][field], &theirs[section][field]);
        assert_eq!(keys(mine), keys(podmans), "{section}.{field}");
        for (key, bindings) in mine.as_object().unwrap() {
            assert_eq!(bindings[0]["HostIp"], "", "{key}");
            assert_eq!(bindings[0]["HostIp"], podmans[key][0]["HostIp"], "{key}");
        }
    }

    // The published 8080 answers on 127.0.0.1 from the host.
    let host_port: u16 = ours(&pair, &["port", "web", "8080"])
        .trim()
        .rsplit_once(':')
        .unwrap()
        .1
        .parse()
        .unwrap();
    assert!(http_get(host_port).contains("200 OK"));
    // `ps` shows them as Podman 4.3's portsToString writes them.
    let ps = ["ps", "--filter", "name=web", "--format", "{{.Ports}}"];
    let (mine, podmans) = (ours(&pair, &ps), pair.podman_ok(&ps));
    assert!(mine.contains("0.0.0.0:"), "{mine}");
    assert_eq!(host_ports_hidden(&mine), host_ports_hidden(&podmans));

    // Exposed without -P: in inspect without a host port, not published.
    let quiet = run_args(
        &pair,
        "quiet",
        &["--expose", "9090/udp"],
        &["localhost/exposed", "sleep", "600"],
    );
    let quiet = strs(&quiet);
    ours(&pair, &quiet);
    pair.podman_ok(&quiet);
    let ports = [
        "inspect",
        "--format",
        "{{json .NetworkSettings.Ports}}",
        "quiet",
    ];
    let exposed_only = serde_json::json!({"8080/tcp": null, "9090/udp": null});
    for json in [ours(&pair, &ports), pair.podman_ok(&ports)] {
        assert_eq!(serde_json::from_str::<Value>(&json).unwrap(), exposed_only);
    }
    assert_eq!(ours(&pair, &["port", "quiet"]), "");
}

#[test]
fn expose_refusals_are_podmans() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("netexpose");
    let bridge = tagged("e");
    let _cleanup = Cleanup {
        root: pair.root.clone(),
        bridges: vec![bridge.clone()],
        networks: Vec::new(),
    };
    own_default_network(&pair, &bridge, "10.232.9.0/24");
    for value in [
        "http",
        "80/tcp/udp",
        "0",
        "81-80",
        "70000",
        "80/quic",
        "80/sctp",
    ] {
        let args = ["create", "--expose", value, "localhost/busybox", "true"];
        let (mine, podmans) = (
            common::podctl_as_given(&pair.root, &args),
            pair.podman(&args),
        );
        assert_eq!(
            (code(&mine), error_lines(&mine.stderr)),
            (code(&podmans), error_lines(&podmans.stderr)),
            "{value}"
        );
        assert_eq!(code(&mine), 125, "{value}");
    }
    assert_eq!(ours(&pair, &["ps", "-a", "-q"]), "");
}

#[test]
fn ip6_gives_the_container_its_address_on_a_dual_stack_network() {
    require_root();
    let _serial = serial();
    let pair = Pair::new("netip6");
    let network = tagged("6");
    let _cleanup = Cleanup {
        root: pair.root.clone(),
        bridges: vec![network.clone()],
        networks: vec![network.clone()],
    };
    pair.ok(&[
        "network",
        "create",
        "--subnet",
        "10.232.10.0/24",
        "--subnet",
        "fd32:232:10::/64",
        "--interface-name",
        &network,
        &network,
    ]);
    let args = run_args(
        &pair,
        "six",
        &[
            "--network",
            &network,
            "--ip",
            "10.232.10.9",
            "--ip6",
            "fd32:232:10::9",
        ],
        &["localhost/busybox", "sleep", "600"],
    );
    pair.ok(&strs(&args));
    let addrs = pair.ok(&["exec", "six", "ip", "-o", "addr", "show", "eth0"]);
    assert!(addrs.contains("10.232.10.9/24"), "{addrs}");
    assert!(addrs.contains("fd32:232:10::9/64"), "{addrs}");
    let settings =
        inspect(&pair.ok(&["inspect", "six"]))["NetworkSettings"]["Networks"][&network].clone();
    assert_eq!(settings["GlobalIPv6Address"], "fd32:232:10::9");
    assert_eq!(settings["GlobalIPv6PrefixLen"], 64);
}
