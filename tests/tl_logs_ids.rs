//! The IDS and DNS log parsers (Zeek, Suricata, BIND, Unbound) on our own
//! fixtures, with every event spelled out, on the real logs of these
//! formats under `../shared/data/logs` (every line accounted for), and on
//! arbitrary bytes.

mod common;
use common::logs::{check_fixture, describe, lines, read_log, shared_logs, REFERENCE};
use common::shared_data;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use threatlist::logs::{self, Context, Format};

const EMPTY: &str = "skip: empty or comment";
const MALFORMED: &str = "skip: malformed fields";
const UNSUPPORTED: &str = "skip: message without traffic";
const BAD_TIME: &str = "skip: unreadable time";

#[test]
fn zeek_conn_tsv() {
    let mut expected = vec![EMPTY; 8];
    expected.extend([
        "2026-12-07T11:00:00Z other out tcp 10.0.0.5 49152 -> 203.0.113.80 443 in=- out=- rule=-",
        "2026-12-07T11:00:01Z other in tcp 198.51.100.23 61000 -> 10.0.0.5 22 in=- out=- rule=-",
        "2026-12-07T11:00:02Z other out icmp 10.0.0.7 -> 192.0.2.1 in=- out=- rule=-",
        "2026-12-07T11:00:03Z other ? udp 2001:db8::5 53001 -> 2001:db8:ffff::53 53 in=- out=- rule=-",
        MALFORMED,
        MALFORMED,
        EMPTY,
    ]);
    check_fixture("zeek/conn.log", Format::Zeek, &expected);
}

#[test]
fn zeek_dns_tsv() {
    let mut expected = vec![EMPTY; 8];
    expected.extend([
        "2026-12-07T11:01:40Z other ? udp 10.0.0.5 41772 -> 10.0.0.1 53 in=- out=- rule=- q=bad.example a=203.0.113.66,203.0.113.67",
        "2026-12-07T11:01:41Z other ? udp 10.0.0.6 5353 -> 10.0.0.1 53 in=- out=- rule=- q=www.example.org a=2001:db8::80",
        "2026-12-07T11:01:42Z other ? udp 10.0.0.6 5354 -> 10.0.0.1 53 in=- out=- rule=- q=nx.example",
        "2026-12-07T11:01:43Z other ? tcp 10.0.0.7 5355 -> 10.0.0.1 53 in=- out=- rule=-",
        MALFORMED,
        EMPTY,
    ]);
    check_fixture("zeek/dns.log", Format::Zeek, &expected);
}

#[test]
fn zeek_json() {
    check_fixture(
        "zeek/json.log",
        Format::Zeek,
        &[
            "2026-12-07T11:03:20Z other out tcp 10.0.0.5 50000 -> 198.51.100.9 8080 in=- out=- rule=-",
            "2026-12-07T11:03:21Z other ? udp 10.0.0.5 41000 -> 10.0.0.1 53 in=- out=- rule=- q=evil.example a=192.0.2.99,2001:db8::99",
            "2026-12-07T11:03:22Z other ? udp 2001:db8::5 41001 -> 2001:db8::53 53 in=- out=- rule=- q=nx.example",
            UNSUPPORTED,
            MALFORMED,
            BAD_TIME,
            MALFORMED,
        ],
    );
}

