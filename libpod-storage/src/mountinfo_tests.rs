use super::*;

#[test]
fn a_kernel_line_gives_its_mount_point_and_type() {
    // The example of the kernel's proc(5), with optional fields.
    let entry = parse_line(
        b"36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue",
    )
    .unwrap();
    assert_eq!(entry.mount_point, Path::new("/mnt2"));
    assert_eq!(entry.fs_type, "ext3");
    // No optional field at all.
    let entry = parse_line(b"1 2 0:5 / /run/x rw - overlay overlay rw,lowerdir=l/A").unwrap();
    assert_eq!(entry.mount_point, Path::new("/run/x"));
    assert_eq!(entry.fs_type, "overlay");
}

#[test]
fn octal_escapes_are_decoded() {
    let entry = parse_line(br"1 2 0:5 / /a\040b\011c\012d\134e rw - tmpfs tmpfs rw").unwrap();
    assert_eq!(entry.mount_point, Path::new("/a b\tc\nd\\e"));
    // Not an escape: kept as written.
    assert_eq!(unescape(br"\04"), br"\04");
    assert_eq!(unescape(br"\400x"), br"\400x");
    assert_eq!(unescape(br"\089"), br"\089");
    assert_eq!(unescape(br"x\"), br"x\");
    assert_eq!(unescape(br"\377"), [0xff]);
}

#[test]
fn malformed_lines_are_errors_naming_the_line() {
    for line in [
        &b"1 2 0:5 /"[..],
        b"1 2 0:5 / relative rw - tmpfs tmpfs rw",
        b"1 2 0:5 / /x",
        b"1 2 0:5 / /x rw master:1",
        b"1 2 0:5 / /x rw -",
        b"",
    ] {
        let err = parse_line(line).unwrap_err();
        assert!(
            matches!(
                &err,
                StorageError::InvalidValue {
                    field: "mountinfo line",
                    ..
                }
            ),
            "{err}"
        );
    }
    let long = [b'/'; MAX_LINE + 1];
    assert!(parse_line(&long).is_err());
}

#[test]
fn parse_yields_every_line_and_skips_empty_ones() {
    let text = b"1 2 0:5 / /a rw - tmpfs t rw\n\n3 1 0:6 / /a/b rw shared:2 - proc p rw\n";
    let points: Vec<PathBuf> = parse(text).map(|e| e.unwrap().mount_point).collect();
    assert_eq!(points, [Path::new("/a"), Path::new("/a/b")]);
}

#[test]
fn the_root_is_mounted_and_a_plain_directory_is_not() {
    assert!(is_mounted(Path::new("/")).unwrap());
    let dir = std::env::temp_dir().join(format!("mountinfo-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mounted = is_mounted(&dir.canonicalize().unwrap());
    std::fs::remove_dir(&dir).unwrap();
    assert!(!mounted.unwrap());
}
