use super::*;

#[test]
fn attributes_are_read_in_order_and_a_truncated_one_ends_the_list() {
    let mut message = Message::empty();
    message.attr(3, b"eth0\0");
    message.attr(10, &7u32.to_ne_bytes());
    let mut bytes = message.bytes.clone();
    bytes.extend_from_slice(&[200, 0, 1, 0]);
    let found: Vec<(u16, Vec<u8>)> = attributes(&bytes).map(|(k, v)| (k, v.to_vec())).collect();
    assert_eq!(
        found,
        vec![(3, b"eth0\0".to_vec()), (10, 7u32.to_ne_bytes().to_vec())]
    );
}

#[test]
fn a_link_reply_gives_its_name_kind_mac_peer_master_and_group() {
    let mut info = Message::empty();
    info.attr(1, b"veth\0");
    let mut payload = Message::empty().raw(&{
        let mut header = [0u8; 16];
        header[4..8].copy_from_slice(&12u32.to_ne_bytes());
        header
    });
    payload.attr(3, b"veth3\0");
    payload.attr(1, &[2, 0, 0, 0, 0, 9]);
    payload.attr(5, &40u32.to_ne_bytes());
    payload.attr(10, &7u32.to_ne_bytes());
    payload.attr(27, &5u32.to_ne_bytes());
    payload.nested(18, &info);
    let link = parse_link(&payload.bytes).unwrap();
    assert_eq!(
        link,
        Link {
            index: 12,
            name: "veth3".into(),
            kind: Some("veth".into()),
            mac: vec![2, 0, 0, 0, 0, 9],
            peer_index: Some(40),
            master: Some(7),
            group: 5,
        }
    );
    assert_eq!(parse_link(&[0u8; 3]), None);
}

#[test]
fn a_dump_request_asks_for_no_acknowledgement_and_a_change_does() {
    let dump = Message::new(18, NLM_F_DUMP);
    assert!(dump.is_dump());
    let change = Message::new(16, NLM_F_CREATE | NLM_F_EXCL);
    assert!(!change.is_dump());
    let flags = u16_at(&change.finish(9), 6).unwrap();
    assert_eq!(flags & NLM_F_ACK, NLM_F_ACK);
}
