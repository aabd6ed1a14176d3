use super::parse_publish;
use crate::NetError;
use crate::types::{PortMapping, Protocol};

fn mapping(
    host_ip: &str,
    host_port: u16,
    container_port: u16,
    range: u16,
    protocol: &str,
) -> PortMapping {
    PortMapping {
        host_ip: host_ip.into(),
        container_port,
        host_port,
        range,
        protocol: protocol.into(),
    }
}

#[test]
fn every_form_podman_accepts_gives_podmans_mapping() {
    let cases = [
        ("80", mapping("", 0, 80, 1, "")),
        ("8080:80", mapping("", 8080, 80, 1, "")),
        (":80", mapping("", 0, 80, 1, "")),
        ("127.0.0.1:8080:80", mapping("127.0.0.1", 8080, 80, 1, "")),
        ("127.0.0.1::80", mapping("127.0.0.1", 0, 80, 1, "")),
        ("[::1]:8080:80", mapping("::1", 8080, 80, 1, "")),
        ("[::1]::80", mapping("::1", 0, 80, 1, "")),
        ("[::ffff:10.0.0.1]:1:2", mapping("10.0.0.1", 1, 2, 1, "")),
        ("8080-8082:80-82/udp", mapping("", 8080, 80, 3, "udp")),
        ("80-81", mapping("", 0, 80, 2, "")),
        ("53:53/tcp,udp", mapping("", 53, 53, 1, "tcp,udp")),
        ("+80", mapping("", 0, 80, 1, "")),
        ("0080:65535", mapping("", 80, 65535, 1, "")),
    ];
    for (value, want) in cases {
        assert_eq!(parse_publish(value).unwrap(), want, "{value}");
    }
}

#[test]
fn every_refusal_names_the_value_and_gives_podmans_reason() {
    let cases = [
        ("80/tcp/udp", "protocol can only be specified once"),
        ("::1]:80:80", "IPv6 addresses must be enclosed by []"),
        ("[::1]80", "IPv6 address must be followed by a colon (':')"),
        (
            "[::1]:[::2]:80",
            "at most one IPv6 address can be specified",
        ),
        (
            "[::1]:80",
            "must provide host and destination port if specifying an IP",
        ),
        (
            "[::1]:1:2:3",
            "when v6 address specified, must be [ipv6]:hostPort:ctrPort",
        ),
        ("1:2:3:4", "format is [[hostIP:]hostPort:]containerPort"),
        (
            "8080:",
            "must provide a non-empty container port to publish",
        ),
        ("", "must provide a non-empty container port to publish"),
        ("80/", "must provide a non-empty protocol to publish"),
        (
            ":8080:80",
            "must provide a non-empty container host IP to publish",
        ),
        (
            "[]:8080:80",
            "must provide a non-empty container host IP to publish",
        ),
        (
            "example.com:8080:80",
            "cannot parse \"example.com\" as an IP address",
        ),
        (
            "-1",
            "parsing container port: port numbers cannot be negative",
        ),
        (
            "80-",
            "parsing container port: must provide ending number for port range",
        ),
        ("1-2-3", "port ranges are formatted as startPort-stopPort"),
        ("81-80", "80 is not higher than 81"),
        ("80-80", "80 is not higher than 80"),
        (
            "0",
            "port numbers must be between 1 and 65535 (inclusive), got 0",
        ),
        (
            "65536",
            "port numbers must be between 1 and 65535 (inclusive), got 65536",
        ),
        (
            "http",
            "parsing container port: invalid port number: strconv.Atoi: parsing \"http\": invalid syntax",
        ),
        ("99999999999999999999", "value out of range"),
        ("x:80", "parsing host port: invalid port number"),
        (
            "8080-8081:80",
            "host and container port ranges have different lengths: 2 vs 1",
        ),
    ];
    for (value, reason) in cases {
        let err = parse_publish(value).expect_err(value);
        assert!(
            matches!(&err, NetError::InvalidPublish { value: v, .. } if v == value),
            "{value}: {err:?}"
        );
        let text = err.to_string();
        assert!(text.contains(reason), "{value}: {text}");
        assert!(text.contains(&format!("{value:?}")), "{value}: {text}");
    }
}

#[test]
fn protocols_are_read_case_insensitively_once_each_and_unknown_ones_are_refused() {
    let port = parse_publish("53:53/UDP,tcp,udp").unwrap();
    assert_eq!(
        port.protocols().unwrap(),
        vec![Protocol::Udp, Protocol::Tcp]
    );
    assert_eq!(
        parse_publish("80/sctp").unwrap().protocols().unwrap(),
        vec![Protocol::Sctp]
    );
    let err = parse_publish("80/icmp").unwrap().protocols().unwrap_err();
    assert!(
        matches!(err, NetError::InvalidProtocol { ref protocol } if protocol == "icmp"),
        "{err}"
    );
}

#[test]
fn a_mapping_serializes_with_c_commons_field_names() {
    let json = serde_json::to_value(parse_publish("127.0.0.1:8080:80/udp").unwrap()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "host_ip": "127.0.0.1",
            "container_port": 80,
            "host_port": 8080,
            "range": 1,
            "protocol": "udp"
        })
    );
    let back: PortMapping =
        serde_json::from_value(serde_json::json!({"container_port": 80})).unwrap();
    assert_eq!(back, mapping("", 0, 80, 0, ""));
}
