//! The order a pod's containers start in, as waves: each container in a wave after the
//! containers it depends on or joins namespaces of (Podman's container graph), the infra
//! container alone in the first; a wave's containers are acted on side by side, as Podman's
//! graph walk does, in ID order when one at a time. A stop or removal takes the waves
//! reversed. Dependencies on containers outside the pod are refused at create (`join.rs`); a
//! cycle, which immutable configs should never form, is refused here.

use crate::container::Container;
use crate::error::{CoreError, Result};
use std::collections::{BTreeMap, BTreeSet};

/// `containers` in waves, each after the waves holding what its containers depend on within
/// the pod; the infra container alone first.
pub(super) fn dependency_waves(
    pod: &str,
    containers: Vec<Container>,
) -> Result<Vec<Vec<Container>>> {
    let nodes = containers
        .iter()
        .map(|c| {
            let config = c.config();
            let deps = config
                .dependencies
                .iter()
                .chain(config.namespaces_from.values())
                .cloned()
                .collect();
            (c.id().to_string(), deps)
        })
        .collect();
    let waves = wave_ids(pod, nodes)?;
    let mut by_id: BTreeMap<String, Container> = containers
        .into_iter()
        .map(|c| (c.id().to_string(), c))
        .collect();
    let mut out = Vec::with_capacity(waves.len() + 1);
    // The infra container depends on nothing: first even before members that share nothing.
    let infra = by_id.values().find(|c| c.config().is_infra).cloned();
    if let Some(infra) = infra {
        by_id.remove(infra.id());
        out.push(vec![infra]);
    }
    for wave in waves {
        let wave: Vec<Container> = wave.iter().filter_map(|id| by_id.remove(id)).collect();
        if !wave.is_empty() {
            out.push(wave);
        }
    }
    Ok(out)
}

/// The IDs of `nodes` (ID, what it depends on) in waves, each wave those whose dependencies
/// are all in earlier waves, by ID; dependencies that are not nodes are ignored.
pub(super) fn wave_ids(pod: &str, nodes: Vec<(String, Vec<String>)>) -> Result<Vec<Vec<String>>> {
    let ids: BTreeSet<String> = nodes.iter().map(|(id, _)| id.clone()).collect();
    let mut waits: BTreeMap<String, BTreeSet<String>> = nodes
        .into_iter()
        .map(|(id, deps)| {
            let deps = deps
                .into_iter()
                .filter(|d| ids.contains(d) && *d != id)
                .collect();
            (id, deps)
        })
        .collect();
    let mut waves = Vec::new();
    while !waits.is_empty() {
        let ready: Vec<String> = waits
            .iter()
            .filter(|(_, deps)| deps.is_empty())
            .map(|(id, _)| id.clone())
            .collect();
        if ready.is_empty() {
            let container = waits.keys().next().cloned().unwrap_or_default();
            return Err(CoreError::PodDependencyCycle {
                id: pod.to_string(),
                container,
            });
        }
        for id in &ready {
            waits.remove(id);
            for deps in waits.values_mut() {
                deps.remove(id);
            }
        }
        waves.push(ready);
    }
    Ok(waves)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, deps: &[&str]) -> (String, Vec<String>) {
        (id.into(), deps.iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn dependencies_come_first_and_ties_go_by_id() {
        let waves = wave_ids(
            "p",
            vec![
                node("c", &["b", "infra"]),
                node("a", &["infra"]),
                node("b", &["infra", "a"]),
                node("infra", &[]),
                node("d", &["outside"]),
            ],
        )
        .unwrap();
        assert_eq!(waves, [vec!["d", "infra"], vec!["a"], vec!["b"], vec!["c"]]);
    }

    #[test]
    fn a_cycle_is_refused() {
        let err = wave_ids(
            "p",
            vec![node("a", &["b"]), node("b", &["a"]), node("c", &[])],
        )
        .unwrap_err();
        assert!(matches!(err, CoreError::PodDependencyCycle { container, .. } if container == "a"));
    }
}
