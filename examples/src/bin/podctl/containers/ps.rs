//! `ps`: Podman's flags (`-a`, `-q`, `-n`, `-l`, `--no-trunc`, `--noheading`, `--sort`,
//! `--external`), `--filter` (id, name, label, status, ancestor, exited, before, since) and
//! `--format` (json, Go templates, table).

use chrono::{DateTime, Utc};
use clap::Args;
use libpod_core::CoreError;
use libpod_core::container::{Container, ContainerState, ContainerStatus, RootfsSource};
use libpod_core::runtime::{BrokenContainer, ContainerEntry, Runtime};
use libpod_net::types::PortMapping;
use libpod_spec::NamespaceKind;
use serde_json::{Value, json};

use super::Result;
use crate::errors::{Exit, OWN_ERROR};

#[derive(Args)]
pub struct PsArgs {
    /// Show all the containers, default is only running containers.
    #[arg(short, long)]
    all: bool,
    /// Show containers in storage not controlled by podctl (there are none: every container
    /// in its store is the runtime's).
    #[arg(long)]
    external: bool,
    /// Filter output based on conditions given (KEY=VALUE).
    #[arg(short, long)]
    filter: Vec<String>,
    /// Pretty-print containers to JSON or using a Go template.
    #[arg(long)]
    format: Option<String>,
    /// Print the n last created containers (all states).
    #[arg(short = 'n', long, default_value_t = -1, allow_negative_numbers = true)]
    last: i64,
    /// Act on the latest container podctl is aware of.
    #[arg(short, long)]
    latest: bool,
    /// Display the extended information.
    #[arg(long = "no-trunc")]
    no_trunc: bool,
    /// Do not print headers.
    #[arg(long)]
    noheading: bool,
    /// Print the numeric IDs of the containers only.
    #[arg(short, long)]
    quiet: bool,
    /// Sort output by: command, created, id, image, names, runningfor, status.
    #[arg(long, default_value = "created")]
    sort: String,
}

/// One row of `ps`: a container and its state, or one whose records do not decode (shown as
/// Podman shows an unknown state).
struct PsRow {
    id: String,
    name: String,
    image: String,
    image_id: String,
    command: Vec<String>,
    created: String,
    status: Option<ContainerStatus>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    /// Its published ports (a pod member's are its pod's, through the namespace it joins).
    ports: Vec<PortMapping>,
    exit_code: i32,
    pid: i64,
    labels: Value,
    /// The health of a running container with a healthcheck (`healthy`, ...).
    health: Option<String>,
    error: Option<String>,
}

impl PsRow {
    fn sound(ctr: &Container, state: &ContainerState) -> PsRow {
        let config = ctr.config();
        let (image, image_id) = match &config.rootfs {
            Some(RootfsSource::Image { name, id }) => (name.clone(), id.clone()),
            Some(RootfsSource::Path(p)) => (p.display().to_string(), String::new()),
            _ => (String::new(), String::new()),
        };
        PsRow {
            id: ctr.id().to_string(),
            name: ctr.name().to_string(),
            image,
            image_id,
            command: config.spec.command.clone().unwrap_or_default(),
            created: config.created.clone(),
            status: Some(state.status),
            started_at: state.started_at.as_deref().and_then(parse_time),
            finished_at: state.finished_at.as_deref().and_then(parse_time),
            ports: published_ports(ctr),
            exit_code: state.exit_code.unwrap_or(0),
            pid: state.pid.map_or(0, i64::from),
            labels: json!(config.labels),
            health: (state.status == ContainerStatus::Running)
                .then(|| ctr.health().ok().flatten())
                .flatten()
                .map(|h| h.status),
            error: None,
        }
    }

