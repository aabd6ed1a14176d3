//! The order a pod's containers start in: each after the containers it depends on or joins
//! namespaces of (Podman's container graph), so the infra container first; ties by ID. A
//! stop or removal takes it reversed. Dependencies on containers outside the pod are refused
//! at create (`join.rs`); a cycle, which immutable configs should never form, is refused here.

use crate::container::Container;
use crate::error::{CoreError, Result};
use std::collections::{BTreeMap, BTreeSet};

/// `containers` ordered so that every one comes after those it depends on within the pod.
pub(super) fn dependency_order(pod: &str, containers: Vec<Container>) -> Result<Vec<Container>> {
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
    let order = order_ids(pod, nodes)?;
    let mut by_id: BTreeMap<String, Container> = containers
        .into_iter()
        .map(|c| (c.id().to_string(), c))
        .collect();
    let mut ordered: Vec<Container> = order.iter().filter_map(|id| by_id.remove(id)).collect();
    // The infra container depends on nothing: first even before members that share nothing.
    ordered.sort_by_key(|c| !c.config().is_infra);
    Ok(ordered)
}

/// The IDs of `nodes` (ID, what it depends on) in dependency order; dependencies that are
/// not nodes are ignored.
pub(super) fn order_ids(pod: &str, nodes: Vec<(String, Vec<String>)>) -> Result<Vec<String>> {
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
    let mut order = Vec::with_capacity(waits.len());
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
        for id in ready {
            waits.remove(&id);
            for deps in waits.values_mut() {
                deps.remove(&id);
            }
            order.push(id);
        }
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, deps: &[&str]) -> (String, Vec<String>) {
        (id.into(), deps.iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn dependencies_come_first_and_ties_go_by_id() {
        let order = order_ids(
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
        assert_eq!(order, ["d", "infra", "a", "b", "c"]);
    }

    #[test]
    fn a_cycle_is_refused() {
        let err = order_ids(
            "p",
            vec![node("a", &["b"]), node("b", &["a"]), node("c", &[])],
        )
        .unwrap_err();
        assert!(matches!(err, CoreError::PodDependencyCycle { container, .. } if container == "a"));
    }
}
