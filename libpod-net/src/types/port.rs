//! Published ports: `-p 127.0.0.1:8080:80/tcp` as c/common's `PortMapping`.

use crate::error::{NetError, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A transport protocol of a published port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Protocol {
    /// TCP (the default).
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
}

impl Protocol {
    /// The lower-case name netavark and Podman use.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Sctp => "sctp",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Protocol {
    type Err = NetError;

    /// Parses a protocol name, case-insensitively as Podman does.
    fn from_str(text: &str) -> Result<Protocol> {
        match text.to_ascii_lowercase().as_str() {
            "tcp" => Ok(Protocol::Tcp),
            "udp" => Ok(Protocol::Udp),
            "sctp" => Ok(Protocol::Sctp),
            _ => Err(NetError::InvalidProtocol {
                protocol: text.to_string(),
            }),
        }
    }
}

/// A published port range, as c/common's `PortMapping` (`-p 127.0.0.1:8080:80/tcp`).
///
/// `host_port` 0 asks for a free host port; `range` is the number of ports (1 for one port);
/// `protocol` may list several, comma-separated (`tcp,udp`), and is empty for TCP.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PortMapping {
    /// The host address to bind, in its canonical form; empty for every address.
    pub host_ip: String,
    /// The first container port.
    pub container_port: u16,
    /// The first host port, 0 for any free one.
    pub host_port: u16,
    /// How many consecutive ports.
    pub range: u16,
    /// `tcp`, `udp`, `sctp`, or a comma-separated list of them; empty means `tcp`.
    pub protocol: String,
}

impl PortMapping {
    /// The protocols this mapping publishes (`tcp` when none was given), each once, in order.
    ///
    /// ```
    /// use libpod_net::types::{PortMapping, Protocol};
    /// let mut port = PortMapping::default();
    /// assert_eq!(port.protocols()?, vec![Protocol::Tcp]);
    /// port.protocol = "udp,TCP,udp".into();
    /// assert_eq!(port.protocols()?, vec![Protocol::Udp, Protocol::Tcp]);
    /// # Ok::<(), libpod_net::NetError>(())
    /// ```
    pub fn protocols(&self) -> Result<Vec<Protocol>> {
        if self.protocol.is_empty() {
            return Ok(vec![Protocol::Tcp]);
        }
        let mut protocols = Vec::new();
        for name in self.protocol.split(',') {
            let protocol = name.parse()?;
            if !protocols.contains(&protocol) {
                protocols.push(protocol);
            }
        }
        Ok(protocols)
    }
}
