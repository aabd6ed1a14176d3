//! Choosing the `[[registry]]` entry for a name: the longest matching prefix, with `*.domain`
//! wildcards (containers/image's `FindRegistry` and `refMatchingPrefix`).

use super::{RegistriesConfig, Registry};

impl RegistriesConfig {
    /// The entry whose prefix is the longest one matching `name`: a host, a repository
    /// (`registry/repository`) or a full reference string.
    ///
    /// ```
    /// use libpod_storage::RegistriesConfig;
    /// use std::path::Path;
    /// let config = RegistriesConfig::from_toml_str(Path::new("r.conf"), r#"
    ///     [[registry]]
    ///     prefix = "*.example.com"
    ///     insecure = true
    ///     [[registry]]
    ///     location = "example.com:5000/team"
    /// "#).unwrap();
    /// assert_eq!(config.find_registry("a.b.example.com/x").unwrap().prefix, "*.example.com");
    /// assert!(config.find_registry("example.com:5000/team/app").is_some());
    /// assert!(config.find_registry("example.com:5000/teamx/app").is_none());
    /// ```
    pub fn find_registry(&self, name: &str) -> Option<&Registry> {
        let mut best: Option<&Registry> = None;
        for registry in self.registries.values() {
            let longer = registry.prefix.len() > best.map_or(0, |b| b.prefix.len());
            if longer && ref_matching_prefix(name, &registry.prefix).is_some() {
                best = Some(registry);
            }
        }
        best
    }

    /// Whether registries.conf allows plain HTTP and unverified TLS for `host` (`host[:port]`).
    pub fn is_insecure(&self, host: &str) -> bool {
        self.find_registry(host).is_some_and(|r| r.insecure)
    }
}

/// How much of `reference` (a host, repository or reference string) `prefix` matches: all of
/// the prefix, ending where the reference ends or at `:`, `/` or `@`. For `*.domain`, the
/// host part before the first `/` must end in `.domain`.
pub(super) fn ref_matching_prefix(reference: &str, prefix: &str) -> Option<usize> {
    if prefix.starts_with("*.") {
        let domain = &prefix[1..];
        // containers/image looks at the first occurrence of ".domain" only.
        let index = reference.find(domain)?;
        if reference[..index].contains('/') {
            return None;
        }
        let end = index + domain.len();
        return ends_a_component(reference, end).then_some(end);
    }
    (reference.starts_with(prefix) && ends_a_component(reference, prefix.len()))
        .then_some(prefix.len())
}

/// Whether `reference` ends at `at` or continues with a separator there. (This lets
/// `example.com` match `example.com:5000`; containers/image says not to rely on that.)
fn ends_a_component(reference: &str, at: usize) -> bool {
    matches!(
        reference.as_bytes().get(at),
        None | Some(b':' | b'/' | b'@')
    )
}

#[cfg(test)]
#[path = "matching_tests.rs"]
mod tests;
