//! The real Podman 4.3 as the reference: `podman login --get-login KEY` looks credentials up
//! with containers/image's own code, over the same files as ours.

use super::*;
use crate::registry::test_support::{ServerGuard, free_port};
use libpod_testutil::{Podman, TempRoot, require_root, serial};
use std::process::Command;

/// Podman's answer: `Ok(Some(user))`, `Ok(None)` when not logged in, `Err` on an error.
fn podman_get_login(
    podman: &Podman,
    layout: &Layout,
    registry_auth_file: Option<&Path>,
    key: &str,
) -> Result<Option<String>, String> {
    let mut command = podman.command();
    for var in ["XDG_CONFIG_HOME", "DOCKER_CONFIG", "REGISTRY_AUTH_FILE"] {
        command.env_remove(var);
    }
    command
        .env("HOME", layout.path("home"))
        .env("XDG_RUNTIME_DIR", layout.path("run"));
    if let Some(file) = registry_auth_file {
        command.env("REGISTRY_AUTH_FILE", file);
    }
    let output = command
        .args(["login", "--get-login", key])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.success() {
        Ok(Some(
            String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        ))
    } else if stderr.contains("not logged into") {
        Ok(None)
    } else {
        Err(stderr.into_owned())
    }
}

fn ours(files: &AuthFiles, key: &str) -> Result<Option<String>, String> {
    let (registry, repository) = key.split_once('/').unwrap_or((key, ""));
    files
        .lookup(registry, repository)
        .map(|found| found.map(|c| c.username))
        .map_err(|err| err.to_string())
}

fn write_json(path: &Path, json: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, json).unwrap();
}

fn entry(key: &str, auth: &str) -> String {
    format!("{key:?}: {{\"auth\": {:?}}}", STANDARD.encode(auth))
}

#[test]
fn podman_get_login_agrees() {
    require_root();
    let _guard = serial();
    let tmp = TempRoot::new().unwrap();
    let podman = Podman::new(tmp.path(), "");
    let layout = Layout::new();
    let token = format!(
        "\"t.example\": {{\"auth\": {:?}, \"identitytoken\": \"tok\"}}",
        STANDARD.encode("tokuser:")
    );
    let runtime = [
        entry("r.example/ns/repo", "repo:pw"),
        entry("https://h.example:5000/v2/", "url:pw"),
        token,
        entry("n.example", "nocolon"),
        entry("b.example", "bad").replace("YmFk", "!bad"),
    ];
    write_json(
        &layout.runtime_auth(),
        &format!("{{\"auths\": {{{}}}}}", runtime.join(",")),
    );
    let config = [
        entry("r.example/ns", "ns:pw"),
        entry("r.example", "host:pw"),
        entry("n.example", "cfgn:pw"),
    ];
    write_json(
        &layout.config_auth(),
        &format!("{{\"Auths\": {{{}}}}}", config.join(",")),
    );
    let docker = [
        entry("https://index.docker.io/v1/", "hub:pw"),
        entry("d.example", "docker:pw"),
    ];
    write_json(
        &layout.docker_config(),
        &format!("{{\"auths\": {{{}}}}}", docker.join(",")),
    );
    write_json(
        &layout.dockercfg(),
        &format!("{{{}}}", entry("http://l.example/v1/", "legacy:pw")),
    );
    let env_file = layout.path("env.json");
    write_json(
        &env_file,
        &format!("{{\"auths\": {{{}}}}}", entry("e.example", "env:pw")),
    );

    let keys = [
        "r.example/ns/repo",
        "r.example/ns/other",
        "r.example/x",
        "r.example",
        "h.example:5000",
        "h.example:5000/a/b",
        "docker.io",
        "docker.io/library/busybox",
        "t.example",
        "n.example",
        "b.example",
        "d.example",
        "l.example",
        "l.example/ns/x",
        "e.example",
        "none.example",
    ];
    for registry_auth_file in [None, Some(env_file.as_path())] {
        let vars_home = layout.path("home");
        let vars_run = layout.path("run");
        let mut vars = vec![
            ("HOME", vars_home.as_path()),
            ("XDG_RUNTIME_DIR", vars_run.as_path()),
        ];
        vars.extend(registry_auth_file.map(|file| ("REGISTRY_AUTH_FILE", file)));
        let files = AuthFiles::for_uid(&env(&vars), None, 0);
        for key in keys {
            let theirs = podman_get_login(&podman, &layout, registry_auth_file, key);
            let ours = ours(&files, key);
            match (&theirs, &ours) {
                (Err(_), Err(_)) => {}
                _ => assert_eq!(
                    ours, theirs,
                    "{key} with REGISTRY_AUTH_FILE={registry_auth_file:?}"
                ),
            }
        }
    }
    // A malformed file fails both, once no earlier file has an answer.
    write_json(&layout.docker_config(), "{\"auths\": ");
    let files = layout.files(&[]);
    assert!(podman_get_login(&podman, &layout, None, "d.example").is_err());
    assert!(ours(&files, "d.example").is_err());
    assert_eq!(ours(&files, "r.example").unwrap().as_deref(), Some("host"));
}

/// docker-registry without authentication accepts any login, which is enough for
/// `podman login` to write its file.
fn start_registry(dir: &Path) -> (ServerGuard, String) {
    let port = free_port();
    let config = dir.join("registry.yml");
    fs::write(
        &config,
        format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.join("storage").display()
        ),
    )
    .unwrap();
    let mut command = Command::new("docker-registry");
    command.arg("serve").arg(&config);
    (
        ServerGuard::start(command, port),
        format!("127.0.0.1:{port}"),
    )
}

#[test]
fn podman_login_writes_what_we_read() {
    require_root();
    let _guard = serial();
    let tmp = TempRoot::new().unwrap();
    let podman = Podman::new(tmp.path(), "");
    let (_registry, host) = start_registry(tmp.path());
    let auth_file = tmp.path().join("auth.json");
    let login = |target: &str, user: &str, password: &str| {
        let output = podman
            .command()
            .arg("login")
            .arg("--authfile")
            .arg(&auth_file)
            .args([
                "--tls-verify=false",
                "--username",
                user,
                "--password",
                password,
                target,
            ])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    login(&host, "alice", "p:ss w0rd");
    login(&format!("{host}/team/app"), "bob", "s3cret");

    let files = AuthFiles::explicit(&auth_file);
    let alice = files.lookup(&host, "library/busybox").unwrap().unwrap();
    assert_eq!(
        (alice.username.as_str(), alice.password.as_str()),
        ("alice", "p:ss w0rd")
    );
    assert_eq!(alice.identity_token, None);
    let bob = files.lookup(&host, "team/app").unwrap().unwrap();
    assert_eq!(
        (bob.username.as_str(), bob.password.as_str()),
        ("bob", "s3cret")
    );
    assert_eq!(
        files.lookup(&host, "team").unwrap().unwrap().username,
        "alice"
    );
    assert_eq!(files.lookup("127.0.0.1:1", "").unwrap(), None);
}
