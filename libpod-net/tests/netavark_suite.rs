//! The network backends' conformance suite on the real netavark 1.4 (with aardvark-dns), and
//! on the in-process bridge backend (a network without DNS, which it sets up itself), one test
//! per case, each on a fresh namespace and a bridge network of its own; the fixture's
//! drop tears down and removes whatever a failed case left.

use libpod_net::backend::suite::Subject;
use libpod_net::backend::{NativeBridge, Netavark, NetnsArgs, NetworkBackend};
use libpod_net::netns;
use libpod_net::types::{Network, NetworkOptions, PerNetworkOptions, Subnet};
use libpod_testutil::{TempRoot, require_root, serial};
use std::path::{Path, PathBuf};
use std::sync::MutexGuard;

/// Declared in drop order: the namespace and network go before the temp root and the lock.
struct Fixture {
    backend: Box<dyn NetworkBackend>,
    netns: PathBuf,
    network: Network,
    _tmp: TempRoot,
    _serial: MutexGuard<'static, ()>,
}

impl Subject for Fixture {
    fn backend(&self) -> &dyn NetworkBackend {
        &*self.backend
    }
    fn netns(&self) -> &Path {
        &self.netns
    }
    fn network(&self) -> &Network {
        &self.network
    }
    fn remove_netns(&self) {
        netns::remove(&self.netns).unwrap();
    }
}

impl Fixture {
    /// The suite's container on the fixture's network, as eth0 (no address).
    fn options(&self) -> NetworkOptions {
        let mut on_network = PerNetworkOptions::default();
        on_network.interface_name = "eth0".into();
        let mut options = NetworkOptions::default();
        options.container_id =
            "5u17e0000000000000000000000000000000000000000000000000000000c0de".into();
        options
            .networks
            .insert(self.network.name.clone(), on_network);
        options
    }

    fn args<'a>(&'a self, options: &'a NetworkOptions) -> NetnsArgs<'a> {
        NetnsArgs {
            netns: &self.netns,
            options,
            networks: std::slice::from_ref(&self.network),
        }
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        // Whatever the case left: the suite's container on its network, then the namespace.
        let options = self.options();
        let _ = self.backend.teardown(&self.args(&options));
        let _ = netns::remove(&self.netns);
    }
}

fn netavark() -> Fixture {
    fixture(false)
}

fn native() -> Fixture {
    let fixture = fixture(true);
    let options = fixture.options();
    let backend = NativeBridge::new(Netavark::new("/nonexistent"));
    assert!(
        backend.handles(&fixture.args(&options)),
        "set up in process, not by netavark"
    );
    fixture
}

fn fixture(native: bool) -> Fixture {
    require_root();
    let serial = serial();
    let tmp = TempRoot::new().unwrap();
    let netns = netns::create(&tmp.path().join("netns"), "suite").unwrap();
    let mut network = Network::default();
    network.name = "lpsuite".into();
    network.id = "5u17e".repeat(12) + "abcd";
    network.driver = "bridge".into();
    network.network_interface = "lpsuite0".into();
    network.dns_enabled = !native;
    network
        .ipam_options
        .insert("driver".into(), "host-local".into());
    let mut subnet = Subnet::new("10.213.77.0/24".parse().unwrap());
    subnet.gateway = Some("10.213.77.1".parse().unwrap());
    network.subnets = vec![subnet];
    Fixture {
        backend: if native {
            Box::new(NativeBridge::new(Netavark::new(
                tmp.path().join("netavark"),
            )))
        } else {
            Box::new(Netavark::new(tmp.path().join("netavark")))
        },
        netns,
        network,
        _tmp: tmp,
        _serial: serial,
    }
}

mod netavark_conformance {
    libpod_net::network_backend_suite!(super::netavark);
}

mod native_conformance {
    libpod_net::network_backend_suite!(super::native);
}
