//! `tl-ingest` run as a user would: every format from its own fixture under
//! `fixtures/feeds/`, detected and forced, with exact outputs; bad and
//! dangerous input; the configuration file.

mod common;
use common::{bin_path, run_in, Run, Workdir};
use std::path::Path;

const NOW: &str = "2026-01-01T00:00:00Z";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs tl-ingest in the repository root (fixture paths are relative).
fn ingest(args: &[&str]) -> Run {
    run_in(root(), bin_path("tl-ingest"), args, b"")
}

fn ingest_stdin(args: &[&str], stdin: &[u8]) -> Run {
    run_in(root(), bin_path("tl-ingest"), args, stdin)
}

/// The `--stats json` document (the last stderr line).
fn stats(r: &Run) -> serde_json::Value {
    let line = r.stderr.lines().last().unwrap_or("");
    serde_json::from_str(line).unwrap_or_else(|e| panic!("stats json: {e}: {}", r.stderr))
}

/// (fixture, detected format, extra arguments, exact output)
const FORMATS: &[(&str, &str, &[&str], &str)] = &[
    (
        "list.txt",
        "list",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
5.188.10.0/30,net,list,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
45.155.205.233,ip,list,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,2,1\n\
91.240.118.172,ip,list,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
185.220.101.0/24,net,list,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
2a0e:1c80:1::/48,net,list,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
2a0e:1c80:1::7,ip,list,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
",
    ),
    (
        "firehol.netset",
        "firehol",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
87.251.64.0/24,net,demo_attackers,attacks,2024-01-24T10:33:01Z,2024-01-24T10:33:01Z,1,1\n\
103.151.0.0/24,net,demo_attackers,attacks,2024-01-24T10:33:01Z,2024-01-24T10:33:01Z,1,1\n\
193.32.162.0/31,net,demo_attackers,attacks,2024-01-24T10:33:01Z,2024-01-24T10:33:01Z,1,1\n\
",
    ),
    (
        "spamhaus-drop.txt",
        "spamhaus",
        &["--with-ref"],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence,ref\n\
1.10.16.0/20,net,spamhaus-drop,,2025-01-17T17:03:47Z,2025-01-17T17:03:47Z,1,1,SBL256894\n\
2.57.122.0/24,net,spamhaus-drop,,2025-01-17T17:03:47Z,2025-01-17T17:03:47Z,1,1,SBL636050\n\
2a06:e480::/32,net,spamhaus-drop,,2025-01-17T17:03:47Z,2025-01-17T17:03:47Z,1,1,SBL301771\n\
",
    ),
    (
        "spamhaus-drop.jsonl",
        "spamhaus-json",
        &["--with-ref"],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence,ref\n\
1.10.16.0/20,net,spamhaus-drop,,2025-01-17T17:03:47Z,2025-01-17T17:03:47Z,1,1,SBL256894\n\
2.57.122.0/24,net,spamhaus-drop,,2025-01-17T17:03:47Z,2025-01-17T17:03:47Z,1,1,SBL636050\n\
",
    ),
    (
        "dshield-block.txt",
        "dshield",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
45.205.1.0/24,net,dshield-block,,2026-08-22T20:45:06Z,2026-08-22T20:45:06Z,116,1\n\
66.132.172.0/24,net,dshield-block,,2026-08-22T20:45:06Z,2026-08-22T20:45:06Z,109,1\n\
193.163.125.0/24,net,dshield-block,,2026-08-22T20:45:06Z,2026-08-22T20:45:06Z,110,1\n\
",
    ),
    (
        "dshield-top.txt",
        "dshield-top",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
45.148.10.240,ip,dshield-top,,2026-08-01T00:00:00Z,2026-08-22T00:00:00Z,5120,1\n\
193.32.162.157,ip,dshield-top,,2026-08-10T00:00:00Z,2026-08-21T00:00:00Z,2048,1\n\
",
    ),
    (
        "ipsum.txt",
        "ipsum",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
2.57.122.53,ip,ipsum,,2026-08-22T01:00:29Z,2026-08-22T01:00:29Z,9,1\n\
77.90.185.20,ip,ipsum,,2026-08-22T01:00:29Z,2026-08-22T01:00:29Z,10,1\n\
80.82.77.33,ip,ipsum,,2026-08-22T01:00:29Z,2026-08-22T01:00:29Z,1,1\n\
",
    ),
    (
        "feodo.csv",
        "csv",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
85.239.243.155,ip,feodo,,2024-02-08T19:20:49Z,2024-03-11T00:00:00Z,1,1\n\
192.9.135.73,ip,feodo,,2023-05-23T17:51:44Z,2024-04-01T00:00:00Z,1,1\n\
",
    ),
    (
        "threatfox.csv",
        "csv",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
91.92.240.11,ip,threatfox,,2026-08-20T08:00:00Z,2026-08-21T09:00:00Z,1,1\n\
evil-c2.example,domain,threatfox,,2026-08-20T09:00:00Z,2026-08-20T09:00:00Z,1,0.75\n\
payload.example,domain,threatfox,,2026-08-20T10:00:00Z,2026-08-20T10:00:00Z,1,0.5\n\
",
    ),
    (
        "urlhaus.csv",
        "csv",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
103.77.246.15,ip,urlhaus,,2026-08-22T11:00:00Z,2026-08-22T11:30:00Z,1,1\n\
login.bank-verify.example,domain,urlhaus,,2026-08-22T11:05:00Z,2026-08-22T12:00:00Z,1,1\n\
",
    ),
    (
        "vendor.tsv",
        "csv",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
203.0.114.9,ip,vendor,,2026-08-01T00:00:00Z,2026-08-01T00:00:00Z,1,1\n\
2001:470:1::1,ip,vendor,,2026-08-02T00:00:00Z,2026-08-02T00:00:00Z,1,1\n\
",
    ),
    (
        "threatfox.json",
        "json",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
91.92.240.11,ip,threatfox,,2026-08-20T08:00:00Z,2026-08-20T08:00:00Z,1,1\n\
evil-c2.example,domain,threatfox,,2026-08-20T09:00:00Z,2026-08-20T09:00:00Z,1,0.75\n\
",
    ),
    (
        "events.jsonl",
        "jsonl",
        &["--field", "src.ip"],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
185.224.128.17,ip,events,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,2,1\n\
2a02:4780:8::1,ip,events,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
",
    ),
    (
        "domains.txt",
        "domains",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
194.26.29.113,ip,domains,,2025-07-19T12:11:28Z,2025-07-19T12:11:28Z,1,1\n\
evil.example,domain,domains,,2025-07-19T12:11:28Z,2025-07-19T12:11:28Z,1,1\n\
phishing-login.example.com,domain,domains,,2025-07-19T12:11:28Z,2025-07-19T12:11:28Z,1,1\n\
xn--bcher-phish-thb.example,domain,domains,,2025-07-19T12:11:28Z,2025-07-19T12:11:28Z,1,1\n\
",
    ),
    (
        "hosts.txt",
        "hosts",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
ads.tracker.example,domain,hosts,,2026-07-06T00:40:31Z,2026-07-06T00:40:31Z,1,1\n\
malware-cdn.example,domain,hosts,,2026-07-06T00:40:31Z,2026-07-06T00:40:31Z,1,1\n\
malware.example,domain,hosts,,2026-07-06T00:40:31Z,2026-07-06T00:40:31Z,1,1\n\
phish.example,domain,hosts,,2026-07-06T00:40:31Z,2026-07-06T00:40:31Z,1,1\n\
",
    ),
    (
        "adblock.txt",
        "adblock",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
c2.example,domain,adblock,,2026-08-22T17:30:08Z,2026-08-22T17:30:08Z,1,1\n\
ransom.example,domain,adblock,,2026-08-22T17:30:08Z,2026-08-22T17:30:08Z,1,1\n\
",
    ),
    (
        "zone.rpz",
        "rpz",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
31.28.176.0/24,net,zone,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
2a02:4780::/48,net,zone,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
*.bad.example,domain,zone,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
bad.example,domain,zone,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
worse.example,domain,zone,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
",
    ),
    (
        "bundle.stix.json",
        "stix",
        &["--with-ref"],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence,ref\n\
91.92.240.11,ip,bundle.stix,,2026-08-01T00:00:00Z,2026-08-03T00:00:00Z,1,0.85,indicator--a1\n\
2a02:4780:8::/48,net,bundle.stix,,2026-08-02T00:00:00Z,2026-08-02T00:00:00Z,1,1,indicator--a3\n\
c2.example,domain,bundle.stix,,2026-08-02T00:00:00Z,2026-08-02T00:00:00Z,1,1,indicator--a2\n\
",
    ),
];

