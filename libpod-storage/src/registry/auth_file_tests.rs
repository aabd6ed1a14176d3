//! Which files are read, in which order, with temporary files; and the same lookups done by
//! the real Podman 4.3 (`podman login --get-login`, and a file written by `podman login`
//! against a local docker-registry).

use super::*;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::collections::HashMap;
use std::fs;
use tempfile::TempDir;

fn env(vars: &[(&str, &Path)]) -> impl Fn(&str) -> Option<OsString> + use<> {
    let vars: HashMap<String, OsString> = vars
        .iter()
        .map(|(name, value)| (name.to_string(), value.as_os_str().to_owned()))
        .collect();
    move |name| vars.get(name).cloned()
}

fn write_auth(path: &Path, registry: &str, user: &str) {
    let auth = STANDARD.encode(format!("{user}:pw"));
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(
        path,
        format!("{{\"auths\": {{{registry:?}: {{\"auth\": {auth:?}}}}}}}"),
    )
    .unwrap();
}

fn user_of(files: &AuthFiles, registry: &str, repository: &str) -> Option<String> {
    files
        .lookup(registry, repository)
        .unwrap()
        .map(|c| c.username)
}

fn paths(files: &AuthFiles) -> Vec<(PathBuf, bool)> {
    files
        .files()
        .iter()
        .map(|f| (f.path.clone(), f.legacy_format))
        .collect()
}

/// A home directory, a runtime directory and the default files in them.
struct Layout {
    tmp: TempDir,
}

impl Layout {
    fn new() -> Layout {
        let tmp = TempDir::new().unwrap();
        fs::create_dir_all(tmp.path().join("run")).unwrap();
        fs::create_dir_all(tmp.path().join("home")).unwrap();
        Layout { tmp }
    }
    fn path(&self, relative: &str) -> PathBuf {
        self.tmp.path().join(relative)
    }
    fn runtime_auth(&self) -> PathBuf {
        self.path("run/containers/auth.json")
    }
    fn config_auth(&self) -> PathBuf {
        self.path("home/.config/containers/auth.json")
    }
    fn docker_config(&self) -> PathBuf {
        self.path("home/.docker/config.json")
    }
    fn dockercfg(&self) -> PathBuf {
        self.path("home/.dockercfg")
    }
    fn files(&self, extra: &[(&str, &Path)]) -> AuthFiles {
        let home = self.path("home");
        let run = self.path("run");
        let mut vars = vec![("HOME", home.as_path()), ("XDG_RUNTIME_DIR", run.as_path())];
        vars.extend_from_slice(extra);
        AuthFiles::for_uid(&env(&vars), None, 1234)
    }
}

#[test]
fn default_order() {
    let layout = Layout::new();
    assert_eq!(
        paths(&layout.files(&[])),
        vec![
            (layout.runtime_auth(), false),
            (layout.config_auth(), false),
            (layout.docker_config(), false),
            (layout.dockercfg(), true),
        ]
    );
}

#[test]
fn environment_overrides() {
    let layout = Layout::new();
    let (auth_file, config_home, docker) = (
        layout.path("env.json"),
        layout.path("xch"),
        layout.path("dc"),
    );
    let files = layout.files(&[
        ("REGISTRY_AUTH_FILE", &auth_file),
        ("XDG_CONFIG_HOME", &config_home),
        ("DOCKER_CONFIG", &docker),
    ]);
    assert_eq!(
        paths(&files),
        vec![
            (auth_file, false),
            (config_home.join("containers/auth.json"), false),
            (docker.join("config.json"), false),
            (layout.dockercfg(), true),
        ]
    );
}

