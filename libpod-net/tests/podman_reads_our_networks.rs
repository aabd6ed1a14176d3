//! Networks our store creates read in the real podman (`podman --network-config-dir DIR
//! network ls/inspect`) as we wrote them, and networks podman creates in the same directory
//! read in our store and keep our new networks off their subnets and bridges.

mod common;

use common::{PODMAN_CONF as CONF, podman_run as run};
use libpod_net::config::{NetworkStore, StoreConfig};
use libpod_net::types::{LeaseRange, Network, Subnet};
use libpod_testutil::{Podman, TempRoot, require_root, serial};

fn podman_inspect(podman: &Podman, name: &str) -> Network {
    let out = run(podman, &["network", "inspect", name]);
    let mut networks: Vec<Network> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(networks.len(), 1);
    let mut network = networks.remove(0);
    network.created = nanos_padded(&network.created);
    network
}

/// Go's RFC 3339 drops a fraction's trailing zeros (`.66284951Z`); ours writes nine digits:
/// the same instant, padded back for the comparison.
fn nanos_padded(time: &str) -> String {
    match time.strip_suffix('Z').and_then(|t| t.split_once('.')) {
        Some((whole, fraction)) if fraction.len() < 9 => format!("{whole}.{fraction:0<9}Z"),
        _ => time.to_string(),
    }
}

fn store(podman: &Podman) -> NetworkStore {
    let mut config = StoreConfig::new(podman.network_dir());
    config.foreign_dirs.clear();
    NetworkStore::open(config).unwrap()
}

#[test]
fn podman_reads_the_networks_we_create() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let podman = Podman::new(tmp.path(), CONF);
    let store = store(&podman);

    let mut full = Network::default();
    full.name = "full".into();
    let mut subnet = Subnet::new("10.214.0.0/24".parse().unwrap());
    subnet.gateway = Some("10.214.0.254".parse().unwrap());
    let mut range = LeaseRange::default();
    range.start_ip = Some("10.214.0.100".parse().unwrap());
    range.end_ip = Some("10.214.0.199".parse().unwrap());
    subnet.lease_range = Some(range);
    full.subnets = vec![subnet];
    full.ipv6_enabled = true;
    full.internal = true;
    full.dns_enabled = true;
    full.labels.insert("team".into(), "net".into());
    full.options.insert("mtu".into(), "1400".into());
    full.options.insert("isolate".into(), "true".into());
    let full = store.create(full).unwrap();
    let plain = store.create(Network::default()).unwrap();
    let mut macvlan = Network::default();
    macvlan.name = "mac".into();
    macvlan.driver = "macvlan".into();
    macvlan.network_interface = "lo".into();
    let macvlan = store.create(macvlan).unwrap();

    for ours in [&full, &plain, &macvlan, &store.inspect("libpod").unwrap()] {
        assert_eq!(&podman_inspect(&podman, &ours.name), ours, "{}", ours.name);
        // And by ID prefix, as podman looks networks up.
        assert_eq!(podman_inspect(&podman, &ours.id[..12]).name, ours.name);
    }
    let listed = run(
        &podman,
        &["network", "ls", "--format", "{{.Name}} {{.Driver}}"],
    );
    let mut listed: Vec<String> = String::from_utf8(listed.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    listed.sort();
    let mut expected = vec![
        "full bridge".to_string(),
        "libpod bridge".into(),
        "mac macvlan".into(),
        format!("{} bridge", plain.name),
        "podman bridge".into(),
    ];
    expected.sort();
    assert_eq!(listed, expected);

    // podman removes ours, and our store no longer finds it.
    run(&podman, &["network", "rm", &plain.name]);
    assert!(store.inspect(&plain.name).is_err());
}

#[test]
fn our_store_reads_podmans_networks_and_stays_off_their_subnets() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let podman = Podman::new(tmp.path(), CONF);
    let store = store(&podman);
    run(
        &podman,
        &["network", "create", "--subnet", "10.215.0.0/24", "theirs"],
    );
    let theirs = podman_inspect(&podman, "theirs");
    // Their file holds Go's form of the time (a nanosecond count ending in 0 loses it).
    let mut read = store.inspect("theirs").unwrap();
    read.created = nanos_padded(&read.created);
    assert_eq!(read, theirs);
    // Our next network gets neither their subnet nor their bridge.
    let mut config = StoreConfig::new(podman.network_dir());
    config.foreign_dirs.clear();
    config.subnet_pools = vec![libpod_net::config::SubnetPool::new("10.215.0.0/16", 24)];
    let ours = NetworkStore::open(config)
        .unwrap()
        .create(Network::default())
        .unwrap();
    assert_eq!(ours.subnets[0].subnet.to_string(), "10.215.1.0/24");
    assert_ne!(ours.network_interface, theirs.network_interface);
    // And podman's next network gets neither ours.
    run(&podman, &["network", "create", "again"]);
    let again = podman_inspect(&podman, "again");
    assert_ne!(again.network_interface, ours.network_interface);
    assert!(!again.subnets[0].subnet.overlaps(&ours.subnets[0].subnet));
    let names: Vec<String> = store.list().unwrap().into_iter().map(|n| n.name).collect();
    assert_eq!(names, ["again", "libpod", &ours.name, "theirs"]);
}
