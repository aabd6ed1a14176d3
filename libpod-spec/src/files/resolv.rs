//! /etc/resolv.conf for a container.
//!
//! The rules are those of Podman 4.3.1 (libpod's `generateResolvConf` with containers/common's
//! `libnetwork/resolvconf`), checked against its output:
//!
//! - Start from the host's file. With a private network namespace, its loopback nameservers
//!   (127.0.0.0/8, ::1) are unreachable and dropped, as are IPv6 ones without IPv6 (and
//!   link-local ones with a zone even with IPv6); if none remain, Google's public servers
//!   are used (8.8.8.8, 8.8.4.4, plus 2001:4860:4860::8888 and ::8844 with IPv6).
//! - `--dns` servers replace all others. Without them, the networks' DNS servers
//!   (aardvark-dns) come first, followed by the host's, and the host's search domains and
//!   options are kept after the user's.
//! - `--dns-search .` means no search domains.
//! - The file is `search`, then one `nameserver` line each, then `options`.
//!
//! One deliberate difference: a `--dns-option` replaces the host's option of the same name
//! (`ndots:5` drops the host's `ndots:2`); Podman writes both, and the resolver then
//! honours the host's, defeating the user's.

use super::go_ip_string;
use crate::error::{Result, SpecError};
use std::net::{IpAddr, Ipv6Addr};
use std::path::{Path, PathBuf};

const ETC_RESOLV_CONF: &str = "/etc/resolv.conf";
const SYSTEMD_RESOLVED_CONF: &str = "/run/systemd/resolve/resolv.conf";
const SYSTEMD_RESOLVED_STUB: &str = "127.0.0.53";
const DEFAULT_IPV4_SERVERS: [&str; 2] = ["8.8.8.8", "8.8.4.4"];
const DEFAULT_IPV6_SERVERS: [&str; 2] = ["2001:4860:4860::8888", "2001:4860:4860::8844"];

/// The parts of a resolv.conf that matter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResolvConf {
    /// `nameserver` lines, in order.
    pub nameservers: Vec<String>,
    /// `search` domains.
    pub search: Vec<String>,
    /// `options`.
    pub options: Vec<String>,
}

/// What decides a container's resolv.conf.
#[derive(Clone, Debug, Default)]
pub struct ResolvParams<'a> {
    /// The host's resolv.conf content (see [`host_resolv_conf_path`]).
    pub host: &'a str,
    /// DNS servers of the container's networks (aardvark-dns); without `dns_servers`, they
    /// come first, followed by the host's servers.
    pub network_dns: &'a [IpAddr],
    /// Search domains of the container's networks (`dns.podman`): first, before the
    /// host's, when the networks' servers are used (no `dns_servers`) and no `dns_search`
    /// is given (Podman 4.3: a user's servers or search domains replace them).
    pub network_search: &'a [String],
    /// `--dns` (or containers.conf `dns_servers`); replaces all other servers.
    pub dns_servers: &'a [String],
    /// `--dns-search`; replaces the host's (kept after them when no `dns_servers` are
    /// given); `.` alone means no search domains.
    pub dns_search: &'a [String],
    /// `--dns-option`; replaces the host's options of the same name; the host's other
    /// options are kept after them when no `dns_servers` are given.
    pub dns_options: &'a [String],
    /// The container has a network namespace of its own: the host's localhost servers are
    /// unreachable and are dropped.
    pub private_netns: bool,
    /// The container has IPv6: without it, IPv6 servers are dropped.
    pub ipv6: bool,
}

