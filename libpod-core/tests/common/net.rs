//! Bridge networks of a test: names, bridges and subnets unique to the test process (other
//! test processes make theirs at the same time), what the host has of them (`ip -o link`,
//! `iptables-save`), and [`NetCleanup`], which removes their bridges and firewall rules when
//! dropped, whatever a failure left.

use libpod_net::types::{Network, Subnet};
use std::collections::BTreeSet;
use std::process::Command;

/// One of a test process's networks.
#[derive(Clone, Debug)]
pub struct TestNet {
    /// The network's name: `KIND-PID-INDEX`.
    pub name: String,
    /// Its bridge: `lpnPIDINDEX` (at most 15 characters).
    pub bridge: String,
    /// Its IPv4 subnet, `10.X.Y.0/24` (or the `/prefix` asked for), from the PID and index:
    /// clear of Podman's 10.88-10.90 and of the fixed subnets of libpod-net's tests.
    pub subnet: String,
}

impl TestNet {
    /// The network `index` (0 to 3) of this process, named after `kind`, with a subnet of
    /// `prefix` bits (24 or more).
    pub fn new(kind: &str, index: u32, prefix: u8) -> TestNet {
        assert!(index < 4 && prefix >= 24);
        let pid = std::process::id();
        let spread = pid % 2048;
        TestNet {
            name: format!("{kind}-{pid}-{index}"),
            bridge: format!("lpn{pid}{index}"),
            subnet: format!(
                "10.{}.{}.0/{prefix}",
                224 + 8 * index + spread / 256,
                spread % 256
            ),
        }
    }

    /// The request that creates it (its subnet, bridge and DNS as given).
    pub fn request(&self, dns: bool) -> Network {
        let mut request = Network::default();
        request.name = self.name.clone();
        request.network_interface = self.bridge.clone();
        request.subnets = vec![Subnet::new(self.subnet.parse().unwrap())];
        request.dns_enabled = dns;
        request
    }

    /// The interfaces enslaved to its bridge (the host ends of containers' veths), in
    /// `ip -o link` output.
    pub fn ports(&self, links: &str) -> Vec<String> {
        let master = format!(" master {} ", self.bridge);
        links
            .lines()
            .filter(|l| l.contains(&master))
            .filter_map(|l| l.split(": ").nth(1))
            .map(|name| name.split('@').next().unwrap_or(name).to_string())
            .collect()
    }

    /// Whether its bridge is in `ip -o link` output.
    pub fn has_bridge(&self, links: &str) -> bool {
        let own = format!(": {}: ", self.bridge);
        links.lines().any(|l| l.contains(&own))
    }

    /// The rules of `iptables-save` output that are about it: they name its subnet or bridge,
    /// or carry netavark's comment for one of its containers.
    pub fn rules<'a>(&self, saved: &'a str) -> Vec<&'a str> {
        saved
            .lines()
            .filter(|l| l.starts_with("-A "))
            .filter(|l| self.mentioned_in(l))
            .collect()
    }

    /// The containers netavark wrote rules for on this network (its comments
    /// `name: NETWORK id: ID` and `dnat name: NETWORK id: ID`), with each rule.
    pub fn container_rules<'a>(&self, saved: &'a str) -> Vec<(String, &'a str)> {
        let marker = format!("name: {} id: ", self.name);
        saved
            .lines()
            .filter(|l| l.starts_with("-A "))
            .filter_map(|l| {
                let at = l.find(&marker)? + marker.len();
                let id: String = l[at..]
                    .chars()
                    .take_while(char::is_ascii_hexdigit)
                    .collect();
                Some((id, l))
            })
            .collect()
    }

    fn mentioned_in(&self, rule: &str) -> bool {
        let words: Vec<&str> = rule.split_whitespace().collect();
        rule.contains(&format!("name: {} id: ", self.name))
            || words.iter().any(|w| *w == self.subnet || *w == self.bridge)
    }
}

/// `ip -o link show`: one line per interface.
pub fn links() -> String {
    output("ip", &["-o", "link", "show"])
}

