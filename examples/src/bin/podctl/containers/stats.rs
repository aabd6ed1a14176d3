//! `stats`: Podman 4.3's flags (`-a`, `--format`, `--no-reset`, `--no-stream`, `--no-trunc`,
//! `-i/--interval`, `-l`), its columns and their formats (`CPU %` as `12.34%`, sizes as
//! go-units' `HumanSize`, `CPU TIME` as a Go duration), and `--format json` as its list of
//! strings. Without names, the running containers; a stream samples every interval, each
//! sample's CPU % over the time since the previous one.

use super::{Result, Selection};
use clap::Args;
use libpod_core::container::{Container, ContainerStatus};
use libpod_core::runtime::Runtime;
use libpod_core::stats::{ContainerStats, go_duration};
use std::collections::HashMap;
use std::io::Write;

#[derive(Args)]
pub struct StatsArgs {
    /// Show all containers (only running ones by default).
    #[arg(short, long)]
    all: bool,
    /// Pretty-print container statistics to JSON or using a Go template.
    #[arg(long)]
    format: Option<String>,
    /// Disable resetting the screen between intervals.
    #[arg(long)]
    no_reset: bool,
    /// Disable streaming stats and only pull the first result.
    #[arg(long)]
    no_stream: bool,
    /// Do not truncate output.
    #[arg(long)]
    no_trunc: bool,
    /// Time in seconds between stats reports.
    #[arg(short, long, default_value_t = 5)]
    interval: u64,
    /// Act on the latest container podctl is aware of.
    #[arg(short, long)]
    latest: bool,
    /// The containers.
    containers: Vec<String>,
}

const DEFAULT_FORMAT: &str = "table {{.ID}} {{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.MemPerc}} {{.NetIO}} {{.BlockIO}} {{.PIDS}} {{.UpTime}} {{.AVGCPU}}";

const HEADERS: [(&str, &str); 10] = [
    ("ID", "ID"),
    ("UpTime", "CPU TIME"),
    ("CPUPerc", "CPU %"),
    ("AVGCPU", "AVG CPU %"),
    ("MemUsage", "MEM USAGE / LIMIT"),
    ("MemUsageBytes", "MEM USAGE / LIMIT"),
    ("MemPerc", "MEM %"),
    ("NetIO", "NET IO"),
    ("BlockIO", "BLOCK IO"),
    ("PIDS", "PIDS"),
];

pub fn stats(rt: &Runtime, args: StatsArgs) -> Result {
    if [args.all, args.latest, !args.containers.is_empty()]
        .iter()
        .filter(|&&x| x)
        .count()
        > 1
    {
        return Err(crate::errors::Exit::new(
            crate::errors::OWN_ERROR,
            "--all, --latest and containers cannot be used together",
        )
        .into());
    }
    let mut previous: HashMap<String, ContainerStats> = HashMap::new();
    let stdout = std::io::stdout();
    loop {
        let containers = chosen(rt, &args)?;
        let mut samples = Vec::new();
        for ctr in &containers {
            match ctr.stats(previous.get(ctr.id())) {
                Ok(sample) => samples.push(sample),
                // Removed meanwhile.
                Err(libpod_core::CoreError::ContainerNotFound(_)) => {}
                Err(err) => return Err(err.into()),
            }
        }
        let text = render(&args, &samples)?;
        let mut out = stdout.lock();
        if !args.no_stream && !args.no_reset {
            // Clear the screen and go home, as goterm does.
            let _ = out.write_all(b"\x1b[2J\x1b[1;1H");
        }
        if out
            .write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
            || args.no_stream
        {
            return Ok(());
        }
        drop(out);
        previous = samples
            .into_iter()
            .map(|s| (s.container_id.clone(), s))
            .collect();
        std::thread::sleep(std::time::Duration::from_secs(args.interval.max(1)));
    }
}

/// The containers named, or the running ones (all with `--all`), or the latest.
fn chosen(rt: &Runtime, args: &StatsArgs) -> Result<Vec<Container>> {
    if !args.containers.is_empty() || args.latest {
        let selected = Selection {
            names: &args.containers,
            latest: args.latest,
            ..Selection::default()
        }
        .resolve(rt)?;
        return Ok(selected.into_iter().map(|(_, c)| c).collect());
    }
    let mut out = Vec::new();
    for ctr in rt.containers()? {
        if args.all || ctr.status()? == ContainerStatus::Running {
            out.push(ctr);
        }
    }
    Ok(out)
}