/// Parses resolv.conf content.
///
/// `#` starts a comment. A `nameserver` line counts when it holds exactly one IP address
/// (IPv6 with an optional `%zone`); the last `search` and the last `options` line win, as
/// for the resolver; `domain` lines are ignored.
///
/// ```
/// use libpod_spec::files::parse_resolv_conf;
///
/// let conf = parse_resolv_conf("nameserver 10.0.0.1 # office\nsearch a.example b.example\noptions ndots:2\n");
/// assert_eq!(conf.nameservers, vec!["10.0.0.1"]);
/// assert_eq!(conf.search, vec!["a.example", "b.example"]);
/// assert_eq!(conf.options, vec!["ndots:2"]);
/// ```
pub fn parse_resolv_conf(content: &str) -> ResolvConf {
    let mut conf = ResolvConf::default();
    for line in content.lines() {
        let line = line.split('#').next().unwrap_or_default();
        let mut fields = line.split_whitespace();
        let values = |fields: std::str::SplitWhitespace<'_>| fields.map(str::to_string).collect();
        match fields.next() {
            Some("nameserver") => {
                if let (Some(server), None) = (fields.next(), fields.next())
                    && parse_nameserver(server).is_some()
                {
                    conf.nameservers.push(server.to_string());
                }
            }
            Some("search") => conf.search = values(fields),
            Some("options") => conf.options = values(fields),
            _ => {}
        }
    }
    conf
}

/// Builds the container's resolv.conf text.
///
/// An entry of `dns_servers` that is not an IP address is refused (field `dns`), as are
/// `.` among other search domains and search domains or options that are empty or hold
/// white space (fields `dns-search`, `dns-option`).
///
/// ```
/// use libpod_spec::files::{ResolvParams, generate_resolv_conf};
///
/// let text = generate_resolv_conf(&ResolvParams {
///     host: "nameserver 127.0.0.1\nnameserver 10.0.0.1\nsearch lan\n",
///     dns_options: &["ndots:2".to_string()],
///     private_netns: true,
///     ..Default::default()
/// })?;
/// assert_eq!(text, "search lan\nnameserver 10.0.0.1\noptions ndots:2\n");
/// # Ok::<(), libpod_spec::SpecError>(())
/// ```
pub fn generate_resolv_conf(params: &ResolvParams<'_>) -> Result<String> {
    let user_servers = params
        .dns_servers
        .iter()
        .map(|server| match server.trim().parse::<IpAddr>() {
            Ok(ip) => Ok(go_ip_string(ip)),
            Err(_) => Err(SpecError::invalid(
                "dns",
                server.as_str(),
                "not an IP address",
            )),
        })
        .collect::<Result<Vec<_>>>()?;
    validate_words("dns-search", params.dns_search)?;
    validate_words("dns-option", params.dns_options)?;
    let clears_search = params.dns_search.iter().any(|domain| domain == ".");
    if clears_search && params.dns_search.len() > 1 {
        return Err(SpecError::invalid(
            "dns-search",
            params.dns_search.join(" "),
            "cannot pass additional search domains when also specifying '.'",
        ));
    }

    let host = parse_resolv_conf(params.host);
    // Podman keeps the host's configuration next to the user's unless servers were given.
    let keep_host = user_servers.is_empty();

    let nameservers = if keep_host {
        let mut servers: Vec<String> = params
            .network_dns
            .iter()
            .map(|ip| go_ip_string(*ip))
            .collect();
        servers.extend(host_nameservers(
            &host.nameservers,
            params.private_netns,
            params.ipv6,
        ));
        servers
    } else {
        user_servers
    };

    let search = match params.dns_search {
        [] if keep_host => {
            let mut all = params.network_search.to_vec();
            all.extend(
                host.search
                    .into_iter()
                    .filter(|d| !params.network_search.contains(d)),
            );
            all
        }
        [] => host.search,
        _ if clears_search => Vec::new(),
        user if keep_host => user.iter().cloned().chain(host.search).collect(),
        user => user.to_vec(),
    };

    let options = match params.dns_options {
        [] => host.options,
        user if keep_host => merge_options(user, host.options),
        user => user.to_vec(),
    };

    Ok(format_resolv_conf(&nameservers, &search, &options))
}

/// The host file to start from: /etc/resolv.conf, or systemd-resolved's real one
/// (/run/systemd/resolve/resolv.conf) when /etc/resolv.conf points only at 127.0.0.53.
///
/// Podman makes that switch only for containers with a private network namespace (the stub
/// is unreachable from there); with the host's namespace, /etc/resolv.conf is used as is.
pub fn host_resolv_conf_path() -> PathBuf {
    let etc = std::fs::read_to_string(ETC_RESOLV_CONF).unwrap_or_default();
    let resolved_exists = Path::new(SYSTEMD_RESOLVED_CONF).exists();
    PathBuf::from(choose_host_resolv_conf(&etc, resolved_exists))
}

