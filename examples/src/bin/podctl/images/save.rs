//! `save [-o FILE] [--format F] [-m] IMAGE [NAME|IMAGE...]` (also `image save`), as Podman
//! 4.3's: a docker archive by default (with `-m` several images, else further arguments are
//! more names for the one), or an OCI archive or layout; to stdout when no file is given.

use super::Result;
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_storage::{ImageRecord, ImageReference, Store};
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct SaveArgs {
    /// Write to a specified file (default: stdout, which must not be a terminal).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Save image to docker-archive, oci-archive (see containers-transports(5)) or oci-dir.
    #[arg(long, default_value = "docker-archive")]
    format: String,
    /// Interpret additional arguments as images not tags and create a multi-image-archive
    /// (only for docker-archive).
    #[arg(short, long = "multi-image-archive")]
    multi_image_archive: bool,
    /// Suppress the output.
    #[arg(short, long)]
    quiet: bool,
    /// The image, then more names for it (or, with -m, more images).
    #[arg(required = true)]
    images: Vec<String>,
}

pub fn save(store: &Store, args: SaveArgs) -> Result {
    let staging;
    let (output, to_stdout) = match &args.output {
        Some(path) => (path.clone(), false),
        None => {
            if io::stdout().is_terminal() {
                return Err(Exit::new(
                    OWN_ERROR,
                    "refusing to save to terminal. Use -o flag or redirect",
                )
                .into());
            }
            staging = store.staging()?;
            (staging.path().join("saved"), true)
        }
    };
    let first = &args.images[0];
    match args.format.as_str() {
        "docker-archive" => {
            let mut images = Vec::new();
            if args.multi_image_archive {
                for image in &args.images {
                    let record = store.image(image)?;
                    images.push((
                        image.as_str(),
                        name_given(&record, image).into_iter().collect(),
                    ));
                }
            } else {
                let record = store.image(first)?;
                let mut names: Vec<String> = name_given(&record, first).into_iter().collect();
                for name in &args.images[1..] {
                    names.push(ImageReference::parse(name)?.to_string());
                }
                images.push((first.as_str(), names));
            }
            store.save_to_docker_archive(&images, &output)?;
        }
        format @ ("oci-archive" | "oci-dir") => {
            if args.images.len() > 1 {
                return Err(Exit::new(
                    OWN_ERROR,
                    format!("{format} saves one image: --multi-image-archive and further names are docker-archive's"),
                )
                .into());
            }
            let record = store.image(first)?;
            let tag = name_given(&record, first).or_else(|| record.names.first().cloned());
            if format == "oci-archive" {
                store.save_to_archive(first, &output, tag.as_deref())?;
            } else {
                store.save_to_layout(first, &output, tag.as_deref())?;
            }
        }
        other => {
            return Err(Exit::new(
                OWN_ERROR,
                format!("unsupported format {other:?}: podctl saves docker-archive, oci-archive or oci-dir"),
            )
            .into());
        }
    }
    if to_stdout {
        copy_to_stdout(&output)?;
    }
    Ok(())
}

/// The image's name the user called it by (`busybox` finds `localhost/busybox:latest`), or
/// none when they gave its ID.
fn name_given(record: &ImageRecord, given: &str) -> Option<String> {
    if record
        .id
        .hex()
        .starts_with(given.trim_start_matches("sha256:"))
    {
        return None;
    }
    let full = ImageReference::parse(given).ok().map(|r| r.to_string());
    let with_tag = if given.contains(':') {
        given.to_string()
    } else {
        format!("{given}:latest")
    };
    record
        .names
        .iter()
        .find(|n| Some(n.as_str()) == full.as_deref())
        .or_else(|| {
            record
                .names
                .iter()
                .find(|n| n.ends_with(&format!("/{with_tag}")))
        })
        .or_else(|| record.names.first())
        .cloned()
}

fn copy_to_stdout(file: &Path) -> Result {
    let mut from = std::fs::File::open(file)?;
    io::copy(&mut from, &mut io::stdout().lock())?;
    Ok(())
}
