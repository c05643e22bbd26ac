//! `tl-logs` end to end: a profile compiled twice (two versions in its
//! history) and a log whose events fall under each; exact reports, sensor
//! events, rotated and gzip'd sets, a truncated gzip, long lines, the same
//! bytes from one thread and from two, and refusals.

mod common;
use common::{golden_file, Run, Workdir};
use std::io::Write;
use std::path::Path;

/// 2026-12-07T12:00:00Z: the logs' modification time.
const MTIME: u64 = 1_796_644_800;

fn fixture(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/logs/match")
        .join(name);
    std::fs::read(p).unwrap()
}

/// Writes a log file dated `MTIME` (the year of its syslog lines).
fn log(w: &Workdir, name: &str, body: &[u8]) {
    w.write(name, body);
    let f = std::fs::File::options()
        .write(true)
        .open(w.path(name))
        .unwrap();
    f.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(MTIME))
        .unwrap();
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(body).unwrap();
    e.finish().unwrap()
}

/// The `lab` profile compiled on 1 December (scores-1) and 5 December
/// (scores-2), in `out/lab`.
fn lab() -> Workdir {
    let w = Workdir::new();
    std::fs::create_dir_all(w.path("profiles")).unwrap();
    w.write("profiles/lab.toml", fixture("lab.toml"));
    for (n, now) in [(1, "2026-12-01T00:00:00Z"), (2, "2026-12-05T00:00:00Z")] {
        let scores = format!("scores-{n}.csv");
        w.write(&scores, fixture(&scores));
        let r = w.run(
            "tl-compile",
            &[
                "--scores",
                &scores,
                "--profiles",
                "profiles",
                "--out",
                "out",
                "--now",
                now,
            ],
            b"",
        );
        assert_eq!(r.code, 0, "tl-compile: {}", r.stderr);
    }
    log(&w, "kern.log", &fixture("kern.log"));
    w
}

fn logs(w: &Workdir, args: &[&str]) -> Run {
    w.run("tl-logs", args, b"")
}

