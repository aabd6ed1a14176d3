//! Rules applied with one `iptables-restore --noflush` per change, after one `iptables-save`
//! to see what is there: two processes where netavark 1.4 runs `iptables` once per rule and
//! check (each a transaction of its own, ~10 ms with nftables underneath).

use super::rules::{Lifetime, Plan};
use crate::error::{NetError, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Command, Stdio};

/// The most `iptables-save` may print before it is refused.
const MAX_SAVE: usize = 64 << 20;

/// One family's tools.
#[derive(Clone, Copy, Debug)]
pub(super) struct Family {
    save: &'static str,
    restore: &'static str,
}

pub(super) const IPV4: Family = Family {
    save: "iptables-save",
    restore: "iptables-restore",
};
pub(super) const IPV6: Family = Family {
    save: "ip6tables-save",
    restore: "ip6tables-restore",
};

/// What `iptables-save` printed: per table, its chains and their rules in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Ruleset {
    tables: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

impl Ruleset {
    /// Parses `iptables-save` output.
    pub(super) fn parse(text: &str) -> Ruleset {
        let mut ruleset = Ruleset::default();
        let mut table: Option<String> = None;
        for line in text.lines() {
            if let Some(name) = line.strip_prefix('*') {
                table = Some(name.trim().to_string());
                ruleset.tables.entry(name.trim().to_string()).or_default();
            } else if let (Some(rest), Some(t)) = (line.strip_prefix(':'), &table) {
                let chain = rest.split_whitespace().next().unwrap_or_default();
                ruleset.chains_mut(t).entry(chain.to_string()).or_default();
            } else if let (Some(rest), Some(t)) = (line.strip_prefix("-A "), &table) {
                let (chain, spec) = rest.split_once(' ').unwrap_or((rest, ""));
                ruleset
                    .chains_mut(t)
                    .entry(chain.to_string())
                    .or_default()
                    .push(spec.to_string());
            }
        }
        ruleset
    }

    fn chains_mut(&mut self, table: &str) -> &mut BTreeMap<String, Vec<String>> {
        self.tables.entry(table.to_string()).or_default()
    }

    fn chain(&self, table: &str, chain: &str) -> Option<&Vec<String>> {
        self.tables.get(table)?.get(chain)
    }

    fn has_rule(&self, table: &str, chain: &str, spec: &str) -> bool {
        self.chain(table, chain)
            .is_some_and(|rules| rules.iter().any(|r| r == spec))
    }
}

/// An `iptables-restore` script, built table by table.
#[derive(Debug, Default)]
struct Script {
    /// Per table: chain declarations, then commands.
    tables: BTreeMap<&'static str, (Vec<String>, Vec<String>)>,
}

impl Script {
    fn text(&self) -> Option<String> {
        let mut text = String::new();
        for (table, (chains, commands)) in &self.tables {
            if chains.is_empty() && commands.is_empty() {
                continue;
            }
            text.push_str(&format!("*{table}\n"));
            for line in chains.iter().chain(commands) {
                text.push_str(line);
                text.push('\n');
            }
            text.push_str("COMMIT\n");
        }
        (!text.is_empty()).then_some(text)
    }
}

/// The script that adds what `plan` has and `current` lacks, as netavark would: missing chains
/// made, missing rules appended or inserted at their position.
pub(super) fn setup_script(plan: &Plan, current: &Ruleset) -> Option<String> {
    let mut state = current.clone();
    let mut script = Script::default();
    for chain in &plan.chains {
        let chains = state.chains_mut(chain.table);
        if !chains.contains_key(&chain.name) {
            chains.insert(chain.name.clone(), Vec::new());
            // `-N`, not a `:CHAIN` line: with `--noflush` the latter empties a chain that
            // exists by then (made by another program since the save); `-N` fails the whole
            // transaction instead, and `apply` starts again from a fresh save.
            let entry = script.tables.entry(chain.table).or_default();
            entry.0.push(format!("-N {}", chain.name));
        }
    }
    for rule in &plan.rules {
        if state.has_rule(rule.table, &rule.chain, &rule.spec) {
            continue;
        }
        let rules = state
            .chains_mut(rule.table)
            .entry(rule.chain.clone())
            .or_default();
        let command = match rule.position {
            Some(at) => {
                let index = usize::try_from(at.saturating_sub(1)).unwrap_or(usize::MAX);
                rules.insert(index.min(rules.len()), rule.spec.clone());
                format!("-I {} {at} {}", rule.chain, rule.spec)
            }
            None => {
                rules.push(rule.spec.clone());
                format!("-A {} {}", rule.chain, rule.spec)
            }
        };
        script.tables.entry(rule.table).or_default().1.push(command);
    }
    script.text()
}

