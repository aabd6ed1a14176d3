use super::*;
use std::net::IpAddr;

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

#[test]
fn cidrs_parse_as_go_parses_them_and_keep_the_address_given() {
    for (text, shown, network) in [
        ("10.88.0.5/16", "10.88.0.5/16", "10.88.0.0/16"),
        ("10.88.0.0/16", "10.88.0.0/16", "10.88.0.0/16"),
        ("0.0.0.0/0", "0.0.0.0/0", "0.0.0.0/0"),
        ("192.168.1.7/32", "192.168.1.7/32", "192.168.1.7/32"),
        ("fd00::1:5/64", "fd00::1:5/64", "fd00::/64"),
        ("::ffff:10.1.2.3/8", "10.1.2.3/8", "10.0.0.0/8"),
        ("2001:db8::/128", "2001:db8::/128", "2001:db8::/128"),
    ] {
        let net: IpNet = text.parse().unwrap();
        assert_eq!(net.to_string(), shown, "{text}");
        assert_eq!(net.network().to_string(), network, "{text}");
    }
    for bad in [
        "10.88.0.0",
        "10.88.0.0/",
        "10.88.0.0/33",
        "fd00::/129",
        "10.88.0.0/+8",
        "10.88.0.0/-1",
        "10.88.0.0/8/8",
        "10.88/16",
        "host/16",
        "/16",
        "10.88.0.0/1000",
    ] {
        assert!(bad.parse::<IpNet>().is_err(), "{bad}");
    }
}

#[test]
fn containment_and_overlap_respect_the_prefix_and_the_family() {
    let net: IpNet = "10.88.0.0/16".parse().unwrap();
    assert!(net.contains(ip("10.88.0.0")) && net.contains(ip("10.88.255.255")));
    assert!(!net.contains(ip("10.89.0.0")) && !net.contains(ip("::a58:1")));
    let v6: IpNet = "fd00::/64".parse().unwrap();
    assert!(v6.contains(ip("fd00::ffff")) && !v6.contains(ip("fd00:0:0:1::")));
    for (a, b, overlap) in [
        ("10.88.0.0/16", "10.88.3.0/24", true),
        ("10.88.3.0/24", "10.88.0.0/16", true),
        ("10.88.0.0/16", "10.89.0.0/16", false),
        ("0.0.0.0/0", "192.168.0.0/24", true),
        ("10.0.0.0/8", "fd00::/8", false),
    ] {
        let (a, b): (IpNet, IpNet) = (a.parse().unwrap(), b.parse().unwrap());
        assert_eq!(a.overlaps(&b), overlap, "{a} {b}");
    }
}

#[test]
fn mac_addresses_read_from_text_or_bytes_and_are_written_as_text() {
    let mac: MacAddress = serde_json::from_str("\"0A-1B-2C-3D-4E-5F\"").unwrap();
    assert_eq!(
        serde_json::to_string(&mac).unwrap(),
        "\"0a:1b:2c:3d:4e:5f\""
    );
    let bytes: MacAddress = serde_json::from_str("[10, 27, 44, 61, 78, 95]").unwrap();
    assert_eq!(bytes, mac);
    for bad in [
        "\"0a:1b:2c:3d:4e\"",
        "\"0a:1b:2c:3d:4e:5f:60\"",
        "\"0g:1b:2c:3d:4e:5f\"",
        "[1, 2, 3]",
        "\"0a:1b-2c:3d:4e:5f\"",
    ] {
        assert!(serde_json::from_str::<MacAddress>(bad).is_err(), "{bad}");
    }
}

#[test]
fn netavarks_status_block_reads() {
    let json = r#"{"podman": {"dns_search_domains": ["dns.podman"], "dns_server_ips": ["10.89.0.1"],
        "interfaces": {"eth0": {"mac_address": "b2:9c:6a:3e:26:34",
        "subnets": [{"gateway": "10.89.0.1", "ipnet": "10.89.0.2/24"}]}}}}"#;
    let status: std::collections::BTreeMap<String, StatusBlock> =
        serde_json::from_str(json).unwrap();
    let block = &status["podman"];
    let eth0 = &block.interfaces["eth0"];
    assert_eq!(eth0.subnets[0].ipnet.to_string(), "10.89.0.2/24");
    assert_eq!(eth0.subnets[0].gateway, Some(ip("10.89.0.1")));
    assert_eq!(eth0.mac_address.to_string(), "b2:9c:6a:3e:26:34");
    assert_eq!(
        (
            block.dns_server_ips.clone(),
            block.dns_search_domains.clone()
        ),
        (vec![ip("10.89.0.1")], vec!["dns.podman".to_string()])
    );
}

#[test]
fn network_options_serialize_as_netavark_reads_them() {
    let per = PerNetworkOptions {
        static_ips: vec![ip("10.89.0.2")],
        aliases: vec!["web".into()],
        interface_name: "eth0".into(),
        ..Default::default()
    };
    let mut options = NetworkOptions {
        container_id: "c".repeat(64),
        container_name: "web1".into(),
        container_hostname: "web1".into(),
        ..Default::default()
    };
    options.networks.insert("podman".into(), per);
    assert_eq!(
        serde_json::to_value(&options).unwrap(),
        serde_json::json!({
            "container_id": "c".repeat(64),
            "container_name": "web1",
            "networks": {"podman": {"static_ips": ["10.89.0.2"], "aliases": ["web"], "interface_name": "eth0"}},
            "container_hostname": "web1"
        })
    );
}
