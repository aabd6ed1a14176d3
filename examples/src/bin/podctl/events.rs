//! `events`: Podman 4.3's flags. `--filter` (repeatable: container, event/status, image,
//! pod, volume, type, label), `--since`, `--until`, `--stream` (default true; `--stream=false`
//! prints what is there and ends), `--format` (`json`, one event per line as the file holds
//! them, or a Go template over the event's fields), `--no-trunc` (accepted; IDs are never
//! truncated, as with Podman's default). Without `--since` or `--until` a stream shows only
//! events from now on.

use clap::Args;
use libpod_core::events::{Event, EventFilter, ReadOptions};
use libpod_core::logs::{parse_time, parse_until};
use libpod_core::runtime::Runtime;
use std::io::Write;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

#[derive(Args)]
pub struct EventsArgs {
    /// Filter output (KEY=VALUE: container, event, image, pod, volume, type, label).
    #[arg(short, long = "filter")]
    filter: Vec<String>,
    /// Format the output using a Go template, or `json`.
    #[arg(long)]
    format: Option<String>,
    /// Show all events created since timestamp.
    #[arg(long)]
    since: Option<String>,
    /// Show all events until timestamp.
    #[arg(long)]
    until: Option<String>,
    /// Stream new events (`--stream=false`: print the existing ones and exit).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    stream: bool,
    /// Do not truncate the output (the default).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    no_trunc: bool,
}

/// How each event is printed.
enum Output {
    Human,
    Json,
    Template(String),
}

pub fn events(rt: &Runtime, args: EventsArgs) -> Result {
    let now = chrono::Local::now().fixed_offset();
    let since = args
        .since
        .as_deref()
        .map(|s| parse_time(s, now))
        .transpose()?;
    let until = args
        .until
        .as_deref()
        .map(|s| parse_until(s, now))
        .transpose()?;
    let mut options = ReadOptions::default();
    options.filter = EventFilter::parse(&args.filter)?.since(since).until(until);
    options.stream = args.stream;
    options.from_start = since.is_some() || until.is_some();
    let output = match args.format.as_deref().map(str::trim) {
        None => Output::Human,
        Some("json" | "{{json .}}" | "{{ json . }}") => Output::Json,
        Some(template) => Output::Template(template.to_string()),
    };
    let stdout = std::io::stdout();
    let mut failure = None;
    rt.events().read(&options, &|| false, &mut |event| {
        let text = match render(&output, &event) {
            Ok(text) => text,
            Err(err) => {
                failure = Some(err);
                return false;
            }
        };
        // A closed stdout (`| head`) ends the stream.
        let mut out = stdout.lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .is_ok()
    })?;
    match failure {
        Some(err) => Err(err.into()),
        None => Ok(()),
    }
}

fn render(output: &Output, event: &Event) -> std::result::Result<String, String> {
    match output {
        Output::Human => Ok(format!("{}\n", event.to_human())),
        Output::Json => Ok(format!("{}\n", event.to_json())),
        Output::Template(template) => {
            let text = crate::format::render(template, &[template_row(event)])?;
            Ok(if text.ends_with('\n') {
                text
            } else {
                format!("{text}\n")
            })
        }
    }
}

/// The fields a template sees, named as Podman's `events.Event` (`{{.Time}}` as Go prints a
/// time).
fn template_row(event: &Event) -> serde_json::Value {
    serde_json::json!({
        "ContainerExitCode": event.container_exit_code,
        "ID": event.id,
        "Image": event.image,
        "Name": event.name,
        "Network": event.network,
        "Status": event.status.as_str(),
        "Time": event.go_time(),
        "Type": event.kind.as_str(),
        "HealthStatus": event.health_status,
        "PodID": event.pod_id,
        "Attributes": event.attributes.clone().unwrap_or_default(),
    })
}