/// The script that removes each plan's container rules, and where its flag says the network's
/// last container left, its network rules and the network's chains left empty, as netavark
/// would.
pub(super) fn teardown_script(plans: &[(&Plan, bool)], current: &Ruleset) -> Option<String> {
    let mut state = current.clone();
    let mut script = Script::default();
    let mut removed = BTreeSet::new();
    let rules = plans
        .iter()
        .flat_map(|(plan, last)| plan.rules.iter().map(move |rule| (rule, *last)));
    for (rule, last) in rules {
        let goes = match rule.lifetime {
            Lifetime::Host => false,
            Lifetime::Network => last,
            Lifetime::Container => true,
        };
        if !goes || !removed.insert((rule.table, &rule.chain, &rule.spec)) {
            continue;
        }
        let Some(rules) = state.chains_mut(rule.table).get_mut(&rule.chain) else {
            continue;
        };
        if let Some(index) = rules.iter().position(|r| *r == rule.spec) {
            rules.remove(index);
            let command = format!("-D {} {}", rule.chain, rule.spec);
            script.tables.entry(rule.table).or_default().1.push(command);
        }
    }
    let chains = plans
        .iter()
        .filter(|(_, last)| *last)
        .flat_map(|(plan, _)| plan.chains.iter().filter(|c| c.removed_with_network));
    {
        for chain in chains {
            let chains = state.chains_mut(chain.table);
            if chains.get(&chain.name).is_some_and(Vec::is_empty) {
                chains.remove(&chain.name);
                let command = format!("-X {}", chain.name);
                script
                    .tables
                    .entry(chain.table)
                    .or_default()
                    .1
                    .push(command);
            }
        }
    }
    script.text()
}

/// The rules as `plans` leave them on a host that had none: what a teardown expects to find.
pub(super) fn as_set_up<'a>(plans: impl Iterator<Item = &'a Plan>) -> Ruleset {
    let mut merged = Plan::default();
    for plan in plans {
        merged.extend(plan.clone());
    }
    let mut state = Ruleset::default();
    for chain in &merged.chains {
        state
            .chains_mut(chain.table)
            .entry(chain.name.clone())
            .or_default();
    }
    for rule in &merged.rules {
        let rules = state
            .chains_mut(rule.table)
            .entry(rule.chain.clone())
            .or_default();
        if rules.contains(&rule.spec) {
            continue;
        }
        match rule.position {
            Some(at) => {
                let index = usize::try_from(at.saturating_sub(1)).unwrap_or(usize::MAX);
                rules.insert(index.min(rules.len()), rule.spec.clone());
            }
            None => rules.push(rule.spec.clone()),
        }
    }
    state
}

/// Reads the family's rules.
pub(super) fn save(family: Family) -> Result<Ruleset> {
    let output = Command::new(family.save)
        .env("PATH", tool_path())
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|source| NetError::Exec {
            program: family.save.into(),
            source,
        })?;
    if !output.status.success() {
        return Err(NetError::Firewall {
            program: family.save,
            message: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    if output.stdout.len() > MAX_SAVE {
        return Err(NetError::Firewall {
            program: family.save,
            message: format!("printed over {} MiB of rules", MAX_SAVE >> 20),
        });
    }
    Ok(Ruleset::parse(&String::from_utf8_lossy(&output.stdout)))
}

/// Applies `script` in one transaction (`--noflush`: only what it names changes).
pub(super) fn restore(family: Family, script: &str) -> Result<()> {
    tracing::debug!(program = family.restore, %script, "applying firewall rules");
    let exec = |source| NetError::Exec {
        program: family.restore.into(),
        source,
    };
    let mut child = Command::new(family.restore)
        .args(["-w", "--noflush"])
        .env("PATH", tool_path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(exec)?;
    let written = child
        .stdin
        .take()
        .map(|mut pipe| pipe.write_all(script.as_bytes()));
    let output = child.wait_with_output().map_err(exec)?;
    if output.status.success() {
        return written.transpose().map(drop).map_err(exec);
    }
    Err(NetError::Firewall {
        program: family.restore,
        message: String::from_utf8_lossy(&output.stderr).trim().to_string(),
    })
}

/// Saves, plans with `script_for`, and restores; once more from a fresh save when the restore
/// fails (another program changed the rules in between).
pub(super) fn apply(family: Family, script_for: impl Fn(&Ruleset) -> Option<String>) -> Result<()> {
    let mut tries = 0;
    loop {
        let Some(script) = script_for(&save(family)?) else {
            return Ok(());
        };
        match restore(family, &script) {
            Err(NetError::Firewall { .. }) if tries == 0 => tries += 1,
            other => return other,
        }
    }
}

/// The sbin directories first: a sanitized PATH may lack them.
fn tool_path() -> String {
    let path = std::env::var("PATH").unwrap_or_default();
    format!("/usr/sbin:/sbin:{path}")
}

#[cfg(test)]
#[path = "iptables_tests.rs"]
mod tests;
