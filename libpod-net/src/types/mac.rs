//! A MAC address, as c/common's `HardwareAddr`: written as `aa:bb:cc:dd:ee:ff`, read from that
//! string or, as older Podman wrote it, from a JSON array of bytes.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A 6-byte Ethernet address.
///
/// ```
/// use libpod_net::types::MacAddress;
/// let mac: MacAddress = "0A:1b:2c:3d:4e:5f".parse().unwrap();
/// assert_eq!(mac.to_string(), "0a:1b:2c:3d:4e:5f");
/// assert!("0a:1b:2c".parse::<MacAddress>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MacAddress(pub [u8; 6]);

/// A MAC address that does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid MAC address: {0}")]
pub struct InvalidMac(String);

impl fmt::Display for MacAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

impl FromStr for MacAddress {
    type Err = InvalidMac;

    /// Six two-digit hex bytes separated by `:` or `-`.
    fn from_str(text: &str) -> Result<MacAddress, InvalidMac> {
        let invalid = || InvalidMac(text.to_string());
        let separator = if text.contains('-') { '-' } else { ':' };
        let mut bytes = [0u8; 6];
        let mut parts = text.split(separator);
        for byte in &mut bytes {
            let part = parts.next().filter(|p| p.len() == 2).ok_or_else(invalid)?;
            *byte = u8::from_str_radix(part, 16).map_err(|_| invalid())?;
        }
        if parts.next().is_some() {
            return Err(invalid());
        }
        Ok(MacAddress(bytes))
    }
}

impl Serialize for MacAddress {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for MacAddress {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<MacAddress, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Text(String),
            Bytes(Vec<u8>),
        }
        match Form::deserialize(deserializer)? {
            Form::Text(text) => text.parse().map_err(serde::de::Error::custom),
            Form::Bytes(bytes) => <[u8; 6]>::try_from(bytes.as_slice())
                .map(MacAddress)
                .map_err(|_| serde::de::Error::custom("a MAC address has 6 bytes")),
        }
    }
}
