//! Which files make up the configuration, and reading them in order.

use super::{RegistriesConfig, aliases, conf_error, file};
use crate::error::{Result, StorageError};
use std::ffi::OsString;
use std::io::ErrorKind;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// The system-wide registries.conf.
pub const SYSTEM_REGISTRIES_CONF: &str = "/etc/containers/registries.conf";
/// The system-wide drop-in directory.
pub const SYSTEM_REGISTRIES_CONF_DIR: &str = "/etc/containers/registries.conf.d";
/// Where Podman records short-name aliases for root.
const ROOT_SHORT_NAME_ALIASES: &str = "/var/cache/containers/short-name-aliases.conf";

/// The files a configuration is read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigLocations {
    /// The main file, read first; it may use the v1 format.
    pub file: PathBuf,
    /// Whether `file` must exist (it was named explicitly); otherwise a missing one counts as
    /// empty.
    pub file_required: bool,
    /// Directories whose `*.conf` files are laid over the main file, directory by directory,
    /// each in file name order. Missing directories are skipped.
    pub drop_in_dirs: Vec<PathBuf>,
    /// The machine-written short-name-aliases.conf, whose aliases win over the others; read
    /// if it exists.
    pub recorded_aliases: Option<PathBuf>,
}

impl ConfigLocations {
    /// The files Podman reads, given its environment (`lookup` returns a variable's value):
    /// `$CONTAINERS_REGISTRIES_CONF` replaces the main file (which must then exist) but the
    /// drop-in directories are still read; otherwise `~/.config/containers/registries.conf`
    /// when it exists, with only `~/.config/containers/registries.conf.d`; otherwise
    /// /etc/containers/registries.conf with /etc/containers/registries.conf.d and then
    /// `~/.config/containers/registries.conf.d`. Recorded aliases live in
    /// /var/cache/containers for root, in `$XDG_CACHE_HOME` (or `~/.cache`) otherwise.
    pub fn from_env(lookup: impl Fn(&str) -> Option<OsString>, running_as_root: bool) -> Self {
        let var = |name: &str| {
            lookup(name)
                .filter(|value| !value.is_empty())
                .map(PathBuf::from)
        };
        let home = var("HOME");
        let user_config = home.as_ref().map(|home| home.join(".config/containers"));
        let user_dir = user_config.as_ref().map(|c| c.join("registries.conf.d"));
        let user_file = user_config.as_ref().map(|c| c.join("registries.conf"));
        let system_dir = PathBuf::from(SYSTEM_REGISTRIES_CONF_DIR);

        let (file, file_required, drop_in_dirs) =
            if let Some(file) = var("CONTAINERS_REGISTRIES_CONF") {
                (
                    file,
                    true,
                    [Some(system_dir), user_dir].into_iter().flatten().collect(),
                )
            } else if let Some(user_file) = user_file.filter(|f| f.exists()) {
                (user_file, false, user_dir.into_iter().collect())
            } else {
                let dirs = [Some(system_dir), user_dir].into_iter().flatten().collect();
                (PathBuf::from(SYSTEM_REGISTRIES_CONF), false, dirs)
            };

        let recorded_aliases = if running_as_root {
            Some(PathBuf::from(ROOT_SHORT_NAME_ALIASES))
        } else {
            var("XDG_CACHE_HOME")
                .or_else(|| home.map(|home| home.join(".cache")))
                .map(|cache| cache.join("containers/short-name-aliases.conf"))
        };
        ConfigLocations {
            file,
            file_required,
            drop_in_dirs,
            recorded_aliases,
        }
    }
}

impl RegistriesConfig {
    /// Reads the standard locations as Podman does (see [`ConfigLocations::from_env`]), using
    /// this process's environment.
    pub fn load_default() -> Result<Self> {
        Self::load_from_env(|name| std::env::var_os(name))
    }

    /// [`RegistriesConfig::load_default`] with the environment given by `lookup`, so that
    /// callers and tests need not change the process environment.
    pub fn load_from_env(lookup: impl Fn(&str) -> Option<OsString>) -> Result<Self> {
        let running_as_root = nix::unistd::geteuid().is_root();
        Self::load_locations(&ConfigLocations::from_env(lookup, running_as_root))
    }

    /// Reads the given file (which must exist) and then the `*.conf` files of the given
    /// drop-in directory, in name order, each overriding what it sets.
    pub fn load(file: &Path, drop_in_dir: Option<&Path>) -> Result<Self> {
        Self::load_locations(&ConfigLocations {
            file: file.to_owned(),
            file_required: true,
            drop_in_dirs: drop_in_dir.into_iter().map(Path::to_owned).collect(),
            recorded_aliases: None,
        })
    }

    /// Reads the files `locations` names.
    pub fn load_locations(locations: &ConfigLocations) -> Result<Self> {
        let mut config = match read(&locations.file)? {
            Some(text) => file::parse(&locations.file, &text, false)?,
            None if !locations.file_required => RegistriesConfig::default(),
            None => {
                let missing = std::io::Error::from(ErrorKind::NotFound);
                return Err(StorageError::io("read", &locations.file, missing));
            }
        };
        for dir in &locations.drop_in_dirs {
            for path in drop_ins(dir)? {
                // A file removed since the directory was listed is skipped, as Podman does.
                if let Some(text) = read(&path)? {
                    config.merge(file::parse(&path, &text, true)?);
                }
            }
        }
        if let Some(path) = &locations.recorded_aliases
            && let Some(text) = read(path)?
        {
            config.recorded_aliases = aliases::parse_recorded(path, &text)?;
            config.sources.push(path.clone());
        }
        tracing::debug!(sources = ?config.sources, "loaded registries configuration");
        Ok(config)
    }
}

/// The file's text, or `None` if it does not exist.
fn read(path: &Path) -> Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| conf_error(path, "not valid UTF-8")),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StorageError::io("read", path, e)),
    }
}

/// The `*.conf` entries of `dir` that are not directories, in byte order of their names.
fn drop_ins(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(StorageError::io("read directory", dir, e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| StorageError::io("read directory", dir, e))?;
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if !is_dir && entry.file_name().as_bytes().ends_with(b".conf") {
            names.push(entry.file_name());
        }
    }
    names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    Ok(names.into_iter().map(|name| dir.join(name)).collect())
}

#[cfg(test)]
#[path = "load_tests.rs"]
mod tests;
