//! Container networking for libpod-rs, as Podman's c/common `libnetwork` is for libpod: the
//! caller's side of networking (network configs, IP allocation, published ports), with the real
//! `netavark` doing the namespace work.
//!
//! The parts, each usable alone (libpod-core wires them into a container's init and cleanup):
//!
//! - [`types`]: what Podman and netavark exchange, in c/common's JSON format ([`types::Network`],
//!   [`types::NetworkOptions`], [`types::StatusBlock`], [`types::PortMapping`]).
//! - [`config`]: the network configs, one `NAME.json` per network in a directory Podman can
//!   share ([`config::NetworkStore`]: create, list, inspect, remove, prune, the default network).
//! - [`ipam`]: the addresses containers get, over the caller's [`ipam::AddressStore`].
//! - [`netns`]: network namespaces bind-mounted at a path, made and entered on threads of their
//!   own.
//! - [`backend`]: setup and teardown of a namespace on its networks ([`backend::NetworkBackend`];
//!   [`backend::Netavark`], [`backend::FakeBackend`], and the conformance suite).
//! - [`parse`] reads `-p/--publish`.
//!
//! ```
//! use libpod_net::parse::parse_publish;
//! use libpod_net::types::Protocol;
//!
//! let port = parse_publish("127.0.0.1:8080-8081:80-81/udp")?;
//! assert_eq!((port.host_ip.as_str(), port.host_port, port.container_port), ("127.0.0.1", 8080, 80));
//! assert_eq!((port.range, port.protocols()?), (2, vec![Protocol::Udp]));
//! # Ok::<(), libpod_net::NetError>(())
//! ```

#![forbid(unsafe_code)]

pub mod backend;
pub mod config;
mod error;
pub mod ipam;
mod netlink;
pub mod netns;
pub mod parse;
pub mod types;

/// Entry points of the fuzz targets into parsers that are otherwise internal: what
/// `iptables-save` prints and the kernel's link replies.
#[doc(hidden)]
pub mod fuzzing {
    /// Parses `iptables-save` text and plans a setup and a last teardown of a container with
    /// published ports against it; whether each had anything to do.
    ///
    /// ```
    /// let (setup, teardown) = libpod_net::fuzzing::plan_against_saved("*nat\nCOMMIT\n");
    /// assert!(setup && !teardown);
    /// ```
    pub fn plan_against_saved(text: &str) -> (bool, bool) {
        crate::backend::plan_against_saved(text)
    }

    /// Parses an `RTM_NEWLINK` payload: the link's index and name, when it reads.
    ///
    /// ```
    /// assert_eq!(libpod_net::fuzzing::link_reply(&[0; 3]), None);
    /// ```
    pub fn link_reply(payload: &[u8]) -> Option<(u32, String)> {
        crate::netlink::parse_link(payload).map(|link| (link.index, link.name))
    }
}

pub use error::{NetError, Result};
