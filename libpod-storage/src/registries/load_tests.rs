//! Files and drop-ins: containers/image's TestRegistriesConfDirectory, TestFindRegistry (with
//! its registries.conf.d), TestNewConfigWrapper and the loading rules of
//! `man containers-registries.conf.d`.

use super::*;
use crate::registries::ShortNameMode;
use std::collections::HashMap;
use std::fs;
use tempfile::TempDir;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, text).unwrap();
    path
}

/// testdata/base-for-registries.d.conf and testdata/registries.conf.d, plus aliases.
fn drop_in_fixture() -> (TempDir, PathBuf, PathBuf) {
    let tmp = TempDir::new().unwrap();
    let base = write(
        tmp.path(),
        "registries.conf",
        "unqualified-search-registries = [\"example.com\"]\nshort-name-mode = \"enforcing\"\n\n[[registry]]\nlocation = \"base.com\"\ninsecure = true\n\n[aliases]\nkept = \"kept.com/image\"\n",
    );
    let dir = tmp.path().join("registries.conf.d");
    write(
        &dir,
        "config-1.conf",
        "unqualified-search-registries = [\"example-overwrite.com\"]\n\n[[registry]]\nlocation = \"1.com\"\n\n[aliases]\ndocker=\"docker.io/library/config1\"\nconfig1=\"config1.com/image\"\nbarz=\"barz.com/image/config1\"\n",
    );
    write(
        &dir,
        "config-2.conf",
        "[[registry]]\nlocation = \"2.com\"\n\n[[registry]]\nlocation = \"base.com\"\nblocked = true\n\n[aliases]\nbarz=\"barz.com/config2\"\nconfig1=\"\"\n",
    );
    write(&dir, "config-3.ignore", "this is not TOML [");
    write(&dir, "subdir.conf/nested.conf", "this is not TOML [");
    write(
        &dir,
        "subdomain-override-1.conf",
        "[[registry]]\nlocation = \"subdomain-prefix-1-overridden-by-dropin-location.com\"\nprefix = \"*.not.quite.simple-prefix.com\"\n",
    );
    write(
        &dir,
        "subdomain-override-2.conf",
        "[[registry]]\nlocation = \"subdomain-prefix-2-overridden-by-dropin-location.com\"\nprefix = \"*.docker.com\"\n",
    );
    write(
        &dir,
        "subdomain-override-3.conf",
        "[[registry]]\nlocation = \"subdomain-prefix-3-overridden-by-dropin-location.com\"\nprefix = \"*.bar.example.com\"\n",
    );
    (tmp, base, dir)
}

#[test]
fn drop_ins_override_in_name_order() {
    let (_tmp, base, dir) = drop_in_fixture();
    let config = RegistriesConfig::load(&base, Some(&dir)).unwrap();
    assert_eq!(
        config.unqualified_search_registries(),
        ["example-overwrite.com"]
    );
    assert_eq!(
        config.unqualified_search_origin(),
        Some(dir.join("config-1.conf").as_path())
    );
    let locations: Vec<&str> = config.registries().map(|r| r.location.as_str()).collect();
    assert_eq!(
        locations,
        [
            "subdomain-prefix-3-overridden-by-dropin-location.com",
            "subdomain-prefix-2-overridden-by-dropin-location.com",
            "subdomain-prefix-1-overridden-by-dropin-location.com",
            "1.com",
            "2.com",
            "base.com",
        ]
    );
    // config-2 replaced base.com's entry as a whole: blocked, and no longer insecure.
    let base_entry = config.find_registry("base.com/test:latest").unwrap();
    assert!(base_entry.blocked && !base_entry.insecure);
    assert_eq!(base_entry.origin, dir.join("config-2.conf"));
    // Settings a drop-in does not mention stay.
    assert_eq!(config.short_name_mode(), ShortNameMode::Enforcing);
    assert_eq!(config.alias("kept").unwrap().to_string(), "kept.com/image");
    assert_eq!(
        config.alias("docker").unwrap().to_string(),
        "docker.io/library/config1"
    );
    assert_eq!(
        config.alias("barz").unwrap().to_string(),
        "barz.com/config2"
    );
    assert_eq!(config.alias("config1"), None);
    let names: Vec<String> = config
        .sources()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "registries.conf",
            "config-1.conf",
            "config-2.conf",
            "subdomain-override-1.conf",
            "subdomain-override-2.conf",
            "subdomain-override-3.conf",
        ]
    );
}