#[test]
fn primary_file_without_xdg_runtime_dir_is_per_uid() {
    let home = PathBuf::from("/nonexistent/home");
    let files = AuthFiles::for_uid(&env(&[("HOME", &home)]), None, 0);
    assert_eq!(
        files.files()[0].path,
        Path::new("/run/containers/0/auth.json")
    );
    let empty = PathBuf::new();
    let files = AuthFiles::for_uid(
        &env(&[("HOME", &home), ("XDG_RUNTIME_DIR", &empty)]),
        None,
        1000,
    );
    assert_eq!(
        files.files()[0].path,
        Path::new("/run/containers/1000/auth.json")
    );
}

#[test]
fn missing_xdg_runtime_dir_is_skipped() {
    let layout = Layout::new();
    let missing = layout.path("no-such-run");
    let files = layout.files(&[("XDG_RUNTIME_DIR", &missing)]);
    assert_eq!(files.files()[0].path, layout.config_auth());
}

#[test]
fn home_comes_from_the_password_database_without_home() {
    // uid 0 is root on every test host.
    let root_home = home_of(0).unwrap();
    let files = AuthFiles::for_uid(&env(&[]), None, 0);
    assert_eq!(
        files.files()[1].path,
        root_home.join(".config/containers/auth.json")
    );
}

#[test]
fn first_file_with_credentials_wins() {
    let layout = Layout::new();
    write_auth(&layout.dockercfg_modern_placeholder(), "unused", "x");
    write_auth(&layout.docker_config(), "r.example", "docker");
    let files = layout.files(&[]);
    assert_eq!(
        user_of(&files, "r.example", "ns/repo").as_deref(),
        Some("docker")
    );
    write_auth(&layout.config_auth(), "r.example", "config");
    assert_eq!(
        user_of(&files, "r.example", "ns/repo").as_deref(),
        Some("config")
    );
    write_auth(&layout.runtime_auth(), "r.example", "runtime");
    assert_eq!(
        user_of(&files, "r.example", "ns/repo").as_deref(),
        Some("runtime")
    );
    // A less specific key in an earlier file beats a more specific one in a later file.
    write_auth(&layout.config_auth(), "r.example/ns/repo", "config-repo");
    assert_eq!(
        user_of(&files, "r.example", "ns/repo").as_deref(),
        Some("runtime")
    );
    assert_eq!(user_of(&files, "other.example", ""), None);
}

#[test]
fn registry_auth_file_is_read_first_then_the_others() {
    let layout = Layout::new();
    write_auth(&layout.runtime_auth(), "r.example", "runtime");
    write_auth(&layout.config_auth(), "r.example", "config");
    let env_file = layout.path("env.json");
    write_auth(&env_file, "r.example", "env");
    let files = layout.files(&[("REGISTRY_AUTH_FILE", &env_file)]);
    assert_eq!(user_of(&files, "r.example", "").as_deref(), Some("env"));
    // It replaces the runtime file; the later ones are still fallbacks (Podman 4.3).
    write_auth(&env_file, "other.example", "env");
    assert_eq!(user_of(&files, "r.example", "").as_deref(), Some("config"));
}

#[test]
fn authfile_option_replaces_registry_auth_file() {
    let layout = Layout::new();
    let (env_file, option_file) = (layout.path("env.json"), layout.path("option.json"));
    write_auth(&env_file, "r.example", "env");
    write_auth(&option_file, "r.example", "option");
    let home = layout.path("home");
    let vars = env(&[("HOME", &home), ("REGISTRY_AUTH_FILE", &env_file)]);
    let files = AuthFiles::for_uid(&vars, Some(option_file.clone()), 1234);
    assert_eq!(files.files()[0].path, option_file);
    assert_eq!(user_of(&files, "r.example", "").as_deref(), Some("option"));
}

#[test]
fn explicit_file_is_the_only_one() {
    let layout = Layout::new();
    write_auth(&layout.runtime_auth(), "r.example", "runtime");
    let only = layout.path("only.json");
    let files = AuthFiles::explicit(&only);
    assert_eq!(user_of(&files, "r.example", ""), None);
    write_auth(&only, "r.example", "only");
    assert_eq!(user_of(&files, "r.example", "").as_deref(), Some("only"));
}

