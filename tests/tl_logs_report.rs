//! `tl-logs --html`: the demo profile compiled by the real binaries, the
//! demo log (`fixtures/logs/demo/kern.log`: inside hosts of acme's own
//! networks calling out to listed addresses, listed scanners coming in)
//! analysed into one self-contained page; the page is deterministic, refers
//! to nothing outside itself, and headless Chromium draws every chart at a
//! non-zero size without loading anything. Without Chromium the rendering
//! test says `SKIP:`; under CI it fails.

mod common;
use common::{have_program, ok, require, run_in, Run};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// The demo's clock: the lists are compiled before the log begins.
const NOW: &str = "2026-12-01T00:00:00Z";
/// The log's modification time: syslog lines carry no year, and this one
/// puts them in December 2026.
const LOG_MTIME: u64 = 1_796_688_000; // 2026-12-08T00:00:00Z

const CHROMIUM: &str = "/usr/bin/chromium";

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

/// A directory with the demo profile compiled (`out/acme`) and the demo log
/// (`kern.log`, its modification time fixed), as the README's first command
/// builds them.
fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let feeds = fixture("demo/feeds.toml");
    ok(
        "tl-ingest",
        run_in(
            d,
            env!("CARGO_BIN_EXE_tl-ingest"),
            &["--config", &feeds, "--now", NOW, "-o", "indicators.csv"],
            b"",
        ),
    );
    ok(
        "tl-score",
        run_in(
            d,
            env!("CARGO_BIN_EXE_tl-score"),
            &[
                "--feeds",
                &feeds,
                "--now",
                NOW,
                "-o",
                "scores.csv",
                "indicators.csv",
            ],
            b"",
        ),
    );
    ok(
        "tl-geo",
        run_in(
            d,
            env!("CARGO_BIN_EXE_tl-geo"),
            &["build", "--db", "geo.mmdb", &fixture("geo/country.csv")],
            b"",
        ),
    );
    ok(
        "tl-compile",
        run_in(
            d,
            env!("CARGO_BIN_EXE_tl-compile"),
            &[
                "--scores",
                "scores.csv",
                "--profiles",
                &fixture("demo/profiles"),
                "--geo-db",
                "geo.mmdb",
                "--now",
                NOW,
                "--out",
                "out",
            ],
            b"",
        ),
    );
    let log = d.join("kern.log");
    std::fs::copy(fixture("logs/demo/kern.log"), &log).unwrap();
    let f = std::fs::File::options().write(true).open(&log).unwrap();
    f.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(LOG_MTIME))
        .unwrap();
    dir
}

fn report(dir: &Path, name: &str) -> (Run, String) {
    let r = run_in(
        dir,
        env!("CARGO_BIN_EXE_tl-logs"),
        &[
            "--profile",
            "out/acme",
            "--html",
            name,
            "--json",
            &format!("{name}.json"),
            "kern.log",
        ],
        b"",
    );
    let html = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    (r, html)
}

#[test]
fn the_demo_report_is_one_deterministic_self_contained_page() {
    let dir = demo();
    let (r, page) = report(dir.path(), "report.html");
    let r = ok("tl-logs", r);
    assert!(
        r.stdout.contains("3 inside hosts called out"),
        "{}",
        r.stdout
    );
    // Same analysis, same bytes.
    let (_, again) = report(dir.path(), "again.html");
    assert_eq!(page, again);

    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<title>Log report: acme</title>"));
    // Nothing outside the page: no URL, no source, no script, no style
    // sheet or font to fetch.
    for banned in [
        "http://",
        "https://",
        "src=",
        "<script",
        "<link",
        "url(",
        "@import",
        "<iframe",
        "<img",
        "<object",
        "<embed",
        "xlink:href",
        "@font-face",
    ] {
        assert!(!page.contains(banned), "the page has {banned}");
    }
    for href in page.split("href=\"").skip(1) {
        assert!(href.starts_with('#'), "a link out: {}", &href[..40]);
    }
    // The charts, each accessible.
    for id in [
        "timeline-chart",
        "hosts-chart",
        "sources-chart",
        "feeds-chart",
        "categories-chart",
        "countries-chart",
        "lists-chart",
        "ports-chart",
    ] {
        let at = page
            .find(&format!("<svg id=\"{id}\""))
            .unwrap_or_else(|| panic!("no {id}"));
        let svg = &page[at..at + page[at..].find("</svg>").unwrap()];
        assert!(svg.contains("role=\"img\""), "{id}");
        assert!(svg.contains(&format!("<title id=\"{id}-t\">")), "{id}");
        assert!(svg.contains(&format!("<desc id=\"{id}-d\">")), "{id}");
        assert!(!svg.contains(">no hits</text>"), "{id} is empty");
    }
    // The candidates with their destinations, the sources, the file.
    for text in [
        "<b>192.0.2.5</b>55 hits to 3 destinations",
        "<b>192.0.2.9</b>",
        "<b>192.0.2.12</b>",
        "<td>203.0.113.200</td><td class=\"w\">block-out</td>",
        "<td>192.0.2.203</td>",
        "<th scope=\"row\" class=\"w\">203.0.113.9</th>",
        "<th scope=\"row\">kern.log</th><td>netfilter</td>",
        "not a line of this format",
    ] {
        assert!(page.contains(text), "no {text}");
    }
    // The page agrees with the JSON.
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("report.html.json")).unwrap(),
    )
    .unwrap();
    let hosts = json["candidates"].as_array().unwrap();
    assert_eq!(hosts.len(), 3);
    for h in hosts {
        assert!(page.contains(&format!("<b>{}</b>", h["host"].as_str().unwrap())));
    }

    // A log without a hit still gets its page (exit 1: no event matched),
    // every chart saying so.
    std::fs::write(
        dir.path().join("quiet.log"),
        "Dec  7 11:00:01 gw kernel: [UFW BLOCK] IN=eth0 OUT= SRC=198.18.0.1 \
         DST=192.0.2.3 PROTO=TCP SPT=1 DPT=22\n",
    )
    .unwrap();
    let r = run_in(
        dir.path(),
        env!("CARGO_BIN_EXE_tl-logs"),
        &[
            "-q",
            "--profile",
            "out/acme",
            "--html",
            "quiet.html",
            "quiet.log",
        ],
        b"",
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let quiet = std::fs::read_to_string(dir.path().join("quiet.html")).unwrap();
    assert_eq!(quiet.matches("<svg ").count(), 8);
    assert_eq!(quiet.matches(">no hits</text>").count(), 8);
}

