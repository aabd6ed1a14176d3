use super::*;

#[test]
fn packages_reported_installed_are_not_missing() {
    let output = "\
podman install ok installed
runc hold ok installed
crun deinstall ok config-files
umoci unknown ok not-installed
";
    let wanted = ["runc", "podman", "crun", "umoci", "hyperfine"];
    assert_eq!(
        not_installed(&wanted, output),
        ["crun", "umoci", "hyperfine"]
    );
}

#[test]
fn nothing_is_missing_when_all_are_installed() {
    let output: String = PACKAGES
        .iter()
        .map(|p| format!("{p} install ok installed\n"))
        .collect();
    assert!(not_installed(PACKAGES, &output).is_empty());
}

#[test]
fn plan_installs_as_root_and_asks_otherwise() {
    let missing = || vec!["runc".to_string(), "criu".to_string()];
    assert_eq!(plan(0, vec![]), Plan::Nothing);
    assert_eq!(plan(1000, vec![]), Plan::Nothing);
    assert_eq!(plan(0, missing()), Plan::Install(missing()));
    let Plan::AskRoot(message) = plan(1000, missing()) else {
        panic!("expected AskRoot")
    };
    assert!(
        message.contains("missing host packages: runc criu"),
        "{message}"
    );
    assert!(
        message.ends_with("\n  sudo apt-get update && sudo apt-get install -y runc criu"),
        "{message}"
    );
}

#[test]
fn effective_uid_is_the_second_uid_field() {
    let status = "Name:\tcat\nUmask:\t0022\nUid:\t1000\t0\t0\t0\nGid:\t100\t100\t100\t100\n";
    assert_eq!(parse_effective_uid(status), Some(0));
    assert_eq!(parse_effective_uid("Name:\tcat\n"), None);
}

#[test]
fn package_list_has_no_duplicates() {
    let unique: BTreeSet<_> = PACKAGES.iter().collect();
    assert_eq!(unique.len(), PACKAGES.len());
}
