use super::*;
use crate::user::{GroupEntry, PasswdEntry};

/// The busybox image the Podman samples were taken with.
const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\n\
                      nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n\
                      user:x:1000:1000:user:/home/user:/bin/sh\n";
const GROUP: &str =
    "root:x:0:\nwheel:x:10:root,user\nnogroup:x:65534:\nuser:x:1000:\naudio:x:29:user\n";

// -- parse_passwd --

#[test]
fn passwd_reads_name_ids_and_home() {
    let entries = parse_passwd(PASSWD);
    assert_eq!(entries.len(), 3);
    assert_eq!(
        entries[2],
        PasswdEntry {
            name: "user".into(),
            uid: 1000,
            gid: 1000,
            home: "/home/user".into()
        }
    );
}

#[test]
fn passwd_skips_comments_blank_and_nis_lines() {
    let entries = parse_passwd(
        "# root:x:0:0::/evil:\n\n   \n+:::::\n-bad::::::\n+@netgroup\nroot:x:0:0::/root:\n",
    );
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].home, "/root");
}

#[test]
fn passwd_skips_lines_with_bad_ids_or_too_few_fields() {
    let content = "a:x:notanumber:0::/a:\nb:x:0:-1::/b:\nc:x:0\nd:x:4294967296:0::/d:\n:x:0:0::/e:\nok:x:7:8\n";
    let entries = parse_passwd(content);
    assert_eq!(
        entries,
        vec![PasswdEntry {
            name: "ok".into(),
            uid: 7,
            gid: 8,
            home: String::new()
        }]
    );
}

#[test]
fn passwd_trims_lines_and_ignores_extra_fields() {
    let entries = parse_passwd("  u:x:1:2:gecos:/h:/bin/sh:extra:more \r\n");
    assert_eq!(entries[0].name, "u");
    assert_eq!(entries[0].home, "/h");
}

#[test]
fn passwd_keeps_duplicates_in_order() {
    let entries = parse_passwd("u:x:1:1::/first:\nu:x:2:2::/second:\n");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].home, "/second");
}

#[test]
fn passwd_accepts_full_u32_ids() {
    assert_eq!(
        parse_passwd("big:x:4294967295:3000000000::/:\n")[0].uid,
        u32::MAX
    );
}

// -- parse_group --

#[test]
fn group_reads_members() {
    let entries = parse_group(GROUP);
    assert_eq!(entries.len(), 5);
    assert_eq!(
        entries[1],
        GroupEntry {
            name: "wheel".into(),
            gid: 10,
            members: vec!["root".into(), "user".into()]
        }
    );
    assert!(entries[0].members.is_empty());
}

#[test]
fn group_without_member_field_has_no_members() {
    assert_eq!(
        parse_group("g:x:5\n")[0],
        GroupEntry {
            name: "g".into(),
            gid: 5,
            members: vec![]
        }
    );
}

#[test]
fn group_drops_empty_member_names() {
    assert_eq!(parse_group("g:x:5:,a,,b,\n")[0].members, vec!["a", "b"]);
}

#[test]
fn group_skips_comments_nis_and_malformed_lines() {
    let entries = parse_group("#root:x:0:\n+:::\n-g:x:1:\ng:x\nh:x:nan:\n:x:3:\nok:x:4:\n");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].name, "ok");
}

#[test]
fn parsers_never_panic_on_odd_input() {
    for content in [
        "",
        ":",
        "::::::::",
        "\n\n",
        "\u{0}:\u{0}:1:1",
        "ä:x:1:1:ö:/ü:",
        "a:b:c:d:e:f:g:h:i",
    ] {
        let _ = parse_passwd(content);
        let _ = parse_group(content);
    }
}
