//! Expected texts marked "Podman 4.3.1" were produced by podman 4.3.1 with the given host
//! file bind-mounted over /etc/resolv.conf and `--network ns:<path>` (a private netns).

use super::*;

const R1: &str = "# comment\nsearch a.example b.example\nnameserver 127.0.0.1\nnameserver 10.0.0.1 # trailing\n\
                  nameserver fe80::1%eth0\nnameserver 2001:db8::1\noptions ndots:2 timeout:3\noptions edns0\n";
const R3: &str = "nameserver 10.0.0.1\noptions ndots:2 edns0\n";
const R10: &str = "nameserver 10.0.0.1\nsearch hs\noptions ndots:2 edns0\n";

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|value| value.to_string()).collect()
}

fn private(host: &str) -> ResolvParams<'_> {
    ResolvParams {
        host,
        private_netns: true,
        ..Default::default()
    }
}

fn generate(params: ResolvParams<'_>) -> String {
    generate_resolv_conf(&params).unwrap()
}

// -- generate_resolv_conf: Podman 4.3.1 outputs --

#[test]
fn private_netns_drops_localhost_and_ipv6_servers() {
    assert_eq!(
        generate(private(R1)),
        "search a.example b.example\nnameserver 10.0.0.1\noptions edns0\n"
    );
}

#[test]
fn user_options_come_before_the_hosts() {
    let options = strings(&["ndots:5"]);
    let text = generate(ResolvParams {
        dns_options: &options,
        ..private(R1)
    });
    assert_eq!(
        text,
        "search a.example b.example\nnameserver 10.0.0.1\noptions ndots:5 edns0\n"
    );
}

#[test]
fn dot_search_means_no_search_line() {
    let search = strings(&["."]);
    assert_eq!(
        generate(ResolvParams {
            dns_search: &search,
            ..private(R1)
        }),
        "nameserver 10.0.0.1\noptions edns0\n"
    );
}

#[test]
fn user_servers_replace_all_and_drop_host_search_after_user_search() {
    let (search, dns) = (strings(&["x.example"]), strings(&["1.1.1.1", "::1"]));
    let text = generate(ResolvParams {
        dns_search: &search,
        dns_servers: &dns,
        ..private(R1)
    });
    // The user's servers are never filtered, not even loopback or IPv6 ones.
    assert_eq!(
        text,
        "search x.example\nnameserver 1.1.1.1\nnameserver ::1\noptions edns0\n"
    );
}

#[test]
fn systemd_stub_in_private_netns_falls_back_to_google() {
    let host = "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n";
    assert_eq!(
        generate(private(host)),
        "search lan\nnameserver 8.8.8.8\nnameserver 8.8.4.4\noptions edns0 trust-ad\n"
    );
}

#[test]
fn host_netns_keeps_the_host_servers_as_they_are() {
    let host =
        "nameserver 127.0.0.53\nnameserver fe80::1%eth0\noptions edns0 trust-ad\nsearch lan\n";
    let text = generate(ResolvParams {
        host,
        ..Default::default()
    });
    assert_eq!(
        text,
        "search lan\nnameserver 127.0.0.53\nnameserver fe80::1%eth0\noptions edns0 trust-ad\n"
    );
}

#[test]
fn user_servers_drop_host_options_when_user_options_are_given() {
    let (dns, options) = (strings(&["1.1.1.1"]), strings(&["ndots:5"]));
    let text = generate(ResolvParams {
        dns_servers: &dns,
        dns_options: &options,
        ..private(R3)
    });
    assert_eq!(text, "nameserver 1.1.1.1\noptions ndots:5\n");
}

#[test]
fn all_three_given_ignore_the_host() {
    let (dns, search, options) = (
        strings(&["1.1.1.1"]),
        strings(&["x.example"]),
        strings(&["ndots:5"]),
    );
    let params = ResolvParams {
        dns_servers: &dns,
        dns_search: &search,
        dns_options: &options,
        ..private(R10)
    };
    assert_eq!(
        generate(params),
        "search x.example\nnameserver 1.1.1.1\noptions ndots:5\n"
    );
}

