use super::*;

const R1: &str = "# comment\nsearch a.example b.example\nnameserver 127.0.0.1\nnameserver 10.0.0.1 # trailing\n\
                  nameserver fe80::1%eth0\nnameserver 2001:db8::1\noptions ndots:2 timeout:3\noptions edns0\n";

// -- parse_resolv_conf --

#[test]
fn parse_reads_servers_search_and_options() {
    let conf = parse_resolv_conf(R1);
    assert_eq!(
        conf.nameservers,
        ["127.0.0.1", "10.0.0.1", "fe80::1%eth0", "2001:db8::1"]
    );
    assert_eq!(conf.search, ["a.example", "b.example"]);
    assert_eq!(conf.options, ["edns0"], "the last options line wins");
}

#[test]
fn parse_skips_nameservers_that_are_not_one_ip() {
    let content = "nameserver 10.0.0.1 extra\nnameserver 10.0.0.2;x\nnameserver 10.0.0.256\nnameserver abc\n\
                   nameserver\nnameserver fe80::1%\nnameserver 1.2.3.4%eth0\nnameserver 10.0.0.3\n";
    assert_eq!(parse_resolv_conf(content).nameservers, ["10.0.0.3"]);
}

#[test]
fn parse_accepts_white_space_variants() {
    let conf = parse_resolv_conf(
        "nameserver   10.0.0.1  \n  nameserver 10.0.0.2\nnameserver\t10.0.0.3\nsearch   a    b  \n",
    );
    assert_eq!(conf.nameservers, ["10.0.0.1", "10.0.0.2", "10.0.0.3"]);
    assert_eq!(conf.search, ["a", "b"]);
}

#[test]
fn parse_last_search_line_wins_and_domain_is_ignored() {
    let conf = parse_resolv_conf("search x\ndomain y\n");
    assert_eq!(conf.search, ["x"]);
    assert!(parse_resolv_conf("search x\nsearch\n").search.is_empty());
}

#[test]
fn parse_strips_comments_only_after_hash() {
    let conf = parse_resolv_conf("#nameserver 1.1.1.1\nsearch a#b\noptions x # y\n");
    assert!(conf.nameservers.is_empty());
    assert_eq!(conf.search, ["a"]);
    assert_eq!(conf.options, ["x"]);
}

#[test]
fn parse_never_panics_on_odd_input() {
    for content in [
        "",
        "\n",
        "#",
        "nameserver",
        "search",
        "%",
        "nameserver %",
        "nameserver ::%é",
        "\u{0}",
    ] {
        let _ = parse_resolv_conf(content);
    }
}

// -- host_resolv_conf_path --

#[test]
fn systemd_stub_alone_switches_to_the_real_file_when_it_exists() {
    assert_eq!(
        choose_host_resolv_conf("nameserver 127.0.0.53\noptions edns0\n", true),
        SYSTEMD_RESOLVED_CONF
    );
    assert_eq!(
        choose_host_resolv_conf("nameserver 127.0.0.53\n", false),
        ETC_RESOLV_CONF
    );
}

#[test]
fn other_servers_keep_etc_resolv_conf() {
    assert_eq!(
        choose_host_resolv_conf("nameserver 127.0.0.53\nnameserver 10.0.0.1\n", true),
        ETC_RESOLV_CONF
    );
    // Podman 4.3.1 does not look for NetworkManager's file.
    assert_eq!(
        choose_host_resolv_conf("nameserver 127.0.0.1\n", true),
        ETC_RESOLV_CONF
    );
    assert_eq!(choose_host_resolv_conf("", true), ETC_RESOLV_CONF);
}

#[test]
fn host_resolv_conf_path_is_one_of_the_two() {
    let path = host_resolv_conf_path();
    assert!(
        path == Path::new(ETC_RESOLV_CONF) || path == Path::new(SYSTEMD_RESOLVED_CONF),
        "{path:?}"
    );
}
