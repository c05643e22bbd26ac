//! The vendor log parsers (`threatlist::logs`: PAN-OS, FortiGate, CEF,
//! generic CSV/TSV with a column mapping) on our own fixtures, with every
//! event spelled out, on the real PAN-OS logs under `../shared/data/logs`,
//! and on arbitrary bytes.

mod common;
use common::logs::{check_every_line, describe, read_log, shared_logs, REFERENCE};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use threatlist::logs::columns::Columns;
use threatlist::logs::{self, Context, Format, Skip};

const VENDOR: [Format; 4] = [Format::Panos, Format::Fortinet, Format::Cef, Format::Csv];

#[test]
fn panos_fixture() {
    check_every_line(
        "panos/panos.log",
        Format::Panos,
        Some(Format::Panos),
        &mut Context::new(REFERENCE),
        &[
            "2026-12-07T11:00:04Z accept ? tcp 10.0.0.5 51234 (192.0.2.1 30001) -> 198.51.100.20 443 (198.51.100.20 443) in=ethernet1/2 out=ethernet1/1 rule=allow-web",
            "2026-12-07T11:00:06Z drop ? tcp 203.0.113.5 49152 -> 192.0.2.10 3389 in=ethernet1/1 out=- rule=deny-inbound",
            "2026-12-07T11:00:08Z drop ? tcp 10.0.0.7 50001 (192.0.2.1 30777) -> 203.0.113.66 80 (203.0.113.66 80) in=ethernet1/2 out=ethernet1/1 rule=allow-web sig=Generic Backdoor Command and Control Traffic(13000)",
            "2026-12-07T11:00:10Z accept ? tcp 2001:db8:bad::7 40404 -> 2001:db8:10::20 443 in=ethernet1/1 out=ethernet1/3 rule=dmz-web sig=HTTP Directory Traversal Vulnerability(30844)",
            "2026-12-07T11:00:12Z drop ? icmp 203.0.113.9 -> 192.0.2.10 in=ethernet1/1 out=- rule=deny-inbound",
            "skip: message without traffic",
            "skip: malformed fields",
            "skip: not a line of this format",
        ],
    );
}

#[test]
fn fortinet_fixture() {
    check_every_line(
        "fortinet/fortigate.log",
        Format::Fortinet,
        Some(Format::Fortinet),
        &mut Context::new(REFERENCE),
        &[
            "2026-12-07T11:00:01Z drop ? tcp 203.0.113.7 51234 -> 192.0.2.1 443 in=wan1 out=port1 rule=0",
            "2026-12-07T11:00:02Z accept ? tcp 10.0.0.5 50514 (192.0.2.1 61002) -> 198.51.100.9 443 in=port1 out=wan1 rule=LAN to WAN",
            "2026-12-07T11:00:03Z drop out tcp 2001:db8:10::5 50600 -> 2001:db8:bad::80 80 in=port1 out=wan1 rule=LAN to WAN sig=Backdoor.Generic.Beacon.C2",
            "2026-12-07T11:00:04Z accept ? udp 10.0.0.8 53111 -> 10.0.0.1 53 in=port1 out=root rule=3 q=evil-c2.example a=198.51.100.77,2001:db8::77",
            "skip: message without traffic",
            "skip: malformed fields",
            "2026-12-07T11:00:07Z accept ? icmp 198.51.100.200 -> 192.0.2.1 in=wan1 out=root rule=0",
            "skip: not a line of this format",
        ],
    );
}

#[test]
fn cef_fixture() {
    check_every_line(
        "cef/cef.log",
        Format::Cef,
        Some(Format::Cef),
        &mut Context::new(REFERENCE),
        &[
            "2026-12-07T11:00:01Z drop in tcp 203.0.113.44 50123 -> 192.0.2.8 22 in=eth1 out=- rule=Stealth Rule sig=Drop",
            "2026-12-07T11:00:02Z accept out tcp 10.0.0.5 51000 (192.0.2.1 40001) -> 198.51.100.30 443 in=inside out=outside rule=lan-out sig=Session allowed names=ws-17.corp.example>-",
            r"2026-12-07T11:00:03Z - ? udp 10.0.0.9 40000 -> 2001:db8:bad::1 8443 in=- out=- rule=- sig=ET-like Beacon \ check-in",
            "2026-12-07T11:00:04Z drop ? - <ws-22.corp.example> -> <Evil.Example> in=- out=- rule=- sig=URL blocked",
            "skip: message without traffic",
            "skip: malformed fields",
            "skip: malformed fields",
            "skip: unreadable time",
            "skip: not a line of this format",
        ],
    );
}

