use super::suite::Subject;
use super::teardown::{only_already_gone, only_dns_not_running};
use super::*;
use crate::types::Subnet;
use std::path::PathBuf;

struct Fixture {
    backend: FakeBackend,
    netns: PathBuf,
    network: Network,
}

impl Subject for Fixture {
    fn backend(&self) -> &dyn NetworkBackend {
        &self.backend
    }
    fn netns(&self) -> &Path {
        &self.netns
    }
    fn network(&self) -> &Network {
        &self.network
    }
    fn remove_netns(&self) {}
}

fn fake() -> Fixture {
    let mut network = Network {
        name: "suite".into(),
        driver: "bridge".into(),
        dns_enabled: true,
        ..Network::default()
    };
    let mut subnet = Subnet::new("10.77.0.0/24".parse().unwrap());
    subnet.gateway = Some("10.77.0.1".parse().unwrap());
    network.subnets = vec![subnet];
    Fixture {
        backend: FakeBackend::default(),
        netns: "/run/fake/netns".into(),
        network,
    }
}

mod fake_conformance {
    crate::network_backend_suite!(super::fake);
}

#[test]
fn the_fake_refuses_a_second_setup_and_forgets_on_teardown() {
    let fixture = fake();
    let on_network = crate::types::PerNetworkOptions {
        interface_name: "eth0".into(),
        ..Default::default()
    };
    let mut options = NetworkOptions {
        container_id: "c".into(),
        ..NetworkOptions::default()
    };
    options.networks.insert("suite".into(), on_network);
    let networks = [fixture.network.clone()];
    let args = NetnsArgs {
        netns: &fixture.netns,
        options: &options,
        networks: &networks,
    };
    fixture.backend.setup(&args).unwrap();
    assert_eq!(fixture.backend.networks_of(&fixture.netns), ["suite"]);
    assert!(matches!(
        fixture.backend.setup(&args),
        Err(NetError::Netavark { .. })
    ));
    fixture.backend.teardown(&args).unwrap();
    assert!(fixture.backend.networks_of(&fixture.netns).is_empty());
}

#[test]
fn only_errors_about_missing_things_count_as_already_torn_down() {
    // What netavark 1.4 printed for a second teardown and for a gone namespace.
    let twice = "netavark encountered multiple errors:\n\t- IO error: No such file or directory (os error 2)\n\t- failed to delete container veth eth0: Netlink error: No such device (os error 19)";
    assert!(only_already_gone(twice));
    assert!(only_already_gone(
        "open container netns: open /run/netns/x: IO error: No such file or directory (os error 2)"
    ));
    assert!(!only_already_gone(
        "netavark encountered multiple errors:\n\t- IO error: No such file or directory (os error 2)\n\t- iptables: Permission denied (os error 13)"
    ));
    assert!(!only_already_gone(""));
    assert!(!only_already_gone("failed to parse options"));
    // aardvark-dns not running to be told of the removed entries (netavark 1.4, a DNS
    // network whose setup never ran): done, alone or beside things already gone.
    let no_dns = "IO error: aardvark pid not found";
    assert!(only_dns_not_running(no_dns));
    assert!(only_already_gone(no_dns));
    let mixed = "netavark encountered multiple errors:\n\t- IO error: aardvark pid not found\n\t- failed to delete container veth eth1: Netlink error: No such device (os error 19)";
    assert!(only_already_gone(mixed));
    assert!(!only_dns_not_running(mixed));
    assert!(!only_dns_not_running(""));
}
