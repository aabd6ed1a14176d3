//! `load [-i FILE] [-q]` (also `image load`): images from a docker archive (`podman save`'s
//! and `docker save`'s default) or an OCI archive, told apart by their content, as Podman 4.3
//! loads them; standard input when no file is given.

use super::Result;
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_storage::manifest::Platform;
use libpod_storage::transport::{DockerArchive, OciArchive, is_docker_archive};
use libpod_storage::{ImageReference, Store};
use std::fs::File;
use std::io::{self, IsTerminal};
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

#[derive(Args)]
pub struct LoadArgs {
    /// Read from specified archive file (default: stdin).
    #[arg(short, long)]
    input: Option<PathBuf>,
    /// Suppress the output.
    #[arg(short, long)]
    quiet: bool,
}

pub fn load(store: &Store, args: LoadArgs) -> Result {
    // Held (and locked) while the archive is unpacked: another process's repair leaves it be.
    let staging = store.staging()?;
    let path = match args.input {
        Some(path) => path,
        None => {
            if io::stdin().is_terminal() {
                return Err(Exit::new(
                    OWN_ERROR,
                    "cannot read from terminal, use command-line redirection or the --input flag",
                )
                .into());
            }
            let path = staging.path().join("stdin.tar");
            let mut out = File::options()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)?;
            io::copy(&mut io::stdin().lock(), &mut out)?;
            path
        }
    };
    let mut loaded = Vec::new();
    if is_docker_archive(&path)? {
        let archive = DockerArchive::open(&path, staging.path())?;
        for index in 0..archive.len() {
            let names = archive
                .names(index)
                .iter()
                .map(|n| ImageReference::parse(n))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let image = store.pull_from(&archive.image(index)?, names.first())?;
            for name in names.iter().skip(1) {
                store.tag(&image.id.hex(), &name.to_string())?;
            }
            loaded.push(loaded_names(&names, &image.id.hex()));
        }
    } else {
        let archive = OciArchive::open(&path, staging.path(), None, &Platform::host())?;
        // A whole reference names the image; a bare tag (skopeo's `oci-archive:F:TAG`) does not.
        let name = archive
            .ref_name()
            .filter(|n| !ImageReference::is_short_name(n))
            .and_then(|n| ImageReference::parse(n).ok());
        let image = store.pull_from(&archive, name.as_ref())?;
        loaded.push(loaded_names(name.as_slice(), &image.id.hex()));
    }
    if !args.quiet {
        for name in loaded.concat() {
            println!("Loaded image: {name}");
        }
    }
    Ok(())
}

/// The names Podman reports an image loaded as: its names, or `sha256:ID` when it has none.
fn loaded_names(names: &[ImageReference], id: &str) -> Vec<String> {
    if names.is_empty() {
        vec![format!("sha256:{id}")]
    } else {
        names.iter().map(ToString::to_string).collect()
    }
}