/// The decision of [`host_resolv_conf_path`], given /etc/resolv.conf's content and whether
/// systemd-resolved's file exists.
fn choose_host_resolv_conf(etc_content: &str, resolved_exists: bool) -> &'static str {
    let nameservers = parse_resolv_conf(etc_content).nameservers;
    if resolved_exists && nameservers == [SYSTEMD_RESOLVED_STUB] {
        tracing::debug!("found systemd-resolved's stub, using {SYSTEMD_RESOLVED_CONF}");
        SYSTEMD_RESOLVED_CONF
    } else {
        ETC_RESOLV_CONF
    }
}

/// A nameserver value: an IP address, or an IPv6 address with a `%zone` of word characters.
/// Returns the address and whether it had a zone.
fn parse_nameserver(value: &str) -> Option<(IpAddr, bool)> {
    if let Ok(ip) = value.parse::<IpAddr>() {
        return Some((ip, false));
    }
    let (address, zone) = value.split_once('%')?;
    let zone_ok = !zone.is_empty() && zone.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let ip = address.parse::<Ipv6Addr>().ok().filter(|_| zone_ok)?;
    Some((IpAddr::V6(ip), true))
}

/// The host's servers a container may use: all of them with the host's network namespace;
/// in a private one, not loopback ones, not IPv6 ones without IPv6, not zoned ones (the zone
/// names a host interface), and Google's servers if nothing remains.
fn host_nameservers(servers: &[String], private_netns: bool, ipv6: bool) -> Vec<String> {
    if !private_netns {
        return servers.to_vec();
    }
    let usable: Vec<String> = servers
        .iter()
        .filter(|server| match parse_nameserver(server) {
            Some((ip, zoned)) => !ip.is_loopback() && (ipv6 || ip.is_ipv4()) && !zoned,
            None => false,
        })
        .cloned()
        .collect();
    if !usable.is_empty() {
        return usable;
    }
    tracing::info!(
        "no non-localhost DNS nameservers are left in resolv.conf, using Google's public servers"
    );
    let defaults =
        DEFAULT_IPV4_SERVERS
            .iter()
            .chain(if ipv6 { &DEFAULT_IPV6_SERVERS[..] } else { &[] });
    defaults.map(|server| server.to_string()).collect()
}

/// The user's options, then the host's whose name (the part before `:`) the user did not set.
fn merge_options(user: &[String], host: Vec<String>) -> Vec<String> {
    let name = |option: &str| option.split(':').next().unwrap_or_default().to_string();
    let user_names: Vec<String> = user.iter().map(|option| name(option)).collect();
    let kept_host = host
        .into_iter()
        .filter(|option| !user_names.contains(&name(option)));
    user.iter().cloned().chain(kept_host).collect()
}

/// Search domains and options are written space-separated: they cannot be empty or hold
/// white space (a newline would even inject lines).
fn validate_words(field: &'static str, words: &[String]) -> Result<()> {
    match words
        .iter()
        .find(|word| word.is_empty() || word.chars().any(char::is_whitespace))
    {
        Some(word) => Err(SpecError::invalid(
            field,
            word.as_str(),
            "must be a non-empty word without white space",
        )),
        None => Ok(()),
    }
}

/// The file text: `search`, `nameserver`s, `options`, each line ending in a newline.
fn format_resolv_conf(nameservers: &[String], search: &[String], options: &[String]) -> String {
    let mut text = String::new();
    let search = search.join(" ");
    if !search.is_empty() && search.trim() != "." {
        text.push_str(&format!("search {search}\n"));
    }
    for server in nameservers {
        text.push_str(&format!("nameserver {server}\n"));
    }
    if !options.is_empty() {
        text.push_str(&format!("options {}\n", options.join(" ")));
    }
    text
}

#[cfg(test)]
#[path = "resolv_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "resolv_parse_tests.rs"]
mod parse_tests;