fn render(args: &StatsArgs, samples: &[ContainerStats]) -> Result<String> {
    let rows: Vec<serde_json::Value> = samples.iter().map(|s| row(s, args.no_trunc)).collect();
    let format = args.format.as_deref().map(str::trim);
    if matches!(format, Some("json" | "{{json .}}")) {
        return Ok(json(&rows));
    }
    let format = format.unwrap_or(DEFAULT_FORMAT);
    Ok(crate::format::render_with_headers(format, &rows, &HEADERS)?)
}

/// One container's fields as Podman's `containerStats` offers them to templates.
fn row(stats: &ContainerStats, no_trunc: bool) -> serde_json::Value {
    let id = if no_trunc {
        stats.container_id.clone()
    } else {
        stats.container_id.chars().take(12).collect()
    };
    serde_json::json!({
        "ID": id,
        "ContainerID": stats.container_id,
        "Name": stats.name,
        "CPUPerc": percent(stats.cpu),
        "AVGCPU": percent(stats.avg_cpu),
        "MemUsage": format!("{} / {}", human_size(stats.mem_usage), human_size(stats.mem_limit)),
        "MemUsageBytes": format!("{} / {}", bytes_size(stats.mem_usage), bytes_size(stats.mem_limit)),
        "MemPerc": percent(stats.mem_perc),
        "NetIO": format!("{} / {}", human_size(stats.net_input), human_size(stats.net_output)),
        "BlockIO": format!("{} / {}", human_size(stats.block_input), human_size(stats.block_output)),
        "PIDS": stats.pids.to_string(),
        "UpTime": go_duration(stats.up_time),
        "Up": go_duration(stats.up_time),
        "CPU": stats.cpu,
        "CPUNano": stats.cpu_nano,
        "CPUSystemNano": stats.cpu_system_nano,
        "SystemNano": stats.system_nano,
        "MemLimit": stats.mem_limit,
        "NetInput": stats.net_input,
        "NetOutput": stats.net_output,
        "BlockInput": stats.block_input,
        "BlockOutput": stats.block_output,
        "PIDs": stats.pids,
        "AvgCPU": stats.avg_cpu,
        "Duration": stats.duration,
    })
}

/// Podman's `--format json`: a list of strings per container, indented by one space.
fn json(rows: &[serde_json::Value]) -> String {
    let list: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r["ID"], "name": r["Name"], "cpu_time": r["UpTime"],
                "cpu_percent": r["CPUPerc"], "avg_cpu": r["AVGCPU"], "mem_usage": r["MemUsage"],
                "mem_percent": r["MemPerc"], "net_io": r["NetIO"], "block_io": r["BlockIO"],
                "pids": r["PIDS"],
            })
        })
        .collect();
    // serde_json's pretty printer indents by two; Go's MarshalIndent here by one.
    let pretty = serde_json::to_string_pretty(&list).expect("JSON values serialize");
    let mut text: String = pretty
        .lines()
        .map(|line| {
            let indent = line.len() - line.trim_start().len();
            format!("{}{}\n", " ".repeat(indent / 2), line.trim_start())
        })
        .collect();
    if text.is_empty() {
        text.push('\n');
    }
    text
}

/// `12.34%`.
fn percent(value: f64) -> String {
    format!("{value:.2}%")
}

/// go-units' `HumanSize`: four significant digits, decimal units, no space: `67.11MB`.
fn human_size(bytes: u64) -> String {
    let (number, unit) = crate::human::scaled(bytes, 1000.0, &crate::human::DECIMAL_UNITS, 4);
    format!("{number}{unit}")
}

/// go-units' `BytesSize`: the same in binary units: `64MiB`.
fn bytes_size(bytes: u64) -> String {
    let (number, unit) = crate::human::scaled(bytes, 1024.0, &crate::human::BINARY_UNITS, 4);
    format!("{number}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_as_go_units_prints_them() {
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_size(67_108_864), "67.11MB");
        assert_eq!(human_size(2_087_000_000), "2.087GB");
        assert_eq!(human_size(999), "999B");
        assert_eq!(bytes_size(64 << 20), "64MiB");
        assert_eq!(percent(12.345_6), "12.35%");
    }
}