#[test]
fn csv_fixture_by_header_names() {
    let mut cx = Context::new(REFERENCE);
    cx.columns = Some(
        Columns::parse("time=ts,action=action,proto=proto,src=source_ip,sport=source_port,dst=dest_ip,dport=dest_port,qname=query")
            .unwrap(),
    );
    check_every_line(
        "csv/conn.csv",
        Format::Csv,
        None,
        &mut cx,
        &[
            "skip: empty or comment",
            "2026-12-07T11:00:01Z drop ? tcp 203.0.113.70 40001 -> 192.0.2.20 22 in=- out=- rule=-",
            "2026-12-07T11:00:02Z accept ? tcp 10.0.0.5 51000 -> 198.51.100.70 443 in=- out=- rule=-",
            "2026-12-07T11:00:03Z accept ? udp 10.0.0.8 53000 -> 10.0.0.1 53 in=- out=- rule=- q=evil-c2.example",
            "2026-12-07T11:00:04Z drop ? udp 2001:db8::5 123 -> 2001:db8:bad::9 123 in=- out=- rule=-",
            "skip: malformed fields",
            "skip: unreadable time",
            "skip: malformed fields",
            "skip: empty or comment",
        ],
    );
    assert_eq!(cx.header[3], "source_ip");
}

#[test]
fn tsv_fixture_by_column_numbers() {
    let mut cx = Context::new(REFERENCE);
    cx.columns =
        Some(Columns::parse("time=1,action=2,src=3,dst=4,proto=5,dport=6,sep=tab").unwrap());
    check_every_line(
        "csv/flows.tsv",
        Format::Csv,
        None,
        &mut cx,
        &[
            "2026-12-07T11:00:01Z drop ? tcp 203.0.113.80 -> 10.0.0.3 25 in=- out=- rule=-",
            "2026-12-07T11:00:02Z accept ? tcp 10.0.0.3 -> 198.51.100.80 587 in=- out=- rule=-",
            "skip: empty or comment",
            "skip: malformed fields",
        ],
    );
}

#[test]
fn csv_without_mapping_or_with_a_missing_header_name() {
    let mut cx = Context::new(REFERENCE);
    assert_eq!(
        logs::parse_line(Format::Csv, b"1,2,3", &mut cx),
        Err(Skip::Unsupported)
    );
    cx.columns = Some(Columns::parse("src=nowhere").unwrap());
    assert_eq!(
        logs::parse_line(Format::Csv, b"a,b", &mut cx),
        Err(Skip::Empty)
    );
    assert_eq!(
        logs::parse_line(Format::Csv, b"192.0.2.1,b", &mut cx),
        Err(Skip::Malformed)
    );
    // A `#` header (`#ts,src`) after a comment.
    let mut cx = Context::new(REFERENCE);
    cx.columns = Some(Columns::parse("time=ts,src=src").unwrap());
    let mut read = |l: &[u8]| describe(&logs::parse_line(Format::Csv, l, &mut cx));
    assert_eq!(
        read(b"# exported on Monday, by hand"),
        "skip: empty or comment"
    );
    assert_eq!(read(b"#ts,src"), "skip: empty or comment");
    assert_eq!(
        read(b"2026-12-07 11:00:01,192.0.2.1"),
        "2026-12-07T11:00:01Z - ? - 192.0.2.1 -> - in=- out=- rule=-"
    );
}

/// The real PAN-OS logs: (file, events, every line's description when
/// given).
#[test]
fn real_panos_logs_parse() {
    let Some(logs) = shared_logs() else {
        return;
    };
    let dir = logs.join("paloalto");
    let expected: BTreeMap<&str, (usize, BTreeMap<&str, usize>)> = [
        ("beats-panos-traffic-first10.log", (10, BTreeMap::new())),
        ("crowdsec-palo-alto-threat.log", (2, BTreeMap::new())),
    ]
    .into_iter()
    .collect();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        expected.keys().copied().collect::<Vec<_>>(),
        "new files in {}",
        dir.display()
    );
    let mut described = BTreeMap::new();
    for path in &files {
        let read = read_log(path, Format::Panos);
        assert!(read
            .events
            .iter()
            .all(|e| e.src.is_some() && e.dst.is_some()));
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!((read.events.len(), read.skips), expected[name], "{name}");
        let texts: Vec<String> = read.described.into_iter().map(|(_, t)| t).collect();
        described.insert(name.to_string(), texts);
    }
    assert_eq!(
        described["crowdsec-palo-alto-threat.log"],
        [
            "2023-07-06T06:11:40Z drop ? tcp 1.2.3.2 47094 (1.2.3.2 47094) -> 1.2.3.3 22 (2.2.2.3 22) in=vlan.123 out=aaa.1 rule=TestruleName0 sig=SSH User Authentication Brute Force Attempt(40015)",
            "2023-07-05T12:14:33Z accept ? tcp 1.2.3.6 32362 (1.2.3.6 32362) -> 1.2.3.7 80 (1.2.3.7 28869) in=vlan.123 out=vlan.123 rule=Test Rule Name sig=Nmap Scripting Engine Detection(58433)",
        ]
    );
    assert_eq!(
        described["beats-panos-traffic-first10.log"][0],
        "2012-04-10T04:39:58Z accept ? tcp 192.168.0.2 59324 -> 67.43.156.12 80 in=ethernet1/2 out=ethernet1/1 rule=rule1"
    );
}

