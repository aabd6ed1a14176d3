use super::*;

const HOST_HOSTS: &str = "127.0.0.1 localhost\n127.0.0.1 runsc\n127.0.0.1 vm\n";

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|value| value.to_string()).collect()
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn params<'a>(add_hosts: &'a [String], base: Option<&'a str>) -> HostsParams<'a> {
    HostsParams {
        add_hosts,
        base,
        hostname: "dfa16c5cf39d",
        name: Some("c1"),
        ..Default::default()
    }
}

#[test]
fn matches_podman_for_network_none_with_add_host() {
    // Podman 4.3 `--network none --name c1 --add-host foo:1.2.3.4`, plus host.docker.internal
    // as current Podman writes it.
    let add = strings(&["foo:1.2.3.4"]);
    let text = generate_hosts(&HostsParams {
        host_containers_internal: Some(ip("192.0.2.2")),
        ..params(&add, Some(HOST_HOSTS))
    })
    .unwrap();
    assert_eq!(
        text,
        "1.2.3.4\tfoo\n127.0.0.1\tlocalhost\n127.0.0.1\trunsc\n127.0.0.1\tvm\n\
         192.0.2.2\thost.containers.internal host.docker.internal\n127.0.0.1\tdfa16c5cf39d c1\n"
    );
}

#[test]
fn add_host_splits_at_the_first_colon_for_ipv6() {
    // Podman 4.3.1: `--add-host v6:::1` -> "::1\tv6"
    let add = strings(&["v6:::1", "db:2001:db8::5"]);
    let text = generate_hosts(&params(&add, None)).unwrap();
    assert!(text.starts_with("::1\tv6\n2001:db8::5\tdb\n"), "{text}");
}

#[test]
fn add_host_takes_several_names_separated_by_semicolons() {
    let add = strings(&["a;b;c:10.0.0.1"]);
    assert!(
        generate_hosts(&params(&add, None))
            .unwrap()
            .starts_with("10.0.0.1\ta b c\n")
    );
}

#[test]
fn add_host_ip_is_written_as_given() {
    let add = strings(&["x:2001:DB8::0001", "y: 10.0.0.1"]);
    let text = generate_hosts(&params(&add, None)).unwrap();
    assert!(
        text.starts_with("2001:DB8::0001\tx\n10.0.0.1\ty\n"),
        "{text}"
    );
}

#[test]
fn host_gateway_is_the_host_containers_internal_ip() {
    let add = strings(&["gw:host-gateway"]);
    let text = generate_hosts(&HostsParams {
        host_containers_internal: Some(ip("10.88.0.1")),
        ..params(&add, None)
    })
    .unwrap();
    assert!(text.starts_with("10.88.0.1\tgw\n"), "{text}");
}

#[test]
fn host_gateway_without_an_ip_is_refused() {
    let add = strings(&["gw:host-gateway"]);
    let err = generate_hosts(&params(&add, None)).unwrap_err();
    assert!(
        matches!(err, SpecError::InvalidValue { field: "add-host", ref value, .. } if value == "gw:host-gateway")
    );
}

#[test]
fn bad_add_hosts_are_refused() {
    for bad in [
        "foo",
        ":1.2.3.4",
        "foo:",
        "foo:bar",
        "a;;b:1.2.3.4",
        ";:1.2.3.4",
        "a b:1.2.3.4",
        "a#b:1.2.3.4",
        "x:1.2.3.4%eth0",
        "x:[::1]",
    ] {
        let add = strings(&[bad]);
        let err = generate_hosts(&params(&add, None)).unwrap_err();
        assert!(
            matches!(err, SpecError::InvalidValue { field: "add-host", ref value, .. } if value == bad),
            "{bad}: {err:?}"
        );
    }
}

#[test]
fn base_comments_blank_lines_and_bare_ips_are_dropped_and_spacing_normalised() {
    let base = "# The host\n\n127.0.0.1   localhost   loopback # me\n10.0.0.9\n  10.0.0.7\tdb  \n";
    let text = generate_hosts(&params(&[], Some(base))).unwrap();
    assert_eq!(
        text,
        "127.0.0.1\tlocalhost loopback\n10.0.0.7\tdb\n127.0.0.1\tdfa16c5cf39d c1\n"
    );
}

#[test]
fn localhost_lines_are_added_when_the_base_has_none() {
    let text = generate_hosts(&params(&[], None)).unwrap();
    assert_eq!(
        text,
        "127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.0.1\tdfa16c5cf39d c1\n"
    );
}

#[test]
fn any_localhost_name_suppresses_both_localhost_lines() {
    let text = generate_hosts(&params(&[], Some("::1 localhost ip6-localhost\n"))).unwrap();
    assert_eq!(
        text,
        "::1\tlocalhost ip6-localhost\n127.0.0.1\tdfa16c5cf39d c1\n"
    );
}

#[test]
fn user_names_are_never_shadowed() {
    let add = strings(&["host.docker.internal:10.0.0.2", "c1:10.0.0.3"]);
    let text = generate_hosts(&HostsParams {
        host_containers_internal: Some(ip("192.0.2.2")),
        ..params(&add, Some("127.0.0.1 localhost\n"))
    })
    .unwrap();
    assert_eq!(
        text,
        "10.0.0.2\thost.docker.internal\n10.0.0.3\tc1\n127.0.0.1\tlocalhost\n\
         192.0.2.2\thost.containers.internal\n127.0.0.1\tdfa16c5cf39d\n"
    );
}

#[test]
fn container_ips_each_get_the_hostname_and_name() {
    let ips = [ip("10.88.0.5"), ip("fd00::5")];
    let text = generate_hosts(&HostsParams {
        container_ips: &ips,
        ..params(&[], Some(HOST_HOSTS))
    })
    .unwrap();
    assert_eq!(
        text,
        "127.0.0.1\tlocalhost\n127.0.0.1\trunsc\n127.0.0.1\tvm\n10.88.0.5\tdfa16c5cf39d c1\nfd00::5\tdfa16c5cf39d c1\n"
    );
}

#[test]
fn container_without_a_name_lists_its_hostname_alone() {
    let text = generate_hosts(&HostsParams {
        name: None,
        ..params(&[], Some(HOST_HOSTS))
    })
    .unwrap();
    assert!(text.ends_with("127.0.0.1\tdfa16c5cf39d\n"), "{text}");
}

#[test]
fn mapped_ipv6_addresses_are_written_as_ipv4() {
    let ips = [ip("::ffff:10.0.0.5")];
    let text = generate_hosts(&HostsParams {
        container_ips: &ips,
        ..params(&[], Some(HOST_HOSTS))
    })
    .unwrap();
    assert!(text.ends_with("10.0.0.5\tdfa16c5cf39d c1\n"), "{text}");
}

#[test]
fn never_panics_on_odd_base_content() {
    for base in ["", "#", "\n\n", "a", "a b # c", "\u{0} \u{0}", "é ü"] {
        let _ = generate_hosts(&params(&[], Some(base))).unwrap();
    }
}

#[test]
fn host_network_has_no_entry_for_the_container() {
    let text = generate_hosts(&HostsParams {
        base: Some("127.0.0.1 localhost\n::1 localhost\n"),
        hostname: "web",
        name: Some("c1"),
        host_network: true,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(text, "127.0.0.1\tlocalhost\n::1\tlocalhost\n");
}
