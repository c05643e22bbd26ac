//! `tl-score` run as a user would, on the fixtures in `fixtures/score`
//! (the worked example of docs/scoring.md among them), with exact outputs;
//! state files, merging and incremental use; bad input.

mod common;
use common::{bin_path, run_in, Run, Workdir};
use std::path::Path;

const NOW: &str = "2026-11-27T12:00:00Z";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fx(name: &str) -> String {
    root()
        .join("fixtures/score")
        .join(name)
        .display()
        .to_string()
}

fn score(args: &[&str]) -> Run {
    run_in(root(), bin_path("tl-score"), args, b"")
}

fn ok(r: Run) -> String {
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    r.stdout
}

/// The fixture evidence with the feed configuration, at NOW.
fn base<'a>(ev: &'a str, ind: &'a str, feeds: &'a str) -> Vec<&'a str> {
    vec!["-q", "--now", NOW, "-e", ev, "--feeds", feeds, ind]
}

const LIST: &str = "\
indicator,type,score,categories,feeds,first_seen,last_seen,hits,sensors,reason
192.0.2.10,ip,3.600,scanner,scan-list,2026-11-26T00:00:00Z,2026-11-27T12:00:00Z,12,4,scanner 3.600 (scan-list 4 sensors)
2001:db8:1::5,ip,2.850,scanner,scan-list,2026-11-26T00:00:00Z,2026-11-27T12:00:00Z,7,3,scanner 2.850 (scan-list 3 sensors)
evil.example,domain,2.700,botnet-c2,c2-tracker,2026-11-20T00:00:00Z,2026-11-27T12:00:00Z,1,0,botnet-c2 2.700 (c2-tracker)
203.0.113.128/25,net,2.684,hijacked,drop,2026-10-01T00:00:00Z,2026-11-27T00:00:00Z,1,0,hijacked 2.684 (drop)
192.0.2.20,ip,2.250,scanner,,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,6,3,scanner 2.250 (3 sensors)
192.0.2.21,ip,2.250,scanner,,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,6,3,scanner 2.250 (3 sensors)
192.0.2.22,ip,2.250,scanner,,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,6,3,scanner 2.250 (3 sensors)
192.0.2.23,ip,2.250,scanner,,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,6,3,scanner 2.250 (3 sensors)
192.0.2.24,ip,2.250,scanner,,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,6,3,scanner 2.250 (3 sensors)
192.0.2.25,ip,2.250,scanner,,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,6,3,scanner 2.250 (3 sensors)
192.0.2.26,ip,2.250,scanner,,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,6,3,scanner 2.250 (3 sensors)
192.0.2.27,ip,2.250,scanner,,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,6,3,scanner 2.250 (3 sensors)
192.0.2.28,ip,2.250,scanner,,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,6,3,scanner 2.250 (3 sensors)
192.0.2.29,ip,2.250,scanner,,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,6,3,scanner 2.250 (3 sensors)
198.51.100.7,ip,2.036,scanner;botnet-c2,c2-tracker,2026-11-01T00:00:00Z,2026-11-27T12:00:00Z,6,2,scanner 1.500 (2 sensors); botnet-c2 0.536 (c2-tracker)
";

#[test]
fn the_default_list() {
    let (ev, ind, feeds) = (fx("events.csv"), fx("indicators.csv"), fx("feeds.toml"));
    let mut args = base(&ev, &ind, &feeds);
    args.push("--explain");
    assert_eq!(ok(score(&args)), LIST);
    // Without --explain: the same rows without the reason column.
    let plain: String = LIST
        .lines()
        .map(|l| {
            let cut = l.rfind(',').unwrap();
            format!("{}\n", &l[..cut])
        })
        .collect();
    assert_eq!(ok(score(&base(&ev, &ind, &feeds))), plain);
}

