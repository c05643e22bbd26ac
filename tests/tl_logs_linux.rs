//! The `linux` group of log parsers (`threatlist::logs`) on our own
//! fixtures, every event spelled out: journald (`journalctl -o short`,
//! `-o short-iso`, `-o short-unix`, `-o json`) and notes of lost lines,
//! ulogd (LOGEMU text and JSON), pf (`tcpdump -e` of pflog, OpenBSD and
//! FreeBSD), MikroTik RouterOS, and Cisco ASA's 106010, 710003, 305011
//! and host names; the ASA sample under `../shared/data/logs` with exact
//! counts; and arbitrary bytes.

mod common;
use common::logs::{check_fixture, read_log, shared_logs, Read, REFERENCE};
use proptest::prelude::*;
use std::collections::BTreeMap;
use threatlist::logs::{self, Action, Context, Event, Format, Skip};

#[test]
fn journalctl_short() {
    let lost = check_fixture("journald/short.log", Format::Netfilter, &[
            "skip: empty or comment",
            "2026-12-07T11:00:01Z drop in tcp 192.0.2.10 51000 -> 10.0.0.5 22 in=eth0 out=- rule=[UFW BLOCK]",
            "skip: note of suppressed lines",
            "skip: note of suppressed lines",
            "2026-12-07T11:00:04Z other out udp 10.0.0.5 40000 -> 198.51.100.7 53 in=- out=eth0 rule=[UFW AUDIT]",
            "skip: not a line of this format",
            "skip: note of suppressed lines",
            "skip: empty or comment",
            "2026-12-07T11:00:09Z - in icmpv6 2001:db8::10 -> 2001:db8:1::5 in=eth0 out=- rule=-",
        ]);
    assert_eq!(lost, 12 + 1234 + 7);
}

#[test]
fn journalctl_short_iso_and_unix() {
    let lost = check_fixture("journald/short-iso.log", Format::Netfilter, &[
            "2026-12-07T11:00:01Z drop in tcp 192.0.2.11 44444 -> 10.0.0.5 23 in=eth0 out=- rule=[UFW BLOCK]",
            "skip: note of suppressed lines",
            "2026-12-07T11:00:03Z drop in tcp 192.0.2.12 44445 -> 10.0.0.5 23 in=eth0 out=- rule=[UFW BLOCK]",
            "2026-12-07T11:00:04Z drop in tcp 192.0.2.13 44446 -> 10.0.0.5 23 in=eth0 out=- rule=[UFW BLOCK]",
            "2026-12-07T11:00:05Z drop in tcp 192.0.2.14 44447 -> 10.0.0.5 23 in=eth0 out=- rule=[UFW BLOCK]",
            "skip: unreadable time",
        ]);
    assert_eq!(lost, 3);
}

#[test]
fn journalctl_json() {
    let lost = check_fixture("journald/json.log", Format::Netfilter, &[
            "2026-12-07T11:00:01Z drop in tcp 192.0.2.21 51001 -> 10.0.0.5 22 in=eth0 out=- rule=[UFW BLOCK]",
            "2026-12-07T11:00:02Z drop out tcp 10.0.0.5 40001 -> 203.0.113.66 4444 in=- out=eth0 rule=drop�:",
            "skip: note of suppressed lines",
            "skip: not a line of this format",
            "skip: note of suppressed lines",
            "2026-12-07T11:00:06Z accept in tcp 2001:db8::10 50000 -> 2001:db8:1::5 443 in=eth0 out=- rule=[UFW ALLOW]",
            "skip: malformed fields",
        ]);
    assert_eq!(lost, 250 + 9);
}