#[test]
fn suricata_eve() {
    check_fixture(
        "suricata/eve.json",
        Format::Suricata,
        &[
            "2026-12-07T11:00:01Z accept ? tcp 203.0.113.50 51234 -> 10.0.0.5 22 in=eth0 out=- rule=1:2001219:20 sig=ET SCAN Potential SSH Scan",
            "2026-12-07T11:00:02Z drop ? tcp 10.0.0.5 49800 -> 198.51.100.66 443 in=eth0 out=- rule=1:2404300:7 sig=ET CNC Feodo Tracker Reported CnC Server group 1",
            "2026-12-07T11:00:03Z other ? udp 10.0.0.5 40000 -> 10.0.0.1 53 in=eth0 out=- rule=- q=evil.example",
            "2026-12-07T11:00:03Z other ? udp 10.0.0.5 40000 -> 10.0.0.1 53 in=eth0 out=- rule=- q=evil.example a=192.0.2.99",
            "2026-12-07T11:00:04Z other ? udp 2001:db8::5 50001 -> 2001:db8::53 53 in=eth0 out=- rule=- q=www.example.net a=2001:db8:80::1,2001:db8:80::2",
            "2026-12-07T11:00:05Z other ? udp 10.0.0.6 40002 -> 10.0.0.1 53 in=eth0 out=- rule=- q=mail.example.net a=198.51.100.25",
            "2026-12-07T11:00:06Z other ? tcp 2001:db8::5 55000 -> 2001:db8:1::80 80 in=eth0 out=- rule=-",
            "2026-12-07T11:00:07Z other ? udp 10.0.0.7 123 -> 192.0.2.123 123 in=- out=- rule=-",
            "2026-12-07T11:00:08Z other ? tcp 10.0.0.5 49900 -> 198.51.100.80 80 in=eth0 out=- rule=-",
            "2026-12-07T11:00:09Z drop ? tcp 203.0.113.9 44321 -> 10.0.0.5 3389 in=eth0 out=- rule=-",
            "2026-12-07T11:00:10Z accept ? icmp 192.0.2.7 -> 10.0.0.5 in=eth0 out=- rule=1:2100366:8 sig=GPL ICMP_INFO PING *NIX",
            UNSUPPORTED,
            MALFORMED,
            MALFORMED,
        ],
    );
}

#[test]
fn suricata_fast() {
    check_fixture(
        "suricata/fast.log",
        Format::Suricata,
        &[
            "2026-12-07T12:00:01Z accept ? tcp 203.0.113.50 51234 -> 10.0.0.5 22 in=- out=- rule=1:2001219:20 sig=ET SCAN Potential SSH Scan",
            "2026-12-07T12:00:02Z drop ? tcp 10.0.0.5 49800 -> 198.51.100.66 443 in=- out=- rule=1:2404300:7 sig=ET CNC Feodo Tracker Reported CnC Server group 1",
            "2026-12-07T12:00:03Z accept ? icmp 192.0.2.7 -> 10.0.0.5 in=- out=- rule=1:2100366:8 sig=GPL ICMP_INFO PING *NIX",
            "2026-12-07T12:00:04Z accept ? udp 2001:db8::5 53001 -> 2001:db8::53 53 in=- out=- rule=1:2027865:2 sig=ET INFO Observed DNS Query to .cloud TLD",
            "2026-12-07T12:00:05Z other ? tcp 2001:db8::5 443 -> 2001:db8::9 50000 in=- out=- rule=1:2210045:2 sig=SURICATA STREAM Packet with invalid ack",
            UNSUPPORTED,
            BAD_TIME,
            MALFORMED,
        ],
    );
}

#[test]
fn fast_log_times_take_the_zone() {
    // fast.log writes local time: in Europe/Paris (UTC+1 in December).
    let line = b"12/07/2026-13:00:01.000000  [**] [1:1:1] x [**] [Classification: y] [Priority: 1] {TCP} 192.0.2.1:1 -> 10.0.0.5:2";
    let zone = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
    let mut cx = Context::new(REFERENCE);
    cx.year = logs::YearGuess::in_zone(REFERENCE, zone);
    let ev = logs::parse_line(Format::Suricata, line, &mut cx)
        .unwrap()
        .unwrap();
    assert_eq!(ev.time, Some(REFERENCE + 1));
}

