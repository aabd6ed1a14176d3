//! `-p/--publish [[hostIP:]hostPort[-endPort]:]containerPort[-endPort][/protocol]`, as Podman's
//! `specgenutil.CreatePortBindings` reads it: the same accepted forms and the same reasons for
//! refusal. Merging several mappings (ranges, conflicts, free host ports) happens later, when the
//! container's ports are put together.

use crate::error::{NetError, Result};
use crate::types::PortMapping;
use std::net::IpAddr;

/// Parses one `-p/--publish` value.
///
/// An IPv6 host address goes in brackets (`[::1]:8080:80`); an empty host port (`:80`) asks for a
/// free one (0); a range on both sides must have the same length. The protocol is kept as given
/// (checked by [`PortMapping::protocols`]).
///
/// ```
/// use libpod_net::parse::parse_publish;
///
/// let port = parse_publish("[::1]:8080:80")?;
/// assert_eq!((port.host_ip.as_str(), port.host_port, port.container_port, port.range), ("::1", 8080, 80, 1));
/// assert_eq!(parse_publish("80")?.host_port, 0);
/// let refused = parse_publish("8080-8081:80").unwrap_err().to_string();
/// assert!(refused.contains("host and container port ranges have different lengths: 2 vs 1"), "{refused}");
/// # Ok::<(), libpod_net::NetError>(())
/// ```
pub fn parse_publish(value: &str) -> Result<PortMapping> {
    let invalid = |reason: String| NetError::InvalidPublish {
        value: value.to_string(),
        reason,
    };
    let parts = split_publish(value).map_err(|reason| invalid(reason.to_string()))?;
    mapping_from_parts(&parts).map_err(invalid)
}

/// The pieces of a `--publish` value, before their numbers are read.
#[derive(Debug, Default)]
struct PublishParts<'a> {
    host_ip: Option<&'a str>,
    host_port: Option<&'a str>,
    container_port: &'a str,
    protocol: Option<&'a str>,
}

fn split_publish(value: &str) -> std::result::Result<PublishParts<'_>, &'static str> {
    let mut parts = PublishParts::default();
    let mut slashes = value.split('/');
    let mut remainder = slashes.next().unwrap_or_default();
    parts.protocol = slashes.next();
    if slashes.next().is_some() {
        return Err("invalid port format - protocol can only be specified once");
    }

    let bracketed = match remainder.split_once(']') {
        None => false,
        Some((_, after)) if after.contains(']') => {
            return Err(
                "invalid port format - at most one IPv6 address can be specified in a --publish",
            );
        }
        Some((before, after)) => {
            let Some(address) = before.strip_prefix('[') else {
                return Err("invalid port format - IPv6 addresses must be enclosed by []");
            };
            let Some(rest) = after.strip_prefix(':') else {
                return Err("invalid port format - IPv6 address must be followed by a colon (':')");
            };
            parts.host_ip = Some(address);
            remainder = rest;
            true
        }
    };

    let fields: Vec<&str> = remainder.split(':').collect();
    match fields[..] {
        [_] if bracketed => {
            return Err(
                "invalid port format - must provide host and destination port if specifying an IP",
            );
        }
        [container] => parts.container_port = container,
        [host, container] => {
            parts.host_port = Some(host);
            parts.container_port = container;
        }
        [_, _, _] if bracketed => {
            return Err(
                "invalid port format - when v6 address specified, must be [ipv6]:hostPort:ctrPort",
            );
        }
        [ip, host, container] => {
            parts.host_ip = Some(ip);
            parts.host_port = Some(host);
            parts.container_port = container;
        }
        _ => return Err("invalid port format - format is [[hostIP:]hostPort:]containerPort"),
    }
    Ok(parts)
}

fn mapping_from_parts(parts: &PublishParts<'_>) -> std::result::Result<PortMapping, String> {
    let mut mapping = PortMapping::default();
    if parts.container_port.is_empty() {
        return Err("must provide a non-empty container port to publish".into());
    }
    let (start, len) = parse_range(parts.container_port)
        .map_err(|reason| format!("parsing container port: {reason}"))?;
    mapping.container_port = start;
    mapping.range = len;

    if let Some(protocol) = parts.protocol {
        if protocol.is_empty() {
            return Err("must provide a non-empty protocol to publish".into());
        }
        mapping.protocol = protocol.to_string();
    }
    if let Some(ip) = parts.host_ip {
        if ip.is_empty() {
            return Err("must provide a non-empty container host IP to publish".into());
        }
        let address: IpAddr = ip
            .parse()
            .map_err(|_| format!("cannot parse {ip:?} as an IP address"))?;
        // Go prints an IPv4-mapped IPv6 address as IPv4.
        mapping.host_ip = address.to_canonical().to_string();
    }
    if let Some(host) = parts.host_port.filter(|host| !host.is_empty()) {
        let (host_start, host_len) =
            parse_range(host).map_err(|reason| format!("parsing host port: {reason}"))?;
        if host_len != len {
            return Err(format!(
                "host and container port ranges have different lengths: {host_len} vs {len}"
            ));
        }
        mapping.host_port = host_start;
    }
    Ok(mapping)
}

/// `start[-end]`: the first port and the number of ports (Podman's `parseAndValidateRange`).
pub(super) fn parse_range(range: &str) -> std::result::Result<(u16, u16), String> {
    let pieces: Vec<&str> = range.split('-').collect();
    if pieces.len() > 2 {
        return Err("invalid port format - port ranges are formatted as startPort-stopPort".into());
    }
    if pieces[0].is_empty() {
        return Err("port numbers cannot be negative".into());
    }
    let start = parse_port(pieces[0])?;
    let Some(end) = pieces.get(1) else {
        return Ok((start, 1));
    };
    if end.is_empty() {
        return Err("must provide ending number for port range".into());
    }
    let end = parse_port(end)?;
    if end <= start {
        return Err(format!(
            "the end port of a range must be higher than the start port - {end} is not higher than {start}"
        ));
    }
    Ok((start, end - start + 1))
}

/// One port, 1 to 65535, read as Go's `strconv.Atoi` reads it (an optional sign, decimal digits).
fn parse_port(text: &str) -> std::result::Result<u16, String> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "invalid port number: strconv.Atoi: parsing {text:?}: invalid syntax"
        ));
    }
    let number: i64 = text.parse().map_err(|_| {
        format!("invalid port number: strconv.Atoi: parsing {text:?}: value out of range")
    })?;
    u16::try_from(number)
        .ok()
        .filter(|port| *port != 0)
        .ok_or_else(|| {
            format!("port numbers must be between 1 and 65535 (inclusive), got {number}")
        })
}

#[cfg(test)]
#[path = "publish_tests.rs"]
mod tests;
