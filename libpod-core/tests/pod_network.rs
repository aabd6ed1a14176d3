//! A pod's network through its infra container, with the real netavark 1.4, aardvark-dns,
//! conmon, runc and catatonit: a pod made with no network option is on the runtime's default
//! network (here the test's own bridge, named as containers.conf's `default_network`), its
//! members share its address, loopback, /etc/hosts (with the pod's `--add-host`; a removed
//! member's line taken out), resolv.conf (aardvark-dns) and hostname,
//! aardvark-dns answers for the pod's name, a port published on the pod answers on the host's
//! 127.0.0.1 from busybox httpd in a member, and a member's own `-p` is refused. Force-removing
//! the running pod leaves no process, mount, cgroup, namespace, veth, firewall rule or
//! address. Traffic goes only to 127.0.0.1 and to the bridge and namespace the test made.

mod common;

use common::{CgroupParent, IMAGE, process_gone, runtime, shell};
use libpod_core::CoreError;
use libpod_core::container::{
    Container, RemoveOptions, with_cgroup_parent, with_command, with_name, with_pod,
    with_port_mappings, with_rootfs_from_image,
};
use libpod_core::exec::{ExecEnd, ExecStreams};
use libpod_core::pod::{
    PodRemoveOptions, with_pod_add_hosts, with_pod_cgroup_parent, with_pod_hostname, with_pod_name,
    with_pod_networks, with_pod_port_mappings,
};
use libpod_core::record::{ExecConfig, NetworkAttachment};
use libpod_core::runtime::{EngineConfig, Runtime};
use libpod_net::types::Network;
use libpod_testutil::{TempRoot, require_root, serial};
use std::io::{Read, Write};
use std::net::IpAddr;
use std::path::Path;
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
            Ok(text) if text.contains("hello from the pod") => return text,
            _ if Instant::now() > deadline => panic!("no answer on 127.0.0.1:{port}: {attempt:?}"),
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// The runtime on `dir` with `network` as containers.conf's default network.
fn open_with_default_network(dir: &Path, network: &str) -> Runtime {
    let mut engine = EngineConfig::builtin();
    engine.default_ulimits = vec!["nofile=1024:1024".into(), "nproc=1024:1024".into()];
    engine.default_network = Some(network.to_string());
    common::builder(dir).engine_config(engine).open().unwrap()
}

/// Removes the test's pods and network, and its bridge if netavark left it, even when an
/// assertion fails. Dropped before the cgroup parent and the temporary directory.
struct Cleanup {
    rt: Runtime,
    network: Network,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for pod in self.rt.pods().unwrap_or_default() {
            let _ = self
                .rt
                .remove_pod(&pod, PodRemoveOptions::default().force(true).timeout(0));
        }
        let _ = self.rt.remove_network(&self.network.name, true);
        let bridge = &self.network.network_interface;
        if Command::new("ip")
            .args(["link", "show", bridge])
            .output()
            .is_ok_and(|o| o.status.success())
        {
            let _ = Command::new("ip").args(["link", "del", bridge]).status();
        }
    }
}

/// The first address of `ctr` on `network`, and the network's gateway.
fn address_of(ctr: &Container, network: &str) -> (IpAddr, IpAddr) {
    let status = ctr.state().unwrap().network_status;
    let subnet = &status[network].interfaces["eth0"].subnets[0];
    (subnet.ipnet.address(), subnet.gateway.unwrap())
}

/// The lines of `iptables-save` that name the network, its subnet or the container.
fn rules_of(network: &Network, container: &str) -> Vec<String> {
    let subnet = network.subnets[0].subnet.to_string();
    host_output("iptables-save", &[])
        .lines()
        .filter(|l| l.contains(&subnet) || l.contains(&network.name) || l.contains(container))
        .map(String::from)
        .collect()
}

