//! Containers on bridge networks with the real netavark 1.4, aardvark-dns, conmon and runc:
//! a container reaches its gateway; busybox httpd answers on a port published on 127.0.0.1;
//! two containers resolve and reach each other by name and alias; an internal network has no
//! route out; disconnect takes the interface away; and after everything is removed no
//! namespace, veth, firewall rule or address is left; a container that chooses no network
//! mode is on the default network. Traffic goes only to 127.0.0.1 and to the bridges and
//! namespaces the test made.

mod common;

use common::{CgroupParent, runtime, runtime_with, shell};
use libpod_core::container::{Container, RemoveOptions, with_networks, with_port_mappings};
use libpod_core::exec::{ExecEnd, ExecStreams};
use libpod_core::record::{ExecConfig, NetworkAttachment};
use libpod_core::runtime::Runtime;
use libpod_net::config::{NetworkStore, StoreConfig};
use libpod_net::types::{Network, PortMapping};
use libpod_spec::NetworkMode;
use libpod_testutil::{TempRoot, require_root, serial};
use std::io::{Read, Write};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// Runs `script` in `ctr` with sh; its exit code and output.
fn sh(ctr: &Container, script: &str) -> (i32, String) {
    let mut config = ExecConfig::new(vec!["/bin/sh".into(), "-c".into(), script.into()]);
    config.attach_stdout = true;
    config.attach_stderr = true;
    let out = Captured::default();
    let end = ctr
        .exec(config, ExecStreams::new(out.clone(), out.clone()))
        .unwrap();
    let text = String::from_utf8_lossy(&out.0.lock().unwrap()).into_owned();
    match end {
        ExecEnd::Exited(code) => (code, text),
        other => panic!("{other:?}"),
    }
}

/// A bridge network of the test's own (its name and bridge carry the PID).
fn network(rt: &Runtime, tag: &str, internal: bool) -> Network {
    let mut request = Network::default();
    request.name = format!("t{}-{tag}", std::process::id());
    request.network_interface = format!("lpt{}{tag}", std::process::id() % 100_000);
    request.internal = internal;
    request.dns_enabled = true;
    rt.create_network(request).unwrap()
}

fn on(network: &Network, aliases: &[&str]) -> NetworkAttachment {
    let mut attachment = NetworkAttachment::new(network.name.clone());
    attachment.aliases = aliases.iter().map(|a| a.to_string()).collect();
    attachment
}

