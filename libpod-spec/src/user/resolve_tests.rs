use super::*;
use crate::error::SpecError;
use crate::user::{parse_group, parse_passwd};

/// The busybox image the Podman samples were taken with.
const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\n\
                      nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n\
                      user:x:1000:1000:user:/home/user:/bin/sh\n";
const GROUP: &str =
    "root:x:0:\nwheel:x:10:root,user\nnogroup:x:65534:\nuser:x:1000:\naudio:x:29:user\n";

fn resolve(spec: &str) -> Result<ExecUser> {
    resolve_user_from(&parse_passwd(PASSWD), &parse_group(GROUP), spec)
}

fn exec(uid: u32, gid: u32, home: Option<&str>, supplementary_gids: &[u32]) -> ExecUser {
    ExecUser {
        uid,
        gid,
        home: home.map(str::to_string),
        supplementary_gids: supplementary_gids.to_vec(),
    }
}

// -- resolve_user_from: the Podman samples --

#[test]
fn empty_spec_is_root_with_its_groups() {
    // default.json: uid 0, gid 0, HOME=/root, additionalGids [10]
    assert_eq!(resolve("").unwrap(), exec(0, 0, Some("/root"), &[10]));
}

#[test]
fn name_takes_passwd_ids_home_and_member_groups() {
    // username.json: additionalGids [1000, 10, 29]
    assert_eq!(
        resolve("user").unwrap(),
        exec(1000, 1000, Some("/home/user"), &[10, 29])
    );
}

#[test]
fn known_uid_is_treated_like_its_name() {
    // Verified with Podman 4.3.1 on this image: `--user 1000` gets groups 10 and 29 too.
    assert_eq!(
        resolve("1000").unwrap(),
        exec(1000, 1000, Some("/home/user"), &[10, 29])
    );
}

#[test]
fn nobody_gets_its_home_and_no_member_groups() {
    // nobody.json: uid 65534, gid 65534, HOME=/nonexistent
    assert_eq!(
        resolve("nobody").unwrap(),
        exec(65534, 65534, Some("/nonexistent"), &[])
    );
}

#[test]
fn unknown_uid_is_allowed_with_gid_0_and_no_home() {
    // u5000.json: uid 5000, gid 0, no HOME
    assert_eq!(resolve("5000").unwrap(), exec(5000, 0, None, &[]));
}

#[test]
fn unknown_uid_and_gid_are_both_allowed() {
    // u5000g.json: uid 5000, gid 6000
    assert_eq!(resolve("5000:6000").unwrap(), exec(5000, 6000, None, &[]));
}

#[test]
fn user_and_group_names_give_no_supplementary_groups() {
    // userns_group.json: `user:audio` -> uid 1000, gid 29, additionalGids [29]
    assert_eq!(
        resolve("user:audio").unwrap(),
        exec(1000, 29, Some("/home/user"), &[])
    );
}

#[test]
fn root_with_group_name() {
    // userrootgroup.json: `root:wheel` -> uid 0, gid 10
    assert_eq!(
        resolve("root:wheel").unwrap(),
        exec(0, 10, Some("/root"), &[])
    );
}

// -- resolve_user_from: edge cases from runc's GetExecUser --

#[test]
fn unknown_user_name_is_an_error() {
    let err = resolve("nosuch").unwrap_err();
    assert!(
        matches!(err, SpecError::UnknownUser { ref user } if user == "nosuch"),
        "{err:?}"
    );
}

#[test]
fn unknown_user_name_is_an_error_even_with_a_group() {
    assert!(matches!(
        resolve("nosuch:audio"),
        Err(SpecError::UnknownUser { .. })
    ));
}

#[test]
fn unknown_group_name_is_an_error() {
    let err = resolve("user:nosuch").unwrap_err();
    assert!(
        matches!(err, SpecError::UnknownGroup { ref group } if group == "nosuch"),
        "{err:?}"
    );
}

#[test]
fn numeric_group_is_looked_up_by_gid_not_by_name() {
    let group = parse_group("29:x:77:\naudio:x:29:user\n");
    let user = resolve_user_from(&parse_passwd(PASSWD), &group, "user:29").unwrap();
    assert_eq!(user.gid, 29);
}

#[test]
fn numeric_user_is_looked_up_by_uid_not_by_name() {
    let passwd = parse_passwd("1000:x:42:42::/wrong:\nuser:x:1000:1000::/home/user:\n");
    let user = resolve_user_from(&passwd, &[], "1000").unwrap();
    assert_eq!((user.uid, user.home.as_deref()), (1000, Some("/home/user")));
}

#[test]
fn uid_with_group_name() {
    assert_eq!(
        resolve("1000:audio").unwrap(),
        exec(1000, 29, Some("/home/user"), &[])
    );
}

#[test]
fn name_with_numeric_group() {
    assert_eq!(
        resolve("user:1234").unwrap(),
        exec(1000, 1234, Some("/home/user"), &[])
    );
}

#[test]
fn empty_user_with_group_is_root_in_that_group() {
    // Podman 4.3.1: `--user :audio` -> uid 0, gid 29, HOME=/root
    assert_eq!(resolve(":audio").unwrap(), exec(0, 29, Some("/root"), &[]));
}

#[test]
fn trailing_colon_keeps_passwd_gid_and_drops_supplementary_groups() {
    // Podman 4.3.1: `--user user:` -> gid 1000, additionalGids [1000]
    assert_eq!(
        resolve("user:").unwrap(),
        exec(1000, 1000, Some("/home/user"), &[])
    );
}

#[test]
fn fields_after_the_group_are_ignored() {
    // Podman 4.3.1: `--user user:audio:junk` -> uid 1000, gid 29
    assert_eq!(
        resolve("user:audio:junk").unwrap(),
        exec(1000, 29, Some("/home/user"), &[])
    );
}

