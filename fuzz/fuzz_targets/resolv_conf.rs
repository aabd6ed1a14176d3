//! Fuzzes resolv.conf parsing and generation with arbitrary host content and DNS options:
//! neither may panic, and a generated file must parse back to what it was built from.
//!
//! Input: one flags byte (private netns, IPv6, network DNS), then
//! `host \0 dns-servers \0 dns-search \0 dns-options`, the lists newline-separated.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libpod_spec::files::{ResolvParams, generate_resolv_conf, parse_resolv_conf};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

fn list(part: &str) -> Vec<String> {
    if part.is_empty() {
        Vec::new()
    } else {
        part.split('\n').map(str::to_string).collect()
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let mut parts = text.splitn(4, '\0');
    let host = parts.next().unwrap_or_default();
    let dns_servers = list(parts.next().unwrap_or_default());
    let dns_search = list(parts.next().unwrap_or_default());
    let dns_options = list(parts.next().unwrap_or_default());
    let network_dns: Vec<IpAddr> = match (flags >> 2) & 3 {
        0 => Vec::new(),
        1 => vec![IpAddr::V4(Ipv4Addr::new(10, 89, 0, 1))],
        2 => vec![IpAddr::V6(Ipv6Addr::LOCALHOST)],
        _ => vec![
            IpAddr::V4(Ipv4Addr::new(10, 89, 0, 1)),
            IpAddr::V6(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 1)),
        ],
    };

    let host_conf = parse_resolv_conf(host);
    let _ = parse_resolv_conf(&text);

    let params = ResolvParams {
        host,
        network_dns: &network_dns,
        dns_servers: &dns_servers,
        dns_search: &dns_search,
        dns_options: &dns_options,
        private_netns: flags & 1 != 0,
        ipv6: flags & 2 != 0,
    };
    let Ok(generated) = generate_resolv_conf(&params) else {
        return;
    };
    assert!(generated.is_empty() || generated.ends_with('\n'));

    // What we write reads back as written: every server line kept, in order.
    let reparsed = parse_resolv_conf(&generated);
    let server_lines = generated
        .lines()
        .filter(|line| line.starts_with("nameserver "))
        .count();
    assert_eq!(reparsed.nameservers.len(), server_lines);
    if dns_servers.is_empty() && network_dns.is_empty() && !params.private_netns {
        assert_eq!(reparsed.nameservers, host_conf.nameservers);
    }
    if params.private_netns && dns_servers.is_empty() {
        assert!(
            !reparsed.nameservers.is_empty(),
            "a private netns always gets a server"
        );
    }
});