#[test]
fn every_format_is_detected_and_read_exactly() {
    check_formats(FORMATS);
}

/// Each fixture of `table` is detected as its format and read exactly;
/// forcing that format reads it the same.
fn check_formats(table: &[(&str, &str, &[&str], &str)]) {
    for (file, format, extra, expected) in table {
        let path = format!("fixtures/feeds/{file}");
        let mut args = vec!["--now", NOW, "--stats", "json"];
        args.extend_from_slice(extra);
        args.push(&path);
        let r = ingest(&args);
        assert_eq!(r.code, 0, "{file}: {}", r.stderr);
        assert_eq!(r.stdout, *expected, "{file}");
        assert_eq!(stats(&r)["feeds"][0]["format"], *format, "{file}");
        // Forcing the detected format changes nothing.
        let mut forced = vec!["--now", NOW, "--format", format];
        forced.extend_from_slice(extra);
        forced.push(&path);
        let f = ingest(&forced);
        assert_eq!(f.code, 0, "{file} forced: {}", f.stderr);
        assert_eq!(f.stdout, *expected, "{file} forced");
    }
}

#[test]
fn forcing_a_format_reads_the_feed_that_way() {
    // As an IP list, the domains of a domain list are refused (and
    // counted): most of its lines, so the feed is failed; --lenient takes
    // what is left.
    let args = [
        "--now",
        NOW,
        "--format",
        "list",
        "fixtures/feeds/domains.txt",
    ];
    let r = ingest(&args);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "tl-ingest: domains: FAILED: refused 3 of 4 entry lines (more than half); \
             its rows are not written\n"
        ),
        "{}",
        r.stderr
    );
    let r = ingest(&[&args[..], &["--lenient"]].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
         194.26.29.113,ip,domains,,2025-07-19T12:11:28Z,2025-07-19T12:11:28Z,1,1\n"
    );
    assert!(
        r.stderr
            .contains("fixtures/feeds/domains.txt:3: a hostname in an IP list: 'evil.example'"),
        "{}",
        r.stderr
    );
    // A CSV column chosen by number.
    let r = ingest(&["--now", NOW, "--column", "2", "fixtures/feeds/feodo.csv"]);
    assert_eq!(r.stdout.lines().count(), 3, "{}", r.stderr);
    let r = ingest(&["--now", NOW, "--column", "nope", "fixtures/feeds/feodo.csv"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("no column 'nope' (columns: first_seen_utc, dst_ip"),
        "{}",
        r.stderr
    );
    // An unknown format is a usage error.
    assert_eq!(
        ingest(&["--format", "xml", "fixtures/feeds/list.txt"]).code,
        2
    );
}