    /// The state's name; Podman calls a configured container created.
    fn state(&self) -> &'static str {
        match self.status {
            Some(ContainerStatus::Configured) => "created",
            other => other.map_or("unknown", ContainerStatus::as_str),
        }
    }

    /// Podman's human status: `Up 2 seconds ago`, `Exited (0) 5 minutes ago`, `Created`,
    /// `Paused`; a health, when there is one, in parentheses after it (`Up 3 hours ago
    /// (healthy)`).
    fn human_status(&self) -> String {
        let status = self.bare_status();
        match &self.health {
            Some(health) if !health.is_empty() => format!("{status} ({health})"),
            _ => status,
        }
    }

    /// Podman's psReporter.State: how long it has been up or exited, else its state's name
    /// capitalised.
    fn bare_status(&self) -> String {
        let since = |time: Option<DateTime<Utc>>| {
            time.map_or_else(String::new, |t| format!(" {}", crate::human::ago(t)))
        };
        match self.status {
            Some(ContainerStatus::Exited | ContainerStatus::Stopped) => {
                format!("Exited ({}){}", self.exit_code, since(self.finished_at))
            }
            Some(ContainerStatus::Running) => format!("Up{}", since(self.started_at)),
            Some(ContainerStatus::Configured) => "Created".into(),
            Some(other) => capitalised(other.as_str()),
            None => "Unknown".into(),
        }
    }

    /// Its mappings as Podman's JSON has them (TCP named, not left empty).
    fn ports_json(&self) -> Vec<PortMapping> {
        let mut ports = self.ports.clone();
        for port in ports.iter_mut().filter(|p| p.protocol.is_empty()) {
            port.protocol = "tcp".into();
        }
        ports
    }

    /// When it was created, as `ps` shows it (`2 minutes ago`).
    fn created_human(&self) -> String {
        parse_time(&self.created).map_or_else(String::new, crate::human::ago)
    }

    /// `--format json`'s object, in Podman's field names.
    fn json(&self) -> Value {
        let mut v = json!({
            "Id": self.id, "Names": [self.name], "Image": self.image, "ImageID": self.image_id,
            "Command": self.command, "Created": unix(parse_time(&self.created)),
            "CreatedAt": self.created_human(), "State": self.state(),
            "Status": self.human_status(), "ExitCode": self.exit_code,
            "Exited": matches!(self.status, Some(ContainerStatus::Exited | ContainerStatus::Stopped)),
            "ExitedAt": unix(self.finished_at), "StartedAt": unix(self.started_at),
            "Pid": self.pid, "Labels": self.labels,
            "Ports": (!self.ports.is_empty()).then(|| self.ports_json()),
        });
        if let Some(e) = &self.error {
            v["Error"] = json!(e);
        }
        v
    }

    /// A template's view: Podman's ps reporter fields (`.ID` short unless --no-trunc,
    /// `.Names` and `.Command` as strings).
    fn template(&self, no_trunc: bool) -> Value {
        let mut v = self.json();
        v["ID"] = json!(if no_trunc {
            &self.id[..]
        } else {
            &self.id[..12]
        });
        v["Names"] = json!(self.name);
        // Podman's psReporter.Command: cut at 17 characters unless --no-trunc.
        let command = self.command.join(" ");
        v["Command"] = json!(match command.char_indices().nth(17) {
            Some((cut, _)) if !no_trunc => format!("{}...", &command[..cut]),
            _ => command,
        });
        v["CreatedHuman"] = json!(self.created_human());
        v["RunningFor"] = json!(self.created_human());
        v["State"] = json!(self.bare_status());
        v["Ports"] = json!(ports_text(&self.ports));
        v
    }
}

/// Podman 4.3's default `ps` table.
const DEFAULT_FORMAT: &str = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

