//! The annotations Podman writes into every spec.

use super::SpecContext;
use super::security::seccomp_unconfined;
use crate::ImageConfig;
use crate::config::CreateConfig;
use crate::error::Result;
use crate::parse::parse_signal;
use std::collections::HashMap;

/// Signal 15 (SIGTERM), the stop signal when neither the user nor the image names one.
const DEFAULT_STOP_SIGNAL: i32 = 15;

pub(super) fn build(
    config: &CreateConfig,
    image: Option<&ImageConfig>,
    ctx: &SpecContext,
) -> Result<HashMap<String, String>> {
    let flag = |b: bool| if b { "TRUE" } else { "FALSE" }.to_string();
    let mut a: HashMap<String, String> = HashMap::new();
    a.insert("io.container.manager".into(), "libpod".into());
    if let Some(created) = &ctx.created {
        a.insert("io.kubernetes.cri-o.Created".into(), created.to_string());
    }
    a.insert("io.kubernetes.cri-o.TTY".into(), config.tty.to_string());
    a.insert(
        "io.podman.annotations.autoremove".into(),
        flag(config.rm || ctx.auto_remove),
    );
    a.insert("io.podman.annotations.init".into(), flag(config.init));
    a.insert(
        "io.podman.annotations.privileged".into(),
        flag(config.security.privileged),
    );
    a.insert(
        "io.podman.annotations.publish-all".into(),
        flag(ctx.publish_all),
    );
    if seccomp_unconfined(config) {
        a.insert("io.podman.annotations.seccomp".into(), "unconfined".into());
    }
    a.insert(
        "org.opencontainers.image.stopSignal".into(),
        match ctx.stop_signal {
            Some(signal) => signal,
            None => stop_signal(config, image)?,
        }
        .to_string(),
    );
    for (k, v) in &config.annotations {
        a.insert(k.clone(), v.clone());
    }
    Ok(a)
}

/// The stop signal: the user's, else the image's, else SIGTERM.
pub(crate) fn stop_signal(config: &CreateConfig, image: Option<&ImageConfig>) -> Result<i32> {
    match config
        .stop_signal
        .as_deref()
        .or_else(|| image.and_then(|i| i.stop_signal().as_deref()))
    {
        Some(s) => parse_signal(s),
        None => Ok(DEFAULT_STOP_SIGNAL),
    }
}
