//! The log parsers (`threatlist::logs`) on our own fixtures, with every
//! event spelled out, on every supported real log under
//! `../shared/data/logs`, and on arbitrary bytes.

mod common;
use common::logs::{check_fixture_as, read_log, shared_logs, REFERENCE};
use proptest::prelude::*;
use std::path::PathBuf;
use threatlist::logs::{self, Context, Format, Skip};

#[test]
fn netfilter_fixture() {
    check_fixture_as(
        "netfilter/ufw.log",
        Format::Netfilter,
        Format::Netfilter,
        &[
            "2026-12-07T11:00:01Z drop in tcp 192.0.2.10 51000 -> 10.0.0.5 22 in=eth0 out=- rule=[UFW BLOCK]",
            "2026-12-07T11:00:02Z other out tcp 10.0.0.5 40000 -> 198.51.100.7 443 in=- out=eth0 rule=[UFW AUDIT]",
            "2026-12-07T11:00:03Z accept in tcp 2001:db8::10 50000 -> 2001:db8:1::5 80 in=eth0 out=- rule=[UFW ALLOW]",
            "2026-12-07T11:00:04Z drop in icmp 203.0.113.9 -> 10.0.0.5 in=eth0 out=- rule=IPTABLES:BLOCKED-CONN:",
            "skip: not a line of this format",
            "skip: malformed fields",
            "2026-12-07T11:00:07Z - ? udp 10.0.1.2 5000 -> 198.51.100.20 53 in=eth1 out=eth0 rule=fwd",
        ],
    );
}

#[test]
fn nftables_fixture() {
    // The kernel writes nftables `log` lines like LOG lines: detection says
    // netfilter, and both formats read them alike.
    check_fixture_as(
        "nftables/nft.log",
        Format::Nftables,
        Format::Netfilter,
        &[
            "2026-12-07T11:30:00Z drop in tcp 198.51.100.50 61000 -> 192.168.1.10 3389 in=ens3 out=- rule=nft drop in:",
            "2026-12-07T11:30:00Z accept out udp 192.168.1.10 40404 -> 203.0.113.80 123 in=- out=ens3 rule=outbound accept",
        ],
    );
}

#[test]
fn tl_fw_log_lines() {
    // What the rules of `tl-fw render --log-in-prefix 'threatlist drop in: '`
    // write, as kern.log keeps them: inbound drops to the firewall (input:
    // `IN=` set, `OUT=` empty, so inbound) and through it (forward: both
    // set; tl-logs takes the listed or outside side), IPv6 as the kernel
    // writes it; then outbound drops. The action comes from a drop word in
    // the prefix: a prefix such as `threatlist out: ` has none (tl-fw's default,
    // `threatlist drop out: `, has one).
    check_fixture_as(
        "nftables/tl-fw.log",
        Format::Netfilter,
        Format::Netfilter,
        &[
            "2026-12-07T11:40:01Z drop in tcp 198.51.100.10 40022 -> 192.0.2.1 22 in=eth0 out=- rule=threatlist drop in:",
            "2026-12-07T11:40:02Z drop ? udp 198.51.100.10 56628 -> 10.0.0.5 7007 in=eth0 out=eth1 rule=threatlist drop in:",
            "2026-12-07T11:40:03Z drop in tcp 2001:db8:bad::10 51000 -> 2001:db8:1::1 443 in=eth0 out=- rule=threatlist drop in:",
            "2026-12-07T11:40:04Z - ? udp 10.0.0.5 38000 -> 203.0.113.50 7007 in=eth1 out=eth0 rule=threatlist out:",
            "2026-12-07T11:40:05Z drop out tcp 192.0.2.1 41000 -> 203.0.113.50 443 in=- out=eth0 rule=threatlist drop out:",
        ],
    );
}

#[test]
fn filterlog_fixture() {
    check_fixture_as(
        "filterlog/pfsense.log",
        Format::Filterlog,
        Format::Filterlog,
        &[
            "2026-12-07T10:15:00Z drop in tcp 203.0.113.77 44321 -> 192.168.10.2 23 in=igb0 out=- rule=1000000103",
            "2026-12-07T10:15:01Z accept out udp 192.168.10.2 53001 -> 198.51.100.53 53 in=- out=igb1 rule=1612345678",
            "2026-12-07T10:15:02Z drop in tcp 2001:db8::bad 50123 -> 2001:db8:10::2 443 in=igb0 out=- rule=1000000003",
            "2026-12-07T10:15:03Z drop in icmp 203.0.113.5 -> 192.168.10.2 in=igb0 out=- rule=1000000004",
            "2026-12-07T10:15:04Z drop in udp 192.0.2.44 49838 -> 198.51.100.1 52938 in=vtnet0 out=- rule=02f4bab0",
            "skip: malformed fields",
            "skip: not a line of this format",
        ],
    );
}