#[test]
fn first_matching_user_wins() {
    let passwd = parse_passwd("u:x:1:1::/first:\nu:x:2:2::/second:\n");
    assert_eq!(
        resolve_user_from(&passwd, &[], "u").unwrap(),
        exec(1, 1, Some("/first"), &[])
    );
}

#[test]
fn first_matching_group_wins() {
    let group = parse_group("g:x:5:\ng:x:6:\n");
    assert_eq!(
        resolve_user_from(&parse_passwd(PASSWD), &group, "root:g")
            .unwrap()
            .gid,
        5
    );
}

#[test]
fn supplementary_groups_are_in_file_order_without_duplicates() {
    let group = parse_group("b:x:20:u\na:x:10:u\nc:x:20:x,u\nd:x:30:x\n");
    let passwd = parse_passwd("u:x:1:1::/h:\n");
    assert_eq!(
        resolve_user_from(&passwd, &group, "u")
            .unwrap()
            .supplementary_gids,
        vec![20, 10]
    );
}

#[test]
fn user_in_no_group_has_no_supplementary_groups() {
    let passwd = parse_passwd("lonely:x:9:9::/h:\n");
    assert!(
        resolve_user_from(&passwd, &parse_group(GROUP), "lonely")
            .unwrap()
            .supplementary_gids
            .is_empty()
    );
}

#[test]
fn empty_home_is_none() {
    let passwd = parse_passwd("u:x:1:1:::\n");
    assert_eq!(resolve_user_from(&passwd, &[], "u").unwrap().home, None);
}

#[test]
fn root_missing_from_passwd_is_uid_0_gid_0_without_groups() {
    let passwd = parse_passwd("user:x:1000:1000::/home/user:\n");
    assert_eq!(
        resolve_user_from(&passwd, &parse_group(GROUP), "").unwrap(),
        exec(0, 0, None, &[])
    );
}

#[test]
fn root_gid_comes_from_passwd() {
    let passwd = parse_passwd("root:x:0:7::/root:\n");
    assert_eq!(resolve_user_from(&passwd, &[], "").unwrap().gid, 7);
}

#[test]
fn empty_files_allow_numbers_only() {
    assert_eq!(
        resolve_user_from(&[], &[], "").unwrap(),
        exec(0, 0, None, &[])
    );
    assert_eq!(
        resolve_user_from(&[], &[], "12:34").unwrap(),
        exec(12, 34, None, &[])
    );
    assert!(matches!(
        resolve_user_from(&[], &[], "root"),
        Err(SpecError::UnknownUser { .. })
    ));
    assert!(matches!(
        resolve_user_from(&[], &[], "0:root"),
        Err(SpecError::UnknownGroup { .. })
    ));
}

#[test]
fn numbers_take_a_sign_like_go_atoi() {
    // Podman 4.3.1: `--user +5` -> uid 5
    assert_eq!(resolve("+5").unwrap().uid, 5);
    assert_eq!(resolve("007").unwrap().uid, 7);
}

#[test]
fn ids_out_of_runc_range_are_invalid() {
    // Podman 4.3.1: "uids and gids must be in range 0-2147483647"
    for spec in ["3000000000", "-1", "2147483648", "1000:99999999999", "5:-5"] {
        let err = resolve(spec).unwrap_err();
        assert!(
            matches!(err, SpecError::InvalidValue { field: "user", ref value, .. } if value == spec),
            "{spec}: {err:?}"
        );
    }
    assert_eq!(resolve("2147483647").unwrap().uid, 2_147_483_647);
}

#[test]
fn uid_beyond_runc_range_is_fine_when_in_passwd() {
    let passwd = parse_passwd("big:x:3000000000:3000000000::/big:\n");
    assert_eq!(
        resolve_user_from(&passwd, &[], "3000000000").unwrap().uid,
        3_000_000_000
    );
}

#[test]
fn digits_beyond_64_bits_are_a_name() {
    let err = resolve("99999999999999999999").unwrap_err();
    assert!(matches!(err, SpecError::UnknownUser { .. }), "{err:?}");
}

// -- resolve_group_from --

#[test]
fn group_add_by_name_and_number() {
    let groups = parse_group(GROUP);
    assert_eq!(resolve_group_from(&groups, "audio").unwrap(), 29);
    assert_eq!(resolve_group_from(&groups, "10").unwrap(), 10);
    // groupadd.json: `--group-add 1234` is not in /etc/group and still added
    assert_eq!(resolve_group_from(&groups, "1234").unwrap(), 1234);
}

#[test]
fn group_add_unknown_name_is_an_error() {
    let err = resolve_group_from(&parse_group(GROUP), "video").unwrap_err();
    assert!(
        matches!(err, SpecError::UnknownGroup { ref group } if group == "video"),
        "{err:?}"
    );
}

#[test]
fn group_add_out_of_range_is_invalid() {
    for value in ["-1", "2147483648"] {
        let err = resolve_group_from(&[], value).unwrap_err();
        assert!(
            matches!(
                err,
                SpecError::InvalidValue {
                    field: "group-add",
                    ..
                }
            ),
            "{value}: {err:?}"
        );
    }
}

#[test]
fn group_add_first_line_matching_name_or_gid_wins() {
    // runc matches a name or a gid written the same way, whichever line comes first.
    let groups = parse_group("1234:x:5:\nother:x:1234:\n");
    assert_eq!(resolve_group_from(&groups, "1234").unwrap(), 5);
    let groups = parse_group("other:x:1234:\n1234:x:5:\n");
    assert_eq!(resolve_group_from(&groups, "1234").unwrap(), 1234);
}