const ALL_WITH_ROLLUP: &str = "\
indicator,type,score,categories,feeds,first_seen,last_seen,hits,sensors
192.0.2.10,ip,3.600,scanner,scan-list,2026-11-26T00:00:00Z,2026-11-27T12:00:00Z,12,4
2001:db8:1::5,ip,2.850,scanner,scan-list,2026-11-26T00:00:00Z,2026-11-27T12:00:00Z,7,3
192.0.2.0/24,net,2.750,scanner,scan-list,2026-11-26T00:00:00Z,2026-11-27T12:00:00Z,72,4
evil.example,domain,2.700,botnet-c2,c2-tracker,2026-11-20T00:00:00Z,2026-11-27T12:00:00Z,1,0
203.0.113.128/25,net,2.684,hijacked,drop,2026-10-01T00:00:00Z,2026-11-27T00:00:00Z,1,0
192.0.2.20,ip,2.250,scanner,,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,6,3
192.0.2.21,ip,2.250,scanner,,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,6,3
192.0.2.22,ip,2.250,scanner,,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,6,3
192.0.2.23,ip,2.250,scanner,,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,6,3
192.0.2.24,ip,2.250,scanner,,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,6,3
192.0.2.25,ip,2.250,scanner,,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,6,3
192.0.2.26,ip,2.250,scanner,,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,6,3
192.0.2.27,ip,2.250,scanner,,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,6,3
192.0.2.28,ip,2.250,scanner,,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,6,3
192.0.2.29,ip,2.250,scanner,,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,6,3
198.51.100.7,ip,2.036,scanner;botnet-c2,c2-tracker,2026-11-01T00:00:00Z,2026-11-27T12:00:00Z,6,2
203.0.113.9,ip,0.750,scanner,,2026-11-27T11:00:00Z,2026-11-27T11:00:00Z,1000,1
203.0.113.50,ip,0.397,spam,spam-bl,2026-11-25T00:00:00Z,2026-11-27T00:00:00Z,7,0
198.51.100.0/24,net,0.250,botnet-c2;scanner,c2-tracker,2026-11-01T00:00:00Z,2026-11-27T12:00:00Z,6,2
2001:db8:1::/48,net,0.250,scanner,scan-list,2026-11-26T00:00:00Z,2026-11-27T12:00:00Z,7,3
203.0.113.0/24,net,0.143,scanner;spam,spam-bl,2026-11-25T00:00:00Z,2026-11-27T11:00:00Z,1007,1
";

#[test]
fn every_entry_with_rollup() {
    let (ev, ind, feeds) = (fx("events.csv"), fx("indicators.csv"), fx("feeds.toml"));
    let mut args = base(&ev, &ind, &feeds);
    args.extend(["--min-score", "0", "--rollup"]);
    assert_eq!(ok(score(&args)), ALL_WITH_ROLLUP);
    // --top keeps the highest; --min-score cuts at the printed score.
    let mut top = base(&ev, &ind, &feeds);
    top.extend(["--min-score", "0", "--top", "2"]);
    let want: String = ALL_WITH_ROLLUP
        .lines()
        .take(3)
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(ok(score(&top)), want);
    let mut cut = base(&ev, &ind, &feeds);
    cut.extend(["--min-score", "1.5"]);
    let got = ok(score(&cut));
    assert_eq!(got.lines().count(), 1 + 15, "{got}");
    assert!(got.lines().last().unwrap().contains(",2.036,"), "{got}");
    // The one noisy sensor's 1000 events stay at 1.000: never listed alone.
    assert!(!ok(score(&base(&ev, &ind, &feeds))).contains("203.0.113.9"));
}

#[test]
fn per_category_lists() {
    let (ev, ind, feeds) = (fx("events.csv"), fx("indicators.csv"), fx("feeds.toml"));
    let mut args = base(&ev, &ind, &feeds);
    args.extend(["--category", "c2", "--min-score", "0"]);
    assert_eq!(
        ok(score(&args)),
        "indicator,type,score,categories,feeds,first_seen,last_seen,hits,sensors\n\
         evil.example,domain,2.700,botnet-c2,c2-tracker,2026-11-20T00:00:00Z,2026-11-27T12:00:00Z,1,0\n\
         198.51.100.7,ip,0.536,botnet-c2,c2-tracker,2026-11-01T00:00:00Z,2026-11-20T12:00:00Z,1,0\n"
    );
    let mut spam = base(&ev, &ind, &feeds);
    spam.extend(["--category", "spam", "--enter", "0.35", "--leave", "0.3"]);
    assert_eq!(
        ok(score(&spam)),
        "indicator,type,score,categories,feeds,first_seen,last_seen,hits,sensors\n\
         203.0.113.50,ip,0.397,spam,spam-bl,2026-11-25T00:00:00Z,2026-11-27T00:00:00Z,7,0\n"
    );
}

/// The worked example of docs/scoring.md, contribution by contribution.
const EXPLAINED: &str = "\
query,entry,kind,source,category,first_seen,last_seen,hits,danger,evidence,value,first_listed,last_listed,dropped
198.51.100.7,198.51.100.7,sensor,hp-1,scanner,2026-11-27T00:00:00Z,2026-11-27T00:00:00Z,4,1.000,1.000,0.750,,,
198.51.100.7,198.51.100.7,sensor,hp-2,scanner,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,1,1.000,1.000,0.750,,,
198.51.100.7,198.51.100.7,feed,c2-tracker,botnet-c2,2026-11-01T00:00:00Z,2026-11-20T12:00:00Z,1,3.000,0.179,0.536,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,
198.51.100.7,198.51.100.7,score,listed,scanner;botnet-c2,2026-11-01T00:00:00Z,2026-11-27T12:00:00Z,6,,,2.036,,,
203.0.113.200,203.0.113.128/25,feed,drop,hijacked,2026-10-01T00:00:00Z,2026-11-27T00:00:00Z,1,3.000,0.895,2.684,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,
203.0.113.200,203.0.113.128/25,score,listed,hijacked,2026-10-01T00:00:00Z,2026-11-27T00:00:00Z,1,,,2.684,,,
";

