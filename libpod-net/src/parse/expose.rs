//! `--expose PORT[-END][/PROTOCOLS]`, as Podman 4.3 reads it: first checked as
//! go-connections' `nat.ParsePortRange` checks it (`verifyExpose`), then read by
//! `specgenutil.CreateExpose` into protocols per port. The protocols are kept as given, to be
//! checked when the container's ports are put together (as Podman's `createPortMappings`
//! checks them, with the image's `EXPOSE`).

use crate::error::{NetError, Result};
use std::collections::BTreeMap;

/// Reads `--expose` values (and an image's `ExposedPorts` keys, which have the same form) into
/// the protocols of each port, comma-separated (`tcp` when none is given; several values for
/// one port join theirs).
///
/// ```
/// use libpod_net::parse::parse_expose;
///
/// let ports = parse_expose(&["8080-8081/udp", "8080", "53/tcp,udp"])?;
/// assert_eq!(ports[&8080], "udp,tcp");
/// assert_eq!(ports[&8081], "udp");
/// assert_eq!(ports[&53], "tcp,udp");
/// let refused = parse_expose(&["http"]).unwrap_err().to_string();
/// assert_eq!(
///     refused,
///     "invalid range format for --expose: http: strconv.ParseUint: parsing \"http\": invalid syntax"
/// );
/// # Ok::<(), libpod_net::NetError>(())
/// ```
pub fn parse_expose<S: AsRef<str>>(values: &[S]) -> Result<BTreeMap<u16, String>> {
    for value in values {
        let value = value.as_ref();
        verify(value).map_err(|reason| NetError::InvalidExpose {
            value: value.to_string(),
            reason: format!("invalid range format for --expose: {value}: {reason}"),
        })?;
    }
    parse_image_expose(values)
}

/// Reads an image's `ExposedPorts` keys (`80/tcp`) as Podman's `GenExposedPorts` does: as
/// [`parse_expose`] without its first check (the keys are not flags).
///
/// ```
/// use libpod_net::parse::parse_image_expose;
///
/// assert_eq!(parse_image_expose(&["8080/tcp"])?[&8080], "tcp");
/// let refused = parse_image_expose(&["http/tcp"]).unwrap_err().to_string();
/// assert_eq!(refused, "invalid port number: strconv.Atoi: parsing \"http\": invalid syntax");
/// # Ok::<(), libpod_net::NetError>(())
/// ```
pub fn parse_image_expose<S: AsRef<str>>(keys: &[S]) -> Result<BTreeMap<u16, String>> {
    let mut ports: BTreeMap<u16, String> = BTreeMap::new();
    for key in keys {
        let value = key.as_ref();
        let refused = |reason: String| NetError::InvalidExpose {
            value: value.to_string(),
            reason,
        };
        let pieces: Vec<&str> = value.split('/').collect();
        if pieces.len() > 2 {
            return Err(refused(
                "invalid expose format - protocol can only be specified once".into(),
            ));
        }
        let protocol = pieces.get(1).copied().unwrap_or("tcp");
        let (start, len) = super::publish::parse_range(pieces[0]).map_err(refused)?;
        for port in (0..len).map(|i| start + i) {
            ports
                .entry(port)
                .and_modify(|protocols| {
                    protocols.push(',');
                    protocols.push_str(protocol);
                })
                .or_insert_with(|| protocol.to_string());
        }
    }
    Ok(ports)
}

/// go-connections' `SplitProtoPort` then `ParsePortRange`: the port part must be one or two
/// unsigned 16-bit numbers (`START-END`, END not below START); anything after a second `-` is
/// not looked at.
fn verify(value: &str) -> std::result::Result<(), String> {
    let pieces: Vec<&str> = value.split('/').collect();
    let ports = if value.is_empty() || pieces[0].is_empty() {
        ""
    } else {
        pieces[0]
    };
    if ports.is_empty() {
        return Err("Empty string specified for ports.".into());
    }
    let Some((start, rest)) = ports.split_once('-') else {
        return parse_uint16(ports).map(drop);
    };
    let end = rest.split('-').next().unwrap_or_default();
    let (start, end) = (parse_uint16(start)?, parse_uint16(end)?);
    if end < start {
        return Err(format!("Invalid range specified for the Port: {ports}"));
    }
    Ok(())
}

/// Go's `strconv.ParseUint(text, 10, 16)`, with its error text.
fn parse_uint16(text: &str) -> std::result::Result<u16, String> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.ParseUint: parsing {text:?}: invalid syntax"
        ));
    }
    text.parse()
        .map_err(|_| format!("strconv.ParseUint: parsing {text:?}: value out of range"))
}

#[cfg(test)]
#[path = "expose_tests.rs"]
mod tests;