fn mapped_context() -> Context {
    let mut cx = Context::new(REFERENCE);
    cx.columns = Some(
        Columns::parse("time=1,src=2,dst=3,sport=4,dport=5,proto=6,action=7,qname=8,answers=9")
            .unwrap(),
    );
    cx
}

proptest! {
    #[test]
    fn bytes_never_panic(line in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut cx = mapped_context();
        for f in VENDOR {
            let _ = logs::parse_line(f, &line, &mut cx);
        }
        let mut cx = Context::new(REFERENCE);
        cx.columns = Some(Columns::parse("src=a,dst=b").unwrap());
        let _ = logs::parse_line(Format::Csv, &line, &mut cx);
        let _ = logs::parse_line(Format::Csv, &line, &mut cx);
        let _ = logs::detect(&[&line]);
    }

    #[test]
    fn mappings_never_panic(spec in "[a-z_=,0-9;\\t ]{0,60}", header in "[a-z,0-9#]{0,30}") {
        if let Ok(c) = spec.parse::<Columns>() {
            let mut cx = Context::new(REFERENCE);
            cx.columns = Some(c);
            let _ = logs::parse_line(Format::Csv, header.as_bytes(), &mut cx);
            let _ = logs::parse_line(Format::Csv, b"1,2,3,4,5,6,7,8,9,10", &mut cx);
        }
    }

    #[test]
    fn near_lines_never_panic(
        head in prop::sample::select(vec![
            "Dec  7 11:00:01 fw ", "<134>1 2026-12-07T10:15:04Z h - - - - ", "2026-12-07T99:00:00+01:00 h ",
            "<189>", "CEF:0|", "CEF:1|a|b|c|d|e|f|", "1,2026/12/07 11:00:05,0132,TRAFFIC,", "1,2026/12/07 11:00:05,0132,THREAT,", "",
        ]),
        words in proptest::collection::vec(prop::sample::select(vec![
            "date=2026-12-07", "time=12:00:01", "eventtime=1796644801123456789", "eventtime=99999999999999999999",
            "tz=\"+0100\"", "tz=\"+9999\"", "srcip=10.0.0.1", "dstip=2001:db8::1", "srcport=99999", "dstport=1",
            "proto=6", "proto=58", "action=\"deny\"", "devid=\"F\"", "logid=\"1\"", "type=\"utm\"", "attack=\"x y\"",
            "qname=\"a.\"", "ipaddr=\"1.2.3.4, x\"", "transip=0.0.0.0", "\"", "\\", "\\|", "\\=", "=", "|", ",", "\"a,b\"",
            "src=1.2.3.4", "dst=::1", "spt=1", "dpt=70000", "rt=Dec 07 2026 12:00:01", "rt=Feb 30 12:00:01 Europe/Nowhere",
            "rt=1796644801000", "cs1Label=Rule", "cs1=x", "deviceDirection=1", "shost=a", "2026/12/07 11:00:04",
            "tcp", "udp", "icmp", "allow", "reset-both", "0.0.0.0", "::", "2026-12-07T13:00:10.512+02:00", "1796641202",
        ]), 0..40),
        sep in prop::sample::select(vec![" ", ",", "\t", "|", ""]),
    ) {
        let line = format!("{head}{}", words.join(sep));
        let mut cx = mapped_context();
        for f in VENDOR {
            let _ = logs::parse_line(f, line.as_bytes(), &mut cx);
        }
        let _ = logs::detect(&[line.as_bytes()]);
    }
}