pub fn ps(rt: &Runtime, args: PsArgs) -> Result {
    let _ = args.external;
    let filters = Filters::parse(&args.filter, rt)?;
    let mut rows = Vec::new();
    for entry in rt.list_containers()? {
        let row = match entry {
            ContainerEntry::Sound(ctr) => match ctr.state() {
                Ok(state) => PsRow::sound(&ctr, &state),
                // Removed since the listing (an auto-remove container whose exit was seen).
                Err(CoreError::ContainerNotFound(_)) => continue,
                Err(err @ CoreError::Corrupt { .. }) => {
                    broken(ctr.id(), ctr.name(), err.to_string())
                }
                Err(err) => return Err(err.into()),
            },
            ContainerEntry::Broken(BrokenContainer {
                id, name, reason, ..
            }) => broken(&id, &name, reason),
            _ => continue,
        };
        let shown = args.all || args.last >= 0 || args.latest || !args.filter.is_empty();
        if (shown || row.status == Some(ContainerStatus::Running)) && filters.matches(&row) {
            rows.push(row);
        }
    }
    rows.sort_by(|a, b| b.created.cmp(&a.created));
    if args.latest {
        rows.truncate(1);
    } else if args.last >= 0 {
        rows.truncate(usize::try_from(args.last).unwrap_or(usize::MAX));
    }
    // The newest are chosen; Podman 4.3 lists them oldest first.
    rows.reverse();
    sort(&mut rows, &args.sort)?;
    if args.quiet {
        for row in &rows {
            println!(
                "{}",
                if args.no_trunc {
                    &row.id[..]
                } else {
                    &row.id[..12]
                }
            );
        }
        return Ok(());
    }
    let format = match args.format.as_deref() {
        Some("json") => {
            let list: Vec<Value> = rows.iter().map(PsRow::json).collect();
            println!("{}", serde_json::to_string_pretty(&list)?);
            return Ok(());
        }
        Some(f) => f.to_string(),
        None => DEFAULT_FORMAT.into(),
    };
    let data: Vec<Value> = rows.iter().map(|r| r.template(args.no_trunc)).collect();
    let headers = [("ID", "CONTAINER ID"), ("CreatedHuman", "CREATED")];
    let mut out = crate::format::render_with_headers(&format, &data, &headers)
        .map_err(|e| Exit::new(OWN_ERROR, e))?;
    if format.starts_with("table") && args.noheading {
        out = crate::format::strip_header(&out);
    }
    print!("{out}");
    Ok(())
}

/// The containers (whose records decode) that `filters` select, as ps would list them.
pub fn matching(rt: &Runtime, filters: &[String]) -> Result<Vec<Container>> {
    let filters = Filters::parse(filters, rt)?;
    let mut out = Vec::new();
    for ctr in rt.containers()? {
        let state = match ctr.state() {
            Ok(state) => state,
            Err(CoreError::ContainerNotFound(_)) => continue,
            Err(err) => return Err(err.into()),
        };
        if filters.matches(&PsRow::sound(&ctr, &state)) {
            out.push(ctr);
        }
    }
    Ok(out)
}

fn broken(id: &str, name: &str, reason: String) -> PsRow {
    PsRow {
        id: id.into(),
        name: name.into(),
        image: String::new(),
        image_id: String::new(),
        command: Vec::new(),
        created: String::new(),
        status: None,
        started_at: None,
        finished_at: None,
        ports: Vec::new(),
        exit_code: 0,
        pid: 0,
        labels: json!({}),
        health: None,
        error: Some(reason),
    }
}

fn sort(rows: &mut [PsRow], by: &str) -> Result {
    match by {
        "created" => {}
        // Podman 4.3: by start time, those never started first.
        "runningfor" => rows.sort_by_key(|r| r.started_at),
        "id" => rows.sort_by(|a, b| a.id.cmp(&b.id)),
        "names" => rows.sort_by(|a, b| a.name.cmp(&b.name)),
        "image" => rows.sort_by(|a, b| a.image.cmp(&b.image)),
        "command" => rows.sort_by(|a, b| a.command.cmp(&b.command)),
        "status" => rows.sort_by_key(PsRow::human_status),
        other => {
            return Err(Exit::new(OWN_ERROR, format!("invalid option for --sort, options are: command, created, id, image, names, runningfor, size, or status: {other}")).into());
        }
    }
    Ok(())
}

/// `--filter KEY=VALUE`s: values of one key are OR'd, keys are AND'd, as in Podman.
struct Filters(Vec<(String, Vec<String>)>);