#[test]
fn missing_files_are_skipped() {
    let layout = Layout::new();
    write_auth(&layout.dockercfg_modern_placeholder(), "unused", "x");
    assert_eq!(user_of(&layout.files(&[]), "r.example", ""), None);
}

#[test]
fn legacy_dockercfg_is_the_last_resort() {
    let layout = Layout::new();
    let auth = STANDARD.encode("legacy:pw");
    fs::write(
        layout.dockercfg(),
        format!("{{\"https://r.example/v1/\": {{\"auth\": {auth:?}, \"email\": \"a@b\"}}}}"),
    )
    .unwrap();
    let files = layout.files(&[]);
    assert_eq!(
        user_of(&files, "r.example", "ns/repo").as_deref(),
        Some("legacy")
    );
}

#[test]
fn malformed_file_is_an_error_naming_it_unless_an_earlier_file_matched() {
    let layout = Layout::new();
    fs::create_dir_all(layout.config_auth().parent().unwrap()).unwrap();
    fs::write(layout.config_auth(), "{\"auths\":").unwrap();
    let files = layout.files(&[]);
    match files.lookup("r.example", "") {
        Err(StorageError::AuthFile { path, reason }) => {
            assert_eq!(path, layout.config_auth());
            assert!(reason.contains("JSON"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    write_auth(&layout.runtime_auth(), "r.example", "runtime");
    assert_eq!(user_of(&files, "r.example", "").as_deref(), Some("runtime"));
}

#[test]
fn entries_without_credentials_fall_through_to_the_next_file() {
    let layout = Layout::new();
    fs::create_dir_all(layout.runtime_auth().parent().unwrap()).unwrap();
    // What docker writes next to a credential helper, and an auth without ':'.
    let no_colon = STANDARD.encode("nocolon");
    fs::write(
        layout.runtime_auth(),
        format!(
            "{{\"auths\": {{\"r.example\": {{}}, \"s.example\": {{\"auth\": {no_colon:?}}}}}}}"
        ),
    )
    .unwrap();
    fs::create_dir_all(layout.docker_config().parent().unwrap()).unwrap();
    let (r, s) = (STANDARD.encode("r:pw"), STANDARD.encode("s:pw"));
    fs::write(
        layout.docker_config(),
        format!("{{\"auths\": {{\"r.example\": {{\"auth\": {r:?}}}, \"s.example\": {{\"auth\": {s:?}}}}}}}"),
    )
    .unwrap();
    let files = layout.files(&[]);
    assert_eq!(user_of(&files, "r.example", "").as_deref(), Some("r"));
    assert_eq!(user_of(&files, "s.example", "").as_deref(), Some("s"));
}

#[test]
fn oversized_file_is_refused() {
    let layout = Layout::new();
    let path = layout.path("big.json");
    let padding = " ".repeat(usize::try_from(MAX_AUTH_FILE_SIZE).unwrap());
    fs::write(&path, format!("{{\"auths\": {{}}}}{padding}")).unwrap();
    match AuthFiles::explicit(&path).lookup("r.example", "") {
        Err(StorageError::AuthFile { path: p, reason }) => {
            assert_eq!(p, path);
            assert!(reason.contains("larger"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unreadable_path_is_an_io_error() {
    let layout = Layout::new();
    // A directory where the file should be: not "missing", so not skipped.
    fs::create_dir_all(layout.path("dir.json")).unwrap();
    let err = AuthFiles::explicit(layout.path("dir.json"))
        .lookup("r.example", "")
        .unwrap_err();
    assert!(matches!(err, StorageError::Io { .. }), "{err}");
}

impl Layout {
    /// A file in the home directory that is not a credentials file, to show that only the
    /// listed files are read.
    fn dockercfg_modern_placeholder(&self) -> PathBuf {
        self.path("home/.config/containers/other.json")
    }
}

#[path = "auth_file_podman_tests.rs"]
mod podman;