#[test]
fn bind_query_and_rpz() {
    check_fixture(
        "bind/named.log",
        Format::Bind,
        &[
            "2026-12-07T12:00:01Z other ? udp 10.0.0.5 53012 -> 10.0.0.1 in=- out=- rule=- q=bad.example",
            "2026-12-07T12:00:02Z other ? tcp 10.0.0.6 41234 -> 2001:db8::53 in=- out=- rule=- q=www.example.org",
            "2026-12-07T12:00:03Z other ? udp 2001:db8::5 40000 -> 10.0.0.1 in=- out=- rule=- q=mail.example.net",
            "2026-12-07T12:00:04Z drop ? - 10.0.0.5 53013 -> - in=- out=- rule=rpz.lists.example sig=rpz QNAME NXDOMAIN q=bad.example",
            "2026-12-07T12:00:05Z drop ? - 10.0.0.5 53014 -> - in=- out=- rule=rpz.local sig=rpz QNAME Local-Data q=x.tracker.example",
            "2026-12-07T12:00:06Z accept ? - 10.0.0.6 53015 -> - in=- out=- rule=allow.rpz sig=rpz QNAME PASSTHRU q=ok.example",
            "2026-12-07T12:00:07Z drop ? - 10.0.0.6 53016 -> - in=- out=- rule=rpz.lists.example sig=rpz IP NXDOMAIN q=c2.example",
            "2026-12-07T12:00:08Z drop ? - 10.0.0.7 53017 -> - in=- out=- rule=rpz.local sig=rpz QNAME CNAME q=ads.example",
            "2026-12-07T12:00:09Z other ? - 10.0.0.7 53018 -> - in=- out=- rule=rpz.log sig=rpz QNAME NXDOMAIN q=log.example",
            "2026-12-07T12:00:10Z drop ? - 10.0.0.7 53019 -> - in=- out=- rule=rpz.lists.example sig=rpz NSDNAME NODATA q=nd.example",
            "2026-12-07T12:00:11Z drop ? - 10.0.0.8 53020 -> - in=- out=- rule=rpz.lists.example sig=rpz QNAME NXDOMAIN q=old.example",
            "2026-12-07T12:00:12Z drop ? - 198.51.100.20 3333 -> - in=- out=- rule=- sig=query (cache) denied q=example.com",
            UNSUPPORTED,
            MALFORMED,
        ],
    );
}

#[test]
fn unbound_queries_replies_rpz() {
    check_fixture(
        "unbound/unbound.log",
        Format::Unbound,
        &[
            "2026-12-07T12:00:01Z other ? - 10.0.0.5 -> - in=- out=- rule=- q=bad.example",
            "2026-12-07T12:00:02Z other ? - 10.0.0.5 -> - in=- out=- rule=- q=bad.example",
            "2026-12-07T12:00:03Z drop ? - 10.0.0.5 53012 -> - in=- out=- rule=rpz.lists.example sig=rpz nxdomain q=bad.example",
            "2026-12-07T12:00:04Z accept ? - 10.0.0.6 53013 -> - in=- out=- rule=allow sig=rpz passthru q=ok.example",
            "2026-12-07T12:00:05Z drop ? - 10.0.0.7 53014 -> - in=- out=- rule=ads.example sig=redirect q=www.ads.example",
            "2026-12-07T12:00:06Z other ? - 2001:db8::5 -> - in=- out=- rule=- q=www.example.org",
            "2026-12-07T12:00:07Z drop ? - 10.0.0.8 53015 -> - in=- out=- rule=rpz.local sig=rpz drop q=anything.example",
            "2026-12-07T12:00:08Z other ? - 10.0.0.9 -> - in=- out=- rule=- q=tracker.example",
            UNSUPPORTED,
            UNSUPPORTED,
            MALFORMED,
            MALFORMED,
            "2026-12-07T12:00:13Z other ? - 10.0.0.5 -> - in=- out=- rule=-",
        ],
    );
}

/// A real log's events and skips by reason, every event with a source.
fn account(path: &Path, format: Format) -> (usize, BTreeMap<&'static str, usize>) {
    let read = read_log(path, format);
    assert!(
        read.events.iter().all(|e| e.src.is_some()),
        "{}",
        path.display()
    );
    (read.events.len(), read.skips)
}

