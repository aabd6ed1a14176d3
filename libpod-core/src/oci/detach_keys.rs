//! Detach keys: the key sequence that ends an attach and leaves the container running.
//!
//! Written as Podman's `--detach-keys` takes them (moby's `term.ToBytes`): keys separated by
//! commas, each one character (`a`, `,` is not possible) or `ctrl-@`, `ctrl-a` ... `ctrl-z`,
//! `ctrl-[`, `ctrl-\`, `ctrl-]`, `ctrl-^`, `ctrl-_`, or `DEL`. The default is `ctrl-p,ctrl-q`;
//! an empty string disables detaching.
//!
//! Podman matches the sequence only when each key arrives in a read of its own (true of a
//! person typing into a raw terminal). [`DetachMatcher`] matches it anywhere in the byte
//! stream, across reads or within one, so a pasted or scripted sequence detaches too; bytes
//! that turn out not to be the sequence are passed on unchanged and in order.

use crate::error::{CoreError, Result};

/// Podman's default detach keys (containers.conf `detach_keys`).
pub const DEFAULT_DETACH_KEYS: &str = "ctrl-p,ctrl-q";

/// The control keys moby's `term` knows, by their code (`ctrl-@` is 0).
const CONTROL_KEYS: [&str; 32] = [
    "ctrl-@", "ctrl-a", "ctrl-b", "ctrl-c", "ctrl-d", "ctrl-e", "ctrl-f", "ctrl-g", "ctrl-h",
    "ctrl-i", "ctrl-j", "ctrl-k", "ctrl-l", "ctrl-m", "ctrl-n", "ctrl-o", "ctrl-p", "ctrl-q",
    "ctrl-r", "ctrl-s", "ctrl-t", "ctrl-u", "ctrl-v", "ctrl-w", "ctrl-x", "ctrl-y", "ctrl-z",
    "ctrl-[", "ctrl-\\", "ctrl-]", "ctrl-^", "ctrl-_",
];

/// A parsed detach key sequence (empty: detaching is disabled).
///
/// ```
/// use libpod_core::oci::DetachKeys;
/// assert_eq!(DetachKeys::parse("ctrl-p,ctrl-q")?.bytes(), &[0x10, 0x11]);
/// assert_eq!(DetachKeys::parse("a,ctrl-[,DEL")?.bytes(), &[b'a', 0x1b, 0x7f]);
/// assert!(DetachKeys::parse("")?.bytes().is_empty());
/// assert_eq!(
///     DetachKeys::parse("ctrl-1").unwrap_err().to_string(),
///     "invalid detach keys: Unknown character: 'ctrl-1'"
/// );
/// # Ok::<(), libpod_core::CoreError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DetachKeys(Vec<u8>);

impl DetachKeys {
    /// Parses Podman's `--detach-keys` syntax (see the module docs).
    pub fn parse(text: &str) -> Result<DetachKeys> {
        if text.is_empty() {
            return Ok(DetachKeys(Vec::new()));
        }
        let mut codes = Vec::new();
        for key in text.split(',') {
            let code = match key.as_bytes() {
                [single] => Some(*single),
                _ if key == "DEL" => Some(0x7f),
                _ => CONTROL_KEYS
                    .iter()
                    .position(|name| *name == key)
                    .and_then(|code| u8::try_from(code).ok()),
            };
            let Some(code) = code else {
                return Err(CoreError::InvalidOption {
                    option: "detach keys",
                    reason: format!("Unknown character: '{key}'"),
                });
            };
            codes.push(code);
        }
        Ok(DetachKeys(codes))
    }

    /// The sequence's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl Default for DetachKeys {
    /// `ctrl-p,ctrl-q`.
    fn default() -> Self {
        DetachKeys(vec![0x10, 0x11])
    }
}

/// Finds the detach sequence in a stream of input, holding back a possible start of it until
/// the next bytes tell.
#[derive(Debug)]
pub struct DetachMatcher {
    keys: Vec<u8>,
    held: Vec<u8>,
}

/// What [`DetachMatcher::feed`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Fed {
    /// Pass these bytes on (maybe none: all held back).
    Forward(Vec<u8>),
    /// The sequence was typed: pass these bytes (those before it) on, then detach.
    Detach(Vec<u8>),
}

impl DetachMatcher {
    /// A matcher for `keys`.
    pub fn new(keys: &DetachKeys) -> Self {
        DetachMatcher {
            keys: keys.0.clone(),
            held: Vec::new(),
        }
    }

    /// Feeds the next input bytes.
    pub fn feed(&mut self, input: &[u8]) -> Fed {
        let mut out = Vec::with_capacity(input.len());
        if self.keys.is_empty() {
            out.extend_from_slice(input);
            return Fed::Forward(out);
        }
        for &byte in input {
            self.held.push(byte);
            // Drop held bytes from the front until what is left may still begin the sequence.
            let keep_from = (0..self.held.len())
                .find(|&start| self.keys.starts_with(&self.held[start..]))
                .unwrap_or(self.held.len());
            out.extend(self.held.drain(..keep_from));
            if self.held == self.keys {
                self.held.clear();
                return Fed::Detach(out);
            }
        }
        Fed::Forward(out)
    }

    /// The input ended: the held bytes were not the sequence after all.
    pub fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.held)
    }
}

#[cfg(test)]
#[path = "detach_keys_tests.rs"]
mod tests;