#[test]
fn search_list_is_replaced_only_when_a_drop_in_sets_it() {
    let tmp = TempDir::new().unwrap();
    let base = write(
        tmp.path(),
        "base.conf",
        "unqualified-search-registries = [\"registry-a.com\", \"registry-c.com\"]",
    );
    let usr1 = tmp.path().join("usr1");
    write(&usr1, "no-usr.conf", "[[registry]]\nlocation = \"x.com\"");
    let config = RegistriesConfig::load(&base, Some(&usr1)).unwrap();
    assert_eq!(
        config.unqualified_search_registries(),
        ["registry-a.com", "registry-c.com"]
    );
    assert_eq!(config.unqualified_search_origin(), Some(base.as_path()));
    let usr2 = tmp.path().join("usr2");
    write(
        &usr2,
        "empty-usr.conf",
        "unqualified-search-registries = []",
    );
    let config = RegistriesConfig::load(&base, Some(&usr2)).unwrap();
    assert!(config.unqualified_search_registries().is_empty());
}

#[test]
fn credential_helpers_fall_back_when_a_drop_in_empties_them() {
    let tmp = TempDir::new().unwrap();
    let base = write(
        tmp.path(),
        "base.conf",
        "credential-helpers = [\"helper-1\", \"helper-2\"]",
    );
    let dir = tmp.path().join("d");
    write(&dir, "empty.conf", "credential-helpers = []");
    let config = RegistriesConfig::load(&base, Some(&dir)).unwrap();
    assert_eq!(config.credential_helpers(), ["containers-auth.json"]);
    write(
        &dir,
        "later.conf",
        "credential-helpers = [\"dropin-1\", \"dropin-2\"]",
    );
    let config = RegistriesConfig::load(&base, Some(&dir)).unwrap();
    assert_eq!(config.credential_helpers(), ["dropin-1", "dropin-2"]);
}

#[test]
fn errors_name_the_file_they_are_in() {
    let tmp = TempDir::new().unwrap();
    let base = write(
        tmp.path(),
        "registries.conf",
        "[[registry]]\nlocation = \"a.com\"",
    );
    let dir = tmp.path().join("d");
    write(
        &dir,
        "01-good.conf",
        "unqualified-search-registries = [\"a.com\"]",
    );
    let bad = write(&dir, "02-bad.conf", "[[registry]\n");
    match RegistriesConfig::load(&base, Some(&dir)) {
        Err(StorageError::RegistriesConf { path, reason }) => {
            assert_eq!(path, bad);
            assert!(reason.starts_with("line 1"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let v1 = write(
        &dir,
        "02-bad.conf",
        "[registries.search]\nregistries = [\"a.com\"]",
    );
    let error = RegistriesConfig::load(&base, Some(&dir))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(&v1.display().to_string()) && error.contains("v2 format"),
        "{error}"
    );
    fs::write(&bad, [0xff, 0xfe]).unwrap();
    let error = RegistriesConfig::load(&base, Some(&dir))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("02-bad.conf") && error.contains("UTF-8"),
        "{error}"
    );
}

#[test]
fn missing_files() {
    let tmp = TempDir::new().unwrap();
    let missing = tmp.path().join("nope.conf");
    // Named explicitly, the file must exist.
    match RegistriesConfig::load(&missing, None) {
        Err(StorageError::Io { path, source, .. }) => {
            assert_eq!(path, missing);
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("{other:?}"),
    }
    // The default file may be missing; so may drop-in directories.
    let locations = ConfigLocations {
        file: missing.clone(),
        file_required: false,
        drop_in_dirs: vec![tmp.path().join("no-dir")],
        recorded_aliases: Some(tmp.path().join("no-aliases.conf")),
    };
    let config = RegistriesConfig::load_locations(&locations).unwrap();
    assert_eq!(config, RegistriesConfig::default());
    assert!(config.sources().is_empty());
}

#[test]
fn recorded_aliases_are_read_last_and_win() {
    let tmp = TempDir::new().unwrap();
    let base = write(
        tmp.path(),
        "registries.conf",
        "[aliases]\nalpine = \"docker.io/library/alpine\"",
    );
    let recorded = write(
        tmp.path(),
        "short-name-aliases.conf",
        "[aliases]\nalpine = \"quay.io/x/alpine\"\n",
    );
    let locations = ConfigLocations {
        file: base.clone(),
        file_required: true,
        drop_in_dirs: Vec::new(),
        recorded_aliases: Some(recorded.clone()),
    };
    let config = RegistriesConfig::load_locations(&locations).unwrap();
    assert_eq!(
        config.alias("alpine").unwrap().to_string(),
        "quay.io/x/alpine"
    );
    assert_eq!(config.sources(), [base, recorded.clone()]);
    fs::write(&recorded, "[aliases]\nalpine = \"alpine:3\"\n").unwrap();
    let error = RegistriesConfig::load_locations(&locations)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("short-name-aliases.conf") && error.contains("must not contain tag"),
        "{error}"
    );
}

fn env(vars: &[(&str, &Path)]) -> impl Fn(&str) -> Option<std::ffi::OsString> {
    let vars: HashMap<String, std::ffi::OsString> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.as_os_str().to_owned()))
        .collect();
    move |name| vars.get(name).cloned()
}