#[test]
fn ulogd_logemu_is_netfilter() {
    check_fixture("ulogd/logemu.log", Format::Netfilter, &[
            "2026-12-07T11:10:01Z drop in tcp 192.0.2.20 40123 -> 10.0.0.5 3389 in=eth0 out=- rule=fw-drop",
            "2026-12-07T11:10:02Z accept out udp 10.0.0.5 45000 -> 198.51.100.9 123 in=- out=eth0 rule=IPTABLES:ACCEPT-OUT:",
            "2026-12-07T11:10:03Z - in icmp 203.0.113.4 -> 10.0.0.5 in=eth0 out=- rule=-",
            "2026-12-07T11:10:04Z drop in tcp 2001:db8::bad 50001 -> 2001:db8:1::5 25 in=eth0 out=- rule=fw-drop",
            // ulogd's SYSLOG output: the program's tag, then the prefix.
            "2026-12-07T11:10:05Z drop in udp 192.0.2.21 40124 -> 10.0.0.5 1900 in=eth0 out=- rule=fw-drop",
        ]);
}

#[test]
fn ulogd_json() {
    check_fixture("ulogd/ulogd.json", Format::Ulogd, &[
            "2026-12-07T11:20:01Z drop in tcp 192.0.2.30 51234 -> 10.0.0.5 22 in=eth0 out=- rule=drop-in:",
            "2026-12-07T11:20:02Z accept out udp 2001:db8:1::5 40000 -> 2001:db8::53 53 in=- out=eth0 rule=accept-out:",
            "2026-12-07T11:20:03Z drop ? udp 10.0.1.7 5353 -> 224.0.0.251 5353 in=eth1 out=eth0 rule=-",
            "2026-12-07T11:20:04Z drop in icmp 203.0.113.8 -> 10.0.0.5 in=eth0 out=- rule=drop-in:",
            "skip: message without traffic",
            "skip: malformed fields",
        ]);
}

#[test]
fn pf_openbsd() {
    check_fixture("pf/openbsd.log", Format::Pf, &[
            "2026-12-07T10:00:01Z drop in tcp 192.0.2.1 51234 -> 10.0.0.5 22 in=em0 out=- rule=3",
            "2026-12-07T10:00:02Z accept out udp 10.0.0.5 43210 -> 198.51.100.53 53 in=- out=em0 rule=0",
            "2026-12-07T10:00:03Z drop in tcp 2001:db8::bad 443 -> 2001:db8:10::2 51000 in=em0 out=- rule=5.blocklist.1",
            "2026-12-07T10:00:04Z drop in icmp 203.0.113.9 -> 10.0.0.5 in=em1 out=- rule=def",
            "2026-12-07T10:00:05Z other in tcp 192.0.2.77 1024 -> 10.0.0.5 80 in=em0 out=- rule=7",
            "2026-12-07T10:00:06Z drop in ipv6-icmp 2001:db8::bad -> 2001:db8:10::2 in=em0 out=- rule=2",
            "skip: malformed fields",
            "2026-12-07T10:00:08Z drop out tcp 10.0.0.5 40000 -> 203.0.113.66 4444 in=- out=em0 rule=6",
        ]);
}

#[test]
fn pf_freebsd() {
    check_fixture("pf/freebsd.log", Format::Pf, &[
            "skip: not a line of this format",
            "2026-12-07T10:05:01Z drop in tcp 192.0.2.8 41000 -> 10.0.0.5 23 in=vtnet0 out=- rule=0",
            "2026-12-07T10:05:02Z accept out tcp 10.0.0.5 51515 -> 198.51.100.80 443 in=- out=vtnet0 rule=1",
            "2026-12-07T10:05:03Z drop in tcp 2001:db8::66 60000 -> 2001:db8:10::2 22 in=vtnet0 out=- rule=2.ssh-guard.0",
            "- drop in udp 192.0.2.9 5353 -> 10.0.0.5 161 in=vtnet0 out=- rule=0",
            "2026-12-07T10:05:05Z drop in icmp 203.0.113.4 -> 10.0.0.5 in=vtnet0 out=- rule=3",
            "2026-12-07T10:05:06Z drop in icmp 203.0.113.4 -> 10.0.0.5 in=vtnet0 out=- rule=3",
            // `-v`: the IP header on this line, the addresses on the next.
            "skip: message without traffic",
            "skip: not a line of this format",
        ]);
}

