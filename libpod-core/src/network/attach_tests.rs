//! A container's network mode and ports as create completes them, with the fake OCI runtime
//! and the fake network backend: nothing is set up (no container is initialised), so no
//! namespace is made and netavark never runs.

use crate::container::{
    Container, CtrCreateOption, with_command, with_exposed_ports, with_network_mode,
    with_publish_all, with_rootfs_path,
};
use crate::network::FakeBackend;
use crate::oci::FakeRuntime;
use crate::runtime::{EngineConfig, Runtime};
use crate::state::MemoryState;
use libpod_spec::NetworkMode;
use std::collections::BTreeMap;
use std::sync::Arc;
use tempfile::TempDir;

/// A runtime whose containers.conf says `netns`, and a root filesystem directory.
fn runtime(netns: NetworkMode) -> (TempDir, Runtime) {
    let dir = TempDir::new().unwrap();
    let mut engine = EngineConfig::builtin();
    engine.netns = netns;
    let rt = Runtime::builder()
        .root(dir.path().join("root"))
        .run_root(dir.path().join("run"))
        .engine_config(engine)
        .storage_driver("vfs")
        .state_store(Box::new(MemoryState::new()))
        .with_oci(Arc::new(FakeRuntime::new()))
        .network_backend(Arc::new(FakeBackend::default()))
        .open()
        .unwrap();
    std::fs::create_dir_all(dir.path().join("rootfs")).unwrap();
    (dir, rt)
}

fn create(rt: &Runtime, dir: &TempDir, extra: Vec<CtrCreateOption>) -> Container {
    let mut options = vec![
        with_rootfs_path(dir.path().join("rootfs")),
        with_command(["true"]),
    ];
    options.extend(extra);
    rt.new_container(options).unwrap()
}

#[test]
fn a_mode_not_chosen_is_containers_conf_s_bridge_on_the_default_network() {
    let (dir, rt) = runtime(EngineConfig::builtin().netns);
    let ctr = create(&rt, &dir, vec![]);
    assert_eq!(
        ctr.config().spec.network.mode,
        NetworkMode::Bridge(vec!["libpod".into()])
    );
    let attachments = rt.state().container_networks(ctr.id()).unwrap();
    assert_eq!(attachments.len(), 1);
    assert_eq!(
        (
            attachments[0].network.as_str(),
            attachments[0].interface_name.as_str()
        ),
        ("libpod", "eth0")
    );
    let inspect = ctr.inspect().unwrap();
    assert_eq!(inspect["HostConfig"]["NetworkMode"], "bridge");
    let networks = inspect["NetworkSettings"]["Networks"].as_object().unwrap();
    assert_eq!(networks.keys().collect::<Vec<_>>(), ["libpod"]);
    assert_eq!(
        networks["libpod"]["Aliases"],
        serde_json::json!([&ctr.id()[..12]])
    );

    // A mode chosen is kept.
    let none = create(&rt, &dir, vec![with_network_mode(NetworkMode::None)]);
    assert_eq!(none.config().spec.network.mode, NetworkMode::None);
    assert!(rt.state().container_networks(none.id()).unwrap().is_empty());
    assert!(
        none.inspect().unwrap()["NetworkSettings"]
            .get("Networks")
            .is_none()
    );
}

#[test]
fn containers_conf_s_mode_applies_and_an_explicit_default_asks_for_it() {
    let (dir, rt) = runtime(NetworkMode::Host);
    let ctr = create(&rt, &dir, vec![]);
    assert_eq!(ctr.config().spec.network.mode, NetworkMode::Host);
    let asked = create(&rt, &dir, vec![with_network_mode(NetworkMode::Default)]);
    assert_eq!(asked.config().spec.network.mode, NetworkMode::Host);
    let bridge = create(
        &rt,
        &dir,
        vec![with_network_mode(NetworkMode::Bridge(Vec::new()))],
    );
    assert_eq!(
        bridge.config().spec.network.mode,
        NetworkMode::Bridge(vec!["libpod".into()])
    );
}

#[test]
fn publish_all_gives_exposed_ports_free_host_ports_in_bridge_mode_only() {
    let (dir, rt) = runtime(EngineConfig::builtin().netns);
    let exposed = || with_exposed_ports(BTreeMap::from([(8080, "tcp".to_string())]));
    let ctr = create(&rt, &dir, vec![exposed(), with_publish_all()]);
    let ports = &ctr.config().port_mappings;
    assert_eq!(ports.len(), 1);
    assert_eq!((ports[0].container_port, ports[0].range), (8080, 1));
    assert_ne!(ports[0].host_port, 0, "a free host port chosen at create");
    let inspect = ctr.inspect().unwrap();
    let host_port = ports[0].host_port.to_string();
    for bindings in [
        &inspect["HostConfig"]["PortBindings"],
        &inspect["NetworkSettings"]["Ports"],
    ] {
        assert_eq!(
            bindings,
            &serde_json::json!({"8080/tcp": [{"HostIp": "", "HostPort": host_port}]})
        );
    }

    // Exposed without -P: shown without a binding.
    let exposed_only = create(&rt, &dir, vec![exposed()]);
    assert!(exposed_only.config().port_mappings.is_empty());
    assert_eq!(
        exposed_only.inspect().unwrap()["NetworkSettings"]["Ports"],
        serde_json::json!({"8080/tcp": null})
    );

    // Network mode none ignores both, as Podman does.
    let none = create(
        &rt,
        &dir,
        vec![
            exposed(),
            with_publish_all(),
            with_network_mode(NetworkMode::None),
        ],
    );
    assert!(none.config().port_mappings.is_empty());
    assert!(none.config().exposed_ports.is_empty());
}