/// Runs Chromium headless with a fresh profile; its standard output, or
/// `None` after `limit`.
fn chromium(args: &[&str], limit: Duration) -> Option<String> {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn chromium");
    let out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut { out }, &mut s);
        s
    });
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return Some(reader.join().unwrap());
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The report with a measuring script added (the report itself has none):
/// once loaded, it writes each chart's rendered size and its drawn bars,
/// and every resource the page loaded, into the document.
fn measuring(page: &str) -> String {
    const PROBE: &str = r#"<script>
window.addEventListener('load', function () {
  var lines = [];
  document.querySelectorAll('svg').forEach(function (s) {
    var r = s.getBoundingClientRect();
    var bars = 0;
    s.querySelectorAll('rect.in, rect.out').forEach(function (b) {
      var q = b.getBoundingClientRect();
      if (q.width > 0 && q.height > 0) bars++;
    });
    lines.push('svg ' + s.id + ' ' + Math.round(r.width) + ' ' + Math.round(r.height) + ' ' + bars);
  });
  performance.getEntriesByType('resource').forEach(function (e) {
    lines.push('resource ' + e.name);
  });
  var pre = document.createElement('pre');
  pre.id = 'tl-probe';
  pre.textContent = lines.join('\n') + '\nend';
  document.body.appendChild(pre);
});
</script>
"#;
    let at = page.rfind("</body>").expect("</body>");
    format!("{}{PROBE}{}", &page[..at], &page[at..])
}

#[test]
fn chromium_draws_every_chart_and_loads_nothing() {
    if !require(have_program(CHROMIUM), "chromium") {
        return;
    }
    let dir = demo();
    let (r, page) = report(dir.path(), "report.html");
    ok("tl-logs", r);
    let wrapper = dir.path().join("measure.html");
    std::fs::write(&wrapper, measuring(&page)).unwrap();
    let url = format!("file://{}", wrapper.display());
    let dom = chromium(
        &[
            "--window-size=1200,2400",
            "--virtual-time-budget=5000",
            "--dump-dom",
            &url,
        ],
        Duration::from_secs(120),
    )
    .expect("chromium did not finish in 120 s");
    let probe = dom
        .split("<pre id=\"tl-probe\">")
        .nth(1)
        .and_then(|p| p.split("</pre>").next())
        .unwrap_or_else(|| panic!("the probe did not run:\n{dom}"));
    assert!(probe.ends_with("end"), "{probe}");
    let resources: Vec<&str> = probe
        .lines()
        .filter(|l| l.starts_with("resource "))
        .collect();
    assert!(resources.is_empty(), "the page loaded {resources:?}");
    let svgs: Vec<(String, u32, u32, u32)> = probe
        .lines()
        .filter_map(|l| l.strip_prefix("svg "))
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            let n = |i: usize| f[i].parse::<u32>().unwrap();
            (f[0].to_string(), n(1), n(2), n(3))
        })
        .collect();
    assert_eq!(svgs.len(), 8, "{probe}");
    for (id, w, h, bars) in &svgs {
        assert!(*w >= 200 && *h >= 40, "{id} drawn at {w}×{h}");
        assert!(*bars > 0, "{id} has no bar drawn");
    }
    let bars = |id: &str| svgs.iter().find(|s| s.0 == id).unwrap().3;
    // Three candidate hosts, six listed sources; every hour of the log
    // with an inbound hit, and outbound from the evening the machine was
    // infected.
    assert_eq!(bars("hosts-chart"), 3);
    assert_eq!(bars("sources-chart"), 6);
    assert_eq!(bars("timeline-chart"), 30 + 18);
}
