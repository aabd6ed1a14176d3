use super::*;
use libpod_testutil::{TempRoot, require_root, serial};
use std::net::{TcpListener, TcpStream};

/// Removes the namespace even when the test fails.
struct Guard(PathBuf);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = remove(&self.0);
    }
}

fn interfaces() -> Vec<String> {
    let mut names: Vec<String> = nix::ifaddrs::getifaddrs()
        .unwrap()
        .map(|i| i.interface_name)
        .collect();
    names.dedup();
    names
}

#[test]
fn a_namespace_is_new_empty_and_removed_idempotently() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let dir = tmp.path().join("netns");
    let path = create(&dir, "one").unwrap();
    let _guard = Guard(path.clone());
    assert!(exists(&path));
    assert_eq!(run_in(&path, interfaces).unwrap(), ["lo"]);
    assert_ne!(
        interfaces(),
        ["lo"],
        "the calling thread stayed in the host's namespace"
    );
    // Loopback is down until asked for.
    let connects = || {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        TcpStream::connect(listener.local_addr().unwrap()).is_ok()
    };
    assert!(!run_in(&path, connects).unwrap());
    loopback_up(&path).unwrap();
    assert!(run_in(&path, connects).unwrap());
    assert!(matches!(create(&dir, "one"), Err(NetError::Netns { .. })));
    remove(&path).unwrap();
    assert!(!path.exists() && !exists(&path));
    remove(&path).unwrap();
    assert!(matches!(run_in(&path, || ()), Err(NetError::Netns { .. })));
}

#[test]
fn bad_names_are_refused_and_a_plain_file_is_no_namespace() {
    require_root();
    let tmp = TempRoot::new().unwrap();
    for bad in ["", ".", "..", "a/b"] {
        assert!(create(tmp.path(), bad).is_err(), "{bad:?}");
    }
    let plain = tmp.path().join("plain");
    std::fs::write(&plain, b"").unwrap();
    assert!(!exists(&plain));
    assert!(run_in(&plain, || ()).is_err());
    // Removing a plain file (a mount point whose namespace is gone) unlinks it.
    remove(&plain).unwrap();
    assert!(!plain.exists());
}

#[test]
fn a_veth_pair_made_over_netlink_appears_in_the_namespace() {
    require_root();
    let _serial = serial();
    let tmp = TempRoot::new().unwrap();
    let path = create(tmp.path(), "veth").unwrap();
    let _guard = Guard(path.clone());
    run_in(&path, || {
        RouteSocket::open()?.add_veth_pair("eth0", "peer0")
    })
    .unwrap()
    .unwrap();
    let mut names = run_in(&path, || {
        std::fs::read_dir("/sys/class/net").map(|_| ()).ok();
        interfaces()
    })
    .unwrap();
    names.sort();
    assert_eq!(names, ["eth0", "lo", "peer0"]);
    assert!(!interfaces().contains(&"peer0".to_string()));
}
