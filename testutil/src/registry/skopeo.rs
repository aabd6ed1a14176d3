//! Pushing and inspecting images in a [`TestRegistry`] with the host's `skopeo`.

use super::server::TestRegistry;
use std::fs;
use std::io;
use std::path::PathBuf;
use std::process::Command;

/// Copies `src` (any skopeo source, e.g. `oci:/dir:tag`) to `docker://HOST/dest_repo_tag`
/// in `registry`, with the registry's TLS trust (`--dest-cert-dir` holding its CA, or
/// `--dest-tls-verify=false` for plain HTTP) and its credentials (`--dest-creds`) unless
/// `extra_args` sets `--dest-creds`, `--dest-no-creds` or `--dest-authfile` itself (an auth
/// file with an `identitytoken` makes skopeo use a token server's OAuth2 POST). `extra_args` go after
/// `copy`: pass `--all` for a multi-arch image, `--dest-compress-format zstd`, ...
///
/// Signature policy and auth file are private to the registry's directory, so the host's
/// `/etc/containers/policy.json` and credentials play no part.
///
/// # Errors
/// When skopeo fails; its stderr is in the error.
pub fn copy_to_registry(
    src: &str,
    registry: &TestRegistry,
    dest_repo_tag: &str,
    extra_args: &[&str],
) -> io::Result<()> {
    let policy = registry.dir().join("policy.json");
    fs::write(
        &policy,
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    )?;
    let mut command = Command::new("skopeo");
    command.arg("--policy").arg(&policy).arg("copy");
    command
        .args(["--retry-times", "0", "--authfile"])
        .arg(auth_file(registry));
    add_trust_and_creds(&mut command, registry, "dest-", extra_args)?;
    command
        .args(extra_args)
        .arg(src)
        .arg(format!("docker://{}/{dest_repo_tag}", registry.host()));
    run(command).map(drop)
}

/// Runs `skopeo inspect [extra_args] docker://HOST/repo_tag` against `registry` (TLS trust
/// and credentials as for [`copy_to_registry`]) and returns its stdout: pass `--raw` for
/// the manifest as stored, `--config` for the image config.
///
/// # Errors
/// When skopeo fails; its stderr is in the error.
pub fn inspect(registry: &TestRegistry, repo_tag: &str, extra_args: &[&str]) -> io::Result<String> {
    let mut command = Command::new("skopeo");
    command
        .args(["inspect", "--retry-times", "0", "--authfile"])
        .arg(auth_file(registry));
    add_trust_and_creds(&mut command, registry, "", extra_args)?;
    command
        .args(extra_args)
        .arg(format!("docker://{}/{repo_tag}", registry.host()));
    run(command)
}

/// An auth file that does not exist, so skopeo does not pick up the host's credentials.
fn auth_file(registry: &TestRegistry) -> PathBuf {
    registry.dir().join("no-auth.json")
}

/// Adds `--{prefix}tls-verify`, `--{prefix}cert-dir` and `--{prefix}creds` (or
/// `--{prefix}no-creds`) as the registry needs, leaving credentials to `extra_args` when
/// it names any (or an auth file for them).
fn add_trust_and_creds(
    command: &mut Command,
    registry: &TestRegistry,
    prefix: &str,
    extra_args: &[&str],
) -> io::Result<()> {
    if registry.is_tls() {
        let certs = registry.certs_d(&registry.dir().join("certs.d"))?;
        command.arg(format!("--{prefix}tls-verify=true"));
        command.arg(format!("--{prefix}cert-dir")).arg(certs);
    } else {
        command.arg(format!("--{prefix}tls-verify=false"));
    }
    let creds_flag = format!("--{prefix}creds");
    let no_creds_flag = format!("--{prefix}no-creds");
    let authfile_flag = format!("--{prefix}authfile");
    let caller_sets_creds = extra_args.iter().any(|arg| {
        arg.starts_with(&creds_flag)
            || arg.starts_with(&no_creds_flag)
            || arg.starts_with(&authfile_flag)
    });
    if !caller_sets_creds {
        match registry.credentials() {
            Some((user, password)) => {
                command.arg(creds_flag).arg(format!("{user}:{password}"));
            }
            None => {
                command.arg(no_creds_flag);
            }
        }
    }
    Ok(())
}

fn run(mut command: Command) -> io::Result<String> {
    let output = command
        .output()
        .map_err(|err| io::Error::new(err.kind(), format!("running skopeo: {err}")))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(io::Error::other(format!(
            "{command:?} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}