#[test]
fn each_event_meets_the_lists_of_its_day() {
    let w = lab();
    let r = logs(
        &w,
        &[
            "--profile",
            "out/lab",
            "--csv",
            "hits.csv",
            "--json",
            "a.json",
            "--events",
            "ev.csv",
            "--sensor",
            "gw-1",
            "kern.log",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    golden_file("logs/lab.txt", r.stdout.as_bytes());
    golden_file("logs/lab.csv", w.read("hits.csv").as_bytes());
    golden_file("logs/lab-events.csv", w.read("ev.csv").as_bytes());
    // The events feed tl-score as they are.
    w.write(
        "none.csv",
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n",
    );
    let s = w.run(
        "tl-score",
        &[
            "-e",
            "ev.csv",
            "--min-score",
            "0",
            "--now",
            // The day after the first events (sensor evidence halves every
            // 6 hours: a later time forgets them); the later ones count as
            // of then.
            "2026-12-04T00:00:00Z",
            "none.csv",
        ],
        b"",
    );
    assert_eq!(s.code, 0, "tl-score: {}", s.stderr);
    assert!(
        s.stdout.contains("\n192.0.2.66,ip,") && s.stdout.contains("\n203.0.113.5,ip,"),
        "{}",
        s.stdout
    );
    let json: serde_json::Value = serde_json::from_str(&w.read("a.json")).unwrap();
    assert_eq!(json["versions"], 2);
    assert_eq!(json["candidates"][0]["host"], "10.0.0.5");
    // On 6 December 198.51.100.7 was no longer listed: two hits, not three.
    assert_eq!(json["candidates"][0]["hits"], 2);
}

#[test]
fn one_thread_or_two_give_the_same_bytes() {
    let w = lab();
    // Several blocks: the lines repeated past a block's size.
    let one = fixture("kern.log");
    let mut big = Vec::new();
    while big.len() < 3 << 20 {
        big.extend_from_slice(&one);
    }
    log(&w, "big.log", &big);
    let run = |threads: &str, out: &str| {
        let r = logs(
            &w,
            &[
                "--profile",
                "out/lab",
                "--threads",
                threads,
                "--json",
                out,
                "-q",
                "big.log",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        w.read(out)
    };
    let (a, b) = (run("1", "one.json"), run("2", "two.json"));
    assert!(a == b, "one thread and two differ");
    let json: serde_json::Value = serde_json::from_str(&a).unwrap();
    let lines = big.iter().filter(|b| **b == b'\n').count();
    assert_eq!(json["files"][0]["lines"], lines);
}

#[test]
fn rotated_sets_read_oldest_first_and_a_broken_gzip_keeps_its_lines() {
    let w = lab();
    let text = fixture("kern.log");
    let lines: Vec<&[u8]> = text.split_inclusive(|b| *b == b'\n').collect();
    // kern.log.2.gz holds the oldest lines, kern.log the newest.
    log(&w, "kern.log.2.gz", &gzip(&lines[..4].concat()));
    log(&w, "kern.log.1", &lines[4..8].concat());
    log(&w, "kern.log", &lines[8..].concat());
    let r = logs(
        &w,
        &[
            "--profile",
            "out/lab",
            "--json",
            "a.json",
            "-q",
            "kern.log",
            "kern.log.1",
            "kern.log.2.gz",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&w.read("a.json")).unwrap();
    let files: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["kern.log.2.gz", "kern.log.1", "kern.log"]);
    assert_eq!(json["candidates"][0]["hits"], 2);

    // A gzip cut short: reported, the lines before the cut still count.
    let mut big = Vec::new();
    while big.len() < 200_000 {
        big.extend_from_slice(&text);
    }
    let gz = gzip(&big);
    log(&w, "cut.gz", &gz[..gz.len() / 2]);
    let r = logs(
        &w,
        &["--profile", "out/lab", "--json", "cut.json", "cut.gz"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("broken off:"), "{}", r.stdout);
    let json: serde_json::Value = serde_json::from_str(&w.read("cut.json")).unwrap();
    let read = json["files"][0]["lines"].as_u64().unwrap();
    assert!(read > 100 && read < (big.len() / 200) as u64, "{read}");
    assert!(json["files"][0]["broken"].is_string());
    let r = logs(&w, &["--profile", "out/lab", "--strict", "-q", "cut.gz"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn long_and_foreign_lines_are_counted_not_fatal_unless_strict() {
    let w = lab();
    let mut body = fixture("kern.log");
    body.extend(std::iter::repeat_n(b'x', 2 << 20));
    body.extend_from_slice(b"\n");
    body.extend_from_slice(&fixture("kern.log"));
    log(&w, "long.log", &body);
    let r = logs(
        &w,
        &["--profile", "out/lab", "--json", "a.json", "-q", "long.log"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&w.read("a.json")).unwrap();
    let f = &json["files"][0];
    assert_eq!(f["lines"], 25);
    assert_eq!(f["skipped"]["line too long"], 1);
    assert_eq!(f["skipped"]["not a line of this format"], 2);
    assert_eq!(f["skipped"]["malformed fields"], 2);
    assert_eq!(
        f["samples"][0],
        serde_json::json!([7, "not a line of this format"])
    );
    let r = logs(&w, &["--profile", "out/lab", "--strict", "-q", "long.log"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("long.log:7: not a line of this format (--strict)"),
        "{}",
        r.stderr
    );
}

#[test]
fn plain_lists_inside_networks_and_time_zones() {
    let w = lab();
    w.write("list.txt", "198.51.100.0/24\n");
    // Without inside networks, the log's own direction decides.
    let r = logs(
        &w,
        &["--list", "list.txt", "--json", "a.json", "-q", "kern.log"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&w.read("a.json")).unwrap();
    assert_eq!(json["inside"], false);
    assert_eq!(json["candidates"][0]["hits"], 3);
    // Berlin is an hour ahead in December: 10:05 there is 09:05 UTC.
    let r = logs(
        &w,
        &[
            "--list",
            "list.txt",
            "--inside",
            "10.0.0.0/8",
            "--timezone",
            "kern.log=Europe/Berlin",
            "--json",
            "b.json",
            "-q",
            "kern.log",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&w.read("b.json")).unwrap();
    assert_eq!(json["candidates"][0]["first"], "2026-12-03T09:05:00Z");
    let r = logs(
        &w,
        &[
            "--list",
            "list.txt",
            "--timezone",
            "+05:30",
            "--json",
            "c.json",
            "-q",
            "kern.log",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&w.read("c.json")).unwrap();
    assert_eq!(json["candidates"][0]["first"], "2026-12-03T04:35:00Z");
    // Nothing listed: exit 1.
    w.write("none.txt", "");
    assert_eq!(logs(&w, &["--list", "none.txt", "-q", "kern.log"]).code, 1);
}

#[test]
fn refusals_name_the_problem() {
    let w = lab();
    w.write("list.txt", "198.51.100.0/24\n");
    log(&w, "prose.txt", b"Dear diary,\nnothing happened.\n");
    let cases: [(&[&str], &str); 8] = [
        (
            &["--list", "list.txt", "--format", "csv", "kern.log"],
            "--format csv needs --columns",
        ),
        (
            &[
                "--list",
                "list.txt",
                "--format",
                "csv",
                "--columns",
                "bogus=1",
                "kern.log",
            ],
            "unknown key \"bogus\"",
        ),
        (
            &["--list", "list.txt", "prose.txt"],
            "prose.txt: cannot tell the log format",
        ),
        (
            &[
                "--list",
                "list.txt",
                "--timezone",
                "Mars/Olympus",
                "kern.log",
            ],
            "unknown zone 'Mars/Olympus'",
        ),
        (
            &["--list", "list.txt", "--inside", "10.0.0.0/33", "kern.log"],
            "--inside: '10.0.0.0/33'",
        ),
        (&["--list", "missing.txt", "kern.log"], "missing.txt"),
        (&["--profile", "out", "kern.log"], "not a compiled profile"),
        (
            &["--list", "list.txt", "--sensor", "a b", "kern.log"],
            "--sensor",
        ),
    ];
    for (args, msg) in cases {
        let r = logs(&w, args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(msg), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn inbound_drops_logged_by_tl_fw_become_sensor_events() {
    // The lines `tl-fw render --log-in-prefix 'threatlist drop in: '`
    // makes the kernel write: drops to the firewall and through it (a
    // forwarded line has both interfaces; the listed source is the outside
    // one) become sensor events; the outbound drops do not.
    let w = Workdir::new();
    let kern = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/logs/nftables/tl-fw.log");
    log(&w, "kern.log", &std::fs::read(kern).unwrap());
    w.write(
        "list.txt",
        "198.51.100.0/24\n2001:db8:bad::/48\n203.0.113.50\n",
    );
    let r = logs(
        &w,
        &[
            "-q",
            "--list",
            "list.txt",
            "--events",
            "events.csv",
            "kern.log",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        w.read("events.csv"),
        "time,source,sensor,port,proto,count\n\
         2026-12-07T11:00:00Z,198.51.100.10,tl-logs,22,tcp,1\n\
         2026-12-07T11:00:00Z,198.51.100.10,tl-logs,7007,udp,1\n\
         2026-12-07T11:00:00Z,2001:db8:bad::10,tl-logs,443,tcp,1\n"
    );
}

#[test]
fn dns_answers_recover_hosts_behind_nat_and_name_the_way_there() {
    let w = lab();
    log(&w, "dns.json", &fixture("dns.json"));
    log(&w, "nat.log", &fixture("nat.log"));
    let r = logs(
        &w,
        &[
            "--profile",
            "out/lab",
            "--csv",
            "hits.csv",
            "dns.json",
            "nat.log",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    golden_file("logs/nat.txt", r.stdout.as_bytes());
    golden_file("logs/nat.csv", w.read("hits.csv").as_bytes());
}

#[test]
fn a_country_database_names_the_countries_of_listed_addresses() {
    let w = lab();
    let csv = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/geo/country.csv");
    let r = w.run(
        "tl-geo",
        &["build", "--db", "geo.mmdb", csv.to_str().unwrap()],
        b"",
    );
    assert_eq!(r.code, 0, "tl-geo: {}", r.stderr);
    let r = logs(
        &w,
        &[
            "--profile",
            "out/lab",
            "--geo-db",
            "geo.mmdb",
            "--json",
            "a.json",
            "kern.log",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&w.read("a.json")).unwrap();
    let countries: Vec<(&str, u64, u64)> = json["by_country"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let n = |k: &str| c[k].as_u64().unwrap();
            (c["label"].as_str().unwrap(), n("inbound"), n("outbound"))
        })
        .collect();
    // 192.0.2.66 is in FR (two hits in, one out), 203.0.113.5 in BR,
    // 198.51.100.7 in JP (two out).
    assert_eq!(countries, [("FR", 2, 1), ("BR", 2, 0), ("JP", 0, 2)]);
    assert!(r.stdout.contains("hits per country"), "{}", r.stdout);
    let r = logs(
        &w,
        &[
            "--profile",
            "out/lab",
            "--geo-db",
            "missing.mmdb",
            "kern.log",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing.mmdb"), "{}", r.stderr);
}

#[test]
fn a_csv_log_is_read_through_its_column_mapping() {
    let w = Workdir::new();
    w.write("list.txt", "198.51.100.0/24\n");
    let csv = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/logs/csv/conn.csv");
    log(&w, "conn.csv", &std::fs::read(csv).unwrap());
    let map = "time=ts,action=action,proto=proto,src=source_ip,sport=source_port,dst=dest_ip,dport=dest_port";
    let r = logs(
        &w,
        &[
            "--list",
            "list.txt",
            "--inside",
            "10.0.0.0/8",
            "--format",
            "csv",
            "--columns",
            map,
            "--json",
            "a.json",
            "-q",
            "conn.csv",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&w.read("a.json")).unwrap();
    assert_eq!(json["candidates"][0]["host"], "10.0.0.5");
    assert_eq!(json["candidates"][0]["dests"][0]["dest"], "198.51.100.70");
    assert_eq!(json["files"][0]["events"], 4);
}
