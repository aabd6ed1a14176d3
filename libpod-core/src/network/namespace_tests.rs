//! What a restore gives back of a container's networking.

use super::RestoredNetworks;
use crate::record::NetworkAttachment;
use libpod_net::types::StatusBlock;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// A checkpoint's record: on `net`, eth0 with 10.1.2.3/24 and a MAC.
fn recorded(net: &str) -> BTreeMap<String, StatusBlock> {
    let json = r#"{"interfaces":{"eth0":{"subnets":[{"ipnet":"10.1.2.3/24"}],
        "mac_address":"0a:58:0a:01:02:03"}}}"#;
    BTreeMap::from([(net.to_string(), serde_json::from_str(json).unwrap())])
}

fn attachment(net: &str, ip: Option<&str>, mac: Option<&str>) -> NetworkAttachment {
    let mut a = NetworkAttachment::new(net);
    a.static_ips = ip
        .map(|ip| ip.parse::<IpAddr>().unwrap())
        .into_iter()
        .collect();
    a.static_mac = mac.map(str::to_string);
    a
}

#[test]
fn the_recorded_address_and_mac_replace_the_attachments_own() {
    let restored = RestoredNetworks {
        status: recorded("a"),
        ..RestoredNetworks::default()
    };
    let mut attachments = [
        attachment("a", None, None),
        attachment("b", Some("10.9.9.9"), Some("0a:00:00:00:00:01")),
    ];
    attachments[0].interface_name = "eth1".into();
    restored.apply(&mut attachments);
    assert_eq!(attachments[0].interface_name, "eth0");
    assert_eq!(
        attachments[0].static_ips,
        ["10.1.2.3".parse::<IpAddr>().unwrap()]
    );
    assert_eq!(
        attachments[0].static_mac.as_deref(),
        Some("0a:58:0a:01:02:03")
    );
    // No record of `b`: its own stay.
    assert_eq!(
        attachments[1],
        attachment("b", Some("10.9.9.9"), Some("0a:00:00:00:00:01"))
    );
}

#[test]
fn ignoring_one_leaves_it_to_be_chosen_anew() {
    let mut attachments = [attachment(
        "a",
        Some("10.1.2.50"),
        Some("0a:00:00:00:00:01"),
    )];
    RestoredNetworks {
        status: recorded("a"),
        ignore_ips: true,
        ignore_mac: false,
    }
    .apply(&mut attachments);
    // As Podman: the recorded MAC, and no address at all (IPAM picks), not the static one.
    assert!(attachments[0].static_ips.is_empty());
    assert_eq!(
        attachments[0].static_mac.as_deref(),
        Some("0a:58:0a:01:02:03")
    );

    let mut attachments = [attachment("a", None, None)];
    RestoredNetworks {
        status: recorded("a"),
        ignore_ips: false,
        ignore_mac: true,
    }
    .apply(&mut attachments);
    assert_eq!(
        attachments[0].static_ips,
        ["10.1.2.3".parse::<IpAddr>().unwrap()]
    );
    assert_eq!(attachments[0].static_mac, None);
}
