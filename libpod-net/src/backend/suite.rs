//! The conformance suite every [`NetworkBackend`] passes, public behind the `testsuite`
//! feature.
//!
//! [`network_backend_suite!`](crate::network_backend_suite) makes one `#[test]` per case, each
//! on a fresh [`Subject`] from the given constructor: a backend, a namespace no one set up, and
//! a bridge network (a /24 with its gateway, DNS enabled) that no other subject uses at the
//! same time. For a real backend the cases need root; a subject whose drop tears down and
//! removes what a failed case left keeps a failure from leaking interfaces and rules.
//!
//! ```
//! // In a test crate with libpod-net's `testsuite` feature:
//! use libpod_net::backend::{FakeBackend, NetworkBackend, suite::Subject};
//! use libpod_net::types::{Network, Subnet};
//! use std::path::{Path, PathBuf};
//!
//! struct Fixture {
//!     backend: FakeBackend,
//!     netns: PathBuf,
//!     network: Network,
//! }
//!
//! impl Subject for Fixture {
//!     fn backend(&self) -> &dyn NetworkBackend { &self.backend }
//!     fn netns(&self) -> &Path { &self.netns }
//!     fn network(&self) -> &Network { &self.network }
//!     fn remove_netns(&self) {}
//! }
//!
//! fn fake() -> Fixture {
//!     let mut network = Network::default();
//!     network.name = "suite".into();
//!     network.driver = "bridge".into();
//!     network.dns_enabled = true;
//!     let mut subnet = Subnet::new("10.77.0.0/24".parse().unwrap());
//!     subnet.gateway = Some("10.77.0.1".parse().unwrap());
//!     network.subnets = vec![subnet];
//!     Fixture { backend: FakeBackend::default(), netns: "/nonexistent/ns".into(), network }
//! }
//!
//! // One #[test] per case: fake_conformance::setup_reports_the_requested_address, ...
//! mod fake_conformance {
//!     libpod_net::network_backend_suite!(super::fake);
//! }
//! # fn main() {}
//! ```

use super::NetnsArgs;
use super::NetworkBackend;
use crate::error::NetError;
use crate::types::{Network, NetworkOptions, PerNetworkOptions};
use std::net::IpAddr;
use std::path::Path;

/// A backend under test, with a namespace and a network of its own.
pub trait Subject {
    /// The backend.
    fn backend(&self) -> &dyn NetworkBackend;
    /// A network namespace nothing is set up in yet.
    fn netns(&self) -> &Path;
    /// A bridge network: one IPv4 /24 with its gateway, DNS enabled, not internal.
    fn network(&self) -> &Network;
    /// Makes the namespace disappear, as a crash before teardown does.
    fn remove_netns(&self);
}

/// The conformance suite of network backends: one `#[test]` per case of
/// [`backend::suite`](crate::backend::suite), each on a fresh subject made by `$make()`,
/// which returns a [`Subject`](crate::backend::suite::Subject) (a function path or a closure).
///
/// Invoke it inside a module of its own (one per backend): the tests are named after the
/// cases. Needs the `testsuite` feature.
#[macro_export]
macro_rules! network_backend_suite {
    ($make:expr) => {
        $crate::network_backend_suite!(@each $make;
            setup_reports_the_requested_address, dns_networks_report_their_name_server,
            teardown_after_setup_succeeds_twice, teardown_without_setup_succeeds,
            teardown_succeeds_when_the_namespace_is_gone, setup_works_again_after_teardown,
            a_network_without_definition_is_refused, an_empty_interface_name_is_refused,
            an_address_outside_the_subnet_is_refused);
    };
    (@each $make:expr; $($case:ident),+) => {
        $(
            #[test]
            fn $case() {
                let subject = ($make)();
                $crate::backend::suite::$case(&subject);
            }
        )+
    };
}

/// The container's options on the subject's network, with `address` (the subnet's tenth).
fn options(subject: &dyn Subject) -> (NetworkOptions, IpAddr) {
    let network = subject.network();
    let address = tenth(network);
    let on_network = PerNetworkOptions {
        interface_name: "eth0".into(),
        static_ips: vec![address],
        ..PerNetworkOptions::default()
    };
    let mut options = NetworkOptions {
        container_id: "5u17e0000000000000000000000000000000000000000000000000000000c0de".into(),
        container_name: "suite".into(),
        ..NetworkOptions::default()
    };
    options.networks.insert(network.name.clone(), on_network);
    (options, address)
}

fn tenth(network: &Network) -> IpAddr {
    match network.subnets[0].subnet.network().address() {
        IpAddr::V4(v4) => IpAddr::V4((u32::from(v4) + 10).into()),
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) + 10).into()),
    }
}

fn args<'a>(subject: &'a dyn Subject, options: &'a NetworkOptions) -> NetnsArgs<'a> {
    NetnsArgs {
        netns: subject.netns(),
        options,
        networks: std::slice::from_ref(subject.network()),
    }
}