#[test]
fn explain() {
    let (ev, ind) = (fx("events.csv"), fx("indicators.csv"));
    let args = [
        "explain",
        "-q",
        "--now",
        NOW,
        "-e",
        &ev,
        "-i",
        &ind,
        "198.51.100.7",
        "203.0.113.200",
    ];
    assert_eq!(ok(score(&args)), EXPLAINED);
    // An address without evidence: exit 1, named on stderr.
    let r = score(&["explain", "--now", NOW, "-e", &ev, "192.0.2.77"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("'192.0.2.77': no evidence"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout.lines().count(), 1);
    // A roll-up is explained host by host.
    let r = ok(score(&[
        "explain",
        "-q",
        "--now",
        NOW,
        "-e",
        &ev,
        "--rollup",
        "192.0.2.0/24",
    ]));
    assert!(r.contains("192.0.2.0/24,192.0.2.0/24,host,192.0.2.20,rollup,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,6,0.250,1.000,0.250,,,\n"), "{r}");
    assert!(r.ends_with(",2.750,,,\n"), "{r}");
    let r = score(&["explain", "--now", NOW, "-e", &ev, "not an address"]);
    assert_eq!(r.code, 2);
    let r = score(&["explain", "192.0.2.1"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("explain needs evidence"), "{}", r.stderr);
}

/// Lines of a CSV body shuffled by a fixed permutation (header first).
fn shuffled(text: &str, seed: usize) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    let n = lines.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (i * 7919 + seed * 104_729) % (n + 13));
    let mut out = format!("{header}\n");
    for i in order {
        out.push_str(lines[i]);
        out.push('\n');
    }
    out
}

#[test]
fn deterministic_and_order_free() {
    let w = Workdir::new();
    let ev = std::fs::read_to_string(fx("events.csv")).unwrap();
    let ind = std::fs::read_to_string(fx("indicators.csv")).unwrap();
    w.write("ev.csv", shuffled(&ev, 3))
        .write("ind.csv", shuffled(&ind, 5));
    let args = |e: &str, i: &str| -> Vec<String> {
        [
            "-q",
            "--now",
            NOW,
            "--min-score",
            "0",
            "--rollup",
            "--explain",
            "-e",
            e,
            i,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let run = |a: Vec<String>| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let r = w.run("tl-score", &a, b"");
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    let first = run(args(&fx("events.csv"), &fx("indicators.csv")));
    assert_eq!(run(args(&fx("events.csv"), &fx("indicators.csv"))), first);
    assert_eq!(run(args("ev.csv", "ind.csv")), first);
    // Gzip and stdin read the same.
    let r = w.run(
        "tl-score",
        &[
            "-q",
            "--now",
            NOW,
            "--min-score",
            "0",
            "--rollup",
            "--explain",
            "-e",
            "ev.csv",
            "-",
        ],
        ind.as_bytes(),
    );
    assert_eq!(r.stdout, first);
}

#[test]
fn state_merge_equals_whole() {
    let w = Workdir::new();
    let ev = std::fs::read_to_string(fx("events.csv")).unwrap();
    let ind = std::fs::read_to_string(fx("indicators.csv")).unwrap();
    // Shards by a hash of the source address (here: its text length).
    let split = |text: &str, col: usize| -> (String, String) {
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let (mut a, mut b) = (format!("{header}\n"), format!("{header}\n"));
        for l in lines {
            let key = l.split(',').nth(col).unwrap();
            if key.len() % 2 == 0 { &mut a } else { &mut b }.push_str(&format!("{l}\n"));
        }
        (a, b)
    };
    let (ea, eb) = split(&ev, 1);
    let (ia, ib) = split(&ind, 0);
    w.write("ea.csv", ea)
        .write("eb.csv", eb)
        .write("ia.csv", ia)
        .write("ib.csv", ib);
    let run = |args: &[&str]| {
        let r = w.run("tl-score", args, b"");
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    let (feeds, evp, ip) = (fx("feeds.toml"), fx("events.csv"), ind_path());
    let list = ["--min-score", "0", "--rollup", "--explain"];
    let whole = {
        let mut a = vec!["-q", "--now", NOW, "--feeds", &feeds, "-e", &evp, &ip];
        a.extend(list);
        run(&a)
    };
    run(&[
        "-q",
        "--now",
        NOW,
        "--feeds",
        &feeds,
        "-e",
        "ea.csv",
        "ia.csv",
        "--save-state",
        "a.tls",
    ]);
    run(&[
        "-q",
        "--now",
        NOW,
        "--feeds",
        &feeds,
        "-e",
        "eb.csv",
        "ib.csv",
        "--save-state",
        "b.tls",
    ]);
    run(&["merge", "-q", "a.tls", "b.tls", "-o", "ab.tls"]);
    run(&["merge", "-q", "b.tls", "a.tls", "-o", "ba.tls"]);
    assert_eq!(
        std::fs::read(w.path("ab.tls")).unwrap(),
        std::fs::read(w.path("ba.tls")).unwrap()
    );
    let mut a = vec!["-q", "--now", NOW, "--state", "ab.tls"];
    a.extend(list);
    assert_eq!(run(&a), whole);
    // Saving the whole gives the very same file as merging the shards.
    run(&[
        "-q",
        "--now",
        NOW,
        "--feeds",
        &feeds,
        "-e",
        &evp,
        "--save-state",
        "whole.tls",
        &ip,
    ]);
    assert_eq!(
        std::fs::read(w.path("whole.tls")).unwrap(),
        std::fs::read(w.path("ab.tls")).unwrap()
    );
}

fn ind_path() -> String {
    fx("indicators.csv")
}

#[test]
fn incremental_add() {
    let w = Workdir::new();
    let ev = std::fs::read_to_string(fx("events.csv")).unwrap();
    let mut lines = ev.lines();
    let header = lines.next().unwrap();
    let (mut day1, mut day2) = (format!("{header}\n"), format!("{header}\n"));
    for l in lines {
        // Yesterday's evidence: everything before 11:00.
        if l < "2026-11-27T11:00:00Z" {
            &mut day1
        } else {
            &mut day2
        }
        .push_str(&format!("{l}\n"));
    }
    w.write("day1.csv", day1).write("day2.csv", day2);
    let run = |args: &[&str]| {
        let r = w.run("tl-score", args, b"");
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    let ind = ind_path();
    run(&[
        "-q",
        "--now",
        "2026-11-27T11:00:00Z",
        "-e",
        "day1.csv",
        "--save-state",
        "s.tls",
    ]);
    let before = std::fs::read(w.path("s.tls")).unwrap();
    // Today's events and the feeds' current listings go on top.
    let inc = run(&[
        "-q",
        "--now",
        NOW,
        "--state",
        "s.tls",
        "--add",
        "day2.csv",
        &ind,
        "--min-score",
        "0",
    ]);
    assert_ne!(
        std::fs::read(w.path("s.tls")).unwrap(),
        before,
        "--add rewrites the state"
    );
    let whole = run(&[
        "-q",
        "--now",
        NOW,
        "-e",
        &fx("events.csv"),
        &ind,
        "--min-score",
        "0",
    ]);
    assert_eq!(inc, whole);
    // The rewritten state now holds everything.
    assert_eq!(
        run(&["-q", "--now", NOW, "--state", "s.tls", "--min-score", "0"]),
        whole
    );
    // Going back in time is refused.
    let r = w.run(
        "tl-score",
        &["--now", "2026-11-26T00:00:00Z", "--state", "s.tls"],
        b"",
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--now is before the time of state"),
        "{}",
        r.stderr
    );
}

/// The listing history across runs that carry the state: a listing keeps
/// the run that first found it and moves its last on; an entry the feed
/// dropped and listed again starts anew; a feed not read tells nothing.
#[test]
fn listing_history_across_runs() {
    let w = Workdir::new();
    let feed = |name: &str, time: &str, entries: &[&str]| {
        let mut csv =
            String::from("indicator,type,feed,category,first_seen,last_seen,hits,confidence\n");
        for e in entries {
            csv.push_str(&format!("{e},ip,{name},botnet-c2,{time},{time},1,0.9\n"));
        }
        csv
    };
    let (t1, t2, t3) = (
        "2026-11-27T00:00:00Z",
        "2026-11-27T04:00:00Z",
        "2026-11-27T08:00:00Z",
    );
    w.write("f1.csv", feed("f", t1, &["192.0.2.1", "192.0.2.2"]))
        .write("g1.csv", feed("g", t1, &["192.0.2.3"]))
        .write("f2.csv", feed("f", t2, &["192.0.2.1"]))
        .write("f3.csv", feed("f", t3, &["192.0.2.1", "192.0.2.2"]));
    let run = |args: &[&str]| {
        let r = w.run("tl-score", args, b"");
        assert_eq!(r.code, 0, "{}", r.stderr);
    };
    let step = |now: &str, from: Option<&str>, inputs: &[&str], to: &str| {
        let mut a = vec!["-q", "--now", now, "--min-score", "0", "-o", "list.csv"];
        if let Some(s) = from {
            a.extend(["--state", s]);
        }
        a.extend(inputs);
        a.extend(["--save-state", to]);
        run(&a);
    };
    step(t1, None, &["f1.csv", "g1.csv"], "s1.tls");
    step(t2, Some("s1.tls"), &["f2.csv"], "s2.tls");
    step(t3, Some("s2.tls"), &["f3.csv"], "s3.tls");
    // The feed row's first_listed, last_listed and dropped.
    let listed = |state: &str, now: &str, addr: &str| -> String {
        let r = w.run(
            "tl-score",
            &["explain", "-q", "--now", now, "--state", state, addr],
            b"",
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let row = r
            .stdout
            .lines()
            .find(|l| l.contains(",feed,"))
            .expect("a feed row");
        row.split(',').skip(11).collect::<Vec<_>>().join(",")
    };
    let header = w.run(
        "tl-score",
        &["explain", "-q", "--state", "s1.tls", "192.0.2.1"],
        b"",
    );
    assert!(header
        .stdout
        .starts_with("query,entry,kind,source,category,first_seen,last_seen,hits,danger,evidence,value,first_listed,last_listed,dropped\n"));
    assert_eq!(listed("s1.tls", t1, "192.0.2.1"), format!("{t1},{t1},"));
    // Run 2: f lists .1 still, no longer .2; g was not read.
    assert_eq!(listed("s2.tls", t2, "192.0.2.1"), format!("{t1},{t2},"));
    assert_eq!(listed("s2.tls", t2, "192.0.2.2"), format!("{t1},{t1},{t2}"));
    assert_eq!(listed("s2.tls", t2, "192.0.2.3"), format!("{t1},{t1},"));
    // Run 3: .2 is listed again, from now.
    assert_eq!(listed("s3.tls", t3, "192.0.2.1"), format!("{t1},{t3},"));
    assert_eq!(listed("s3.tls", t3, "192.0.2.2"), format!("{t3},{t3},"));
    // The same runs give the same bytes; the state of run 3 built from the
    // separately saved states of runs 1..3 merged in order is the same.
    step(t3, Some("s2.tls"), &["f3.csv"], "again.tls");
    assert_eq!(
        std::fs::read(w.path("again.tls")).unwrap(),
        std::fs::read(w.path("s3.tls")).unwrap()
    );
    step(t2, None, &["f2.csv"], "only2.tls");
    step(t3, None, &["f3.csv"], "only3.tls");
    run(&["merge", "s1.tls", "only2.tls", "-o", "m12.tls"]);
    run(&["merge", "m12.tls", "only3.tls", "-o", "m123.tls"]);
    assert_eq!(listed("m123.tls", t3, "192.0.2.2"), format!("{t3},{t3},"));
    assert_eq!(listed("m123.tls", t3, "192.0.2.1"), format!("{t1},{t3},"));
    assert_eq!(
        std::fs::read(w.path("m123.tls")).unwrap(),
        std::fs::read(w.path("s3.tls")).unwrap()
    );
}

#[test]
fn hysteresis() {
    let w = Workdir::new();
    let ev = fx("events.csv");
    let run = |args: &[&str]| {
        let r = w.run("tl-score", args, b"");
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    // 192.0.2.20 scores 2.250: below T_in 2.5, above every leave threshold
    // of T_out 2 (the mechanism, with thresholds of its own).
    w.write(
        "previous.csv",
        "indicator,type,score,categories,feeds,first_seen,last_seen,hits,sensors\n\
         192.0.2.20,ip,2.500,scanner,,2026-11-27T00:00:00Z,2026-11-27T00:00:00Z,9,3\n\
         203.0.113.9,ip,2.000,scanner,,2026-11-27T00:00:00Z,2026-11-27T00:00:00Z,9,3\n",
    );
    let bars = ["--enter", "2.5", "--leave", "2"];
    let with = run(&[
        &bars[..],
        &["-q", "--now", NOW, "-e", &ev, "--previous", "previous.csv"],
    ]
    .concat());
    let without = run(&[&bars[..], &["-q", "--now", NOW, "-e", &ev]].concat());
    assert!(with.contains("\n192.0.2.20,ip,2.250,"), "{with}");
    assert!(!without.contains("192.0.2.20"), "{without}");
    // 203.0.113.9 (one sensor, 0.750) falls below its leave threshold.
    assert!(!with.contains("203.0.113.9"), "{with}");
    assert_eq!(with.lines().count(), without.lines().count() + 1);
}

#[test]
fn bad_rows_are_counted_and_quoted() {
    let w = Workdir::new();
    w.write(
        "ev.csv",
        "time,source,sensor,port,proto,count\n\
         2026-11-27T11:00:00Z,192.0.2.1,hp-1,22,tcp,1\n\
         2026-11-27T11:00:00Z,192.0.2.1,hp-1,22,tcp,-4\n\
         2026-11-27T11:00:00Z,192.0.2.1,hp-1,22,tcp,5000000\n\
         2026-11-27T11:00:00Z,1.2.3,hp-1,22,tcp,1\n\
         2026-11-27T11:00:00Z,192.0.2.1,hp 1,22,tcp,1\n\
         2027-01-01T00:00:00Z,192.0.2.2,hp-1,22,tcp,1\n\
         2026-11-27T12:30:00Z,192.0.2.3,hp-1,22,tcp,1\n\
         \x1b[31mred,192.0.2.1,hp-1,22,tcp,1\n",
    );
    let r = w.run(
        "tl-score",
        &["--now", NOW, "-e", "ev.csv", "--min-score", "0"],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr.lines().take(4).collect::<Vec<_>>(),
        vec![
            "tl-score: ev.csv:3: negative count: '2026-11-27T11:00:00Z,192.0.2.1,hp-1,22,tcp,-4'",
            "tl-score: ev.csv:4: count too large (over 1000000): '2026-11-27T11:00:00Z,192.0.2.1,hp-1,22,tcp,5000000'",
            "tl-score: ev.csv:5: source is not an IP address: '2026-11-27T11:00:00Z,1.2.3,hp-1,22,tcp,1'",
            "tl-score: ev.csv:read 8 rows, skipped 5 (bad sensor name: 1; bad time: 1; count too large (over 1000000): 1; negative count: 1; source is not an IP address: 1), 1 times in the future clamped"
                .replace("ev.csv:read", "ev.csv: read")
                .as_str(),
        ]
    );
    // The future row is clamped to --now; the one within the hour is too, uncounted.
    assert!(
        r.stdout.contains(
            "192.0.2.2,ip,0.750,scanner,,2026-11-27T12:00:00Z,2026-11-27T12:00:00Z,1,1\n"
        ),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("192.0.2.3,ip,0.750,"), "{}", r.stdout);
    // --strict: the first bad row is an error, and nothing is written.
    let r = w.run("tl-score", &["--strict", "--now", NOW, "-e", "ev.csv"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "tl-score: ev.csv:3: negative count: '2026-11-27T11:00:00Z,192.0.2.1,hp-1,22,tcp,-4'\n"
    );
    // A control character in a row is escaped in the message.
    w.write(
        "ctl.csv",
        "time,source,sensor,port,proto,count\n\x1b[31m,1.2.3.4,s,1,tcp,1\n",
    );
    let r = w.run("tl-score", &["--now", NOW, "-e", "ctl.csv"], b"");
    assert!(
        r.stderr
            .contains("ctl.csv:2: bad time: '\\u{1b}[31m,1.2.3.4,s,1,tcp,1'"),
        "{}",
        r.stderr
    );
    // Indicators: a bad row is counted, the rest scored.
    w.write(
        "ind.csv",
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
         192.0.2.9,ip,f,botnet-c2,2026-11-27T00:00:00Z,2026-11-27T00:00:00Z,1,1\n\
         192.0.2.0-192.0.2.9,ip,f,botnet-c2,2026-11-27T00:00:00Z,2026-11-27T00:00:00Z,1,1\n\
         192.0.2.8,ip,f,botnet-c2,2026-11-27T00:00:00Z,2026-11-27T00:00:00Z,1,7\n",
    );
    let r = w.run("tl-score", &["--now", NOW, "ind.csv"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("ind.csv:3: a range that is not one CIDR prefix: '192.0.2.0-192.0.2.9'"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("ind.csv:4: bad confidence '7'"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("192.0.2.9,ip,2.673,"), "{}", r.stdout);
}

#[test]
fn bad_files_are_errors() {
    let w = Workdir::new();
    w.write(
        "ev.csv",
        "time,source,sensor,port,proto,count\n2026-11-27T11:00:00Z,192.0.2.1,hp-1,22,tcp,1\n",
    );
    w.write(
        "noheader.csv",
        "2026-11-27T11:00:00Z,192.0.2.1,hp-1,22,tcp,1\n",
    );
    w.write("empty.csv", "");
    let code_err = |args: &[&str], want: &str| {
        let r = w.run("tl-score", args, b"");
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(want), "{args:?}: {}", r.stderr);
        assert_eq!(r.stdout, "");
    };
    code_err(
        &["--now", NOW, "-e", "noheader.csv"],
        "noheader.csv:1: not an events header",
    );
    code_err(
        &["--now", NOW, "-e", "empty.csv"],
        "empty.csv: empty input (no header row)",
    );
    code_err(
        &["--now", NOW, "-e", "missing.csv"],
        "missing.csv: No such file or directory",
    );
    code_err(
        &["--now", NOW, "ev.csv"],
        "ev.csv:1: not an indicators header",
    );
    code_err(
        &["--now", NOW, "-e", "-", "-"],
        "standard input (-) can be read only once",
    );
    code_err(
        &["--now", NOW, "-e", "ev.csv", "--leave", "3"],
        "--leave must be above 0 and at most --enter",
    );
    // State files: truncated, foreign, of another version.
    let r = w.run(
        "tl-score",
        &["-q", "--now", NOW, "-e", "ev.csv", "--save-state", "s.tls"],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let good = std::fs::read(w.path("s.tls")).unwrap();
    w.write("cut.tls", &good[..good.len() - 10]);
    code_err(
        &["--state", "cut.tls"],
        "cut.tls: not a usable scoring state: file is truncated",
    );
    code_err(
        &["merge", "s.tls", "cut.tls", "-o", "m.tls"],
        "cut.tls: not a usable scoring state: file is truncated",
    );
    assert!(!w.path("m.tls").exists());
    w.write("text.tls", "time,source\n");
    code_err(
        &["--state", "text.tls"],
        "text.tls: not a usable scoring state: not a threatlist binary file",
    );
    let mut v2 = good.clone();
    v2[12] = 2; // major version
    let crc = crc32(&v2[..20]);
    v2[20..24].copy_from_slice(&crc.to_le_bytes());
    w.write("v2.tls", &v2);
    code_err(
        &["--state", "v2.tls"],
        "'SCOR' file version 2.2 is not supported (this build reads version 1.x)",
    );
    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x40;
    w.write("flip.tls", &flipped);
    code_err(&["--state", "flip.tls"], "checksum mismatch");
}

/// CRC-32 (IEEE), as the artifact header uses.
fn crc32(b: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &x in b {
        crc ^= x as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn help_has_examples() {
    let r = score(&["--help"]);
    assert_eq!(r.code, 0);
    assert!(r
        .stdout
        .contains("tl-score explain --state s.tls 203.0.113.7"));
    let r = score(&["merge"]);
    assert_eq!(r.code, 2);
}

/// When no row is written the summary says why; feeds too old to count are
/// named; explain without --now weighs a saved state at its own time and
/// says what `not listed` means.
#[test]
fn empty_lists_and_old_evidence_are_explained() {
    let w = common::Workdir::new();
    w.write(
        "ind.csv",
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
         5.6.7.8,ip,drop,,2026-11-01T00:00:00Z,2026-11-01T00:00:00Z,1,1\n\
         45.33.32.156,ip,old,scanner,2025-01-01T00:00:00Z,2025-01-01T00:00:00Z,1,1\n",
    );
    let header = "indicator,type,score,categories,feeds,first_seen,last_seen,hits,sensors\n";
    let r = w.run(
        "tl-score",
        &["--now", "2026-11-02T00:00:00Z", "ind.csv"],
        b"",
    );
    assert_eq!((r.code, r.stdout.as_str()), (0, header));
    assert_eq!(
        r.stderr,
        "tl-score: ind.csv: read 2 rows, skipped 0\n\
         tl-score: 1 entries with evidence at 2026-11-02T00:00:00Z, 0 rows written: the \
         highest score is 0.630, below T_in 2 (--enter)\n\
         tl-score: feed old read but decayed to nothing by 2026-11-02T00:00:00Z: every entry \
         was last seen about 10 half-lives of its category or more before; score them as of \
         their own time with --now\n"
    );
    // --min-score is the bar then; -q says nothing of it.
    let min = [
        "--now",
        "2026-11-02T00:00:00Z",
        "--min-score",
        "1",
        "ind.csv",
    ];
    let r = w.run("tl-score", &[&["-q"], &min[..]].concat(), b"");
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (0, header, "")
    );
    let r = w.run("tl-score", &min, b"");
    assert!(
        r.stderr
            .contains("0 rows written: the highest score is 0.630, below --min-score 1\n"),
        "{}",
        r.stderr
    );
    let r = w.run(
        "tl-score",
        &["--now", "2030-01-01T00:00:00Z", "ind.csv"],
        b"",
    );
    assert!(
        r.stderr.contains(
            "tl-score: 0 entries with evidence at 2030-01-01T00:00:00Z, 0 rows written: no entry \
         has evidence left\ntl-score: feeds drop, old read but decayed"
        ),
        "{}",
        r.stderr
    );
    // A state saved a while ago explains as of its own time, not the clock's.
    let r = w.run(
        "tl-score",
        &[
            "-q",
            "--now",
            "2026-11-01T00:00:00Z",
            "--save-state",
            "s.tls",
            "ind.csv",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = w.run(
        "tl-score",
        &["explain", "--state", "s.tls", "5.6.7.8", "20.0.0.1"],
        b"",
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout,
        "query,entry,kind,source,category,first_seen,last_seen,hits,danger,evidence,value,first_listed,last_listed,dropped\n\
         5.6.7.8,5.6.7.8,feed,drop,other,2026-11-01T00:00:00Z,2026-11-01T00:00:00Z,1,1.000,1.000,1.000,2026-11-01T00:00:00Z,2026-11-01T00:00:00Z,\n\
         5.6.7.8,5.6.7.8,score,not listed,other,2026-11-01T00:00:00Z,2026-11-01T00:00:00Z,1,,,1.000,,,\n"
    );
    assert_eq!(
        r.stderr,
        "tl-score: evidence weighed at 2026-11-01T00:00:00Z (the state's time; --now for \
         another)\n\
         tl-score: '20.0.0.1': no evidence at 2026-11-01T00:00:00Z\n\
         tl-score: '5.6.7.8': not listed: its score 1.000 is below T_in 2.000 (--enter), so a \
         list scored from this evidence alone leaves it out; a list that already holds it \
         (--previous) keeps it while it scores at least 1.319, and a profile may block it for \
         its country, AS or a custom block (tl-query says why)\n"
    );
    // Indicators alone: the newest time in them.
    let r = w.run("tl-score", &["explain", "-i", "ind.csv", "5.6.7.8"], b"");
    assert!(
        r.stderr.contains(
            "tl-score: evidence weighed at 2026-11-01T00:00:00Z (the newest time in the evidence; \
         --now for another)\n"
        ),
        "{}",
        r.stderr
    );
}

/// A feed without per-entry times (every row's first_seen = last_seen =
/// the file's time) ages with the listing history: its listing counts
/// from the run that first found the entry, not from the file's time. A
/// feed with times of its own, a category sensors do not observe, and
/// `--no-trust` keep the row's times; a listing that was dropped and comes
/// back starts anew.
#[test]
fn undated_listings_age_from_their_first_listing() {
    let w = Workdir::new();
    let days = [
        "2026-11-26T12:00:00Z",
        "2026-11-26T18:00:00Z",
        "2026-11-27T00:00:00Z",
        "2026-11-27T06:00:00Z",
        "2026-11-27T12:00:00Z",
    ];
    let header = "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n";
    let run_files = |i: usize, plain: bool| {
        let t = days[i];
        let mut csv = String::from(header);
        if plain {
            csv.push_str(&format!("192.0.2.1,ip,plain,scanner,{t},{t},1,1\n"));
            csv.push_str(&format!("192.0.2.2,ip,plain,scanner,{t},{t},1,1\n"));
        } else {
            csv.push_str(&format!("192.0.2.2,ip,plain,scanner,{t},{t},1,1\n"));
        }
        csv.push_str(&format!("192.0.2.3,ip,c2,botnet-c2,{t},{t},1,1\n"));
        // Dated: the entry was first seen at run 0 and is seen on each run.
        csv.push_str(&format!("192.0.2.9,ip,dated,scanner,{},{t},1,1\n", days[0]));
        csv.push_str(&format!("192.0.2.8,ip,dated,scanner,{t},{t},1,1\n"));
        csv
    };
    // Runs every 6 hours (the scanner half-life): the third run's plain
    // feed drops .1, the fourth lists it again.
    for i in 0..5 {
        w.write(&format!("ind{i}.csv"), run_files(i, i != 3));
    }
    let run = |args: &[&str]| {
        let r = w.run("tl-score", args, b"");
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    for (i, day) in days.iter().enumerate() {
        let mut a = vec!["-q", "--now", day, "--min-score", "0", "-o", "list.csv"];
        let prev = format!("s{}.tls", i.wrapping_sub(1));
        if i > 0 {
            a.extend(["--state", &prev]);
        }
        let input = format!("ind{i}.csv");
        let to = format!("s{i}.tls");
        a.extend([input.as_str(), "--save-state", &to]);
        run(&a);
    }
    // The feed row's contribution (the value column) for an address.
    let value = |state: &str, now: &str, addr: &str, extra: &[&str]| -> String {
        let mut a = vec!["explain", "-q", "--now", now, "--state", state];
        a.extend(extra);
        a.push(addr);
        let out = run(&a);
        let row = out
            .lines()
            .find(|l| l.contains(",feed,"))
            .expect("a feed row");
        row.split(',').nth(10).unwrap().to_string()
    };
    // Run 2: .1 and .2 listed for two half-lives by the undated feed.
    assert_eq!(value("s2.tls", days[2], "192.0.2.1", &[]), "0.250");
    assert_eq!(value("s2.tls", days[2], "192.0.2.2", &[]), "0.250");
    assert_eq!(
        value("s2.tls", days[2], "192.0.2.1", &["--no-trust"]),
        "1.000"
    );
    // Not aged: a C2 listing (sensors never see C2 servers), a dated feed.
    assert_eq!(value("s2.tls", days[2], "192.0.2.3", &[]), "3.000");
    assert_eq!(value("s2.tls", days[2], "192.0.2.9", &[]), "1.000");
    // Run 4: .2 listed for four half-lives; .1 dropped and listed anew.
    assert_eq!(value("s4.tls", days[4], "192.0.2.2", &[]), "0.063");
    assert_eq!(value("s4.tls", days[4], "192.0.2.1", &[]), "1.000");
    // tl-score feeds says which feeds are undated.
    let feeds = run(&["feeds", "-q", "--state", "s4.tls"]);
    let undated = |feed: &str| -> String {
        let row = feeds
            .lines()
            .find(|l| l.starts_with(&format!("feed,{feed},")))
            .expect("a feed row");
        row.split(',').nth(9).unwrap().to_string()
    };
    assert!(feeds.starts_with("kind,source,category,entries,checked,confirmed,precision,weight,fixed,undated,delay_hours,retention_hours\n"), "{feeds}");
    assert_eq!(
        (undated("plain"), undated("c2"), undated("dated")),
        ("yes".into(), "yes".into(), String::new())
    );
}