#[test]
fn mikrotik() {
    check_fixture("mikrotik/routeros.log", Format::Mikrotik, &[
            "2026-12-07T10:30:01Z drop in tcp 192.0.2.1 51234 -> 203.0.113.5 22 in=ether1 out=- rule=drop-wan",
            "2026-12-07T10:30:02Z - ? tcp 192.168.88.10 50000 (203.0.113.5 50000) -> 198.51.100.7 443 in=bridge out=ether1 rule=-",
            "2026-12-07T10:30:03Z accept ? tcp 192.0.2.50 40000 -> 192.168.88.20 8080 (203.0.113.5 80) in=ether1 out=bridge rule=accept-dnat",
            "2026-12-07T10:30:04Z drop in icmp 192.0.2.1 -> 203.0.113.5 in=ether1 out=- rule=reject-ping",
            "2026-12-07T10:30:05Z drop in tcp 2001:db8::1 51234 -> 2001:db8:88::1 22 in=ether1 out=- rule=drop6",
            "2026-12-07T10:30:06Z - out udp 203.0.113.5 123 -> 198.51.100.123 123 in=- out=ether1 rule=-",
            "2026-12-07T10:30:07Z drop in udp 192.0.2.2 5353 -> 203.0.113.5 53 in=ether1 out=- rule=DROP",
            "- - in tcp 192.0.2.3 443 -> 203.0.113.5 51000 in=ether1 out=- rule=-",
            "- - in icmp 192.0.2.4 -> 203.0.113.5 in=ether1 out=- rule=-",
            "skip: not a line of this format",
            "skip: malformed fields",
            "2026-12-07T10:30:11Z - in udp 192.0.2.5 40000 -> 203.0.113.5 161 in=ether1 out=- rule=-",
            // A prefix ending in `:` taken for the syslog tag.
            "2026-12-07T10:30:12Z drop ? tcp 192.0.2.6 40001 -> 192.168.88.20 445 in=ether1 out=bridge rule=FW-REJECT:",
        ]);
}

#[test]
fn asa_more_messages_and_names() {
    let lost = check_fixture("asa/asa-more.log", Format::Asa, &[
            "2026-12-07T09:10:00Z drop in 47 198.51.100.10 -> 10.1.1.20 in=outside out=inside rule=-",
            "2026-12-07T09:10:01Z drop in tcp 198.51.100.11 4444 -> 10.1.1.21 3389 in=outside out=inside rule=-",
            "2026-12-07T09:10:02Z drop ? tcp 203.0.113.9 51000 -> 192.0.2.1 22 in=outside out=- rule=-",
            "2026-12-07T09:10:03Z drop ? udp 203.0.113.9 40000 -> 192.0.2.1 161 in=outside out=- rule=-",
            "2026-12-07T09:10:04Z other ? udp 10.1.1.30 53001 (192.0.2.1 40001) -> - in=inside out=outside rule=-",
            "2026-12-07T09:10:05Z other ? icmp 10.1.1.30 (192.0.2.1) -> - in=inside out=outside rule=-",
            "2026-12-07T09:10:06Z accept out tcp <workstation7> 50000 (192.0.2.1 31001) -> 203.0.113.80 443 (203.0.113.80 443) in=inside out=outside rule=-",
            "2026-12-07T09:10:07Z accept ? tcp <workstation7> 50001 -> 203.0.113.81 80 in=inside out=outside rule=inside_out",
            // Both ends are names.
            "skip: host name in place of an address",
            // 305012, a translation torn down.
            "skip: message without traffic",
            // rsyslog's note of lines it dropped, among the ASA's.
            "skip: note of suppressed lines",
        ]);
    assert_eq!(lost, 42);
}