#[test]
fn user_servers_keep_host_search_and_options_when_not_given() {
    let dns = strings(&["1.1.1.1"]);
    let text = generate(ResolvParams {
        dns_servers: &dns,
        ..private(R10)
    });
    assert_eq!(
        text,
        "search hs\nnameserver 1.1.1.1\noptions ndots:2 edns0\n"
    );
}

#[test]
fn user_search_is_followed_by_the_hosts_without_user_servers() {
    let search = strings(&["y.example"]);
    let text = generate(ResolvParams {
        dns_search: &search,
        ..private(R10)
    });
    assert_eq!(
        text,
        "search y.example hs\nnameserver 10.0.0.1\noptions ndots:2 edns0\n"
    );
}

#[test]
fn all_servers_are_kept_and_domain_lines_ignored() {
    let host = "nameserver 10.0.0.1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver 10.0.0.4\nsearch x\ndomain y\n";
    assert_eq!(
        generate(private(host)),
        "search x\nnameserver 10.0.0.1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver 10.0.0.4\n"
    );
}

#[test]
fn only_localhost_servers_fall_back_to_google() {
    assert_eq!(
        generate(private("nameserver 127.0.0.1\nnameserver ::1\n")),
        "nameserver 8.8.8.8\nnameserver 8.8.4.4\n"
    );
    assert_eq!(
        generate(private("nameserver 127.1.2.3\n")),
        "nameserver 8.8.8.8\nnameserver 8.8.4.4\n"
    );
}

#[test]
fn empty_host_file_in_private_netns_falls_back_to_google() {
    assert_eq!(
        generate(private("")),
        "nameserver 8.8.8.8\nnameserver 8.8.4.4\n"
    );
}

#[test]
fn empty_host_file_in_host_netns_gives_an_empty_file() {
    assert_eq!(generate(ResolvParams::default()), "");
}

#[test]
fn user_servers_are_written_as_go_writes_ips() {
    let dns = strings(&["2001:DB8::0001", "::ffff:1.2.3.4", " 9.9.9.9 "]);
    let text = generate(ResolvParams {
        dns_servers: &dns,
        ..private(R3)
    });
    assert_eq!(
        text,
        "nameserver 2001:db8::1\nnameserver 1.2.3.4\nnameserver 9.9.9.9\noptions ndots:2 edns0\n"
    );
}

#[test]
fn empty_last_options_line_means_no_options() {
    assert_eq!(
        generate(private("nameserver 10.0.0.1\noptions ndots:2\noptions\n")),
        "nameserver 10.0.0.1\n"
    );
}

#[test]
fn host_dot_search_is_not_written() {
    assert_eq!(
        generate(private("nameserver 10.0.0.3\nsearch .\n")),
        "nameserver 10.0.0.3\n"
    );
}

// -- generate_resolv_conf: IPv6, network DNS, merging, errors --

#[test]
fn ipv6_keeps_global_ipv6_servers_but_not_zoned_ones() {
    let text = generate(ResolvParams {
        ipv6: true,
        ..private(R1)
    });
    assert_eq!(
        text,
        "search a.example b.example\nnameserver 10.0.0.1\nnameserver 2001:db8::1\noptions edns0\n"
    );
}

#[test]
fn ipv6_fallback_adds_google_ipv6_servers() {
    let text = generate(ResolvParams {
        ipv6: true,
        ..private("nameserver ::1\n")
    });
    assert_eq!(
        text,
        "nameserver 8.8.8.8\nnameserver 8.8.4.4\nnameserver 2001:4860:4860::8888\nnameserver 2001:4860:4860::8844\n"
    );
}

#[test]
fn network_dns_comes_before_the_host_servers() {
    let network = ["10.89.0.1".parse().unwrap()];
    let text = generate(ResolvParams {
        network_dns: &network,
        ..private(R3)
    });
    assert_eq!(
        text,
        "nameserver 10.89.0.1\nnameserver 10.0.0.1\noptions ndots:2 edns0\n"
    );
}

#[test]
fn network_dns_is_followed_by_the_google_fallback() {
    // Podman filters the host file (adding the fallback) before it adds the network's servers.
    let network = ["10.89.0.1".parse().unwrap()];
    let text = generate(ResolvParams {
        network_dns: &network,
        ..private("nameserver 127.0.0.53\n")
    });
    assert_eq!(
        text,
        "nameserver 10.89.0.1\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n"
    );
}