#[test]
fn stdin_feed_category_confidence_and_output_file() {
    let w = Workdir::new();
    let out = w.path("ind.csv");
    let r = ingest_stdin(
        &[
            "--now",
            NOW,
            "--feed",
            "ssh",
            "--category",
            "bruteforce",
            "--confidence",
            "0.7",
            "-o",
            out.to_str().unwrap(),
        ],
        b"185.224.128.17\n2a02:4780:8::1\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(
        w.read("ind.csv"),
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
         185.224.128.17,ip,ssh,bruteforce,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.7\n\
         2a02:4780:8::1,ip,ssh,bruteforce,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.7\n"
    );
    assert_eq!(
        r.stderr,
        "tl-ingest: ssh (list): read 2, accepted 2, duplicates 0, rejected 0, special-purpose 0, too wide 0\n"
    );
    let bad = ingest(&["--feed", "a b", "fixtures/feeds/list.txt"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--feed"), "{}", bad.stderr);
}

#[test]
fn gzip_input_and_deterministic_order() {
    use std::io::Write;
    let w = Workdir::new();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&std::fs::read(root().join("fixtures/feeds/list.txt")).unwrap())
        .unwrap();
    w.write("list.txt.gz", gz.finish().unwrap());
    let gz_path = w.path("list.txt.gz");
    let a = ingest(&[
        "--now",
        NOW,
        gz_path.to_str().unwrap(),
        "fixtures/feeds/ipsum.txt",
        "fixtures/feeds/domains.txt",
    ]);
    let b = ingest(&[
        "--now",
        NOW,
        "fixtures/feeds/domains.txt",
        "fixtures/feeds/ipsum.txt",
        gz_path.to_str().unwrap(),
    ]);
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(a.stdout, b.stdout);
    // Feeds in name order: domains, ipsum, list.
    let feeds: Vec<&str> = a
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    let mut sorted = feeds.clone();
    sorted.sort();
    assert_eq!(feeds, sorted);
    assert_eq!(feeds.first(), Some(&"domains"));
    assert_eq!(feeds.last(), Some(&"list"));
}

#[test]
fn two_inputs_of_one_feed_merge() {
    let r = ingest(&[
        "--now",
        NOW,
        "--feed",
        "mix",
        "fixtures/feeds/ipsum.txt",
        "fixtures/feeds/feodo.csv",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 1 + 3 + 2);
    assert!(
        r.stderr.contains("mix (ipsum+csv): read 18, accepted 5"),
        "{}",
        r.stderr
    );
}

#[test]
fn glued_addresses_and_url_paths_are_reported_never_published() {
    let r = ingest(&["--now", NOW, "--lenient", "fixtures/feeds/bad/glued.txt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
         45.155.205.233,ip,glued,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n"
    );
    assert_eq!(
        r.stderr,
        "tl-ingest: fixtures/feeds/bad/glued.txt:3: two addresses glued together: '45.155.205.2345.155.205.234'\n\
         tl-ingest: fixtures/feeds/bad/glued.txt:4: several addresses on one line: '45.155.205.235 45.155.205.236'\n\
         tl-ingest: fixtures/feeds/bad/glued.txt:5: host bits set under a short prefix (a URL path like '/1'?): '91.240.118.172/1'\n\
         tl-ingest: glued: WARNING (--lenient): refused 6 of 7 entry lines (more than half)\n\
         tl-ingest: glued (list): read 8, accepted 1, duplicates 0, rejected 6 (IPv4 address without four octets: 1; \
         a URL, not an address: 1; ambiguous leading zero in an IPv4 octet: 1; host bits set under a short prefix \
         (a URL path like '/1'?): 1; several addresses on one line: 1; two addresses glued together: 1), \
         special-purpose 0, too wide 0\n"
    );
}

#[test]
fn strict_makes_any_refused_line_fatal() {
    let w = Workdir::new();
    let out = w.path("out.csv");
    let r = ingest(&[
        "--strict",
        "-o",
        out.to_str().unwrap(),
        "fixtures/feeds/bad/glued.txt",
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "tl-ingest: fixtures/feeds/bad/glued.txt:3: two addresses glued together: '45.155.205.2345.155.205.234'\n"
    );
    assert!(!out.exists(), "nothing is written on error");
    assert_eq!(ingest(&["--strict", "fixtures/feeds/list.txt"]).code, 0);
}

#[test]
fn special_purpose_space_and_wide_prefixes_are_dropped_and_counted() {
    let r = ingest(&[
        "--now",
        NOW,
        "--stats",
        "json",
        "fixtures/feeds/bad/special.txt",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // 172.0.0.0/8 overlaps 172.16.0.0/12: only the rest is emitted.
    assert_eq!(
        r.stdout,
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
         45.155.205.233,ip,special,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
         172.0.0.0/12,net,special,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
         172.32.0.0/11,net,special,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
         172.64.0.0/10,net,special,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
         172.128.0.0/9,net,special,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n"
    );
    let s = &stats(&r)["feeds"][0];
    assert_eq!(s["special_purpose"], 7);
    assert_eq!(s["too_wide"], 3);
    // Allowed on request; a wider --max-prefix lets /7 and /16 through.
    let r = ingest(&[
        "--now",
        NOW,
        "--allow-special",
        "--max-prefix",
        "4",
        "--max-prefix6",
        "16",
        "--stats",
        "json",
        "fixtures/feeds/bad/special.txt",
    ]);
    let s = &stats(&r)["feeds"][0];
    assert_eq!(s["special_purpose"], 0);
    assert_eq!(s["too_wide"], 0);
    assert_eq!(s["accepted"], 11);
    assert!(r.stdout.contains("\n10.1.2.3,ip,"));
    assert!(r.stdout.contains("\n8.0.0.0/7,net,"));
}

#[test]
fn domains_cannot_carry_zone_file_syntax() {
    let r = ingest(&[
        "--now",
        NOW,
        "--stats",
        "json",
        "--lenient",
        "fixtures/feeds/bad/injection.txt",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
         evil.example,domain,injection,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
         ok.example,domain,injection,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
         sub_domain.example,domain,injection,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n"
    );
    // (`_` is a DNS name's octet like any other: RPZ and zone files take it.)
    let s = &stats(&r)["feeds"][0];
    assert_eq!(s["rejected"]["space in a domain name"], 1);
    assert_eq!(s["rejected"]["';' in a domain name"], 1);
    assert_eq!(s["rejected"]["'$' in a domain name"], 1);
    assert_eq!(
        s["rejected"]["character not allowed in a host name (LDH)"],
        1
    );
    assert_eq!(s["rejected"]["label longer than 63 octets"], 1);
    assert_eq!(s["rejected"]["label starts or ends with '-'"], 1);
    assert_eq!(
        s["rejected"]["single-label name (a whole top-level domain?)"],
        1
    );
    // Nothing of the refused lines reaches the output.
    for bad in ["IN A", "$ORIGIN", "$INCLUDE", "passwd", "brace"] {
        assert!(!r.stdout.contains(bad), "{bad}");
    }
}

#[test]
fn an_html_page_is_a_failed_feed_not_a_feed() {
    let r = ingest(&["fixtures/feeds/bad/html-error.txt"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "tl-ingest: html-error: FAILED: an HTML page, not a feed (an error or login page?); \
         its rows are not written\n\
         tl-ingest: html-error (list): read 0, accepted 0, duplicates 0, rejected 0, \
         special-purpose 0, too wide 0, FAILED\n"
    );
}

#[test]
fn a_comment_only_feed_is_reported() {
    let r = ingest(&["--stats", "json", "fixtures/feeds/bad/comments-only.txt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n"
    );
    assert!(r
        .stderr
        .contains("tl-ingest: comments-only: the feed holds no entries (only comments)\n"));
    let s = &stats(&r)["feeds"][0];
    assert_eq!(s["empty"], true);
    // The header's Last-Modified is the feed's time.
    assert_eq!(s["time"], "2024-04-10T14:10:00Z");
}

#[test]
fn binary_junk_long_lines_and_truncated_gzip_are_clear_errors() {
    use std::io::Write;
    let w = Workdir::new();
    let junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    w.write("junk.bin", &junk);
    let r = w.run("tl-ingest", &["junk.bin"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "tl-ingest: junk.bin: binary data, not a text feed\n"
    );

    // One 100 MB line after a valid one.
    let mut big = b"45.155.205.233\n".to_vec();
    big.resize(big.len() + (100 << 20), b'7');
    big.push(b'\n');
    w.write("long.txt", &big);
    drop(big);
    let r = w.run("tl-ingest", &["--format", "list", "long.txt"], b"");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("tl-ingest: long.txt:2: line longer than 65536 bytes: '7777"),
        "{}",
        r.stderr
    );

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..20000u32 {
        writeln!(gz, "45.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255).unwrap();
    }
    let data = gz.finish().unwrap();
    w.write("cut.txt.gz", &data[..data.len() / 2]);
    let r = w.run("tl-ingest", &["cut.txt.gz"], b"");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("tl-ingest: cut.txt.gz: truncated or corrupt gzip data"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout, "");
}

#[test]
fn stats_json_describes_every_feed() {
    let r = ingest(&[
        "--now",
        NOW,
        "--stats",
        "json",
        "fixtures/feeds/list.txt",
        "fixtures/feeds/bad/glued.txt",
    ]);
    let s = stats(&r);
    let feeds = s["feeds"].as_array().unwrap();
    assert_eq!(feeds.len(), 2);
    assert_eq!(feeds[0]["feed"], "glued");
    assert_eq!(feeds[0]["examples"][0]["line"], 3);
    assert_eq!(
        feeds[0]["examples"][0]["reason"],
        "two addresses glued together"
    );
    assert_eq!(feeds[1]["feed"], "list");
    assert_eq!(feeds[1]["read"], 10);
    assert_eq!(feeds[1]["entries"], 7);
    assert_eq!(feeds[1]["accepted"], 6);
    assert_eq!(feeds[1]["duplicates"], 1);
    assert_eq!(feeds[1]["stale"], false);
    assert_eq!(feeds[1]["sources"][0], "fixtures/feeds/list.txt");
    // Quiet keeps only why the exit status is not 0.
    assert_eq!(
        ingest(&["-q", "fixtures/feeds/bad/glued.txt"]).stderr,
        "tl-ingest: glued: FAILED: refused 6 of 7 entry lines (more than half); \
         its rows are not written\n"
    );
    assert_eq!(
        ingest(&["-q", "--lenient", "fixtures/feeds/bad/glued.txt"]).stderr,
        ""
    );
}

#[test]
fn config_ingests_every_feed_into_one_output_or_one_file_each() {
    let w = Workdir::new();
    let feeds = root().join("fixtures/feeds");
    w.write(
        "feeds.toml",
        format!(
            "[[feed]]\nname = \"drop\"\npath = \"{0}/spamhaus-drop.txt\"\ncategory = \"hijacked\"\nconfidence = 0.9\n\n\
             [[feed]]\nname = \"c2\"\npath = \"{0}/feodo.csv\"\nformat = \"csv\"\ncolumn = \"dst_ip\"\ncategory = \"botnet-c2\"\nweight = 0.8\n",
            feeds.display()
        ),
    );
    let r = w.run("tl-ingest", &["--config", "feeds.toml", "--now", NOW], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
         85.239.243.155,ip,c2,botnet-c2,2024-02-08T19:20:49Z,2024-03-11T00:00:00Z,1,0.8\n\
         192.9.135.73,ip,c2,botnet-c2,2023-05-23T17:51:44Z,2024-04-01T00:00:00Z,1,0.8\n\
         1.10.16.0/20,net,drop,hijacked,2025-01-17T17:03:47Z,2025-01-17T17:03:47Z,1,0.9\n\
         2.57.122.0/24,net,drop,hijacked,2025-01-17T17:03:47Z,2025-01-17T17:03:47Z,1,0.9\n\
         2a06:e480::/32,net,drop,hijacked,2025-01-17T17:03:47Z,2025-01-17T17:03:47Z,1,0.9\n"
    );
    let r = w.run(
        "tl-ingest",
        &[
            "--config",
            "feeds.toml",
            "--now",
            NOW,
            "--output-dir",
            "out",
            "-q",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(w.read("out/c2.csv").lines().count(), 3);
    assert_eq!(w.read("out/drop.csv").lines().count(), 4);
    assert!(w.read("out/drop.csv").starts_with("indicator,type,"));
}

#[test]
fn config_errors_name_the_file_and_line() {
    let w = Workdir::new();
    w.write(
        "feeds.toml",
        "[[feed]]\nname = \"a\"\npath = \"a.txt\"\ncolour = \"red\"\n",
    );
    let r = w.run("tl-ingest", &["--config", "feeds.toml"], b"");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("tl-ingest: feeds.toml:4: unknown field `colour`"),
        "{}",
        r.stderr
    );
    w.write(
        "feeds.toml",
        "[defaults]\ntimeout = \"soon\"\n[[feed]]\nname = \"a\"\npath = \"a.txt\"\n",
    );
    let r = w.run("tl-ingest", &["--config", "feeds.toml"], b"");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("feeds.toml:1: timeout: not a duration"),
        "{}",
        r.stderr
    );
    w.write("feeds.toml", "[[feed]]\nname = \"a\"\npath = \"a.txt\"\n\n[[feed]]\nname = \"b\"\nformat = \"xml\"\npath = \"b.txt\"\n");
    let r = w.run("tl-ingest", &["--config", "feeds.toml"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "tl-ingest: feeds.toml:5: feed 'b': unknown format 'xml'\n"
    );
    // A missing feed file is an error naming it; nothing is written.
    w.write(
        "feeds.toml",
        "[[feed]]\nname = \"a\"\npath = \"missing.txt\"\n",
    );
    let r = w.run("tl-ingest", &["--config", "feeds.toml"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.contains("missing.txt: No such file or directory"),
        "{}",
        r.stderr
    );
}

#[test]
fn demo_configuration() {
    let r = ingest(&["--config", "fixtures/demo/feeds.toml", "--now", NOW, "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
         100.64.12.0/22,net,botnet-c2,botnet-c2,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.9\n\
         198.51.100.0/28,net,botnet-c2,botnet-c2,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.9\n\
         203.0.113.128/25,net,botnet-c2,botnet-c2,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.9\n\
         2001:db8:c2::/64,net,botnet-c2,botnet-c2,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.9\n\
         198.19.44.21,ip,bruteforce,bruteforce,2026-12-03T10:00:00Z,2026-12-03T10:20:00Z,8,0.8\n\
         198.51.100.66,ip,bruteforce,bruteforce,2026-12-05T03:12:00Z,2026-12-07T09:40:00Z,412,0.8\n\
         198.51.100.67,ip,bruteforce,bruteforce,2026-12-06T22:05:00Z,2026-12-06T23:50:00Z,57,0.8\n\
         198.51.100.100,ip,bruteforce,bruteforce,2026-12-04T16:00:00Z,2026-12-07T11:15:00Z,1290,0.8\n\
         2001:db8:4b::21,ip,bruteforce,bruteforce,2026-12-06T06:30:00Z,2026-12-07T06:30:00Z,96,0.8\n\
         beacon.tidewater.test,domain,c2-domains,botnet-c2,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.9\n\
         c2.crabnet.example,domain,c2-domains,botnet-c2,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.9\n\
         gate.crabnet.example,domain,c2-domains,botnet-c2,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.9\n\
         update.crabnet.example,domain,c2-domains,botnet-c2,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.9\n\
         198.19.44.0/24,net,exploits,exploit,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
         198.51.100.100,ip,exploits,exploit,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.6\n\
         198.51.100.101,ip,exploits,exploit,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
         2001:db8:4b::/48,net,exploits,exploit,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.5\n\
         192.0.2.200/29,net,scanners,scanner,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.6\n\
         192.0.2.208/29,net,scanners,scanner,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.6\n\
         198.51.100.7,ip,scanners,scanner,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.6\n\
         198.51.100.8,ip,scanners,scanner,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.6\n\
         198.51.100.9,ip,scanners,scanner,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.6\n\
         198.51.100.10,ip,scanners,scanner,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.6\n\
         203.0.113.0/26,net,scanners,scanner,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.6\n\
         203.0.113.64/26,net,scanners,scanner,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.6\n\
         2001:db8:bad::/48,net,scanners,scanner,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.6\n\
         2001:db8:bad:1::17,ip,scanners,scanner,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.6\n"
    );
    // The rows read back with the shared record reader tl-score uses.
    let rows: Vec<_> = threatlist::record::IndicatorReader::new(r.stdout.as_bytes())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 27);
    assert_eq!(rows[0].kind, threatlist::record::IndicatorType::Net);
    // The CSV feed's own times and attack counts; the hosts feed's names.
    assert_eq!(rows[5].hits, 412);
    assert_eq!(rows[9].kind, threatlist::record::IndicatorType::Domain);
    assert_eq!(rows[17].confidence, 0.6);
}

/// DShield ranges whose start, end and prefix length disagree are taken as
/// the addresses they name (start..end) and counted "range adjusted"; an
/// end before its start is refused, never dropped silently.
#[test]
fn dshield_ranges_that_disagree_with_their_prefix_are_adjusted() {
    let r = ingest(&["--stats", "json", "fixtures/feeds/dshield-adjusted.txt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t = "2026-08-22T20:45:06Z,2026-08-22T20:45:06Z";
    let rows: String = [
        ("45.205.1.0/24,net", 116),
        ("45.205.2.0/25,net", 100),
        ("45.205.2.128/26,net", 100),
        ("45.205.2.192/27,net", 100),
        ("45.205.2.224/28,net", 100),
        ("45.205.2.240/29,net", 100),
        ("45.205.2.248/30,net", 100),
        ("45.205.2.252/31,net", 100),
        ("45.205.2.254,ip", 100),
        ("45.205.3.16/28,net", 90),
    ]
    .iter()
    .map(|(i, hits)| format!("{i},dshield-adjusted,,{t},{hits},1\n"))
    .collect();
    assert_eq!(
        r.stdout,
        format!("indicator,type,feed,category,first_seen,last_seen,hits,confidence\n{rows}")
    );
    let s = &stats(&r)["feeds"][0];
    assert_eq!(s["format"], "dshield");
    assert_eq!(s["entries"], 3);
    assert_eq!(s["adjusted"], 2);
    assert_eq!(s["rejected"]["end address before start address"], 1);
    assert_eq!(s["failed"], false);
    let r = ingest(&["fixtures/feeds/dshield-adjusted.txt"]);
    assert_eq!(
        r.stderr,
        "tl-ingest: fixtures/feeds/dshield-adjusted.txt:9: end address before start address: \
         '45.205.4.255\\t45.205.4.0\\t24\\t80\\tBACKWARDS\\tNL\\t-'\n\
         tl-ingest: dshield-adjusted (dshield): read 9, accepted 10, duplicates 0, rejected 1 \
         (end address before start address: 1), special-purpose 0, too wide 0, range adjusted 2\n"
    );
}

/// A local feed failed by the health rules has no last good copy: exit 1,
/// the reason printed, its rows not written (one output: nothing; one file
/// per feed: its file left as it was); --stats json says why.
#[test]
fn a_local_feed_that_accepts_nothing_is_failed_and_withheld() {
    let w = Workdir::new();
    w.write(
        "ips.txt",
        b"# every line garbled\nNot Found\n45.155.205.2345.155.205.234\n",
    );
    w.write("good.txt", b"45.155.205.1\n");
    let r = w.run(
        "tl-ingest",
        &[
            "--now", NOW, "--stats", "json", "-o", "all.csv", "ips.txt", "good.txt",
        ],
        b"",
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!w.path("all.csv").exists(), "nothing is written");
    assert!(r.stderr.contains(
        "tl-ingest: ips: FAILED: accepted nothing of 2 entry lines (2 refused); \
         its rows are not written\n"
    ));
    let s = stats(&r);
    let f = &s["feeds"][1];
    assert_eq!(f["feed"], "ips");
    assert_eq!(
        (&f["failed"], &f["withheld"], &f["accepted"]),
        (&true.into(), &true.into(), &0.into())
    );
    assert_eq!(
        f["failed_reasons"][0],
        "accepted nothing of 2 entry lines (2 refused)"
    );
    assert_eq!(f["rejected"]["two addresses glued together"], 1);
    assert_eq!(s["feeds"][0]["failed"], false);

    // One file per feed: the good feed's is written, the failed one's kept.
    std::fs::create_dir_all(w.path("out")).unwrap();
    w.write("out/ips.csv", b"previous\n");
    let r = w.run(
        "tl-ingest",
        &["--now", NOW, "--output-dir", "out", "ips.txt", "good.txt"],
        b"",
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(w.path("out/ips.csv")).unwrap(),
        "previous\n"
    );
    assert!(w.path("out/good.csv").exists());
    // --lenient: a warning, the (empty) rows, exit 0.
    let r = w.run("tl-ingest", &["--now", NOW, "--lenient", "ips.txt"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n"
    );
    assert!(r.stderr.contains(
        "tl-ingest: ips: WARNING (--lenient): accepted nothing of 2 entry lines (2 refused)\n"
    ));
}

/// Two files with the same stem in different directories are two feeds,
/// named after their directories, with a warning; a directory input reads
/// its files by name (hidden ones left out); --plain writes what tl-set
/// reads, domains left out and counted.
#[test]
fn same_stems_directories_and_plain_lists() {
    let w = Workdir::new();
    std::fs::create_dir_all(w.path("a")).unwrap();
    std::fs::create_dir_all(w.path("b")).unwrap();
    w.write("a/drop.txt", "5.6.7.8\n81.2.69.0/24\n");
    w.write(
        "b/drop.txt",
        "45.33.32.156\n5.6.7.8\nevil.example\n2a00:1450::1\n",
    );
    w.write("b/.seen", "91.240.118.172\n");
    let r = w.run(
        "tl-ingest",
        &["--now", NOW, "a/drop.txt", "b/drop.txt"],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
5.6.7.8,ip,a-drop,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
81.2.69.0/24,net,a-drop,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
5.6.7.8,ip,b-drop,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
45.33.32.156,ip,b-drop,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
2a00:1450::1,ip,b-drop,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
evil.example,domain,b-drop,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n"
    );
    assert_eq!(
        r.stderr,
        "tl-ingest: a/drop.txt: another input has the stem 'drop' too: this one is feed a-drop \
         (--feed or name= in the configuration to choose)\n\
         tl-ingest: b/drop.txt: another input has the stem 'drop' too: this one is feed b-drop \
         (--feed or name= in the configuration to choose)\n\
         tl-ingest: a-drop (list): read 2, accepted 2, duplicates 0, rejected 0, \
         special-purpose 0, too wide 0\n\
         tl-ingest: b-drop (domains): read 4, accepted 4, duplicates 0, rejected 0, \
         special-purpose 0, too wide 0\n"
    );
    // The same file twice stays one feed.
    let r = w.run(
        "tl-ingest",
        &["-q", "--now", NOW, "a/drop.txt", "a/drop.txt"],
        b"",
    );
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert!(r
        .stdout
        .contains("5.6.7.8,ip,drop,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,2,1"));
    // Directories, as a plain list.
    let r = w.run(
        "tl-ingest",
        &["--plain", "--stats", "none", "--now", NOW, "a", "b"],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let plain = "5.6.7.8\n45.33.32.156\n81.2.69.0/24\n2a00:1450::1\n";
    assert_eq!(r.stdout, plain);
    assert!(r
        .stderr
        .ends_with("tl-ingest: 1 domain left out of the plain list\n"));
    w.write("plain.txt", plain);
    let r = w.run("tl-set", &["count", "--csv", "plain.txt"], b"");
    assert_eq!(
        r.stdout,
        "name,ranges,prefixes,ipv4_addresses,ipv6_addresses\nplain.txt,4,4,258,1\n"
    );
    // A directory without feed files is an error.
    std::fs::create_dir_all(w.path("none")).unwrap();
    let r = w.run("tl-ingest", &["none"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "tl-ingest: none: a directory without feed files\n"
    );
}

/// Spamhaus ASN-DROP entries become their AS's networks with --asn-db
/// (built by tl-geo from the fixture's documentation-space ASNs), and are
/// counted unsupported without it.
#[test]
fn asn_drop_entries_expand_with_an_asn_database() {
    let w = Workdir::new();
    w.write(
        "asn.csv",
        std::fs::read(root().join("fixtures/geo/asn.csv")).unwrap(),
    );
    let r = w.run("tl-geo", &["build", "--db", "a.mmdb", "asn.csv"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    w.write(
        "asndrop.json",
        "{\"asn\":64496,\"sblid\":\"SBL1\",\"rir\":\"arin\",\"cc\":\"US\",\"asname\":\"X\"}\n\
         {\"asn\":\"AS64497\",\"sblid\":\"SBL2\"}\n\
         {\"asn\":65000}\n\
         {\"cidr\":\"5.6.7.0/24\",\"sblid\":\"SBL3\"}\n\
         {\"type\":\"metadata\",\"timestamp\":1767225600}\n",
    );
    let base = ["-f", "spamhaus-json", "asndrop.json"];
    let r = w.run(
        "tl-ingest",
        &[&["--allow-special", "--asn-db", "a.mmdb"], &base[..]].concat(),
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
5.6.7.0/24,net,asndrop,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
192.0.2.0/24,net,asndrop,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
198.18.0.0/15,net,asndrop,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
198.51.100.0/24,net,asndrop,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
2001:db8::/32,net,asndrop,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n"
    );
    assert_eq!(
        r.stderr,
        "tl-ingest: asndrop (spamhaus-json): read 4, accepted 5, duplicates 0, rejected 0, \
         special-purpose 0, too wide 0, unsupported 1 (ASN not in the ASN database: 1)\n"
    );
    let r = w.run("tl-ingest", &base, b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .ends_with("unsupported 3 (ASN (give --asn-db to expand): 3)\n"),
        "{}",
        r.stderr
    );
}

/// Threat-intelligence documents and tabular feeds whose indicator column
/// is not named: (fixture, detected format, extra arguments, exact output).
const DOCUMENTS: &[(&str, &str, &[&str], &str)] = &[
    // STIX 2.0, "type": "bundle" after "objects"; one indicator expired.
    (
        "stix20-objects-first.json",
        "stix",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
45.95.147.236,ip,stix20-objects-first,,2025-11-02T00:00:00Z,2025-11-20T00:00:00Z,1,1\n\
gate.crab-c2.example,domain,stix20-objects-first,,2025-12-11T00:00:00Z,2025-12-12T00:00:00Z,1,1\n\
",
    ),
    (
        "stix-array.json",
        "stix",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
91.92.240.11,ip,stix-array,,2025-12-02T00:00:00Z,2025-12-02T00:00:00Z,1,1\n\
2a0e:1c80:1::7,ip,stix-array,,2025-12-01T00:00:00Z,2025-12-03T00:00:00Z,1,1\n\
",
    ),
    (
        "stix-objects.jsonl",
        "stix",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
80.82.77.139,ip,stix-objects,,2025-12-20T00:00:00Z,2025-12-21T00:00:00Z,1,1\n\
drop.crab-c2.example,domain,stix-objects,,2025-12-20T00:00:00Z,2025-12-20T00:00:00Z,1,1\n\
",
    ),
    (
        "misp-event.json",
        "misp",
        &["--with-ref"],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence,ref\n\
45.95.147.236,ip,misp-event,,2025-12-10T08:00:00Z,2025-12-13T09:30:00Z,1,1,5f4a3b2c-1d0e-4f9a-8b7c-6d5e4f3a2b1c\n\
80.82.77.139,ip,misp-event,,2025-12-14T06:00:00Z,2025-12-14T06:00:00Z,1,1,5f4a3b2c-1d0e-4f9a-8b7c-6d5e4f3a2b1c\n\
91.92.240.11,ip,misp-event,,2025-12-15T00:00:00Z,2025-12-15T00:00:00Z,1,1,5f4a3b2c-1d0e-4f9a-8b7c-6d5e4f3a2b1c\n\
185.220.101.5,ip,misp-event,,2025-12-15T00:00:00Z,2025-12-15T00:00:00Z,1,1,5f4a3b2c-1d0e-4f9a-8b7c-6d5e4f3a2b1c\n\
2a0e:1c80:1::7,ip,misp-event,,2025-12-16T12:00:00Z,2025-12-16T12:00:00Z,1,1,5f4a3b2c-1d0e-4f9a-8b7c-6d5e4f3a2b1c\n\
cdn.crab-c2.example,domain,misp-event,,2025-12-12T00:00:00Z,2025-12-15T00:00:00Z,1,1,5f4a3b2c-1d0e-4f9a-8b7c-6d5e4f3a2b1c\n\
drop.crab-c2.example,domain,misp-event,,2025-12-15T00:00:00Z,2025-12-15T00:00:00Z,1,1,5f4a3b2c-1d0e-4f9a-8b7c-6d5e4f3a2b1c\n\
gate.crab-c2.example,domain,misp-event,,2025-12-15T00:00:00Z,2025-12-15T00:00:00Z,1,1,5f4a3b2c-1d0e-4f9a-8b7c-6d5e4f3a2b1c\n\
panel.crab-c2.example,domain,misp-event,,2025-12-15T00:00:00Z,2025-12-15T00:00:00Z,1,1,5f4a3b2c-1d0e-4f9a-8b7c-6d5e4f3a2b1c\n\
",
    ),
    (
        "misp-response.json",
        "misp",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
5.188.10.0/24,net,misp-response,,2025-12-18T00:00:00Z,2025-12-18T00:00:00Z,1,1\n\
45.95.147.236,ip,misp-response,,2025-12-17T00:00:00Z,2025-12-18T00:00:00Z,1,1\n\
login.bank-verify.example,domain,misp-response,,2025-12-19T00:00:00Z,2025-12-19T00:00:00Z,1,1\n\
",
    ),
    (
        "address-array.json",
        "json",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
5.188.10.0/24,net,address-array,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
45.95.147.236,ip,address-array,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,2,1\n\
2a0e:1c80:1::7,ip,address-array,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
",
    ),
    (
        "domain-array.json",
        "json",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
drop.crab-c2.example,domain,domain-array,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
gate.crab-c2.example,domain,domain-array,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
update.tidewater-c2.example,domain,domain-array,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
",
    ),
    // Commented-out header naming no known column; a column of links to
    // the tracker itself loses to the indicators; quoted commas.
    (
        "tracker.csv",
        "csv",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
103.77.246.15,ip,tracker,,2026-08-22T11:00:00Z,2026-08-22T12:00:00Z,1,1\n\
2a0e:1c80:1::7,ip,tracker,,2026-08-22T11:10:00Z,2026-08-22T12:00:00Z,1,1\n\
login.bank-verify.example,domain,tracker,,2026-08-22T11:05:00Z,2026-08-22T12:00:00Z,1,1\n\
",
    ),
    // No header at all; ip:port and [v6]:port.
    (
        "noheader.csv",
        "csv",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
45.95.147.236,ip,noheader,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
80.82.77.139,ip,noheader,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
2a0e:1c80:1::7,ip,noheader,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
",
    ),
    // TSV with a header of unknown names; its first_seen column is used.
    (
        "unnamed.tsv",
        "csv",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
185.220.101.5,ip,unnamed,,2026-08-01T00:00:00Z,2026-08-01T00:00:00Z,1,1\n\
2a0e:1c80:1::/48,net,unnamed,,2026-08-02T00:00:00Z,2026-08-02T00:00:00Z,1,1\n\
evil-cdn.example,domain,unnamed,,2026-08-03T00:00:00Z,2026-08-03T00:00:00Z,1,1\n\
",
    ),
    // Feodo Tracker's CSV before 2022: '# Firstseen,DstIP,DstPort,…'.
    (
        "feodo-2021.csv",
        "csv",
        &[],
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
51.254.90.136,ip,feodo-2021,,2021-01-17T07:44:46Z,2021-05-31T00:00:00Z,1,1\n\
80.82.77.139,ip,feodo-2021,,2021-01-21T21:02:12Z,2021-06-01T00:00:00Z,1,1\n\
",
    ),
];

#[test]
fn intel_documents_and_unnamed_csv_columns_are_detected_and_read_exactly() {
    check_formats(DOCUMENTS);
}

/// STIX indicators past their valid_until, and MISP attributes not meant
/// for detection, are counted and not listed; an earlier --now lists them.
#[test]
fn expired_and_not_for_detection_indicators_are_counted_not_listed() {
    let r = ingest(&[
        "--now",
        NOW,
        "--stats",
        "json",
        "fixtures/feeds/stix20-objects-first.json",
        "fixtures/feeds/misp-event.json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = stats(&r);
    let (misp, stix) = (&s["feeds"][0], &s["feeds"][1]);
    assert_eq!(
        stix["unsupported"],
        serde_json::json!({"expired indicator (valid_until passed)": 1})
    );
    assert_eq!((&stix["read"], &stix["accepted"]), (&3.into(), &2.into()));
    assert_eq!(
        misp["unsupported"],
        serde_json::json!({
            "MISP attribute not for detection (to_ids false)": 2,
            "MISP md5 attribute": 1,
        })
    );
    assert_eq!((&misp["read"], &misp["entries"]), (&11.into(), &9.into()));
    let r = ingest(&[
        "--now",
        "2025-11-15",
        "fixtures/feeds/stix20-objects-first.json",
    ]);
    assert!(
        r.stdout.contains(
            "\nexpired-c2.example,domain,stix20-objects-first,,\
             2025-10-01T00:00:00Z,2025-10-01T00:00:00Z,1,1\n"
        ),
        "{}",
        r.stdout
    );
}

/// The column chosen by content is said on stderr and in --stats json;
/// --column overrides it; a CSV without any indicator column is an error
/// naming the file and the header's line.
#[test]
fn a_csv_column_chosen_by_content_is_said() {
    let r = ingest(&["--now", NOW, "fixtures/feeds/tracker.csv"]);
    assert_eq!(
        r.stderr,
        "tl-ingest: fixtures/feeds/tracker.csv: indicator column 4 'target' chosen by its \
         content (--column chooses another)\n\
         tl-ingest: tracker (csv): read 6, accepted 3, duplicates 0, rejected 0, \
         special-purpose 0, too wide 0\n"
    );
    let r = ingest(&[
        "--now",
        NOW,
        "--stats",
        "json",
        "fixtures/feeds/noheader.csv",
    ]);
    assert_eq!(
        stats(&r)["feeds"][0]["notes"][0],
        "fixtures/feeds/noheader.csv: indicator column 3 (no header row) chosen by its \
         content (--column chooses another)"
    );
    let r = ingest(&[
        "--now",
        NOW,
        "--column",
        "link",
        "fixtures/feeds/tracker.csv",
    ]);
    assert_eq!(
        r.stdout,
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
         tracker.example,domain,tracker,,2026-08-22T11:00:00Z,2026-08-22T12:00:00Z,3,1\n"
    );
    assert!(!r.stderr.contains("chosen"), "{}", r.stderr);
    let r = ingest(&["--now", NOW, "--column", "3", "fixtures/feeds/noheader.csv"]);
    assert_eq!(r.stdout.lines().count(), 4, "{}", r.stderr);
    let w = Workdir::new();
    w.write(
        "none.csv",
        "when,what,where\n2026-08-01,online,evil.example\n2026-08-02,offline,-\n\
         2026-08-03,offline,-\n",
    );
    let r = w.run("tl-ingest", &["none.csv"], b"");
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
    assert_eq!(
        r.stderr,
        "tl-ingest: none.csv:1: no column holds addresses, networks, URLs or domain names \
         in most rows; choose one with --column (columns: when, what, where): \
         'when,what,where'\n"
    );
}

/// A MISP feed folder (manifest.json and one file per event) is one feed:
/// the events its manifest names, in UUID order; a named event whose file
/// is missing is refused and counted.
#[test]
fn a_misp_feed_folder_is_one_feed() {
    let r = ingest(&["--now", NOW, "fixtures/feeds/misp-feed"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
         5.188.10.0/24,net,misp-feed,,2025-12-18T00:00:00Z,2025-12-18T00:00:00Z,1,1\n\
         45.95.147.236,ip,misp-feed,,2025-12-10T08:00:00Z,2025-12-18T00:00:00Z,2,1\n\
         gate.crab-c2.example,domain,misp-feed,,2025-12-15T00:00:00Z,2025-12-15T00:00:00Z,1,1\n\
         panel.crab-c2.example,domain,misp-feed,,2025-12-15T00:00:00Z,2025-12-15T00:00:00Z,1,1\n"
    );
    assert_eq!(
        r.stderr,
        "tl-ingest: fixtures/feeds/misp-feed:3: event file named in manifest.json is missing: \
         '8c7d6e5f-4a3b-4c2d-9e1f-0a1b2c3d4e5f'\n\
         tl-ingest: misp-feed (misp): read 8, accepted 4, duplicates 1, rejected 1 \
         (event file named in manifest.json is missing: 1), special-purpose 0, too wide 0, \
         unsupported 2 (MISP attribute not for detection (to_ids false): 1; \
         MISP sha256 attribute: 1)\n"
    );
}

/// (fixture, detected format, exact output, exceptions, unsupported by kind)
/// for the DNS-server and Tor formats (issue 17).
#[allow(clippy::type_complexity)]
const SERVER_FORMATS: &[(&str, &str, &str, u64, &[(&str, u64)])] = &[
    (
        "dnsmasq.conf",
        "dnsmasq",
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
ads.tracker.example,domain,dnsmasq,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
c2-panel.example,domain,dnsmasq,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
malware.example,domain,dnsmasq,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
one.example,domain,dnsmasq,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
phish.example,domain,dnsmasq,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
sinkhole.example,domain,dnsmasq,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
two.example,domain,dnsmasq,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
v6-sink.example,domain,dnsmasq,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
",
        1,
        &[
            ("address override (not a block)", 1),
            ("forwarding rule", 1),
        ],
    ),
    (
        "unbound.conf",
        "unbound",
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
ads.tracker.example,domain,unbound,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
c2.example,domain,unbound,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
malware.example,domain,unbound,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
phish.example,domain,unbound,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
refused.example,domain,unbound,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
",
        1,
        &[("local answer elsewhere (not a block)", 1)],
    ),
    (
        "named-blocked.conf",
        "bind",
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
ads.tracker.example,domain,named-blocked,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
c2.example,domain,named-blocked,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
malware.example,domain,named-blocked,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
phish.example,domain,named-blocked,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
",
        0,
        &[("forwarded or secondary zone", 1)],
    ),
    (
        "adguard-dns.txt",
        "adblock",
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
45.155.205.233,ip,adguard-dns,,2026-08-22T17:30:08Z,2026-08-22T17:30:08Z,1,1\n\
91.240.118.172,ip,adguard-dns,,2026-08-22T17:30:08Z,2026-08-22T17:30:08Z,1,1\n\
ads.tracker.example,domain,adguard-dns,,2026-08-22T17:30:08Z,2026-08-22T17:30:08Z,1,1\n\
c2.example,domain,adguard-dns,,2026-08-22T17:30:08Z,2026-08-22T17:30:08Z,1,1\n\
malware.example,domain,adguard-dns,,2026-08-22T17:30:08Z,2026-08-22T17:30:08Z,1,1\n\
phish.example,domain,adguard-dns,,2026-08-22T17:30:08Z,2026-08-22T17:30:08Z,1,1\n\
ransom.example,domain,adguard-dns,,2026-08-22T17:30:08Z,2026-08-22T17:30:08Z,1,1\n\
",
        2,
        &[("rule with options", 1)],
    ),
    (
        "squid-dstdomain.txt",
        "squid",
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
ads.tracker.example,domain,squid-dstdomain,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
c2.example,domain,squid-dstdomain,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
malware.example,domain,squid-dstdomain,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
phish.example,domain,squid-dstdomain,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
",
        0,
        &[],
    ),
    (
        "tor-bulk-exits.txt",
        "tor-bulk",
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
185.220.101.33,ip,tor-bulk-exits,anonymizer,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,2,1\n\
185.220.101.34,ip,tor-bulk-exits,anonymizer,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
2a0b:f4c2::21,ip,tor-bulk-exits,anonymizer,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
",
        0,
        &[],
    ),
    (
        "tor-exit-addresses",
        "tor-exits",
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
185.220.101.33,ip,tor-exit-addresses,anonymizer,2026-12-06T21:00:00Z,2026-12-07T10:04:41Z,2,1\n\
185.220.101.34,ip,tor-exit-addresses,anonymizer,2026-12-07T08:59:11Z,2026-12-07T08:59:11Z,1,1\n\
2a0b:f4c2::21,ip,tor-exit-addresses,anonymizer,2026-12-07T09:31:00Z,2026-12-07T09:31:00Z,1,1\n\
",
        0,
        &[],
    ),
];

/// DNS-server blocklists, AdGuard's DNS rules (addresses, exceptions), Squid
/// ACLs and Tor's lists: detected from their content, read exactly (also
/// forced), with their exceptions and entries of other kinds counted.
#[test]
fn dns_server_and_tor_formats_are_detected_and_read_exactly() {
    for (file, format, expected, exceptions, unsupported) in SERVER_FORMATS {
        let path = format!("fixtures/feeds/{file}");
        let r = ingest(&["--now", NOW, "--stats", "json", &path]);
        assert_eq!(r.code, 0, "{file}: {}", r.stderr);
        assert_eq!(r.stdout, *expected, "{file}");
        let s = &stats(&r)["feeds"][0];
        assert_eq!(s["format"], *format, "{file}");
        assert_eq!(s["rejected"], serde_json::json!({}), "{file}");
        assert_eq!(s["exceptions"], *exceptions, "{file}");
        let kinds: serde_json::Map<String, serde_json::Value> = unsupported
            .iter()
            .map(|(k, v)| (k.to_string(), (*v).into()))
            .collect();
        assert_eq!(s["unsupported"], serde_json::Value::Object(kinds), "{file}");
        let f = ingest(&["--now", NOW, "--format", format, &path]);
        assert_eq!(f.stdout, *expected, "{file} forced");
    }
    // The summary line counts the exceptions.
    let r = ingest(&["--now", NOW, "fixtures/feeds/adguard-dns.txt"]);
    assert!(r.stderr.contains(", exceptions 2"), "{}", r.stderr);
}

/// Every fixture of every format (FORMATS and SERVER_FORMATS) with CRLF
/// line ends and a UTF-8 byte-order mark, then that gzip-compressed, then
/// in a zip archive, reads to the same rows.
#[test]
fn every_format_reads_crlf_bom_gzip_and_zip() {
    use std::io::Write;
    let w = Workdir::new();
    let all = FORMATS
        .iter()
        .map(|(file, format, extra, expected)| (*file, *format, *extra, *expected))
        .chain(
            SERVER_FORMATS
                .iter()
                .map(|(file, format, expected, ..)| (*file, *format, &[][..], *expected)),
        );
    for (file, format, extra, expected) in all {
        let text = std::fs::read(root().join("fixtures/feeds").join(file)).unwrap();
        let mut crlf = b"\xef\xbb\xbf".to_vec();
        for line in text.split_inclusive(|&b| b == b'\n') {
            match line.strip_suffix(b"\n") {
                Some(l) => crlf.extend_from_slice(&[l, b"\r\n"].concat()),
                None => crlf.extend_from_slice(line),
            }
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&crlf).unwrap();
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        zip.start_file(file, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&crlf).unwrap();
        let variants = [
            ("crlf", file.to_string(), crlf.clone()),
            ("gz", format!("{file}.gz"), gz.finish().unwrap()),
            (
                "zip",
                format!("{file}.zip"),
                zip.finish().unwrap().into_inner(),
            ),
        ];
        for (dir, name, bytes) in variants {
            std::fs::create_dir_all(w.path(dir)).unwrap();
            let path = format!("{dir}/{name}");
            w.write(&path, bytes);
            let mut args = vec!["--now", NOW, "--stats", "json"];
            args.extend_from_slice(extra);
            args.push(&path);
            let r = w.run("tl-ingest", &args, b"");
            assert_eq!(r.code, 0, "{path}: {}", r.stderr);
            assert_eq!(r.stdout, expected, "{path}");
            assert_eq!(stats(&r)["feeds"][0]["format"], format, "{path}");
        }
    }
}

/// A zip archive is read when it holds one feed file; several are refused
/// with a clear error (exit 2), and so is a damaged archive.
#[test]
fn a_zip_of_several_files_is_refused_clearly() {
    use std::io::Write;
    let w = Workdir::new();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for name in ["a.txt", "b.txt"] {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(b"45.155.205.233\n").unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    w.write("two.zip", &bytes);
    let r = w.run("tl-ingest", &["--now", NOW, "two.zip"], b"");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "two.zip: a zip archive of 2 files; a zip is read when it holds one feed file \
             (unpack it and ingest the files)"
        ),
        "{}",
        r.stderr
    );
    w.write("cut.zip", &bytes[..bytes.len() - 30]);
    let r = w.run("tl-ingest", &["--now", NOW, "cut.zip"], b"");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("cut.zip: unreadable zip archive"),
        "{}",
        r.stderr
    );
}

/// A trailing comment after an entry is dropped in the lists of names and
/// the ipsum format too; a `;` glued to a name is not a comment.
#[test]
fn trailing_comments_after_entries() {
    let cases: &[(&str, &str)] = &[
        (
            "evil.example ; note\nbad.example\t# note\nx.example;$ORIGIN y.\n",
            "domains",
        ),
        (
            "0.0.0.0 evil.example ; note\n0.0.0.0 bad.example // note\n",
            "hosts",
        ),
    ];
    for (feed, format) in cases {
        let r = ingest_stdin(
            &["--now", NOW, "--stats", "json", "--lenient"],
            feed.as_bytes(),
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(
            r.stdout,
            "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
             bad.example,domain,stdin,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
             evil.example,domain,stdin,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n",
            "{format}"
        );
        assert_eq!(stats(&r)["feeds"][0]["format"], *format);
    }
    let r = ingest_stdin(
        &["--now", NOW, "--stats", "json"],
        b"# ip\tcount\n45.155.205.233\t3 # note\n91.240.118.172\t1 ; note\n",
    );
    assert_eq!(stats(&r)["feeds"][0]["format"], "ipsum", "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
         45.155.205.233,ip,stdin,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,3,1\n\
         91.240.118.172,ip,stdin,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n"
    );
}

/// A local feed written to an output directory is held to the shrink rule
/// against its previous file there: 10 → 4 rows fails it (exit 1, its file
/// kept); --lenient takes the copy read (and writes it); with one output
/// there is no previous count and the rule does not apply.
#[test]
fn a_local_feed_that_shrinks_since_its_previous_file_is_failed() {
    let w = Workdir::new();
    let ips = |n: u32| -> String { (1..=n).map(|i| format!("45.155.205.{i}\n")).collect() };
    w.write("ips.txt", ips(10));
    let args = ["--now", NOW, "--output-dir", "out", "ips.txt"];
    let r = w.run("tl-ingest", &args, b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let before = w.read("out/ips.csv");
    assert_eq!(before.lines().count(), 1 + 10);
    // 5 of 10 is exactly the half allowed.
    w.write("ips.txt", ips(5));
    assert_eq!(w.run("tl-ingest", &args, b"").code, 0);
    assert_eq!(w.read("out/ips.csv").lines().count(), 1 + 5);
    w.write("ips.txt", ips(2));
    let r = w.run("tl-ingest", &args, b"");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "tl-ingest: ips: FAILED: shrank from 5 to 2 entries since its previous rows in \
             out/ips.csv (more than the 50 % allowed by max_shrink)"
        ),
        "{}",
        r.stderr
    );
    assert_eq!(w.read("out/ips.csv").lines().count(), 1 + 5, "file kept");
    // One output: no previous count.
    let r = w.run(
        "tl-ingest",
        &["--now", NOW, "-o", "all.csv", "ips.txt"],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // --lenient: a warning, the file written.
    let mut lenient = args.to_vec();
    lenient.push("--lenient");
    let r = w.run("tl-ingest", &lenient, b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("ips: WARNING (--lenient): shrank from 5 to 2"),
        "{}",
        r.stderr
    );
    assert_eq!(w.read("out/ips.csv").lines().count(), 1 + 2);
}