/// Setup reports one block, for the network, with the address on `eth0` and the gateway.
pub fn setup_reports_the_requested_address(subject: &dyn Subject) {
    let (options, address) = options(subject);
    let status = subject.backend().setup(&args(subject, &options)).unwrap();
    let network = subject.network();
    assert_eq!(status.keys().collect::<Vec<_>>(), [&network.name]);
    let eth0 = &status[&network.name].interfaces["eth0"];
    assert_eq!(eth0.subnets.len(), 1);
    assert_eq!(eth0.subnets[0].ipnet.address(), address);
    assert_eq!(
        eth0.subnets[0].ipnet.prefix(),
        network.subnets[0].subnet.prefix()
    );
    assert_eq!(eth0.subnets[0].gateway, network.subnets[0].gateway);
    subject
        .backend()
        .teardown(&args(subject, &options))
        .unwrap();
}

/// A DNS-enabled network names its gateway as the name server, with `dns.podman`; a network
/// without DNS names none.
pub fn dns_networks_report_their_name_server(subject: &dyn Subject) {
    let (options, _) = options(subject);
    let status = subject.backend().setup(&args(subject, &options)).unwrap();
    let block = &status[&subject.network().name];
    if subject.network().dns_enabled {
        let gateway = subject.network().subnets[0].gateway.unwrap();
        assert_eq!(block.dns_server_ips, [gateway]);
        assert_eq!(block.dns_search_domains, ["dns.podman"]);
    } else {
        // No DNS on the network, and the container named no servers: none reported.
        assert!(block.dns_server_ips.is_empty(), "{block:?}");
        assert!(block.dns_search_domains.is_empty(), "{block:?}");
    }
    subject
        .backend()
        .teardown(&args(subject, &options))
        .unwrap();
}

/// Teardown after setup succeeds, and again.
pub fn teardown_after_setup_succeeds_twice(subject: &dyn Subject) {
    let (options, _) = options(subject);
    subject.backend().setup(&args(subject, &options)).unwrap();
    subject
        .backend()
        .teardown(&args(subject, &options))
        .unwrap();
    subject
        .backend()
        .teardown(&args(subject, &options))
        .unwrap();
}

/// Teardown of a namespace never set up succeeds.
pub fn teardown_without_setup_succeeds(subject: &dyn Subject) {
    let (options, _) = options(subject);
    subject
        .backend()
        .teardown(&args(subject, &options))
        .unwrap();
}

/// Teardown after the namespace disappeared (a crash) succeeds.
pub fn teardown_succeeds_when_the_namespace_is_gone(subject: &dyn Subject) {
    let (options, _) = options(subject);
    subject.backend().setup(&args(subject, &options)).unwrap();
    subject.remove_netns();
    subject
        .backend()
        .teardown(&args(subject, &options))
        .unwrap();
}

/// A namespace torn down can be set up again, with the same address.
pub fn setup_works_again_after_teardown(subject: &dyn Subject) {
    let (options, address) = options(subject);
    subject.backend().setup(&args(subject, &options)).unwrap();
    subject
        .backend()
        .teardown(&args(subject, &options))
        .unwrap();
    let status = subject.backend().setup(&args(subject, &options)).unwrap();
    let eth0 = &status[&subject.network().name].interfaces["eth0"];
    assert_eq!(eth0.subnets[0].ipnet.address(), address);
    subject
        .backend()
        .teardown(&args(subject, &options))
        .unwrap();
}

/// Options naming a network whose definition is missing are refused before anything is done.
pub fn a_network_without_definition_is_refused(subject: &dyn Subject) {
    let (mut options, _) = options(subject);
    let on_network = options.networks.values().next().cloned().unwrap();
    options
        .networks
        .insert("no-such-network".into(), on_network);
    let refused = subject.backend().setup(&args(subject, &options));
    assert!(
        matches!(refused, Err(NetError::InvalidSetup(_))),
        "{refused:?}"
    );
}

/// An empty interface name is refused.
pub fn an_empty_interface_name_is_refused(subject: &dyn Subject) {
    let (mut options, _) = options(subject);
    options
        .networks
        .values_mut()
        .for_each(|o| o.interface_name.clear());
    let refused = subject.backend().setup(&args(subject, &options));
    assert!(
        matches!(refused, Err(NetError::InvalidSetup(_))),
        "{refused:?}"
    );
}

/// A static address outside the network's subnets is refused.
pub fn an_address_outside_the_subnet_is_refused(subject: &dyn Subject) {
    let (mut options, _) = options(subject);
    let outside: IpAddr = "192.0.2.10".parse().unwrap();
    options
        .networks
        .values_mut()
        .for_each(|o| o.static_ips = vec![outside]);
    let refused = subject.backend().setup(&args(subject, &options));
    assert!(
        matches!(refused, Err(NetError::InvalidSetup(_))),
        "{refused:?}"
    );
}
