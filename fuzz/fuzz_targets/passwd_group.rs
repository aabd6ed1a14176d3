//! Fuzzes /etc/passwd and /etc/group parsing and user/group resolution over the parsed
//! entries: none of it may panic, whatever the image ships or the user asks for.
//!
//! Input: `passwd \0 group \0 user-spec \0 group-add`, each part lossily decoded as UTF-8.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libpod_spec::user::{parse_group, parse_passwd, resolve_group_from, resolve_user_from};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(4, '\0');
    let passwd_text = parts.next().unwrap_or_default();
    let group_text = parts.next().unwrap_or_default();
    let user_spec = parts.next().unwrap_or_default();
    let group_add = parts.next().unwrap_or_default();

    let passwd = parse_passwd(passwd_text);
    let group = parse_group(group_text);
    for entry in &passwd {
        assert!(!entry.name.is_empty());
    }
    for entry in &group {
        assert!(!entry.name.is_empty());
        assert!(entry.members.iter().all(|member| !member.is_empty()));
    }

    if let Ok(user) = resolve_user_from(&passwd, &group, user_spec) {
        if user_spec.contains(':') {
            assert!(user.supplementary_gids.is_empty());
        }
        assert!(user.home.as_deref() != Some(""));
    }
    let _ = resolve_user_from(&passwd, &group, "");
    let _ = resolve_group_from(&group, group_add);
    // The whole input as a spec too: separators and odd characters in unexpected places.
    let _ = resolve_user_from(&passwd, &group, &text);
    let _ = resolve_group_from(&group, &text);
});