#[test]
fn shared_asa_sample_counts() {
    let Some(logs) = shared_logs() else {
        return;
    };
    let Read {
        lines,
        skips,
        events,
        ..
    } = read_log(&logs.join("cisco/beats-cisco-asa-sample.log"), Format::Asa);
    assert_eq!(lines, 73);
    assert_eq!(events.len(), 53);
    // 106007, 106016, 302021, 304001, 304002, 313001, 313004, 338002,
    // 338004, 338008: messages we do not read.
    assert_eq!(skips, BTreeMap::from([(Skip::Unsupported.reason(), 20)]));
    // 305011: the real source and its mapped address, no destination.
    let translations: Vec<&Event> = events
        .iter()
        .filter(|e| e.dst.is_none() && e.dst_name.is_none())
        .collect();
    assert_eq!(translations.len(), 4);
    assert!(translations
        .iter()
        .all(|e| e.src.is_some() && e.src_mapped.is_some() && e.action == Some(Action::Other)));
    // `dmz:OCSP_Server/5678`: a name for the address.
    let named: Vec<&Event> = events
        .iter()
        .filter(|e| e.src_name.is_some() || e.dst_name.is_some())
        .collect();
    assert_eq!(named.len(), 2);
    assert!(named
        .iter()
        .all(|e| e.src_name.as_deref() == Some("OCSP_Server")
            && e.src.is_none()
            && e.dst.is_some()));
    assert!(events.iter().all(|e| e.time.is_some()));
    // `(1.2.3.4/49926)(LOCAL\username)`: the mapped address before the user.
    let src: std::net::IpAddr = "10.2.3.4".parse().unwrap();
    let with_user = events.iter().find(|e| e.src == Some(src)).unwrap();
    assert_eq!(
        with_user.src_mapped,
        Some(logs::Mapped {
            addr: "1.2.3.4".parse().unwrap(),
            port: Some(49926)
        })
    );
}

/// Formats of this group.
const MINE: [Format; 5] = [
    Format::Netfilter,
    Format::Ulogd,
    Format::Pf,
    Format::Mikrotik,
    Format::Asa,
];

proptest! {
    #[test]
    fn bytes_never_panic(line in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut cx = Context::new(REFERENCE);
        for f in MINE {
            let _ = logs::parse_line(f, &line, &mut cx);
        }
        let _ = logs::detect(&[&line]);
    }

    #[test]
    fn near_lines_never_panic(
        head in prop::sample::select(vec![
            "Dec 07 11:00:01 gw kernel: ", "2026-12-07T12:00:01+0100 gw kernel: ", "1796641205.1 gw k: ",
            "{\"MESSAGE\":\"", "{\"MESSAGE\":[", "{\"src_ip\":\"", "{\"timestamp\":\"2026-12-07T12:00:0",
            "Dec 07 10:00:01.123456 rule ", "2026-12-07 10:05:01.1 rule ", "00:00:01.000000 rule ",
            "dec/07 10:30:06 firewall,info ", "2026-12-07 10:30:07 ", "10:30:08 ", "<30>Dec  7 10:30:05 gw ",
            "Dec 07 2026 09:10:00: %ASA-3-106010: ", "%ASA-6-305011: ", "%ASA-3-710003: ", "",
        ]),
        words in proptest::collection::vec(prop::sample::select(vec![
            "IN=", "OUT=eth0", "SRC=192.0.2.1", "DST=::1", "Suppressed", "12", "messages", "callbacks suppressed",
            "3/(match)", "5.a.1/0(match):", "block", "pass", "in", "out", "on", "em0:", "[uid", "0]", ">",
            "192.0.2.1.5", "2001:db8::1.443:", "10.0.0.5:", "S", "Flags", "icmp:", "[|pflog]",
            "input:", "in:ether1", "out:(unknown", "0),", "proto", "TCP", "(SYN),", "(type", "8,", "code", "0),",
            "1.2.3.4:5->6.7.8.9:10,", "[::1]:5->[::2]:6,", "NAT", "(1.2.3.4:5->9.9.9.9:5)->6.7.8.9:10,", "->(", ")->", "len",
            "Deny", "inbound", "protocol", "src", "dst", "outside:host/1", "inside:10.0.0.1", "Built", "dynamic",
            "translation", "from", "to", "access", "denied", "by", "ACL", "outside:1.2.3.4/https",
            "\"", "\\", ",", ":", "}", "]", "[", "{",
        ]), 0..25),
        sep in prop::sample::select(vec![" ", ",", ""]),
    ) {
        let line = format!("{head}{}", words.join(sep));
        let mut cx = Context::new(REFERENCE);
        for f in MINE {
            let _ = logs::parse_line(f, line.as_bytes(), &mut cx);
        }
        let _ = logs::detect(&[line.as_bytes()]);
    }
}
