//! Every real feed under `../shared/data/feeds` ingests with its format
//! detected correctly, no feed failed by the health rules, and nothing
//! refused without an explanation.

mod common;
use common::{bin_path, require, run_in, shared_data};
use std::path::{Path, PathBuf};

/// Detected format per file, and what is expected beyond plain acceptance.
const EXPECTED: &[(&str, &str, Note)] = &[
    ("abusech/feodo_ipblocklist.csv", "csv", Note::None),
    (
        "domains/blocklistproject-ransomware-ags.txt",
        "adblock",
        Note::None,
    ),
    (
        "domains/blocklistproject-ransomware-nl.txt",
        "domains",
        Note::None,
    ),
    (
        "domains/blocklistproject-ransomware.hosts",
        "hosts",
        Note::None,
    ),
    ("domains/dnsbunker-cti-adblock.txt", "adblock", Note::None),
    ("domains/dnsbunker-cti-domains.txt", "domains", Note::None),
    ("domains/dnsbunker-cti.rpz", "rpz", Note::None),
    (
        "domains/urlhaus-filter-domains-online.txt",
        "domains",
        Note::None,
    ),
    (
        "domains/urlhaus-filter-hosts-online.txt",
        "hosts",
        Note::None,
    ),
    ("dshield/block.txt", "dshield", Note::None),
    ("et/compromised-ips.txt", "list", Note::None),
    ("firehol/blocklist_de.ipset", "firehol", Note::None),
    ("firehol/dshield.netset", "firehol", Note::None),
    ("firehol/et_compromised.ipset", "firehol", Note::None),
    // FireHOL's own header says "Entries: 0 unique IPs".
    ("firehol/feodo.ipset", "firehol", Note::Empty),
    // Includes fullbogons: private, multicast and reserved space.
    ("firehol/firehol_level1.netset", "firehol", Note::Special),
    ("firehol/spamhaus_drop.netset", "firehol", Note::None),
    ("firehol/spamhaus_edrop.netset", "firehol", Note::None),
    ("firehol/tor_exits.ipset", "firehol", Note::None),
    ("ipsum/ipsum.txt", "ipsum", Note::None),
    ("ipsum/level3.txt", "list", Note::None),
    // ASN-DROP lists autonomous systems, not addresses.
    (
        "spamhaus/asn_drop.json",
        "spamhaus-json",
        Note::OnlyUnsupported,
    ),
    ("spamhaus/drop.txt", "spamhaus", Note::None),
    // DROPv6 holds RIR-sized blocks (/19../29) wider than the default /32.
    ("spamhaus/dropv6.txt", "spamhaus", Note::TooWide),
    // url, file, software and directory patterns are not indicators here.
    (
        "stix/unit42-maze-ransomware.json",
        "stix",
        Note::Unsupported,
    ),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Note {
    None,
    Empty,
    Special,
    TooWide,
    Unsupported,
    OnlyUnsupported,
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn every_shared_feed_is_detected_and_ingested() {
    let data = shared_data()
        .map(|d| d.join("feeds"))
        .filter(|d| d.is_dir());
    if !require(data.is_some(), "../shared/data/feeds") {
        return;
    }
    let dir = data.unwrap();
    let mut all = Vec::new();
    files(&dir, &mut all);
    all.sort();
    for path in all {
        let rel = path
            .strip_prefix(&dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let Some((_, format, note)) = EXPECTED.iter().find(|(f, ..)| *f == rel) else {
            panic!("{rel}: a new feed file; add its expected format to this test");
        };
        let r = run_in(
            &dir,
            bin_path("tl-ingest"),
            &["--stats", "json", "--now", "2026-01-01T00:00:00Z", &rel],
            b"",
        );
        assert_eq!(r.code, 0, "{rel}: {}", r.stderr);
        let stats: serde_json::Value =
            serde_json::from_str(r.stderr.lines().last().unwrap_or("")).expect("stats json");
        let s = &stats["feeds"][0];
        assert_eq!(s["format"], *format, "{rel}: detected format");
        // No feed is failed by the health rules (exit 0 above says so too);
        // no line is refused at all, beyond the 95 %.
        assert_eq!(s["failed"], false, "{rel}: {}", r.stderr);
        assert_eq!(s["rejected"], serde_json::json!({}), "{rel}: refused lines");
        let accepted = s["accepted"].as_u64().unwrap();
        let rows = r.stdout.lines().count() as u64 - 1;
        assert_eq!(rows, accepted, "{rel}: rows written");
        let n = |k: &str| s[k].as_u64().unwrap();
        let unsupported: u64 = s["unsupported"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(s["empty"], *note == Note::Empty, "{rel}: empty");
        assert_eq!(
            n("special_purpose") > 0,
            *note == Note::Special,
            "{rel}: special-purpose"
        );
        assert_eq!(
            n("too_wide") > 0,
            matches!(note, Note::TooWide | Note::Special),
            "{rel}: too wide"
        );
        assert_eq!(
            unsupported > 0,
            matches!(note, Note::Unsupported | Note::OnlyUnsupported),
            "{rel}: unsupported"
        );
        assert_eq!(
            accepted > 0,
            !matches!(note, Note::Empty | Note::OnlyUnsupported),
            "{rel}: accepted"
        );
        // Every row is canonical and well-formed.
        for line in r.stdout.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), 8, "{rel}: {line}");
            assert!(matches!(f[1], "ip" | "net" | "domain"), "{rel}: {line}");
            assert!(!f[0].is_empty() && !f[0].ends_with('.'), "{rel}: {line}");
            assert_eq!(f[0], f[0].to_ascii_lowercase(), "{rel}: {line}");
        }
    }
}