fn host_output(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// An HTTP GET to 127.0.0.1:port from the host, retried while httpd starts.
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
            Ok(text) if text.contains("hello from the container") => return text,
            _ if Instant::now() > deadline => panic!("no answer on 127.0.0.1:{port}: {attempt:?}"),
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

#[test]
fn bridge_networks_carry_traffic_and_leave_nothing_behind() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    let rt = runtime(&tmp);
    let rules_before = host_output("iptables-save", &[]);
    let mut leftovers = Leftovers::new(&rt);
    let web_net = network(&rt, "w", false);
    leftovers.networks.push(web_net.name.clone());
    let internal = network(&rt, "i", true);
    leftovers.networks.push(internal.name.clone());

    let port: PortMapping = libpod_net::parse::parse_publish("127.0.0.1::80").unwrap();
    let web = shell(
        &rt,
        &cg,
        "mkdir -p /www && echo hello from the container > /www/index.html && \
         exec httpd -f -p 80 -h /www",
        vec![
            with_networks(vec![on(&web_net, &["webalias"])]),
            with_port_mappings(vec![port]),
        ],
    );
    let client = shell(
        &rt,
        &cg,
        "exec sleep 1000",
        vec![with_networks(vec![on(&web_net, &[]), on(&internal, &[])])],
    );
    leftovers
        .containers
        .extend([web.id().to_string(), client.id().to_string()]);
    web.start().unwrap();
    client.start().unwrap();
    let host_port = web.config().port_mappings[0].host_port;
    assert_ne!(host_port, 0, "a free host port chosen at create");

    // The gateway answers (aardvark-dns listens there; busybox's ping would need NET_RAW);
    // hosts and resolv.conf name the network's DNS and the container.
    let status = client.state().unwrap().network_status;
    let gateway = status[&web_net.name].interfaces["eth0"].subnets[0]
        .gateway
        .unwrap();
    let (code, out) = sh(&client, &format!("nslookup {} {gateway}", web.name()));
    assert_eq!(code, 0, "{out}");
    let (_, resolv) = sh(&client, "cat /etc/resolv.conf");
    assert!(resolv.starts_with("search dns.podman"), "{resolv}");
    assert!(
        resolv.contains(&format!("nameserver {gateway}")),
        "{resolv}"
    );
    let (_, hosts) = sh(&client, "cat /etc/hosts");
    let own = status[&web_net.name].interfaces["eth0"].subnets[0]
        .ipnet
        .address();
    assert!(
        hosts.contains(&format!("{own}\t{} {}", &client.id()[..12], client.name())),
        "{hosts}"
    );
    let gateways: Vec<String> = status
        .values()
        .flat_map(|block| block.interfaces.values())
        .flat_map(|interface| &interface.subnets)
        .filter_map(|address| address.gateway.map(|g| g.to_string()))
        .collect();
    assert!(
        gateways
            .iter()
            .any(|g| hosts.contains(&format!("{g}\thost.containers.internal"))),
        "{hosts}"
    );

    // Names and aliases through aardvark-dns (busybox's nslookup and nc: its static wget
    // crashes in glibc's NSS), then the server reached at the address they give.
    let web_ip = web.state().unwrap().network_status[&web_net.name].interfaces["eth0"].subnets[0]
        .ipnet
        .address()
        .to_string();
    for name in [web.name(), "webalias"] {
        let (code, out) = sh(&client, &format!("nslookup {name} {gateway}"));
        assert_eq!(code, 0, "{name}: {out}");
        assert!(out.contains(&web_ip), "{name} resolved elsewhere: {out}");
    }
    let get = format!("printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 3 {web_ip} 80");
    let (code, out) = sh(&client, &get);
    assert!(
        code == 0 && out.contains("hello from the container"),
        "{code} {out}"
    );
    assert!(http_get(host_port).contains("200 OK"));

    // The internal network has no route out: only its own subnet is reachable.
    let (_, routes) = sh(&client, "ip route");
    let internal_subnet = internal.subnets[0].subnet.to_string();
    assert!(routes.contains(&internal_subnet), "{routes}");
    let default_routes = routes.lines().filter(|l| l.starts_with("default")).count();
    assert_eq!(
        default_routes, 1,
        "only the routed network's default: {routes}"
    );

    // Disconnect cuts the link.
    rt.disconnect_network(&client, &web_net.name).unwrap();
    let (_, out) = sh(&client, "ip -o addr");
    assert!(!out.contains(&own.to_string()), "address kept: {out}");
    let (code, _) = sh(&client, &format!("nslookup {} {gateway}", web.name()));
    assert_ne!(code, 0, "the gateway still reached after disconnect");
    let (_, out) = sh(&client, &get);
    assert!(
        !out.contains("hello"),
        "the web server still reached after disconnect"
    );

    for ctr in [&web, &client] {
        rt.remove_container(ctr, RemoveOptions::default().force(true))
            .unwrap();
    }
    for net in [&web_net, &internal] {
        rt.remove_network(&net.name, false).unwrap();
    }
    let netns: Vec<_> = std::fs::read_dir(tmp.path().join("run/netns"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(netns.is_empty(), "namespaces left: {netns:?}");
    let links = host_output("ip", &["-o", "link"]);
    for bridge in [&web_net.network_interface, &internal.network_interface] {
        assert!(
            !links.contains(bridge.as_str()),
            "bridge {bridge} left: {links}"
        );
    }
    let rules = host_output("iptables-save", &[]);
    for ctr in [&web, &client] {
        assert!(!rules.contains(ctr.id()), "rules of {} left", ctr.id());
    }
    let count = |text: &str| text.lines().filter(|l| l.starts_with('-')).count();
    assert_eq!(count(&rules), count(&rules_before), "firewall rules left");
}

#[test]
fn a_container_that_chooses_no_network_is_on_the_default_bridge() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    // The default network `libpod` on a bridge and subnet of this test's own, made before the
    // runtime first opens its configs (`libpod0` is every store's).
    let bridge = format!("lpt{}d", std::process::id() % 100_000);
    let mut config = StoreConfig::new(tmp.path().join("root/networks"));
    config.default_network.bridge.clone_from(&bridge);
    config.default_network.subnet = Some("10.232.11.0/24".parse().unwrap());
    NetworkStore::open(config).unwrap();
    let rt = runtime_with(&tmp, NetworkMode::Bridge(Vec::new()));

    let ctr = shell(&rt, &cg, "exec sleep 1000", vec![]);
    let _guard = Teardown {
        rt: &rt,
        ctr: &ctr,
        bridge: &bridge,
    };
    assert_eq!(
        ctr.config().spec.network.mode,
        NetworkMode::Bridge(vec!["libpod".into()])
    );
    ctr.start().unwrap();
    let status = ctr.state().unwrap().network_status;
    let address = status["libpod"].interfaces["eth0"].subnets[0]
        .ipnet
        .address();
    assert!(address.to_string().starts_with("10.232.11."), "{address}");
    let (code, addrs) = sh(&ctr, "ip -o -4 addr show eth0");
    assert_eq!(code, 0, "{addrs}");
    assert!(addrs.contains(&format!("{address}/24")), "{addrs}");
    let (_, hosts) = sh(&ctr, "cat /etc/hosts");
    assert!(
        hosts.contains(&format!("{address}\t{} {}", &ctr.id()[..12], ctr.name())),
        "{hosts}"
    );
    assert!(
        hosts.contains("10.232.11.1\thost.containers.internal"),
        "{hosts}"
    );
    let inspect = ctr.inspect().unwrap();
    assert_eq!(inspect["HostConfig"]["NetworkMode"], "bridge");
    assert_eq!(
        inspect["NetworkSettings"]["IPAddress"],
        address.to_string(),
        "the default network's address at the top level, as Podman shows it"
    );
    assert_eq!(
        inspect["NetworkSettings"]["Networks"]["libpod"]["Gateway"],
        "10.232.11.1"
    );

    rt.remove_container(&ctr, RemoveOptions::default().force(true))
        .unwrap();
    let links = host_output("ip", &["-o", "link"]);
    assert!(!links.contains(&bridge), "bridge {bridge} left: {links}");
}

/// Removes the container (its namespace, addresses and rules) and its bridge even when the
/// test fails.
/// What a test made that must go even when it fails before its own removals: containers
/// (force-removed: their netns, veths, port rules and addresses go with them), then
/// networks (their bridges and chains). What the test removed itself is not found again.
struct Leftovers<'a> {
    rt: &'a Runtime,
    containers: Vec<String>,
    networks: Vec<String>,
}

impl<'a> Leftovers<'a> {
    fn new(rt: &'a Runtime) -> Self {
        Leftovers {
            rt,
            containers: Vec::new(),
            networks: Vec::new(),
        }
    }
}

impl Drop for Leftovers<'_> {
    fn drop(&mut self) {
        for id in &self.containers {
            if let Ok(ctr) = self.rt.container(id) {
                let _ = self
                    .rt
                    .remove_container(&ctr, RemoveOptions::default().force(true));
            }
        }
        for name in &self.networks {
            let _ = self.rt.remove_network(name, true);
        }
    }
}

struct Teardown<'a> {
    rt: &'a Runtime,
    ctr: &'a Container,
    bridge: &'a str,
}

impl Drop for Teardown<'_> {
    fn drop(&mut self) {
        let _ = self
            .rt
            .remove_container(self.ctr, RemoveOptions::default().force(true));
        let exists = Command::new("ip")
            .args(["link", "show", self.bridge])
            .output()
            .is_ok_and(|o| o.status.success());
        if exists {
            let _ = Command::new("ip")
                .args(["link", "del", self.bridge])
                .status();
        }
    }
}