impl Filters {
    fn parse(given: &[String], rt: &Runtime) -> Result<Filters> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for f in given {
            let (key, value) = f
                .split_once('=')
                .ok_or_else(|| Exit::new(OWN_ERROR, format!("invalid filter {f:?}")))?;
            let value = match key {
                "id" | "name" | "label" | "status" | "ancestor" | "exited" => value.to_string(),
                // Compared by creation time.
                "before" | "since" => rt.container(value)?.config().created.clone(),
                _ => return Err(Exit::new(OWN_ERROR, format!("{key} is an invalid filter")).into()),
            };
            match out.iter_mut().find(|(k, _)| k == key) {
                Some((_, values)) => values.push(value),
                None => out.push((key.to_string(), vec![value])),
            }
        }
        Ok(Filters(out))
    }

    fn matches(&self, row: &PsRow) -> bool {
        self.0.iter().all(|(key, values)| {
            values.iter().any(|v| match key.as_str() {
                "id" => row.id.starts_with(v.as_str()),
                "name" => row.name.contains(v.as_str()),
                "label" => match v.split_once('=') {
                    Some((k, val)) => row.labels.get(k).and_then(Value::as_str) == Some(val),
                    None => row.labels.get(v.as_str()).is_some(),
                },
                "status" => row.state() == v || (v == "exited" && row.state() == "stopped"),
                "ancestor" => {
                    row.image == *v
                        || row.image.split(':').next() == Some(v.as_str())
                        || (!v.is_empty() && row.image_id.starts_with(v.as_str()))
                }
                "exited" => {
                    matches!(
                        row.status,
                        Some(ContainerStatus::Exited | ContainerStatus::Stopped)
                    ) && v.parse() == Ok(row.exit_code)
                }
                "before" => !row.created.is_empty() && row.created < *v,
                "since" => row.created > *v,
                _ => false,
            })
        })
    }
}

/// A state's time (RFC 3339, as the state records it).
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Seconds since the epoch, Go's zero time's (-62135596800) when there is none, as Podman's
/// JSON has it.
fn unix(time: Option<DateTime<Utc>>) -> i64 {
    time.map_or(-62_135_596_800, |t| t.timestamp())
}

/// `created` as `Created`, as Podman capitalises a state it has no words for.
fn capitalised(state: &str) -> String {
    let mut chars = state.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The mappings a container publishes: its own, or those of the container whose network
/// namespace it joins (a pod member shows its pod's), as Podman's `PortMappings`.
fn published_ports(ctr: &Container) -> Vec<PortMapping> {
    let config = ctr.config();
    match config.namespace_from(NamespaceKind::Network) {
        Some(other) => ctr
            .runtime()
            .container(other)
            .map(|c| c.config().port_mappings.clone())
            .unwrap_or_default(),
        None => config.port_mappings.clone(),
    }
}

/// Podman 4.3's portsToString: `0.0.0.0:8080->80/tcp, 127.0.0.1:9000-9001->90-91/udp`.
fn ports_text(ports: &[PortMapping]) -> String {
    let mut parts = Vec::new();
    for port in ports {
        let host_ip = if port.host_ip.is_empty() {
            "0.0.0.0"
        } else {
            &port.host_ip
        };
        let protocols = if port.protocol.is_empty() {
            "tcp"
        } else {
            &port.protocol
        };
        for protocol in protocols.split(',') {
            parts.push(if port.range > 1 {
                let (host_end, ctr_end) = (
                    u32::from(port.host_port) + u32::from(port.range) - 1,
                    u32::from(port.container_port) + u32::from(port.range) - 1,
                );
                format!(
                    "{host_ip}:{}-{host_end}->{}-{ctr_end}/{protocol}",
                    port.host_port, port.container_port
                )
            } else {
                format!(
                    "{host_ip}:{}->{}/{protocol}",
                    port.host_port, port.container_port
                )
            });
        }
    }
    parts.join(", ")
}