#[test]
fn real_logs_parse() {
    let Some(logs) = shared_logs() else {
        return;
    };
    let skips = |pairs: &[(&'static str, usize)]| -> BTreeMap<&'static str, usize> {
        pairs.iter().copied().collect()
    };
    // conn.log: 8 header lines, 92 records.
    assert_eq!(
        account(&logs.join("zeek/conn.log"), Format::Zeek),
        (92, skips(&[("empty or comment", 8)]))
    );
    // dns.json: 10,000 dns.log records in JSON.
    assert_eq!(
        account(&logs.join("zeek/dns.json"), Format::Zeek),
        (10_000, skips(&[]))
    );
    // CrowdSec's eve.json: 4 alerts and 2 flows (three of them with the
    // offset written -0000), and 2 stats lines.
    assert_eq!(
        account(&logs.join("suricata/crowdsec-eve.json"), Format::Suricata),
        (6, skips(&[("message without traffic", 2)]))
    );
    // fail2ban's named-refused: 19 comment lines, 14 denied queries and
    // zone transfers, 2 bad zone transfer requests.
    assert_eq!(
        account(&logs.join("bind/fail2ban-named-refused.log"), Format::Bind),
        (
            14,
            skips(&[("empty or comment", 19), ("message without traffic", 2)])
        )
    );
}

#[test]
fn other_real_logs_are_not_ours() {
    let Some(data) = shared_data() else {
        return;
    };
    let ours = [
        Format::Zeek,
        Format::Suricata,
        Format::Bind,
        Format::Unbound,
    ];
    for folder in std::fs::read_dir(data.join("logs")).unwrap() {
        let folder = folder.unwrap().path();
        let name = folder.file_name().unwrap().to_string_lossy().into_owned();
        if ["zeek", "suricata", "bind"].contains(&name.as_str()) {
            continue;
        }
        for file in std::fs::read_dir(&folder).unwrap() {
            let path = file.unwrap().path();
            let all = lines(&path);
            let head: Vec<&[u8]> = all
                .iter()
                .map(Vec::as_slice)
                .filter(|l| !l.is_empty())
                .take(20)
                .collect();
            let found = logs::detect(&head);
            assert!(
                !found.is_some_and(|f| ours.contains(&f)),
                "{}: {found:?}",
                path.display()
            );
        }
    }
}

#[test]
fn real_dns_json_names_and_answers() {
    let Some(data) = shared_data() else {
        return;
    };
    let path = data.join("logs/zeek/dns.json");
    let first = lines(&path).into_iter().next().unwrap();
    let mut cx = Context::for_file(&path).unwrap();
    assert_eq!(
        describe(&logs::parse_line(Format::Zeek, &first, &mut cx)),
        "2018-03-24T17:15:20Z other ? udp 10.47.1.100 41772 -> 10.0.0.100 53 in=- out=- rule=- q=ise.wrccdc.org a=134.71.3.16"
    );
}

proptest! {
    #[test]
    fn bytes_never_panic(line in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut cx = Context::new(REFERENCE);
        for f in [Format::Zeek, Format::Suricata, Format::Bind, Format::Unbound] {
            let _ = logs::parse_line(f, &line, &mut cx);
        }
        let _ = logs::detect(&[&line]);
    }

    #[test]
    fn near_lines_never_panic(
        head in prop::sample::select(vec![
            "#fields\tts\tid.orig_h\tid.resp_h\tquery\tanswers", "#separator \\x", "{\"ts\":",
            "{\"event_type\":\"dns\",", "12/07/2026-12:00:01.1  [**] [", "07-Dec-2026 12:00:01.123 ",
            "[1796644801] unbound[1:0] info: ", "Dec  7 12:00:01 ns unbound: [1:0] info: ", "",
        ]),
        words in proptest::collection::vec(prop::sample::select(vec![
            "client", "@0x1", "10.0.0.1#53", "(x):", "query:", "rpz", "QNAME", "rewrite", "via",
            "x.rpz-ip.", "*.", "'a/A/IN'", "denied", "rpz: applied", "[z]", "10.0.0.1@1", "a.", "A", "IN",
            "[**]", "{TCP}", "->", "1.2.3.4:5", "[::1]:5", "\t", "-", "(empty)", "\"id.orig_h\":\"::1\"",
            "\"answers\":[", "]", "}", ",", "\"dns\":{", "\"grouped\":{\"A\":[\"1.2.3.4\"]}", ":", "view",
        ]), 0..25),
        sep in prop::sample::select(vec![" ", "\t", ",", ""]),
    ) {
        let line = format!("{head}{}", words.join(sep));
        let mut cx = Context::new(REFERENCE);
        let _ = logs::parse_line(Format::Zeek, b"#fields\tts\tid.orig_h\tid.resp_h\tquery\tanswers", &mut cx);
        for f in [Format::Zeek, Format::Suricata, Format::Bind, Format::Unbound] {
            let _ = logs::parse_line(f, line.as_bytes(), &mut cx);
        }
    }
}
