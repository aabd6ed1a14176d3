use super::complete;
use crate::CoreError;
use crate::record::ContainerConfig;
use libpod_net::types::PortMapping;
use std::collections::BTreeMap;

/// A config whose image exposes `image_ports` and whose options expose `requested`.
fn config(image_ports: &[&str], requested: &[(u16, &str)]) -> ContainerConfig {
    let exposed: serde_json::Map<String, serde_json::Value> = image_ports
        .iter()
        .map(|port| (port.to_string(), serde_json::json!({})))
        .collect();
    let mut config = ContainerConfig {
        image_config: Some(
            serde_json::from_value(serde_json::json!({ "ExposedPorts": exposed })).unwrap(),
        ),
        ..ContainerConfig::default()
    };
    for (port, protocols) in requested {
        config
            .exposed_ports
            .entry(*port)
            .or_default()
            .extend(protocols.split(',').map(str::to_string));
    }
    config
}

fn mapping(container_port: u16, range: u16, protocol: &str) -> PortMapping {
    let mut mapping = PortMapping::default();
    mapping.container_port = container_port;
    mapping.range = range;
    mapping.protocol = protocol.into();
    mapping
}

fn refusal(mut config: ContainerConfig) -> String {
    match complete(&mut config) {
        Err(CoreError::InvalidOption {
            option: "expose",
            reason,
        }) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn the_image_s_and_the_options_exposed_ports_merge_per_port() {
    let mut config = config(
        &["80/tcp", "53/udp"],
        &[(53, "tcp,UDP"), (8080, ""), (80, "tcp")],
    );
    complete(&mut config).unwrap();
    // The image's protocols first, then the options' new ones, as Podman appends them.
    let want: BTreeMap<u16, Vec<String>> = BTreeMap::from([
        (53, vec!["udp".into(), "tcp".into()]),
        (80, vec!["tcp".into()]),
        (8080, vec!["tcp".into()]),
    ]);
    assert_eq!(config.exposed_ports, want);
    assert!(config.port_mappings.is_empty(), "published only with -P");
}

#[test]
fn publish_all_maps_each_exposed_port_and_protocol_not_published_already() {
    let mut config = config(&["80/tcp", "53/udp"], &[(53, "tcp"), (9000, "tcp")]);
    config.publish_all = true;
    // 9000-9001/tcp is published already (by -p): only udp would be new there, and it is
    // not exposed.
    config.port_mappings.push(mapping(9000, 2, ""));
    complete(&mut config).unwrap();
    let mut added: Vec<(u16, u16, String, u16)> = config.port_mappings[1..]
        .iter()
        .map(|m| (m.container_port, m.range, m.protocol.clone(), m.host_port))
        .collect();
    added.sort();
    assert_eq!(
        added,
        [
            (53, 1, "tcp".to_string(), 0),
            (53, 1, "udp".to_string(), 0),
            (80, 1, "tcp".to_string(), 0)
        ],
        "one mapping per port and protocol, its host port chosen later"
    );
}

#[test]
fn refusals_in_podmans_words() {
    assert_eq!(
        refusal(config(&[], &[(80, "quic")])),
        "validating protocols for exposed port 80: unrecognized protocol \"quic\" in port mapping"
    );
    assert_eq!(
        refusal(config(&[], &[(80, "sctp")])),
        "validating protocols for exposed port 80: protocol SCTP is not allowed for exposed ports"
    );
    assert_eq!(
        refusal(config(&[], &[(0, "tcp")])),
        "cannot expose 0 as it is not a valid port number"
    );
    assert_eq!(
        refusal(config(&["http/tcp"], &[])),
        "unable to convert image EXPOSE: invalid port number: strconv.Atoi: parsing \"http\": invalid syntax"
    );
}