#[test]
fn locations_follow_podman() {
    let home = TempDir::new().unwrap();
    let user = home.path().join(".config/containers");
    let system_dir = PathBuf::from(SYSTEM_REGISTRIES_CONF_DIR);

    let default = ConfigLocations::from_env(env(&[("HOME", home.path())]), true);
    assert_eq!(
        default,
        ConfigLocations {
            file: PathBuf::from(SYSTEM_REGISTRIES_CONF),
            file_required: false,
            drop_in_dirs: vec![system_dir.clone(), user.join("registries.conf.d")],
            recorded_aliases: Some(PathBuf::from(
                "/var/cache/containers/short-name-aliases.conf"
            )),
        }
    );

    // $CONTAINERS_REGISTRIES_CONF replaces the main file only; it must then exist.
    let custom = Path::new("/custom/registries.conf");
    let overridden = ConfigLocations::from_env(
        env(&[
            ("HOME", home.path()),
            ("CONTAINERS_REGISTRIES_CONF", custom),
        ]),
        true,
    );
    assert_eq!(overridden.file, custom);
    assert!(overridden.file_required);
    assert_eq!(overridden.drop_in_dirs, default.drop_in_dirs);

    // A user file replaces the system file and directory.
    write(&user, "registries.conf", "");
    let per_user = ConfigLocations::from_env(env(&[("HOME", home.path())]), false);
    assert_eq!(per_user.file, user.join("registries.conf"));
    assert!(!per_user.file_required);
    assert_eq!(per_user.drop_in_dirs, [user.join("registries.conf.d")]);
    assert_eq!(
        per_user.recorded_aliases,
        Some(
            home.path()
                .join(".cache/containers/short-name-aliases.conf")
        )
    );
    let cache = Path::new("/xdg/cache");
    let xdg = ConfigLocations::from_env(
        env(&[("HOME", home.path()), ("XDG_CACHE_HOME", cache)]),
        false,
    );
    assert_eq!(
        xdg.recorded_aliases,
        Some(cache.join("containers/short-name-aliases.conf"))
    );

    // Without a home, only the system locations.
    let homeless = ConfigLocations::from_env(env(&[("HOME", Path::new(""))]), false);
    assert_eq!(homeless.drop_in_dirs, [system_dir]);
    assert_eq!(homeless.recorded_aliases, None);
}

#[test]
fn an_overriding_file_that_does_not_exist_is_an_error() {
    let tmp = TempDir::new().unwrap();
    let missing = tmp.path().join("missing.conf");
    let vars = [
        ("HOME", tmp.path()),
        ("CONTAINERS_REGISTRIES_CONF", missing.as_path()),
    ];
    match RegistriesConfig::load_from_env(env(&vars)) {
        Err(StorageError::Io { path, .. }) => assert_eq!(path, missing),
        other => panic!("{other:?}"),
    }
}

#[test]
fn drop_ins_are_listed_in_byte_order() {
    let tmp = TempDir::new().unwrap();
    for name in [
        "b.conf",
        "A.conf",
        "a.conf",
        "10.conf",
        "9.conf",
        "x.conf.bak",
        ".hidden.conf",
    ] {
        write(tmp.path(), name, "");
    }
    fs::create_dir(tmp.path().join("dir.conf")).unwrap();
    let names: Vec<String> = drop_ins(tmp.path())
        .unwrap()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            ".hidden.conf",
            "10.conf",
            "9.conf",
            "A.conf",
            "a.conf",
            "b.conf"
        ]
    );
}
