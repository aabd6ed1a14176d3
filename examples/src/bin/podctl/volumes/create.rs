//! `volume create [--driver D] [--label K=V] [--opt K=V] [NAME]`.

use super::{Result, volume_error};
use clap::Args;
use libpod_core::runtime::Runtime;
use libpod_core::volume::{
    VolumeCreateOption, with_volume_driver, with_volume_labels, with_volume_name,
    with_volume_options,
};

#[derive(Args)]
pub struct CreateArgs {
    /// Specify volume driver name.
    #[arg(long, default_value = "local")]
    driver: String,
    /// Set metadata for a volume (KEY=VALUE).
    #[arg(short, long)]
    label: Vec<String>,
    /// Set driver specific options (KEY=VALUE: type, device, o).
    #[arg(short, long = "opt")]
    opt: Vec<String>,
    /// The volume's name (a random one if none).
    name: Option<String>,
}

/// `KEY=VALUE` as a pair; `KEY` alone has an empty value (as Podman's label and option
/// parsing).
fn pair(text: &str) -> (String, String) {
    match text.split_once('=') {
        Some((k, v)) => (k.to_string(), v.to_string()),
        None => (text.to_string(), String::new()),
    }
}

pub fn create(rt: &Runtime, args: CreateArgs) -> Result {
    let mut options: Vec<VolumeCreateOption> = vec![with_volume_driver(args.driver)];
    if let Some(name) = args.name {
        options.push(with_volume_name(name));
    }
    options.push(with_volume_labels(args.label.iter().map(|l| pair(l))));
    options.push(with_volume_options(args.opt.iter().map(|o| pair(o))));
    let volume = rt.new_volume(options).map_err(|e| volume_error(e, 125))?;
    println!("{}", volume.name());
    Ok(())
}
