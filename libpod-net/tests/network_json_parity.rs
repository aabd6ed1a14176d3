//! Network definitions in Podman's own format: what `podman network create` writes reads as our
//! `Network`, and what we write from it `podman network inspect` reads back unchanged.

mod common;

use common::{PODMAN_CONF as CONF, podman_run as run};
use libpod_net::types::Network;
use libpod_testutil::{Podman, TempRoot, require_root, serial};

fn inspect(podman: &Podman, name: &str) -> serde_json::Value {
    serde_json::from_slice(&run(podman, &["network", "inspect", name]).stdout).unwrap()
}

#[test]
fn podmans_network_files_read_as_ours_and_ours_read_back_in_podman() {
    require_root();
    let _serial = serial();
    let (theirs_dir, ours_dir) = (TempRoot::new().unwrap(), TempRoot::new().unwrap());
    let theirs = Podman::new(theirs_dir.path(), CONF);
    let ours = Podman::new(ours_dir.path(), CONF);
    let creates: [&[&str]; 3] = [
        &["network", "create", "plain"],
        &[
            "network",
            "create",
            "--subnet",
            "10.99.0.0/24",
            "--gateway",
            "10.99.0.1",
            "--ip-range",
            "10.99.0.128/25",
            "--ipv6",
            "--label",
            "a=b",
            "-o",
            "mtu=1400",
            "--internal",
            "full",
        ],
        &[
            "network",
            "create",
            "--subnet",
            "10.98.0.0/24",
            "--subnet",
            "fd98::/64",
            "--disable-dns",
            "two",
        ],
    ];
    for args in creates {
        run(&theirs, args);
    }
    std::fs::create_dir_all(ours.network_dir()).unwrap();
    for name in ["plain", "full", "two"] {
        let file = theirs.network_dir().join(format!("{name}.json"));
        let network: Network = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert_eq!(network.name, name);
        assert_eq!((network.id.len(), network.driver.as_str()), (64, "bridge"));
        assert!(
            !network.subnets.is_empty() && network.subnets[0].gateway.is_some(),
            "{name}"
        );
        std::fs::write(
            ours.network_dir().join(format!("{name}.json")),
            serde_json::to_vec_pretty(&network).unwrap(),
        )
        .unwrap();
        assert_eq!(inspect(&ours, name), inspect(&theirs, name), "{name}");
    }
    let full: Network =
        serde_json::from_slice(&std::fs::read(theirs.network_dir().join("full.json")).unwrap())
            .unwrap();
    let range = full.subnets[0].lease_range.clone().unwrap();
    assert_eq!(range.start_ip.unwrap().to_string(), "10.99.0.129");
    assert!(full.internal && full.ipv6_enabled && full.subnets[1].subnet.is_ipv6());
    assert_eq!(
        (full.labels["a"].as_str(), full.options["mtu"].as_str()),
        ("b", "1400")
    );
}
