//! The real backend: the `netavark` binary, given the container's options and the networks'
//! definitions as JSON on stdin, as c/common runs it.

use super::{NetnsArgs, NetworkBackend, check_args, teardown};
use crate::error::{NetError, Result};
use crate::types::{Network, NetworkOptions, PortMapping, StatusBlock};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where Debian installs netavark and aardvark-dns.
const DEBIAN_NETAVARK: &str = "/usr/lib/podman/netavark";
const DEBIAN_AARDVARK: &str = "/usr/lib/podman/aardvark-dns";

/// netavark, run as `netavark --config DIR --rootless=false --aardvark-binary=PATH
/// setup|teardown NETNS`.
#[derive(Clone, Debug)]
pub struct Netavark {
    binary: PathBuf,
    aardvark: Option<PathBuf>,
    config_dir: PathBuf,
    firewall_driver: Option<String>,
}

/// What netavark reads on stdin: c/common's `netavarkOptions`.
#[derive(Serialize)]
struct Stdin<'a> {
    #[serde(flatten)]
    options: NetworkOptions,
    network_info: BTreeMap<&'a str, &'a Network>,
    /// `[]` when the container publishes no port (the flattened field is left out when
    /// empty). netavark 1.4 makes a network's `NETAVARK-DN-*` chain on setup, and deletes it on
    /// the network's last teardown, only for a container whose port list is present: without
    /// this the chain of a network whose last container had no ports outlives the network.
    #[serde(rename = "port_mappings", skip_serializing_if = "Option::is_none")]
    no_ports: Option<[PortMapping; 0]>,
}

/// What netavark prints on failure.
#[derive(Deserialize)]
struct Failure {
    error: String,
}

impl Netavark {
    /// Debian's netavark and aardvark-dns, with `config_dir` as netavark's `--config` (where
    /// aardvark-dns keeps its per-network files: a directory on tmpfs, like Podman's
    /// `RUNROOT/networks`; created 0700 on first use).
    pub fn new(config_dir: impl Into<PathBuf>) -> Netavark {
        Netavark {
            binary: DEBIAN_NETAVARK.into(),
            aardvark: Some(DEBIAN_AARDVARK.into()),
            config_dir: config_dir.into(),
            firewall_driver: None,
        }
    }

    /// Another netavark binary.
    pub fn with_binary(mut self, binary: impl Into<PathBuf>) -> Netavark {
        self.binary = binary.into();
        self
    }

    /// Another aardvark-dns binary, or none (no DNS on any network).
    pub fn with_aardvark(mut self, aardvark: Option<PathBuf>) -> Netavark {
        self.aardvark = aardvark;
        self
    }

    /// The firewall driver netavark uses (`iptables`, `nftables`, `firewalld`), passed as
    /// `NETAVARK_FW`; netavark's own default when unset.
    pub fn with_firewall_driver(mut self, driver: Option<String>) -> Netavark {
        self.firewall_driver = driver;
        self
    }

    /// The firewall driver named for it, if any.
    pub fn firewall_driver(&self) -> Option<&str> {
        self.firewall_driver.as_deref()
    }

    /// netavark's `--config` directory.
    pub fn config_dir(&self) -> &Path {
        &self.config_dir
    }

