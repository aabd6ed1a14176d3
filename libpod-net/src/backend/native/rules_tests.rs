use super::*;

fn specs(plan: &Plan) -> Vec<String> {
    plan.rules
        .iter()
        .map(|r| match r.position {
            Some(at) => format!("{} -I {} {at} {}", r.table, r.chain, r.spec),
            None => format!("{} -A {} {}", r.table, r.chain, r.spec),
        })
        .collect()
}

#[test]
fn the_chain_suffix_is_netavarks_hash_of_the_network_name() {
    // As netavark 1.4 named the chains of a network `lpx` on this host.
    assert_eq!(network_hash("lpx"), "E7770565D432E");
}

#[test]
fn an_isolated_network_gets_netavarks_rules_in_its_order() {
    let plan = network_plan("lpx", "lpx0", "10.251.0.0/24".parse().unwrap(), true);
    assert_eq!(
        specs(&plan),
        [
            "nat -A NETAVARK-E7770565D432E -d 10.251.0.0/24 -j ACCEPT",
            "nat -A NETAVARK-E7770565D432E ! -d 224.0.0.0/4 -j MASQUERADE",
            "nat -A POSTROUTING -s 10.251.0.0/24 -j NETAVARK-E7770565D432E",
            "filter -I NETAVARK_ISOLATION_1 1 -i lpx0 ! -o lpx0 -j NETAVARK_ISOLATION_2",
            "filter -I NETAVARK_ISOLATION_2 1 -o lpx0 -j DROP",
            "filter -I FORWARD 1 -j NETAVARK_ISOLATION_1",
            "filter -I FORWARD 2 -m comment --comment \"netavark firewall plugin rules\" -j NETAVARK_FORWARD",
            "filter -A NETAVARK_FORWARD -d 10.251.0.0/24 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "filter -A NETAVARK_FORWARD -s 10.251.0.0/24 -j ACCEPT",
        ]
    );
    let removable: Vec<&str> = plan
        .chains
        .iter()
        .filter(|c| c.removed_with_network)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(removable, ["NETAVARK-E7770565D432E"]);
}

#[test]
fn published_ports_become_netavarks_dnat_rules() {
    let ports = [
        PortMapping {
            host_ip: String::new(),
            container_port: 80,
            host_port: 18080,
            range: 1,
            protocol: "tcp".into(),
        },
        PortMapping {
            host_ip: "127.0.0.1".into(),
            container_port: 53,
            host_port: 15353,
            range: 3,
            protocol: "udp".into(),
        },
        PortMapping {
            host_ip: "::1".into(),
            container_port: 1,
            host_port: 2,
            range: 1,
            protocol: "tcp".into(),
        },
    ];
    let plan = ports_plan(&Forwarding {
        network: "lpx",
        container_id: "c0ffee",
        ports: &ports,
        address: "10.251.0.5/24".parse().unwrap(),
    });
    let dn = "NETAVARK-DN-E7770565D432E";
    assert_eq!(
        specs(&plan),
        [
            "nat -A NETAVARK-HOSTPORT-SETMARK -j MARK --set-xmark 0x2000/0x2000".to_string(),
            "nat -A NETAVARK-HOSTPORT-MASQ -m comment --comment \"netavark portfw masq mark\" -m mark --mark 0x2000/0x2000 -j MASQUERADE".into(),
            "nat -I POSTROUTING 1 -j NETAVARK-HOSTPORT-MASQ".into(),
            format!("nat -A {dn} -s 10.251.0.0/24 -p tcp -m tcp --dport 18080 -j NETAVARK-HOSTPORT-SETMARK"),
            format!("nat -A {dn} -s 127.0.0.1/32 -p tcp -m tcp --dport 18080 -j NETAVARK-HOSTPORT-SETMARK"),
            format!("nat -A {dn} -p tcp -m tcp --dport 18080 -j DNAT --to-destination 10.251.0.5:80"),
            format!("nat -A {dn} -s 10.251.0.0/24 -d 127.0.0.1/32 -p udp -m udp --dport 15353:15355 -j NETAVARK-HOSTPORT-SETMARK"),
            format!("nat -A {dn} -s 127.0.0.1/32 -d 127.0.0.1/32 -p udp -m udp --dport 15353:15355 -j NETAVARK-HOSTPORT-SETMARK"),
            format!("nat -A {dn} -d 127.0.0.1/32 -p udp -m udp --dport 15353:15355 -j DNAT --to-destination 10.251.0.5:53-55/15353"),
            format!("nat -A NETAVARK-HOSTPORT-DNAT -p tcp -m tcp --dport 18080 -m comment --comment \"dnat name: lpx id: c0ffee\" -j {dn}"),
            format!("nat -A NETAVARK-HOSTPORT-DNAT -p udp -m udp --dport 15353:15355 -m comment --comment \"dnat name: lpx id: c0ffee\" -j {dn}"),
            "nat -A PREROUTING -m addrtype --dst-type LOCAL -j NETAVARK-HOSTPORT-DNAT".into(),
            "nat -A OUTPUT -m addrtype --dst-type LOCAL -j NETAVARK-HOSTPORT-DNAT".into(),
        ]
    );
}

#[test]
fn an_ipv6_address_is_bracketed_in_the_dnat_target() {
    let ports = [PortMapping {
        host_ip: String::new(),
        container_port: 80,
        host_port: 8080,
        range: 0,
        protocol: String::new(),
    }];
    let plan = ports_plan(&Forwarding {
        network: "lpx",
        container_id: "c",
        ports: &ports,
        address: "fd00::5/64".parse().unwrap(),
    });
    assert!(specs(&plan).iter().any(|r| r.ends_with(
        "-A NETAVARK-DN-E7770565D432E -p tcp -m tcp --dport 8080 -j DNAT --to-destination [fd00::5]:80"
    )));
    assert!(specs(&plan).iter().any(|r| r.contains("-s ::1/128 -p tcp")));
}
