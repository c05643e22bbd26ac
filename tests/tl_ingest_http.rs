//! Fetching over HTTP from a small server the test starts on 127.0.0.1:
//! conditional requests from the cache, gzip, retries, timeouts, the size
//! cap, and the last good copy kept when a feed fails or comes back empty.

mod common;
use common::http::{ok, status, Reply, Server};
use common::Workdir;
use std::io::Write;
use std::time::Duration;

const DROP: &[u8] = b"; Spamhaus DROP List\n; Last-Modified: Fri, 17 Jan 2025 17:03:47 GMT\n1.10.16.0/20 ; SBL256894\n2.57.122.0/24 ; SBL636050\n";
const ROWS: &str = "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
    1.10.16.0/20,net,drop,,2025-01-17T17:03:47Z,2025-01-17T17:03:47Z,1,1\n\
    2.57.122.0/24,net,drop,,2025-01-17T17:03:47Z,2025-01-17T17:03:47Z,1,1\n";

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

#[test]
fn cache_makes_the_second_fetch_conditional() {
    let s = Server::start();
    s.answer(|r| {
        if r.header("if-none-match") == Some("\"v1\"") {
            return status(304);
        }
        let mut rep = ok(DROP);
        rep.headers.push(("ETag", "\"v1\"".into()));
        rep.headers
            .push(("Last-Modified", "Fri, 17 Jan 2025 17:03:47 GMT".into()));
        rep
    });
    let w = Workdir::new();
    let url = s.url("/drop.txt");
    let first = w.run("tl-ingest", &["--cache", "cache", &url], b"");
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(first.stdout, ROWS);
    let second = w.run("tl-ingest", &["--cache", "cache", &url], b"");
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_eq!(second.stdout, ROWS, "304 serves the cached copy");
    let reqs = s.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].header("if-none-match"), None);
    assert_eq!(reqs[1].header("if-none-match"), Some("\"v1\""));
    assert_eq!(
        reqs[1].header("if-modified-since"),
        Some("Fri, 17 Jan 2025 17:03:47 GMT")
    );
    assert!(reqs[0]
        .header("accept-encoding")
        .is_some_and(|v| v.contains("gzip")));
}

#[test]
fn gzip_content_encoding_and_gzip_files() {
    let s = Server::start();
    s.answer(|r| {
        let mut rep = ok(&gzip(DROP));
        if r.path == "/encoded" {
            rep.headers.push(("Content-Encoding", "gzip".into()));
        }
        rep
    });
    let w = Workdir::new();
    for path in ["/encoded", "/drop.txt.gz"] {
        let r = w.run("tl-ingest", &["--feed", "drop", &s.url(path)], b"");
        assert_eq!(r.code, 0, "{path}: {}", r.stderr);
        assert_eq!(r.stdout, ROWS, "{path}");
    }
}

#[test]
fn retries_back_off_then_succeed() {
    let s = Server::start();
    let mut n = 0;
    s.answer(move |_| {
        n += 1;
        if n <= 2 {
            status(503)
        } else {
            ok(DROP)
        }
    });
    let w = Workdir::new();
    let t = std::time::Instant::now();
    let r = w.run(
        "tl-ingest",
        &["--retries", "3", "--backoff", "100ms", &s.url("/drop.txt")],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, ROWS);
    assert_eq!(s.requests().len(), 3);
    // 100 ms, then 200 ms.
    assert!(t.elapsed() >= Duration::from_millis(300));
    // A 404 is not retried.
    s.answer(|_| status(404));
    let r = w.run(
        "tl-ingest",
        &["--retries", "3", "--backoff", "10ms", &s.url("/gone.txt")],
        b"",
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        format!("tl-ingest: {}: HTTP 404\n", s.url("/gone.txt"))
    );
    assert_eq!(s.requests().len(), 4);
}

