//! An address with its prefix length (`10.88.0.0/16`), as c/common's `IPNet`: serialized as the
//! CIDR string, and keeping the address as given (a container's `10.88.0.5/16` is its address
//! on that subnet; a network's subnet is its network address).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// An IP address and a prefix length.
///
/// ```
/// use libpod_net::types::IpNet;
/// let net: IpNet = "10.88.0.5/16".parse().unwrap();
/// assert_eq!(net.to_string(), "10.88.0.5/16");
/// assert_eq!(net.network().to_string(), "10.88.0.0/16");
/// assert!(net.contains("10.88.255.1".parse().unwrap()));
/// assert!(net.overlaps(&"10.0.0.0/8".parse().unwrap()));
/// assert!("10.88.0.0/33".parse::<IpNet>().is_err());
/// // As a crate error, for `?` in callers:
/// let bad: libpod_net::NetError = "10.88.0.0/33".parse::<IpNet>().unwrap_err().into();
/// assert!(matches!(bad, libpod_net::NetError::InvalidCidr { value } if value == "10.88.0.0/33"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IpNet {
    address: IpAddr,
    prefix: u8,
}

/// A CIDR string that does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid CIDR address: {0}")]
pub struct InvalidCidr(String);

impl From<InvalidCidr> for crate::NetError {
    /// A subnet given on the command line (`--subnet`) that does not parse.
    fn from(invalid: InvalidCidr) -> crate::NetError {
        crate::NetError::InvalidCidr { value: invalid.0 }
    }
}

impl IpNet {
    /// `address/prefix`, if the prefix fits the address family (32 or 128 bits).
    pub fn new(address: IpAddr, prefix: u8) -> Option<IpNet> {
        (prefix <= max_prefix(address)).then_some(IpNet {
            address: address.to_canonical(),
            prefix,
        })
    }

    /// The address as given.
    pub fn address(&self) -> IpAddr {
        self.address
    }

    /// The prefix length.
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// True for an IPv6 subnet.
    pub fn is_ipv6(&self) -> bool {
        self.address.is_ipv6()
    }

    /// The subnet: the address with its host bits cleared.
    pub fn network(&self) -> IpNet {
        IpNet {
            address: mask(self.address, self.prefix),
            prefix: self.prefix,
        }
    }

    /// Whether `address` is in this subnet (an address of the other family never is).
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        address.is_ipv6() == self.address.is_ipv6()
            && mask(address, self.prefix) == mask(self.address, self.prefix)
    }

    /// Whether the two subnets share an address.
    pub fn overlaps(&self, other: &IpNet) -> bool {
        self.contains(other.address) || other.contains(self.address)
    }
}

fn max_prefix(address: IpAddr) -> u8 {
    if address.to_canonical().is_ipv4() {
        32
    } else {
        128
    }
}

fn mask(address: IpAddr, prefix: u8) -> IpAddr {
    match address {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let kept = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((bits & kept).into())
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let kept = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((bits & kept).into())
        }
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix)
    }
}

impl FromStr for IpNet {
    type Err = InvalidCidr;

    /// Parses `address/prefix` as Go's `net.ParseCIDR` does (decimal prefix, no sign).
    fn from_str(text: &str) -> Result<IpNet, InvalidCidr> {
        let invalid = || InvalidCidr(text.to_string());
        let (address, prefix) = text.split_once('/').ok_or_else(invalid)?;
        if prefix.is_empty() || prefix.len() > 3 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        let address: IpAddr = address.parse().map_err(|_| invalid())?;
        let prefix: u8 = prefix.parse().map_err(|_| invalid())?;
        IpNet::new(address, prefix).ok_or_else(invalid)
    }
}

impl Serialize for IpNet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IpNet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<IpNet, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