    /// Runs `netavark ... VERB NETNS` with the JSON of `args` on stdin; its stdout when it
    /// succeeds, its `{"error": ...}` as [`NetError::Netavark`] when it fails.
    pub(super) fn run(
        &self,
        verb: &'static str,
        netns: &Path,
        args: &NetnsArgs<'_>,
    ) -> Result<Vec<u8>> {
        let mut options = args.options.clone();
        // netavark 1.4 takes an empty protocol literally (an iptables error) and a range of 0
        // as no port: Podman's defaults, tcp and one port, are written out.
        for port in &mut options.port_mappings {
            if port.protocol.is_empty() {
                port.protocol = "tcp".into();
            }
            port.range = port.range.max(1);
        }
        let no_ports = options.port_mappings.is_empty().then_some([]);
        let stdin = Stdin {
            no_ports,
            options,
            network_info: args
                .options
                .networks
                .keys()
                .filter_map(|name| args.network(name).map(|n| (name.as_str(), n)))
                .collect(),
        };
        let json = serde_json::to_vec(&stdin)
            .map_err(|err| NetError::InvalidSetup(format!("encoding netavark's input: {err}")))?;
        let exec = |source| NetError::Exec {
            program: self.binary.clone(),
            source,
        };
        libpod_fs::create_private_dir(&self.config_dir, libpod_fs::ExistingDir::Keep)?;
        let mut command = Command::new(&self.binary);
        command
            .arg("--config")
            .arg(&self.config_dir)
            .arg("--rootless=false");
        if let Some(aardvark) = &self.aardvark {
            command.arg(format!("--aardvark-binary={}", aardvark.display()));
        }
        command.arg(verb).arg(netns);
        if let Some(driver) = &self.firewall_driver {
            command.env("NETAVARK_FW", driver);
        }
        // netavark runs iptables and sysctl from /usr/sbin, which a sanitized PATH may lack.
        let path = std::env::var("PATH").unwrap_or_default();
        if !path.split(':').any(|p| p == "/usr/sbin") {
            command.env("PATH", format!("{path}:/usr/sbin"));
        }
        tracing::debug!(verb, netns = %netns.display(), "running netavark");
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(exec)?;
        let written = child.stdin.take().map(|mut pipe| pipe.write_all(&json));
        let output = child.wait_with_output().map_err(exec)?;
        if !output.stderr.is_empty() {
            tracing::debug!(verb, stderr = %String::from_utf8_lossy(&output.stderr), "netavark said");
        }
        if output.status.success() {
            written.transpose().map_err(exec)?;
            return Ok(output.stdout);
        }
        let message = match serde_json::from_slice::<Failure>(&output.stdout) {
            Ok(failure) => failure.error,
            Err(_) => String::from_utf8_lossy(&output.stderr).trim().to_string(),
        };
        Err(NetError::Netavark {
            verb,
            code: output.status.code(),
            message,
        })
    }
}

impl NetworkBackend for Netavark {
    fn name(&self) -> &'static str {
        "netavark"
    }

    fn setup(&self, args: &NetnsArgs<'_>) -> Result<BTreeMap<String, StatusBlock>> {
        check_args(args)?;
        let result = self.run("setup", args.netns, args).and_then(|stdout| {
            let status = parse_status(&stdout)?;
            if status.len() != args.options.networks.len() {
                return Err(NetError::Netavark {
                    verb: "setup",
                    code: Some(0),
                    message: format!(
                        "unexpected netavark result length, want ({}), got ({}) networks",
                        args.options.networks.len(),
                        status.len()
                    ),
                });
            }
            Ok(status)
        });
        if result.is_err() {
            // netavark leaves what it did before failing: take it back.
            if let Err(err) = self.teardown(args) {
                tracing::warn!(error = %err, "teardown after a failed setup");
            }
        }
        result
    }

    fn teardown(&self, args: &NetnsArgs<'_>) -> Result<()> {
        check_args(args)?;
        teardown::teardown(self, args)
    }
}

/// Parses netavark's setup output (one status block per network, by name).
///
/// ```
/// use libpod_net::backend::parse_status;
/// let status = parse_status(br#"{"web": {"dns_search_domains": ["dns.podman"],
///   "dns_server_ips": ["10.89.0.1"], "interfaces": {"eth0": {"mac_address": "4e:8f:74:b1:b8:ed",
///   "subnets": [{"gateway": "10.89.0.1", "ipnet": "10.89.0.2/24"}]}}}}"#)?;
/// assert_eq!(status["web"].interfaces["eth0"].subnets[0].ipnet.to_string(), "10.89.0.2/24");
/// # Ok::<(), libpod_net::NetError>(())
/// ```
pub fn parse_status(stdout: &[u8]) -> Result<BTreeMap<String, StatusBlock>> {
    serde_json::from_slice(stdout).map_err(|err| NetError::Netavark {
        verb: "setup",
        code: Some(0),
        message: format!("unparsable status block: {err}"),
    })
}
