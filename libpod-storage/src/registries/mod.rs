//! registries.conf (v2): unqualified-search registries, short-name aliases, per-registry
//! `insecure`, `blocked`, `location` rewrites and mirrors.
//!
//! Follows containers/image's `pkg/sysregistriesv2` (and `man containers-registries.conf`):
//! files are read and validated one by one ([`RegistriesConfig::from_toml_str`]), the v1 format
//! (`[registries.search]`, ...) is converted, drop-ins are merged over the main file
//! ([`RegistriesConfig::load`]), and [`RegistriesConfig::pull_sources`] gives the mirrors and
//! rewritten location to pull a reference from.
//!
//! ```
//! use libpod_storage::{ImageReference, RegistriesConfig};
//! use std::path::Path;
//! let config = RegistriesConfig::from_toml_str(Path::new("registries.conf"), r#"
//!     unqualified-search-registries = ["quay.io", "docker.io"]
//!     [aliases]
//!     "podman" = "quay.io/podman/stable"
//! "#).unwrap();
//! let podman = config.resolve_short_name("podman:v4").unwrap();
//! assert_eq!(podman[0].to_string(), "quay.io/podman/stable:v4");
//! let busybox = config.resolve_short_name("busybox").unwrap();
//! assert_eq!(busybox[1].to_string(), "docker.io/library/busybox:latest");
//! ```

mod aliases;
mod file;
mod load;
mod matching;
mod pull;

pub use load::{ConfigLocations, SYSTEM_REGISTRIES_CONF, SYSTEM_REGISTRIES_CONF_DIR};
pub use pull::PullSource;

use crate::error::{Result, StorageError};
use crate::reference::{ImageReference, grammar, names_a_registry};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The credential helper that means "use containers-auth.json files"; the default.
pub const AUTH_FILE_CREDENTIAL_HELPER: &str = "containers-auth.json";

/// How a short name that matches no alias is resolved when several search registries could
/// supply it (`short-name-mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ShortNameMode {
    /// Prompt on a terminal, fail without one (a library never prompts: an ambiguous short
    /// name is an error).
    Enforcing,
    /// Prompt on a terminal, use every candidate without one (the default; a library never
    /// prompts: every candidate is tried in turn).
    #[default]
    Permissive,
    /// Use every candidate without prompting.
    Disabled,
}

/// Which pulls a mirror is used for (`pull-from-mirror`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PullFromMirror {
    /// Pulls by tag and by digest (the default).
    #[default]
    All,
    /// Only pulls by digest.
    DigestOnly,
    /// Only pulls by tag.
    TagOnly,
}

/// A `[[registry.mirror]]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mirror {
    /// Where the mirror is: `host[:port][/namespace...]`.
    pub location: String,
    /// Whether plain HTTP and unverified TLS are allowed.
    pub insecure: bool,
    /// Which pulls use this mirror.
    pub pull_from_mirror: PullFromMirror,
}

/// A validated `[[registry]]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registry {
    /// The image names this entry applies to: `host[:port][/namespace...]` (possibly down to a
    /// tag or digest) or `*.domain`.
    pub prefix: String,
    /// Where images matching `prefix` really are; empty only with a `*.` prefix, meaning "where
    /// the name says".
    pub location: String,
    /// Whether plain HTTP and unverified TLS are allowed.
    pub insecure: bool,
    /// Whether pulling from here is forbidden.
    pub blocked: bool,
    /// Whether mirrors are only used for pulls by digest.
    pub mirror_by_digest_only: bool,
    /// Mirrors, tried in order before `location`.
    pub mirrors: Vec<Mirror>,
    /// The file this entry comes from.
    pub origin: PathBuf,
}

/// A short-name alias: `None` when a file erased it with `""`.
#[derive(Clone, Debug, PartialEq)]
struct Alias {
    value: Option<ImageReference>,
    origin: PathBuf,
}

/// The merged registries configuration.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegistriesConfig {
    /// `None` until a file sets it, so that drop-ins override only what they set.
    unqualified_search_registries: Option<Vec<String>>,
    unqualified_search_origin: Option<PathBuf>,
    short_name_mode: Option<ShortNameMode>,
    credential_helpers: Option<Vec<String>>,
    /// By prefix: one entry per prefix, in prefix order, as containers/image keeps them.
    registries: BTreeMap<String, Registry>,
    aliases: BTreeMap<String, Alias>,
    /// The machine-written short-name-aliases.conf, which wins over registries.conf files.
    recorded_aliases: BTreeMap<String, Alias>,
    sources: Vec<PathBuf>,
}

impl RegistriesConfig {
    /// Parses and validates one registries.conf file's text; `origin` names it in errors.
    /// The v1 format is accepted and converted.
    pub fn from_toml_str(origin: &Path, text: &str) -> Result<Self> {
        file::parse(origin, text, false)
    }

    /// The files this configuration was read from.
    pub fn sources(&self) -> Vec<PathBuf> {
        self.sources.clone()
    }

    /// The registries that qualify short names, in order.
    pub fn unqualified_search_registries(&self) -> &[String] {
        self.unqualified_search_registries
            .as_deref()
            .unwrap_or_default()
    }

    /// The file that set [`RegistriesConfig::unqualified_search_registries`], if any did.
    pub fn unqualified_search_origin(&self) -> Option<&Path> {
        self.unqualified_search_origin.as_deref()
    }