#[test]
fn asa_fixture() {
    check_fixture_as(
        "asa/asa.log",
        Format::Asa,
        Format::Asa,
        &[
            "2026-12-07T09:00:00Z drop ? tcp 203.0.113.10 40000 -> 10.1.1.5 445 in=outside out=inside rule=outside_in",
            "2026-12-07T09:00:01Z drop in tcp 198.51.100.3 5555 -> 10.1.1.6 80 in=outside out=- rule=-",
            "2026-12-07T09:00:02Z drop in udp 192.0.2.66 137 -> 10.1.1.7 137 in=outside out=- rule=-",
            "2026-12-07T09:00:03Z drop ? tcp 10.1.1.8 443 -> 198.51.100.9 51000 in=inside out=- rule=-",
            "2026-12-07T09:00:04Z drop ? udp 10.1.1.9 1039 -> 203.0.113.53 53 in=inside out=outside rule=inside_out",
            "2026-12-07T09:00:05Z accept out tcp 10.1.1.10 50000 (192.0.2.1 31000) -> 203.0.113.80 443 (203.0.113.80 443) in=inside out=outside rule=-",
            "2026-12-07T09:00:06Z accept in udp 2001:db8::1 53000 (2001:db8::1 53000) -> 2001:db8:1::53 53 (2001:db8:1::53 53) in=outside out=dmz rule=-",
            "2026-12-07T09:00:07Z other ? tcp 203.0.113.80 443 -> 10.1.1.10 50000 in=outside out=inside rule=-",
            // 305011: the real address, its mapped one, no destination.
            "2026-12-07T09:00:08Z other ? tcp 10.1.1.10 50000 (192.0.2.1 31000) -> - in=inside out=outside rule=-",
            "2026-12-07T09:00:09Z drop ? icmp 203.0.113.10 -> 10.1.1.5 in=outside out=inside rule=outside_in",
            "2026-12-07T09:00:10Z other ? udp 2001:db8::1 53000 -> 2001:db8:1::53 53 in=outside out=dmz rule=-",
            // The source is a host name (`src_name`), the address unknown.
            "2026-12-07T09:00:11Z drop ? tcp <host.example> 1 -> 10.1.1.5 445 in=outside out=inside rule=outside_in",
        ],
    );
}

/// Real logs: (folder, format, events expected per file).
const REAL: &[(&str, Format)] = &[
    ("netfilter", Format::Netfilter),
    ("pfsense", Format::Filterlog),
    ("cisco", Format::Asa),
];

#[test]
fn real_logs_parse() {
    let Some(logs) = shared_logs() else {
        return;
    };
    for (folder, format) in REAL {
        let dir = logs.join(folder);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{}", dir.display());
        for path in files {
            let read = read_log(&path, *format);
            // One side may be a host name (ASA `names`) or absent (an ASA
            // 305011 translation).
            assert!(read
                .events
                .iter()
                .all(|e| e.src.is_some() || e.dst.is_some()));
            for (n, text) in &read.described {
                if text == "skip: malformed fields" {
                    eprintln!("{}:{n}: {}", path.display(), Skip::Malformed.reason());
                }
            }
            assert!(!read.events.is_empty(), "{}", path.display());
            // The firewall formats carry traffic on every line but the
            // ones that are not the firewall's.
            assert!(
                !read.skips.contains_key("malformed fields"),
                "{}: {:?}",
                path.display(),
                read.skips
            );
        }
    }
}

proptest! {
    #[test]
    fn bytes_never_panic(line in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut cx = Context::new(REFERENCE);
        for f in Format::ALL {
            let _ = logs::parse_line(f, &line, &mut cx);
        }
        let _ = logs::detect(&[&line]);
    }

    #[test]
    fn near_lines_never_panic(
        head in prop::sample::select(vec![
            "Dec  7 11:00:01 gw kernel: ", "<134>1 2026-12-07T10:15:04Z h filterlog 1 - [m a=\"]\"] ",
            "Dec 07 2026 09:00:00: %ASA-4-106023: ", "%ASA-6-302013: ", "Feb 29 10:00:00 h filterlog: ",
            "<1>1 - - - - - [x ", "%ASA-5-106100: ", "",
        ]),
        words in proptest::collection::vec(prop::sample::select(vec![
            "IN=", "OUT=eth0", "SRC=192.0.2.1", "DST=::1", "SPT=99999", "DPT=1", "PROTO=TCP",
            "Deny", "Built", "Teardown", "outbound", "inbound", "for", "to", "src", "dst", "from",
            "inside:10.0.0.1/1", "(10.0.0.1/2)", "outside:2001:db8::1/3", "access-list", "->",
            "a/10.0.0.1(5)", "on", "interface", "4", "6", "block", "pass", "tcp", "udp", ",", ",,", "(", ":",
        ]), 0..25),
        sep in prop::sample::select(vec![" ", ",", ""]),
    ) {
        let line = format!("{head}{}", words.join(sep));
        let mut cx = Context::new(REFERENCE);
        for f in Format::ALL {
            let _ = logs::parse_line(f, line.as_bytes(), &mut cx);
        }
    }
}
