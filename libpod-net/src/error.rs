//! The crate's one error type.

use std::net::IpAddr;
use std::path::PathBuf;

/// What went wrong in libpod-net. Each variant names the value and what was wrong with it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// A `-p/--publish` value that does not parse, with Podman's reason.
    #[error("invalid publish value {value:?}: {reason}")]
    InvalidPublish {
        /// The value as given.
        value: String,
        /// Why it was refused, in Podman's words.
        reason: String,
    },
    /// A port mapping's protocol that is not `tcp`, `udp` or `sctp`.
    #[error("unrecognized protocol {protocol:?} in port mapping")]
    InvalidProtocol {
        /// The protocol as given.
        protocol: String,
    },

    // -- network configs --
    /// A network definition refused as c/common refuses it (a bad name, option, driver, CIDR,
    /// gateway or lease range), with c/common's reason.
    #[error("network {network:?}: {reason}")]
    InvalidNetwork {
        /// The network's name (empty when none was given yet).
        network: String,
        /// Why, in c/common's words.
        reason: String,
    },
    /// A subnet that is not `ADDRESS/PREFIX`.
    #[error("invalid subnet {value:?}")]
    InvalidCidr {
        /// The value as given.
        value: String,
    },
    /// A gateway or lease-range address outside its subnet.
    #[error("{what} {address} not in subnet {subnet}")]
    AddressOutsideSubnet {
        /// `gateway`, `lease range start ip`, `lease range end ip`, `static ip`.
        what: &'static str,
        /// The address.
        address: IpAddr,
        /// The subnet it should be in.
        subnet: String,
    },
    /// A subnet that overlaps another network's or a host interface's.
    #[error("subnet {subnet} is already used on the host or by another config ({by})")]
    SubnetInUse {
        /// The subnet asked for.
        subnet: String,
        /// What uses it: a network's name or a host interface.
        by: String,
    },
    /// No free subnet left in the subnet pools.
    #[error("could not find free subnet from subnet pools")]
    NoFreeSubnet,
    /// A network name already used by another network.
    #[error("network name {name} already used")]
    NetworkExists {
        /// The name.
        name: String,
    },
    /// A bridge (or other interface) name already used by another network.
    #[error("bridge name {name} already in use")]
    InterfaceInUse {
        /// The interface name.
        name: String,
    },
    /// An interface name the kernel would refuse (too long, `.`, `/`, `:`, whitespace).
    #[error("network interface name {name:?} invalid: {reason}")]
    InvalidInterfaceName {
        /// The name as given.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// No network with that name or ID (prefix).
    #[error("unable to find network with name or ID {name_or_id}: network not found")]
    NoSuchNetwork {
        /// What was looked up.
        name_or_id: String,
    },
    /// An ID prefix that matches more than one network.
    #[error("more than one result for network ID {prefix}")]
    AmbiguousNetworkId {
        /// The prefix.
        prefix: String,
    },
    /// The default network cannot be removed.
    #[error("default network {name} cannot be removed")]
    DefaultNetworkRemoval {
        /// Its name.
        name: String,
    },
    /// A network file that does not parse.
    #[error("network file {}: {reason}", path.display())]
    BadNetworkFile {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        reason: String,
    },

    // -- IPAM --
    /// Every address of the network's subnet (or lease range) is allocated.
    #[error("IPAM error: failed to find free IP in range {subnet} of network {network}")]
    SubnetExhausted {
        /// The network.
        network: String,
        /// The subnet (or range) that is full.
        subnet: String,
    },
    /// A static address already allocated to another container.
    #[error("IPAM error: requested ip address {address} is already allocated on network {network}")]
    AddressInUse {
        /// The network.
        network: String,
        /// The address.
        address: IpAddr,
    },
    /// A static address that no container may have (outside every subnet, the network or
    /// broadcast address, the gateway, outside the lease range).
    #[error("requested static ip {address} on network {network}: {reason}")]
    InvalidStaticIp {
        /// The network.
        network: String,
        /// The address.
        address: IpAddr,
        /// Why.
        reason: &'static str,
    },
    /// A static MAC that is not a unicast address.
    #[error("invalid static MAC address {mac}: {reason}")]
    InvalidMac {
        /// The MAC as written.
        mac: String,
        /// Why.
        reason: &'static str,
    },
    /// The caller's address store failed (core's database).
    #[error("IPAM store: {0}")]
    AddressStore(String),

    // -- namespaces and the backend --
    /// A system call on a network namespace failed.
    #[error("netns {op} {}: {source}", path.display())]
    Netns {
        /// What was being done.
        op: &'static str,
        /// The namespace's path.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// A netlink request refused by the kernel.
    #[error("netlink {op}: {source}")]
    Netlink {
        /// What was asked.
        op: &'static str,
        /// The kernel's errno.
        #[source]
        source: std::io::Error,
    },
    /// netavark failed with `{"error": ...}` (or no parsable output).
    #[error("netavark {verb} (exit code {code:?}): {message}")]
    Netavark {
        /// `setup` or `teardown`.
        verb: &'static str,
        /// Its exit code.
        code: Option<i32>,
        /// Its error message, as it printed it.
        message: String,
    },
    /// A backend could not be run at all (binary missing, pipe failed).
    #[error("running {}: {source}", program.display())]
    Exec {
        /// The binary.
        program: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// `iptables-save` or `iptables-restore` failed (what it printed).
    #[error("{program}: {message}")]
    Firewall {
        /// The program.
        program: &'static str,
        /// Its error output.
        message: String,
    },
    /// A kernel setting under `/proc/sys` could not be read or written.
    #[error("sysctl {}: {source}", path.display())]
    Sysctl {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// Setup options that name a network whose definition was not given, or are otherwise
    /// incomplete.
    #[error("invalid setup options: {0}")]
    InvalidSetup(String),

    /// A file operation failed (writing a network file, the lock).
    #[error(transparent)]
    Fs(#[from] libpod_fs::FsError),

    // -- exposed ports --
    /// An `--expose` value (or an image's `EXPOSE`) that does not parse, in Podman's words (the
    /// range checks name the value; the others, as Podman's, do not).
    #[error("{reason}")]
    InvalidExpose {
        /// The value as given.
        value: String,
        /// Why it was refused, in Podman's words.
        reason: String,
    },
}

impl NetError {
    /// An [`NetError::InvalidNetwork`] for `network`.
    pub(crate) fn invalid(network: &str, reason: impl Into<String>) -> NetError {
        NetError::InvalidNetwork {
            network: network.to_string(),
            reason: reason.into(),
        }
    }

    /// A [`NetError::Fs`] for a failed `op` on `path`.
    pub(crate) fn file(
        op: &'static str,
        path: &std::path::Path,
        source: std::io::Error,
    ) -> NetError {
        NetError::Fs(libpod_fs::FsError::Io {
            op,
            path: path.to_path_buf(),
            source,
        })
    }

    /// A [`NetError::Netns`] for the last OS error of `op` on `path`.
    pub(crate) fn netns(op: &'static str, path: &std::path::Path, errno: nix::Error) -> NetError {
        NetError::Netns {
            op,
            path: path.to_path_buf(),
            source: std::io::Error::from(errno),
        }
    }
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, NetError>;