    /// The short-name mode (permissive unless a file says otherwise).
    /// [`RegistriesConfig::resolve_short_name`] returns every candidate whatever the mode;
    /// [`RegistriesConfig::pull_candidates`] applies it.
    pub fn short_name_mode(&self) -> ShortNameMode {
        self.short_name_mode.unwrap_or_default()
    }

    /// The credential helpers, in order; `containers-auth.json` when none are set.
    pub fn credential_helpers(&self) -> Vec<&str> {
        match self.credential_helpers.as_deref() {
            Some(helpers) if !helpers.is_empty() => helpers.iter().map(String::as_str).collect(),
            _ => vec![AUTH_FILE_CREDENTIAL_HELPER],
        }
    }

    /// The `[[registry]]` entries, one per prefix, in prefix order.
    pub fn registries(&self) -> impl Iterator<Item = &Registry> {
        self.registries.values()
    }

    /// The fully-qualified name a short name (without tag or digest) is an alias of. Recorded
    /// aliases (short-name-aliases.conf) win over registries.conf ones.
    pub fn alias(&self, short_name: &str) -> Option<&ImageReference> {
        match self.recorded_aliases.get(short_name) {
            Some(recorded) => recorded.value.as_ref(),
            None => self.aliases.get(short_name)?.value.as_ref(),
        }
    }

    /// The candidates a short name resolves to, in order: its alias when one matches, else the
    /// name qualified with each unqualified-search registry. A tag or digest on `name` is kept;
    /// without either, candidates get `:latest`. A name that is not short is returned alone,
    /// normalised.
    pub fn resolve_short_name(&self, name: &str) -> Result<Vec<ImageReference>> {
        let invalid = |reason: String| StorageError::InvalidReference {
            reference: name.to_owned(),
            reason,
        };
        let components = grammar::parse(name).map_err(|e| invalid(e.reason()))?;
        if components.domain.is_some_and(names_a_registry) {
            return Ok(vec![ImageReference::parse(name)?]);
        }
        let short_name = match components.domain {
            Some(domain) => format!("{domain}/{}", components.path),
            None => components.path.to_owned(),
        };
        if let Some(alias) = self.alias(&short_name) {
            let mut resolved = alias.clone();
            if let Some(tag) = components.tag {
                resolved = resolved.with_tag(tag)?;
            }
            if let Some(digest) = components.digest {
                resolved =
                    resolved.with_digest(digest.parse().map_err(|e| invalid(format!("{e}")))?);
            }
            tracing::debug!(name, %resolved, "short name resolved as an alias");
            return Ok(vec![resolved.or_default_tag()]);
        }
        let search = self.unqualified_search_registries();
        if search.is_empty() {
            return Err(StorageError::ShortNameUnresolved {
                name: name.to_owned(),
            });
        }
        search
            .iter()
            .map(|registry| ImageReference::parse(&format!("{registry}/{name}")))
            .collect()
    }

    /// The references to pull `name` from, in order: [`RegistriesConfig::resolve_short_name`]'s
    /// candidates, held to the short-name mode as containers/image holds them when it cannot
    /// prompt (a library never prompts). With `enforcing`, a short name that several
    /// unqualified-search registries could supply is [`StorageError::ShortNameAmbiguous`];
    /// `permissive` and `disabled` try every candidate in turn. A fully-qualified name, an
    /// alias or a single search registry gives one candidate, which is never ambiguous.
    ///
    /// Local images are looked up with every candidate, whatever the mode, as Podman does.
    ///
    /// ```
    /// use libpod_storage::{RegistriesConfig, StorageError};
    /// use std::path::Path;
    /// let config = RegistriesConfig::from_toml_str(Path::new("registries.conf"), r#"
    ///     unqualified-search-registries = ["registry.fedoraproject.org", "docker.io"]
    ///     short-name-mode = "enforcing"
    /// "#).unwrap();
    /// assert!(matches!(
    ///     config.pull_candidates("busybox"),
    ///     Err(StorageError::ShortNameAmbiguous { .. })
    /// ));
    /// assert_eq!(config.pull_candidates("docker.io/busybox").unwrap().len(), 1);
    /// ```
    pub fn pull_candidates(&self, name: &str) -> Result<Vec<ImageReference>> {
        let candidates = self.resolve_short_name(name)?;
        if candidates.len() > 1 && self.short_name_mode() == ShortNameMode::Enforcing {
            return Err(StorageError::ShortNameAmbiguous {
                name: name.to_owned(),
                candidates: candidates.iter().map(ToString::to_string).collect(),
            });
        }
        Ok(candidates)
    }

    /// Lays `update` (a later file) over this configuration as containers/image does:
    /// registries replace those with the same prefix, aliases those with the same name, and
    /// the search list, short-name mode and credential helpers are replaced when set.
    fn merge(&mut self, update: RegistriesConfig) {
        self.registries.extend(update.registries);
        if update.unqualified_search_registries.is_some() {
            self.unqualified_search_registries = update.unqualified_search_registries;
            self.unqualified_search_origin = update.unqualified_search_origin;
        }
        if update.short_name_mode.is_some() {
            self.short_name_mode = update.short_name_mode;
        }
        if update.credential_helpers.is_some() {
            self.credential_helpers = update.credential_helpers;
        }
        self.aliases.extend(update.aliases);
        self.recorded_aliases.extend(update.recorded_aliases);
        self.sources.extend(update.sources);
    }
}

/// The error for a file.
fn conf_error(path: &Path, reason: impl Into<String>) -> StorageError {
    StorageError::RegistriesConf {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

#[cfg(test)]
#[path = "resolve_tests.rs"]
mod resolve_tests;
