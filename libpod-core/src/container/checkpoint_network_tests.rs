//! A checkpoint's `network.status`: written, read back, and refused when it is not one.

use super::{
    NETWORK_STATUS, RestoreOptions, read_network_status, restored_networks, write_network_status,
};
use crate::error::CoreError;
use libpod_net::types::StatusBlock;
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;

fn status() -> BTreeMap<String, StatusBlock> {
    let json = r#"{"net1":{"interfaces":{"eth0":{"subnets":[{"ipnet":"10.1.2.3/24",
        "gateway":"10.1.2.1"}],"mac_address":"0a:58:0a:01:02:03"}}}}"#;
    serde_json::from_str(json).unwrap()
}

#[test]
fn a_status_written_at_a_checkpoint_is_read_back_at_the_restore() {
    let dir = tempfile::tempdir().unwrap();
    write_network_status(dir.path(), &status()).unwrap();
    let path = dir.path().join(NETWORK_STATUS);
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let restored = restored_networks(dir.path(), &RestoreOptions::default())
        .unwrap()
        .unwrap();
    assert_eq!(restored.status, status());
    assert!(!restored.ignore_ips && !restored.ignore_mac);
    // Both ignored: nothing given back.
    let both = RestoreOptions::default()
        .ignore_static_ip(true)
        .ignore_static_mac(true);
    assert_eq!(restored_networks(dir.path(), &both).unwrap(), None);
    // A container on no network: no file, none left from before.
    write_network_status(dir.path(), &BTreeMap::new()).unwrap();
    assert!(!path.exists());
    assert_eq!(
        read_network_status(dir.path(), NETWORK_STATUS).unwrap(),
        None
    );
}

#[test]
fn a_malformed_or_linked_status_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(NETWORK_STATUS), b"{\"net1\": 5}").unwrap();
    let err = read_network_status(dir.path(), NETWORK_STATUS).unwrap_err();
    assert!(
        matches!(&err, CoreError::CheckpointArchive { path, .. } if path.ends_with(NETWORK_STATUS)),
        "{err}"
    );
    std::fs::remove_file(dir.path().join(NETWORK_STATUS)).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", dir.path().join(NETWORK_STATUS)).unwrap();
    assert!(read_network_status(dir.path(), NETWORK_STATUS).is_err());
}
