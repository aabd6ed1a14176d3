//! `version`: Podman 4.3's `define.Version` of the client (podctl), with no server.

use super::Fields;
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use serde_json::json;
use std::error::Error;

type Result<T = ()> = std::result::Result<T, Box<dyn Error>>;

#[derive(Args)]
pub struct VersionArgs {
    /// Change the output format to JSON or a Go template.
    #[arg(short, long)]
    format: Option<String>,
}

/// Podman's version template (cmd/podman/system/version.go) for the client.
const TEMPLATE: &str = "Client:\\tPodman Engine\n\
Version:\\t{{.Version}}\n\
API Version:\\t{{.APIVersion}}\n\
Go Version:\\t{{.GoVersion}}\n\
{{if .GitCommit -}}Git Commit:\\t{{.GitCommit}}\n{{end -}}\
Built:\\t{{.BuiltTime}}\n\
OS/Arch:\\t{{.OsArch}}";

/// podctl's `define.Version`: its own version; Go's fields and the API version (there is no
/// service) empty; the build time unknown (Podman's epoch in ANSIC form).
pub fn client() -> Fields {
    let epoch = chrono::DateTime::from_timestamp(0, 0)
        .unwrap_or_default()
        .with_timezone(&chrono::Local);
    Fields::default()
        .leaf("APIVersion", "APIVersion", "")
        .leaf("Version", "Version", env!("CARGO_PKG_VERSION"))
        .leaf("GoVersion", "GoVersion", "")
        .leaf("GitCommit", "GitCommit", "")
        .leaf(
            "BuiltTime",
            "BuiltTime",
            epoch.format("%a %b %e %H:%M:%S %Y").to_string(),
        )
        .leaf("Built", "Built", 0)
        .leaf(
            "OsArch",
            "OsArch",
            format!("{}/{}", std::env::consts::OS, super::host::go_arch()),
        )
        .leaf("Os", "Os", std::env::consts::OS)
}

/// `version`: Podman's text, `--format json` (`{"Client": ...}` on one line), or a template
/// over `{Client, Server}`; as Podman, a template that fails there is retried on the client
/// alone (`{{.Version}}`).
pub fn version(args: VersionArgs) -> Result {
    let client = client();
    let own = |e: String| Exit::new(OWN_ERROR, e);
    match args.format.as_deref() {
        Some("json") => println!("{}", json!({"Client": client.json()})),
        Some(format) => {
            let report = json!({"Client": client.template(), "Server": null});
            let out = crate::format::render(format, &[report]).or_else(|_| {
                crate::format::render(&format.replace(".Server.", "."), &[client.template()])
            });
            print!("{}", out.map_err(own)?);
        }
        None => {
            let text = crate::format::render(TEMPLATE, &[client.template()]).map_err(own)?;
            print!("{}", crate::format::tabulate(&text));
        }
    }
    Ok(())
}