#[test]
fn timeouts_and_the_size_cap_are_errors() {
    let s = Server::start();
    s.answer(|r| {
        if r.path == "/slow" {
            let mut rep = ok(DROP);
            rep.delay = Duration::from_secs(3);
            rep
        } else {
            ok(&vec![b'#'; 2 << 20])
        }
    });
    let w = Workdir::new();
    let r = w.run(
        "tl-ingest",
        &[
            "--timeout",
            "300ms",
            "--retries",
            "1",
            "--backoff",
            "10ms",
            &s.url("/slow"),
        ],
        b"",
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("timed out (after 2 attempts)"),
        "{}",
        r.stderr
    );
    let r = w.run("tl-ingest", &["--max-size", "1M", &s.url("/big")], b"");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("response larger than 1048576 bytes (--max-size)"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_failed_or_empty_fetch_keeps_the_last_good_copy() {
    let s = Server::start();
    s.answer(|_| ok(DROP));
    let w = Workdir::new();
    let url = s.url("/drop.txt");
    let args = [
        "--cache",
        "cache",
        "--retries",
        "0",
        "--stats",
        "json",
        &url,
    ];
    let r = w.run("tl-ingest", &args, b"");
    assert_eq!(r.code, 0, "{}", r.stderr);

    // An HTML page is a failed feed (exit 1, see
    // health_rules_fail_a_feed_and_keep_its_last_good_copy); the others are
    // only stale.
    let failures: Vec<(Reply, &str, i32)> = vec![
        (
            ok(b"<!DOCTYPE html><html><body>Login</body></html>"),
            "an HTML page, not a feed",
            1,
        ),
        (
            ok(b"; Spamhaus EDROP\n; merged into DROP\n"),
            "the feed holds no entries (only comments)",
            0,
        ),
        (ok(b""), "the feed holds no entries (only comments)", 0),
        (status(500), "HTTP 500", 0),
    ];
    for (reply, why, code) in failures {
        s.answer(move |_| reply.clone());
        let r = w.run("tl-ingest", &args, b"");
        assert_eq!(r.code, code, "{why}: {}", r.stderr);
        assert_eq!(r.stdout, ROWS, "{why}: the last good copy is used");
        assert!(r.stderr.contains("drop: STALE: "), "{why}: {}", r.stderr);
        assert!(r.stderr.contains(why), "{why}: {}", r.stderr);
        let stats: serde_json::Value =
            serde_json::from_str(r.stderr.lines().last().unwrap()).unwrap();
        assert_eq!(stats["feeds"][0]["stale"], true);
        // Told to, a stale feed fails the run (exit 1), output still written.
        let mut strict = args.to_vec();
        strict.insert(0, "--fail-on-stale");
        let r = w.run("tl-ingest", &strict, b"");
        assert_eq!(r.code, 1, "{why}");
        assert_eq!(r.stdout, ROWS);
        // -q never hides why the exit is not 0.
        strict.insert(0, "-q");
        let r = w.run("tl-ingest", &strict, b"");
        assert_eq!(r.code, 1, "{why}");
        assert!(r.stderr.contains("drop: STALE: "), "{why}: {}", r.stderr);
    }
    // Without a cache there is no good copy: an error.
    s.answer(|_| status(500));
    let r = w.run("tl-ingest", &["--retries", "0", &url], b"");
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
}

/// A server answering DROP, and a feed configuration (`feeds.toml`) with a
/// cache, `defaults` in [defaults], and the feed `drop` from the server
/// with `rest` after its url.
fn configured(defaults: &str, rest: &str) -> (Server, Workdir) {
    let s = Server::start();
    s.answer(|_| ok(DROP));
    let w = Workdir::new();
    w.write(
        "feeds.toml",
        format!(
            "[defaults]\ncache_dir = \"cache\"\n{defaults}\n[[feed]]\nname = \"drop\"\nurl = \"{}\"\n{rest}",
            s.url("/drop.txt")
        ),
    );
    (s, w)
}

#[test]
fn config_refresh_and_max_age() {
    let (s, w) = configured(
        "retries = 0\n",
        "refresh = \"1h\"\nmax_age = \"1d\"\n\n[[feed]]\nname = \"local\"\npath = \"local.txt\"\n",
    );
    w.write("local.txt", "45.155.205.233\n");
    let at = |t: &str| {
        w.run(
            "tl-ingest",
            &["--config", "feeds.toml", "--now", t, "-q"],
            b"",
        )
    };
    let r = at("2026-01-01T00:00:00Z");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 4);
    assert_eq!(s.requests().len(), 1);
    // Within the refresh interval: no request at all.
    let r = at("2026-01-01T00:30:00Z");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(s.requests().len(), 1);
    // After it, and failing: the last good copy, stale.
    s.answer(|_| status(503));
    let r = w.run(
        "tl-ingest",
        &["--config", "feeds.toml", "--now", "2026-01-01T02:00:00Z"],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("drop: STALE: "), "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 4);
    assert_eq!(s.requests().len(), 2);
    // Older than max_age: not used; the feed is an error.
    let r = at("2026-01-03T00:00:00Z");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("older than the maximum age"),
        "{}",
        r.stderr
    );
}

/// A fetched feed that accepts nothing, refuses most of its lines, shrinks
/// by more than `max_shrink` or is an HTML page is failed: exit 1, the
/// reason printed, its last good copy used (and kept: a failed copy never
/// replaces it). `--lenient` uses the copy read, with a warning.
#[test]
fn health_rules_fail_a_feed_and_keep_its_last_good_copy() {
    const NOW: &str = "2026-01-01T00:00:00Z";
    const GOOD: &[u8] = b"45.155.205.1\n45.155.205.2\n45.155.205.3\n45.155.205.4\n";
    const GOOD_ROWS: &str = "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
        45.155.205.1,ip,ips,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
        45.155.205.2,ip,ips,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
        45.155.205.3,ip,ips,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n\
        45.155.205.4,ip,ips,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1\n";
    let s = Server::start();
    s.answer(|_| ok(GOOD));
    let w = Workdir::new();
    let url = s.url("/ips.txt");
    let args = ["--now", NOW, "--cache", "cache", "--retries", "0", &url];
    let r = w.run("tl-ingest", &args, b"");
    assert_eq!((r.code, r.stdout.as_str()), (0, GOOD_ROWS), "{}", r.stderr);

    let stale = format!("tl-ingest: ips: STALE: {url}: ");
    let good = "; using the last good copy from 2026-01-01T00:00:00Z\n";
    let cases: Vec<(&[u8], &str, &str)> = vec![
        (
            b"45.155.205.1\n",
            "shrank from 4 to 1 entries since its last good copy \
             (more than the 50 % allowed by max_shrink)",
            "read 1, accepted 1, duplicates 0, rejected 0",
        ),
        (
            b"Not Found\n",
            "accepted nothing of 1 entry lines (1 refused)",
            "read 1, accepted 0, duplicates 0, rejected 1 \
             (not an IP address, CIDR or range: 1)",
        ),
        (
            b"45.155.205.1\n45.155.205.2\n45.155.205.3\nerror: quota\nerror: retry\nerror: later\nerror: again\n",
            "refused 4 of 7 entry lines (more than half)",
            "read 7, accepted 3, duplicates 0, rejected 4 \
             (not an IP address, CIDR or range: 4)",
        ),
        (
            b"<html><head><title>502 Bad Gateway</title></head></html>\n",
            "an HTML page, not a feed (an error or login page?)",
            "read 0, accepted 0, duplicates 0, rejected 0",
        ),
    ];
    for (body, why, counts) in cases {
        s.answer(move |_| ok(body));
        let r = w.run("tl-ingest", &args, b"");
        assert_eq!(r.code, 1, "{why}: {}", r.stderr);
        assert_eq!(r.stdout, GOOD_ROWS, "{why}: the last good copy is used");
        let notes: Vec<&str> = r
            .stderr
            .lines()
            .filter(|l| !l.starts_with(&format!("tl-ingest: {url}:")))
            .collect();
        assert_eq!(
            notes.join("\n") + "\n",
            format!(
                "tl-ingest: ips: FAILED: {why}; its last good copy is used\n\
                 {stale}{why}{good}\
                 tl-ingest: ips (list): read 4, accepted 4, duplicates 0, rejected 0, \
                 special-purpose 0, too wide 0, STALE, FAILED\n"
            ),
            "{why}"
        );
        // --lenient: the copy read, a warning, exit 0; the good copy stays.
        let mut lenient = args.to_vec();
        lenient.insert(0, "--lenient");
        let r = w.run("tl-ingest", &lenient, b"");
        assert_eq!(r.code, 0, "{why}: {}", r.stderr);
        assert!(r.stdout.len() < GOOD_ROWS.len(), "{why}: {}", r.stdout);
        assert!(
            r.stderr
                .contains(&format!("tl-ingest: ips: WARNING (--lenient): {why}\n")),
            "{why}: {}",
            r.stderr
        );
        assert!(
            r.stderr
                .contains(&format!("tl-ingest: ips (list): {counts}")),
            "{why}: {}",
            r.stderr
        );
    }

    // --stats json says why; max_shrink (per feed or in [defaults]) lets a
    // smaller copy through.
    s.answer(|_| ok(b"45.155.205.1\n"));
    let r = w.run(
        "tl-ingest",
        &[&["--stats", "json"], &args[..]].concat(),
        b"",
    );
    let stats: serde_json::Value = serde_json::from_str(r.stderr.lines().last().unwrap()).unwrap();
    let f = &stats["feeds"][0];
    assert_eq!(f["failed"], true);
    assert_eq!(f["withheld"], false);
    assert_eq!(
        f["failed_reasons"][0],
        "shrank from 4 to 1 entries since its last good copy \
         (more than the 50 % allowed by max_shrink)"
    );
    assert_eq!(f["stale"], true);
    for (defaults, feed) in [("max_shrink = 0.75\n", ""), ("", "max_shrink = 0.75\n")] {
        w.write(
            "feeds.toml",
            format!(
                "[defaults]\n{defaults}cache_dir = \"cache\"\nretries = 0\n\n\
                 [[feed]]\nname = \"ips\"\nurl = \"{url}\"\n{feed}"
            ),
        );
        let r = w.run("tl-ingest", &["--now", NOW, "--config", "feeds.toml"], b"");
        assert_eq!(r.code, 0, "{defaults}{feed}: {}", r.stderr);
        assert_eq!(r.stdout.lines().count(), 2, "{}", r.stdout);
        // The smaller copy is now the last good one: put the four back.
        s.answer(|_| ok(GOOD));
        assert_eq!(w.run("tl-ingest", &args, b"").code, 0);
        s.answer(|_| ok(b"45.155.205.1\n"));
    }
}

/// A configured feed whose server takes the request and never answers,
/// answers 500, an empty 200 or an HTML page: each run ends in bounded time
/// (the `timeout` of [defaults] per attempt), uses the last good copy from
/// the cache and says why; the HTML page also fails the feed (exit 1).
#[test]
fn a_configured_feed_that_hangs_or_fails_uses_its_last_good_copy() {
    use common::http::hang;
    let (s, w) = configured("timeout = \"1s\"\nretries = 1\n", "");
    let run = || {
        w.run(
            "tl-ingest",
            &["--config", "feeds.toml", "--backoff", "10ms"],
            b"",
        )
    };
    let r = run();
    assert_eq!((r.code, r.stdout.as_str()), (0, ROWS), "{}", r.stderr);
    let cases: Vec<(Reply, &str, i32)> = vec![
        (hang(), "timed out (after 2 attempts)", 0),
        (status(500), "HTTP 500 (after 2 attempts)", 0),
        (ok(b""), "the feed holds no entries (only comments)", 0),
        (
            ok(b"<html><body>Service unavailable</body></html>\n"),
            "an HTML page, not a feed",
            1,
        ),
    ];
    for (reply, why, code) in cases {
        s.answer(move |_| reply.clone());
        let t = std::time::Instant::now();
        let r = run();
        let took = t.elapsed();
        assert!(took < Duration::from_secs(10), "{why}: took {took:?}");
        assert_eq!(r.code, code, "{why}: {}", r.stderr);
        assert_eq!(r.stdout, ROWS, "{why}: the last good copy is used");
        assert!(r.stderr.contains("drop: STALE: "), "{why}: {}", r.stderr);
        assert!(r.stderr.contains(why), "{why}: {}", r.stderr);
        assert_eq!(
            r.stderr.contains("drop: FAILED: "),
            code == 1,
            "{}",
            r.stderr
        );
    }
}
