use super::parse_expose;
use crate::NetError;
use std::collections::BTreeMap;

fn ports(values: &[&str]) -> BTreeMap<u16, String> {
    parse_expose(values).unwrap_or_else(|err| panic!("{values:?}: {err}"))
}

fn reason(value: &str) -> String {
    match parse_expose(&[value]) {
        Err(NetError::InvalidExpose {
            value: given,
            reason,
        }) => {
            assert_eq!(given, value);
            reason
        }
        other => panic!("{value}: {other:?}"),
    }
}

#[test]
fn ports_ranges_and_protocols_as_podman_reads_them() {
    assert_eq!(ports(&["80"]), BTreeMap::from([(80, "tcp".into())]));
    assert_eq!(ports(&["80/"]), BTreeMap::from([(80, String::new())]));
    assert_eq!(
        ports(&["8000-8002/udp"]),
        BTreeMap::from([
            (8000, "udp".into()),
            (8001, "udp".into()),
            (8002, "udp".into())
        ])
    );
    assert_eq!(
        ports(&["53/udp", "53", "53/tcp"]),
        BTreeMap::from([(53, "udp,tcp,tcp".into())])
    );
    // The protocol is checked later, with the image's.
    assert_eq!(ports(&["80/quic"]), BTreeMap::from([(80, "quic".into())]));
    assert!(ports(&[]).is_empty());
}

#[test]
fn refusals_in_podmans_words() {
    let cases = [
        (
            "http",
            "invalid range format for --expose: http: strconv.ParseUint: parsing \"http\": invalid syntax",
        ),
        (
            "+80",
            "invalid range format for --expose: +80: strconv.ParseUint: parsing \"+80\": invalid syntax",
        ),
        (
            "70000",
            "invalid range format for --expose: 70000: strconv.ParseUint: parsing \"70000\": value out of range",
        ),
        (
            "-80",
            "invalid range format for --expose: -80: strconv.ParseUint: parsing \"\": invalid syntax",
        ),
        (
            "81-80/udp",
            "invalid range format for --expose: 81-80/udp: Invalid range specified for the Port: 81-80",
        ),
        (
            "/tcp",
            "invalid range format for --expose: /tcp: Empty string specified for ports.",
        ),
        (
            "80/tcp/udp",
            "invalid expose format - protocol can only be specified once",
        ),
        (
            "80-81-82",
            "invalid port format - port ranges are formatted as startPort-stopPort",
        ),
        (
            "0",
            "port numbers must be between 1 and 65535 (inclusive), got 0",
        ),
        (
            "80-80",
            "the end port of a range must be higher than the start port - 80 is not higher than 80",
        ),
    ];
    for (value, want) in cases {
        assert_eq!(reason(value), want, "{value}");
    }
}

#[test]
fn a_bad_value_anywhere_refuses_them_all() {
    assert!(parse_expose(&["80", "http"]).is_err());
    // Podman checks every value's range before it reads any.
    let refused = parse_expose(&["80/tcp/udp", "http"])
        .unwrap_err()
        .to_string();
    assert!(refused.contains("--expose: http"), "{refused}");
}
