//! `network inspect [--format FMT] NETWORK...`: c/common's network JSON, indented as
//! Podman's `inspect` prints it; those found printed before the error naming the missing.

use super::{Result, template_value};
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::CoreError;
use libpod_core::runtime::Runtime;
use libpod_net::NetError;
use serde::Serialize;

#[derive(Args)]
pub struct InspectArgs {
    /// Pretty-print network to JSON or using a Go template.
    #[arg(short, long, default_value = "json")]
    format: String,
    /// Networks (name, ID or unique ID prefix).
    #[arg(required = true)]
    names: Vec<String>,
}

pub fn inspect(rt: &Runtime, args: InspectArgs) -> Result {
    let store = rt.networks()?;
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for name in &args.names {
        match store.inspect(name) {
            Ok(network) => found.push(network),
            Err(err @ NetError::NoSuchNetwork { .. }) => {
                missing.push(format!("network {name}: {err}"));
            }
            Err(err) => return Err(CoreError::from(err).into()),
        }
    }
    if args.format == "json" {
        print!("{}", go_json(&found)?);
    } else {
        let rows = found
            .iter()
            .map(template_value)
            .collect::<Result<Vec<_>>>()?;
        let text =
            crate::format::render(&args.format, &rows).map_err(|e| Exit::new(OWN_ERROR, e))?;
        print!("{text}");
    }
    let Some((first, others)) = missing.split_first() else {
        return Ok(());
    };
    for other in others {
        eprintln!("error inspecting object: {other}");
    }
    Err(Exit::new(OWN_ERROR, format!("inspecting object: {first}")).into())
}

/// JSON as Podman's `inspect` encodes it: indented by five spaces, with a newline after.
fn go_json(value: &impl Serialize) -> Result<String> {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"     ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value.serialize(&mut serializer)?;
    out.push(b'\n');
    Ok(String::from_utf8(out)?)
}
