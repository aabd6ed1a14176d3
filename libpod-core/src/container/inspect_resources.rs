//! The resource limits in `inspect`'s `HostConfig`, with Podman's names and its rules
//! (`container_inspect_linux.go`): from the container's recorded resources (an update's
//! included), so that a container that is not running shows them too.

use libpod_spec::CreateResourceConfig;
use libpod_spec::generate::update_resources;
use serde_json::{Map, Value, json};

/// `HostConfig`'s resource fields; `default_pids` is the engine's PID limit, the one a
/// container without `--pids-limit` gets.
pub(super) fn host_resources(
    resources: &CreateResourceConfig,
    default_pids: i64,
) -> Map<String, Value> {
    let mut fields = Map::new();
    let mut set = |name: &str, value: Value| {
        fields.insert(name.to_string(), value);
    };
    // Limits that were accepted once are valid; a failure leaves the defaults shown.
    let res = update_resources(resources).unwrap_or_default();
    let cpu = res.cpu().clone().unwrap_or_default();
    let period = cpu.period().unwrap_or(0);
    let quota = cpu.quota().unwrap_or(0);
    set("CpuShares", json!(cpu.shares().unwrap_or(0)));
    set("CpuPeriod", json!(period));
    set("CpuQuota", json!(quota));
    set(
        "CpuRealtimePeriod",
        json!(cpu.realtime_period().unwrap_or(0)),
    );
    set(
        "CpuRealtimeRuntime",
        json!(cpu.realtime_runtime().unwrap_or(0)),
    );
    set("CpusetCpus", json!(cpu.cpus().clone().unwrap_or_default()));
    set("CpusetMems", json!(cpu.mems().clone().unwrap_or_default()));
    // Podman's own arithmetic: quota * 10000 when the period is the default.
    set(
        "NanoCpus",
        json!(if period == 100_000 { quota * 10_000 } else { 0 }),
    );
    let memory = (*res.memory()).unwrap_or_default();
    set("Memory", json!(memory.limit().unwrap_or(0)));
    set(
        "MemoryReservation",
        json!(memory.reservation().unwrap_or(0)),
    );
    set("MemorySwap", json!(memory.swap().unwrap_or(0)));
    set(
        "MemorySwappiness",
        json!(
            memory
                .swappiness()
                .map_or(-1, |s| i64::try_from(s).unwrap_or(i64::MAX))
        ),
    );
    set(
        "OomKillDisable",
        json!(memory.disable_oom_killer().unwrap_or(false)),
    );
    let pids = resources.pids_limit.unwrap_or(default_pids).max(0);
    set("PidsLimit", json!(pids));
    let weight = res
        .block_io()
        .as_ref()
        .and_then(|b| b.weight())
        .unwrap_or(0);
    set("BlkioWeight", json!(weight));
    fields
}