#[test]
fn a_pods_members_share_its_bridge_address_ports_and_names() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let cg = CgroupParent::new();
    // The busybox image, and a bridge network of the test's own, which the runtime opened
    // again takes as its default network.
    let setup = runtime(&tmp);
    let mut request = Network::default();
    request.name = format!("tpod{}", std::process::id());
    request.network_interface = format!("lpp{}", std::process::id() % 100_000);
    request.dns_enabled = true;
    let network = setup.create_network(request).unwrap();
    drop(setup);
    let rt = open_with_default_network(tmp.path(), &network.name);
    let _cleanup = Cleanup {
        rt: rt.clone(),
        network: network.clone(),
    };

    let port = libpod_net::parse::parse_publish("127.0.0.1::80").unwrap();
    let pod = rt
        .new_pod([
            with_pod_name("webpod"),
            with_pod_hostname("podhost"),
            with_pod_cgroup_parent(cg.0.clone()),
            with_pod_port_mappings(vec![port.clone()]),
            with_pod_add_hosts(["db:10.0.0.5"]),
        ])
        .unwrap();
    let infra = rt
        .container(&pod.infra_container_id().unwrap().unwrap())
        .unwrap();
    assert_eq!(
        pod.config().network_mode,
        libpod_spec::NetworkMode::Bridge(Vec::new()),
        "the runtime's default network mode"
    );
    common::oci::assert_test_runtime(&infra);
    assert_eq!(infra.config().networks[0].network, network.name);
    let host_port = infra.config().port_mappings[0].host_port;
    assert_ne!(host_port, 0, "a free host port chosen at create");

    // A member publishing a port of its own is refused in Podman's words.
    let refused = rt.new_container([
        with_pod(&pod),
        with_rootfs_from_image(IMAGE),
        with_command(["true"]),
        with_cgroup_parent(cg.0.clone()),
        with_port_mappings(vec![port]),
    ]);
    match refused {
        Err(err @ CoreError::NetworkOnPodMember { .. }) => assert_eq!(
            err.to_string(),
            "published or exposed ports must be defined when the pod is created: network \
             cannot be configured when it is shared with a pod"
        ),
        other => panic!("{other:?}"),
    }

    let web = shell(
        &rt,
        &cg,
        "mkdir -p /www && echo hello from the pod > /www/index.html && exec httpd -f -p 80 -h /www",
        vec![with_name("web"), with_pod(&pod)],
    );
    let client = shell(
        &rt,
        &cg,
        "exec sleep 1000",
        vec![with_name("client"), with_pod(&pod)],
    );
    pod.start().unwrap();

    // From the host, through the port published on the pod; between members, over loopback.
    assert!(http_get(host_port).contains("200 OK"));
    let (code, out) = sh(&client, "wget -q -O - http://127.0.0.1:80/index.html");
    assert!(
        code == 0 && out.contains("hello from the pod"),
        "{code} {out}"
    );

    // The pod's address is every member's; /etc/hosts names it with the pod's hostname,
    // resolv.conf points at aardvark-dns, which answers for the pod's name.
    let (pod_ip, gateway) = address_of(&infra, &network.name);
    let (_, addresses) = sh(&web, "ip -o addr");
    assert!(addresses.contains(&format!("{pod_ip}/")), "{addresses}");
    let (_, hosts) = sh(&client, "cat /etc/hosts");
    assert!(
        hosts
            .lines()
            .any(|l| l.starts_with(&format!("{pod_ip}\t")) && l.contains("podhost")),
        "{hosts}"
    );
    // (Podman's `127.0.0.1 NAME`: the pod's hostname is on the pod's line already.)
    assert!(hosts.contains("127.0.0.1\tclient\n"), "{hosts}");
    assert!(
        hosts.starts_with("10.0.0.5\tdb\n"),
        "the pod's --add-host: {hosts}"
    );
    assert!(
        hosts.contains(&format!("{gateway}\thost.containers.internal")),
        "{hosts}"
    );
    let (_, resolv) = sh(&client, "cat /etc/resolv.conf");
    assert!(resolv.starts_with("search dns.podman"), "{resolv}");
    assert!(
        resolv.contains(&format!("nameserver {gateway}")),
        "{resolv}"
    );
    let (code, out) = sh(&web, &format!("nslookup webpod {gateway}"));
    assert!(code == 0 && out.contains(&pod_ip.to_string()), "{out}");
    let (_, hostname) = sh(&web, "hostname");
    assert_eq!(hostname.trim(), "podhost");
    assert!(
        !rules_of(&network, infra.id()).is_empty(),
        "netavark's rules are seen"
    );

    // A member removed leaves the others' hosts file (as Podman's cleanup takes it out).
    let extra = shell(
        &rt,
        &cg,
        "exec sleep 1000",
        vec![with_name("extra"), with_pod(&pod)],
    );
    extra.start().unwrap();
    assert!(
        sh(&client, "cat /etc/hosts")
            .1
            .contains("127.0.0.1\textra\n")
    );
    rt.remove_container(&extra, RemoveOptions::default().force(true).timeout(0))
        .unwrap();
    let (_, hosts) = sh(&client, "cat /etc/hosts");
    assert!(!hosts.contains("extra"), "{hosts}");
    assert!(hosts.contains("127.0.0.1\tclient\n"), "{hosts}");

    // Force-removing the running pod leaves nothing of it.
    let mut pids = Vec::new();
    for ctr in [&web, &client, &infra] {
        let state = ctr.state().unwrap();
        pids.push(state.pid.unwrap());
        pids.extend(state.conmon_pid);
    }
    let ids: Vec<String> = [&web, &client, &infra]
        .iter()
        .map(|c| c.id().to_string())
        .collect();
    rt.remove_pod(&pod, PodRemoveOptions::default().force(true).timeout(0))
        .unwrap();
    for pid in &pids {
        assert!(process_gone(*pid), "process {pid} is left");
    }
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    for id in &ids {
        assert!(!mounts.contains(id.as_str()), "a mount of {id} is left");
    }
    let cgroups: Vec<_> = std::fs::read_dir("/sys/fs/cgroup")
        .unwrap()
        .flatten()
        .map(|e| e.path().join(cg.0.trim_start_matches('/')))
        .filter_map(|parent| std::fs::read_dir(parent).ok())
        .flat_map(|dir| dir.flatten().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().contains(pod.id()))
        .collect();
    assert!(cgroups.is_empty(), "pod cgroups left: {cgroups:?}");
    let netns: Vec<_> = std::fs::read_dir(tmp.path().join("run/netns"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(netns.is_empty(), "namespaces left: {netns:?}");
    let veths = host_output(
        "ip",
        &["-o", "link", "show", "master", &network.network_interface],
    );
    assert!(veths.trim().is_empty(), "veths left: {veths}");
    let rules = rules_of(&network, infra.id());
    assert!(rules.is_empty(), "firewall rules left: {rules:?}");
    assert!(rt.network_users(&network.name).unwrap().is_empty());
    // The address is free again: a pod asking for it statically gets it.
    let mut same = NetworkAttachment::new(network.name.clone());
    same.static_ips.push(pod_ip);
    let again = rt
        .new_pod([
            with_pod_name("again"),
            with_pod_cgroup_parent(cg.0.clone()),
            with_pod_networks(vec![same]),
        ])
        .unwrap();
    again.start().unwrap();
    let again_infra = rt
        .container(&again.infra_container_id().unwrap().unwrap())
        .unwrap();
    assert_eq!(address_of(&again_infra, &network.name).0, pod_ip);
    rt.remove_pod(&again, PodRemoveOptions::default().force(true).timeout(0))
        .unwrap();
}