/// `iptables-save`.
pub fn iptables_save() -> String {
    output("iptables-save", &[])
}

fn output(program: &str, args: &[&str]) -> String {
    match Command::new(program).args(args).output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        Ok(out) => panic!(
            "{program} {args:?}: {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(err) => panic!("running {program}: {err}"),
    }
}

/// Removes the networks' bridges and firewall rules when dropped (what netavark's teardown
/// would have removed: a test that failed, a crash harness whose containers were killed).
/// Their namespaces go with the test's temporary directory, and their veths with them.
#[derive(Debug, Default)]
pub struct NetCleanup(pub Vec<TestNet>);

impl Drop for NetCleanup {
    fn drop(&mut self) {
        for net in &self.0 {
            let _ = Command::new("ip")
                .args(["link", "del", &net.bridge])
                .stderr(std::process::Stdio::null())
                .status();
        }
        let Ok(out) = Command::new("iptables-save").output() else {
            return;
        };
        let script = removal_script(&String::from_utf8_lossy(&out.stdout), &self.0);
        if script.is_empty() {
            return;
        }
        let restored = Command::new("iptables-restore")
            .args(["-w", "10", "--noflush"])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .expect("piped")
                    .write_all(script.as_bytes())?;
                child.wait()
            });
        if !restored.is_ok_and(|s| s.success()) {
            eprintln!("NetCleanup: iptables-restore failed on:\n{script}");
        }
    }
}

/// The `iptables-restore --noflush` input that deletes the rules about `nets` and their
/// networks' own chains (`NETAVARK-HASH`, `NETAVARK-DN-HASH`, the targets of those rules),
/// with every rule that jumps to them. Empty when there is nothing to delete.
fn removal_script(saved: &str, nets: &[TestNet]) -> String {
    let mut script = String::new();
    let mut table = "";
    let mut lines: Vec<&str> = Vec::new();
    let flush = |table: &str, lines: &[&str], script: &mut String| {
        let mut chains = BTreeSet::new();
        for rule in lines
            .iter()
            .filter(|l| nets.iter().any(|n| n.mentioned_in(l)))
        {
            if let Some(target) = target(rule).filter(|t| is_network_chain(t)) {
                chains.insert(target.to_string());
            }
        }
        let deletions: Vec<String> = lines
            .iter()
            .filter(|l| chain(l).is_some_and(|c| !chains.contains(c)))
            .filter(|l| {
                nets.iter().any(|n| n.mentioned_in(l))
                    || target(l).is_some_and(|t| chains.contains(t))
            })
            .map(|l| format!("-D {}", &l[3..]))
            .collect();
        if deletions.is_empty() && chains.is_empty() {
            return;
        }
        script.push_str(&format!("*{table}\n"));
        for line in deletions {
            script.push_str(&line);
            script.push('\n');
        }
        for chain in &chains {
            script.push_str(&format!("-F {chain}\n-X {chain}\n"));
        }
        script.push_str("COMMIT\n");
    };
    for line in saved.lines() {
        if let Some(name) = line.strip_prefix('*') {
            table = name;
            lines.clear();
        } else if line == "COMMIT" {
            flush(table, &lines, &mut script);
        } else if line.starts_with("-A ") {
            lines.push(line);
        }
    }
    script
}

/// The chain of a `-A CHAIN ...` rule.
fn chain(rule: &str) -> Option<&str> {
    rule.split_whitespace().nth(1)
}

/// The target of a rule's `-j TARGET`.
fn target(rule: &str) -> Option<&str> {
    let words: Vec<&str> = rule.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "-j")?;
    words.get(at + 1).copied()
}

/// A chain netavark makes for one network (`NETAVARK-` and a hash, or `NETAVARK-DN-` and a
/// hash), not one of its chains shared by all networks.
fn is_network_chain(name: &str) -> bool {
    let hash = name
        .strip_prefix("NETAVARK-DN-")
        .or_else(|| name.strip_prefix("NETAVARK-"));
    hash.is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
}
