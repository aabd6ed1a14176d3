//! Namespace modes (`--pid host`, `--ipc container:ID`, `--network none`, ...).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::error::SpecError;

/// The kinds of namespace a container can have, named as in the OCI spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum NamespaceKind {
    /// PID namespace.
    Pid,
    /// Network namespace.
    Network,
    /// IPC namespace.
    Ipc,
    /// UTS namespace.
    Uts,
    /// Mount namespace.
    Mount,
    /// User namespace.
    User,
    /// Cgroup namespace.
    Cgroup,
}

impl NamespaceKind {
    /// The name used in OCI specs and in `/proc/PID/ns/` (`net` for the network namespace).
    ///
    /// ```
    /// assert_eq!(libpod_spec::NamespaceKind::Network.proc_name(), "net");
    /// ```
    pub fn proc_name(self) -> &'static str {
        match self {
            NamespaceKind::Pid => "pid",
            NamespaceKind::Network => "net",
            NamespaceKind::Ipc => "ipc",
            NamespaceKind::Uts => "uts",
            NamespaceKind::Mount => "mnt",
            NamespaceKind::User => "user",
            NamespaceKind::Cgroup => "cgroup",
        }
    }

    /// The name used in messages and in the OCI spec's `type` field.
    pub fn name(self) -> &'static str {
        match self {
            NamespaceKind::Pid => "pid",
            NamespaceKind::Network => "network",
            NamespaceKind::Ipc => "ipc",
            NamespaceKind::Uts => "uts",
            NamespaceKind::Mount => "mount",
            NamespaceKind::User => "user",
            NamespaceKind::Cgroup => "cgroup",
        }
    }
}

/// How a container gets one of its namespaces.
///
/// Written as Podman's flags write it: `private`, `host`, `container:ID`, `ns:PATH`.
///
/// ```
/// use libpod_spec::NamespaceMode;
///
/// let m: NamespaceMode = "container:web".parse().unwrap();
/// assert_eq!(m, NamespaceMode::Container("web".into()));
/// assert_eq!(m.to_string(), "container:web");
/// assert!("container:".parse::<NamespaceMode>().is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum NamespaceMode {
    /// A new namespace of the container's own.
    #[default]
    Private,
    /// The host's namespace (none is created).
    Host,
    /// The namespace of another container, by ID or name.
    Container(String),
    /// The namespace at a path (`/proc/PID/ns/...` or a bind-mounted one).
    Path(PathBuf),
}

impl FromStr for NamespaceMode {
    type Err = SpecError;

    fn from_str(s: &str) -> Result<Self, SpecError> {
        parse_common(s, "namespace")
            .map_err(|reason| SpecError::invalid("namespace mode", s, reason))
    }
}

fn parse_common(s: &str, what: &str) -> Result<NamespaceMode, String> {
    match s {
        "" | "private" => Ok(NamespaceMode::Private),
        "host" => Ok(NamespaceMode::Host),
        _ => {
            if let Some(id) = s.strip_prefix("container:") {
                if id.is_empty() {
                    return Err("container: needs a container name or ID".into());
                }
                Ok(NamespaceMode::Container(id.to_string()))
            } else if let Some(path) = s.strip_prefix("ns:") {
                if !path.starts_with('/') {
                    return Err("ns: needs an absolute path".into());
                }
                Ok(NamespaceMode::Path(PathBuf::from(path)))
            } else {
                Err(format!(
                    "not a {what} mode: use private, host, container:ID or ns:PATH"
                ))
            }
        }
    }
}

impl fmt::Display for NamespaceMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NamespaceMode::Private => f.write_str("private"),
            NamespaceMode::Host => f.write_str("host"),
            NamespaceMode::Container(id) => write!(f, "container:{id}"),
            NamespaceMode::Path(p) => write!(f, "ns:{}", p.display()),
        }
    }
}

/// How a container is networked (`--network`).
///
/// ```
/// use libpod_spec::NetworkMode;
///
/// assert_eq!("none".parse::<NetworkMode>().unwrap(), NetworkMode::None);
/// assert_eq!(NetworkMode::default(), NetworkMode::Default);
/// assert!(matches!("bridge".parse::<NetworkMode>().unwrap(), NetworkMode::Bridge(n) if n.is_empty()));
/// // What containers.conf's `netns` says (bridge, as root), when the engine creates it.
/// let engine_default = NetworkMode::Bridge(Vec::new());
/// assert_eq!(NetworkMode::Default.or(&engine_default), engine_default);
/// assert_eq!(NetworkMode::Host.or(&engine_default), NetworkMode::Host);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetworkMode {
    /// Not chosen (Podman's specgen `default`): the engine decides when it creates the
    /// container, from containers.conf's `[containers] netns` (bridge as root), or the pod's
    /// namespace for a member of a pod that shares one. A container's stored config never
    /// holds it. The spec generator, given it directly, makes a private namespace.
    #[default]
    Default,
    /// A private network namespace with only a loopback device.
    None,
    /// A private network namespace that nothing configures (`private`).
    Private,
    /// The host's network namespace.
    Host,
    /// Connected to these networks (empty: the default network) by netavark.
    Bridge(Vec<String>),
    /// The network namespace of another container.
    Container(String),
    /// The network namespace at a path.
    Path(PathBuf),
}

impl NetworkMode {
    /// Whether the container gets a network namespace of its own.
    pub fn is_private(&self) -> bool {
        matches!(
            self,
            NetworkMode::Default
                | NetworkMode::None
                | NetworkMode::Private
                | NetworkMode::Bridge(_)
        )
    }

    /// This mode, or `default` when it is [`NetworkMode::Default`] (not chosen).
    pub fn or(&self, default: &NetworkMode) -> NetworkMode {
        match self {
            NetworkMode::Default => default.clone(),
            chosen => chosen.clone(),
        }
    }
}

impl FromStr for NetworkMode {
    type Err = SpecError;

    fn from_str(s: &str) -> Result<Self, SpecError> {
        match s {
            "default" => Ok(NetworkMode::Default),
            "none" => Ok(NetworkMode::None),
            "bridge" => Ok(NetworkMode::Bridge(Vec::new())),
            _ => {
                if let Some(nets) = s.strip_prefix("bridge:") {
                    return Ok(NetworkMode::Bridge(
                        nets.split(',').map(str::to_string).collect(),
                    ));
                }
                match parse_common(s, "network") {
                    Ok(NamespaceMode::Private) => Ok(NetworkMode::Private),
                    Ok(NamespaceMode::Host) => Ok(NetworkMode::Host),
                    Ok(NamespaceMode::Container(id)) => Ok(NetworkMode::Container(id)),
                    Ok(NamespaceMode::Path(p)) => Ok(NetworkMode::Path(p)),
                    Err(reason) => Err(SpecError::invalid("network", s, reason)),
                }
            }
        }
    }
}

impl fmt::Display for NetworkMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetworkMode::Default => f.write_str("default"),
            NetworkMode::None => f.write_str("none"),
            NetworkMode::Private => f.write_str("private"),
            NetworkMode::Host => f.write_str("host"),
            NetworkMode::Bridge(n) if n.is_empty() => f.write_str("bridge"),
            NetworkMode::Bridge(n) => write!(f, "bridge:{}", n.join(",")),
            NetworkMode::Container(id) => write!(f, "container:{id}"),
            NetworkMode::Path(p) => write!(f, "ns:{}", p.display()),
        }
    }
}

macro_rules! serde_via_string {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
serde_via_string!(NamespaceMode);
serde_via_string!(NetworkMode);