#[test]
fn user_servers_win_over_network_dns() {
    let network = ["10.89.0.1".parse().unwrap()];
    let dns = strings(&["1.1.1.1"]);
    let text = generate(ResolvParams {
        network_dns: &network,
        dns_servers: &dns,
        ..private(R3)
    });
    assert_eq!(text, "nameserver 1.1.1.1\noptions ndots:2 edns0\n");
}

#[test]
fn user_option_replaces_the_host_option_of_the_same_name() {
    // Podman 4.3.1 writes "options ndots:5 ndots:2 edns0" and "edns0 rotate ndots:2 edns0".
    let options = strings(&["ndots:5"]);
    assert_eq!(
        generate(ResolvParams {
            dns_options: &options,
            ..private(R3)
        }),
        "nameserver 10.0.0.1\noptions ndots:5 edns0\n"
    );
    let options = strings(&["edns0", "rotate"]);
    assert_eq!(
        generate(ResolvParams {
            dns_options: &options,
            ..private(R3)
        }),
        "nameserver 10.0.0.1\noptions edns0 rotate ndots:2\n"
    );
}

#[test]
fn invalid_dns_server_is_refused() {
    let dns = strings(&["1.1.1.1", "dns.example"]);
    let err = generate_resolv_conf(&ResolvParams {
        dns_servers: &dns,
        ..private(R3)
    })
    .unwrap_err();
    assert!(
        matches!(err, SpecError::InvalidValue { field: "dns", ref value, .. } if value == "dns.example"),
        "{err:?}"
    );
}

#[test]
fn dot_with_other_search_domains_is_refused() {
    let search = strings(&["a.example", "."]);
    let err = generate_resolv_conf(&ResolvParams {
        dns_search: &search,
        ..private(R3)
    })
    .unwrap_err();
    assert!(
        matches!(
            err,
            SpecError::InvalidValue {
                field: "dns-search",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn words_with_white_space_or_empty_are_refused() {
    let bad = strings(&["ndots:1\nnameserver 6.6.6.6"]);
    let err = generate_resolv_conf(&ResolvParams {
        dns_options: &bad,
        ..private(R3)
    })
    .unwrap_err();
    assert!(
        matches!(
            err,
            SpecError::InvalidValue {
                field: "dns-option",
                ..
            }
        ),
        "{err:?}"
    );
    let bad = strings(&[""]);
    let err = generate_resolv_conf(&ResolvParams {
        dns_search: &bad,
        ..private(R3)
    })
    .unwrap_err();
    assert!(
        matches!(
            err,
            SpecError::InvalidValue {
                field: "dns-search",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn network_search_domains_come_first_and_a_users_dns_replaces_them() {
    let host = "nameserver 10.0.0.1\nsearch lan\n";
    let network_dns = ["10.89.0.1".parse().unwrap()];
    let network_search = ["dns.podman".to_string()];
    let text = generate_resolv_conf(&ResolvParams {
        host,
        network_dns: &network_dns,
        network_search: &network_search,
        private_netns: true,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        text,
        "search dns.podman lan\nnameserver 10.89.0.1\nnameserver 10.0.0.1\n"
    );
    let dot = [".".to_string()];
    let text = generate_resolv_conf(&ResolvParams {
        host,
        network_dns: &network_dns,
        network_search: &network_search,
        dns_search: &dot,
        private_netns: true,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(text, "nameserver 10.89.0.1\nnameserver 10.0.0.1\n");
    // Podman 4.3: the user's servers or search domains leave `dns.podman` out.
    let servers = ["9.9.9.9".to_string()];
    let text = generate_resolv_conf(&ResolvParams {
        host,
        network_dns: &network_dns,
        network_search: &network_search,
        dns_servers: &servers,
        private_netns: true,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(text, "search lan\nnameserver 9.9.9.9\n");
    let search = ["example.org".to_string()];
    let text = generate_resolv_conf(&ResolvParams {
        host,
        network_dns: &network_dns,
        network_search: &network_search,
        dns_search: &search,
        private_netns: true,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        text,
        "search example.org lan\nnameserver 10.89.0.1\nnameserver 10.0.0.1\n"
    );
}
