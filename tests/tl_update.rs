//! tl-update through the binary: the chain from one configuration, the
//! summary, the JSON report and the metrics, idempotent runs, evidence
//! taken in once, dry runs, guards, failed feeds, the lock.

mod common;

use common::{bin_path, Run, Workdir};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

const NOW: &str = "2026-11-27T14:00:00Z";

fn fixture(rel: &str) -> String {
    format!("{}/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"))
}

/// A world in a scratch directory: the demo's two feeds (copied, so a test
/// can change them), its profile, the test country data, and a
/// configuration whose reload command leaves a file per zone.
fn world() -> Workdir {
    let w = Workdir::new();
    fs::create_dir_all(w.path("feeds")).unwrap();
    fs::create_dir_all(w.path("profiles")).unwrap();
    for f in ["scanners.txt", "botnet-c2.netset"] {
        fs::copy(
            fixture(&format!("demo/feeds/{f}")),
            w.path(&format!("feeds/{f}")),
        )
        .unwrap();
    }
    fs::copy(
        fixture("demo/profiles/acme.toml"),
        w.path("profiles/acme.toml"),
    )
    .unwrap();
    w.write(
        "threatlist.toml",
        format!(
            "state_dir = \"state\"\nout_dir = \"out\"\nzone_dir = \"zones\"\n\
             profiles = [\"profiles\"]\nevents = [\"events\"]\n\
             [feed_defaults]\nallow_special = true\n\
             [[feed]]\nname = \"scanners\"\npath = \"feeds/scanners.txt\"\ncategory = \"scanner\"\nconfidence = 0.6\n\
             [[feed]]\nname = \"botnet-c2\"\npath = \"feeds/botnet-c2.netset\"\ncategory = \"botnet-c2\"\nconfidence = 0.9\n\
             [geo]\ncountry_csv = [\"{}\"]\n\
             [zone]\norigin = \"lists.example\"\nnsd_conf = \"nsd-zones.conf\"\nreload = \"touch reloaded-{{zone}}\"\n",
            fixture("geo/country.csv")
        ),
    );
    fs::create_dir_all(w.path("events")).unwrap();
    w
}

fn update(w: &Workdir, extra: &[&str]) -> Run {
    let mut args = vec!["--config", "threatlist.toml", "--now", NOW];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--report-json", "report.json", "--metrics", "metrics.prom"]);
    w.run("tl-update", &args, b"")
}

fn report(w: &Workdir) -> Value {
    serde_json::from_str(&w.read("report.json")).unwrap()
}

/// name → value of a JSON array of objects with a `name` (or `origin`).
fn by<'a>(v: &'a Value, list: &str, key: &str) -> BTreeMap<String, &'a Value> {
    (v[list].as_array().unwrap().iter())
        .map(|x| (x[key].as_str().unwrap_or("").to_string(), x))
        .collect()
}

/// Every file under `dir` with its content, links with their target.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            let t = e.file_type().unwrap();
            if t.is_symlink() {
                out.insert(
                    rel,
                    fs::read_link(&p)
                        .unwrap()
                        .to_string_lossy()
                        .as_bytes()
                        .to_vec(),
                );
            } else if t.is_dir() {
                stack.push(p);
            } else {
                out.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn reloaded(w: &Workdir) -> Vec<String> {
    let mut v: Vec<String> = (fs::read_dir(w.dir.path()).unwrap().flatten())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("reloaded-"))
        .collect();
    v.sort();
    v
}

#[test]
fn runs_the_chain_then_a_second_run_changes_nothing() {
    let w = world();
    let r = update(&w, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // The summary: counts for people, families apart, where things are.
    assert!(
        r.stdout.contains("feeds: 2 fresh, 0 stale, 0 failed\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("acme: published serial 1; added "),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("  block-in  3 prefixes · 272 IPv4 addresses · 1 IPv6 /64\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("zones: 2 changed, 0 unchanged, 2 reloaded\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("lists:  out/<profile>/\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.ends_with("published\n"), "{}", r.stdout);
    let j = report(&w);
    assert_eq!(j["verdict"], "published");
    let feeds = by(&j, "feeds", "name");
    assert_eq!(feeds.len(), 2);
    assert!(feeds
        .values()
        .all(|f| f["status"] == "fresh" && f["added"] == true));
    let acme = &j["profiles"][0];
    assert_eq!(
        (acme["name"].as_str(), acme["serial"].as_u64()),
        (Some("acme"), Some(1))
    );
    assert_eq!(acme["lists"][0]["ipv4_addresses"], 272);
    assert_eq!(acme["lists"][0]["ipv6_addresses"], "18446744073709551616");
    let zones = by(&j, "zones", "origin");
    assert_eq!(
        zones.keys().collect::<Vec<_>>(),
        ["acme.lists.example", "acme.rpz.lists.example"]
    );
    assert!(zones
        .values()
        .all(|z| z["changed"] == true && z["reloaded"] == true));
    assert_eq!(
        reloaded(&w),
        [
            "reloaded-acme.lists.example",
            "reloaded-acme.rpz.lists.example"
        ]
    );
    assert!(w.path("zones/acme.zone").exists() && w.path("zones/nsd-zones.conf").exists());
    assert!(w.path("out/acme/block-in.txt").exists());
    let serials: Vec<u64> = zones
        .values()
        .map(|z| z["serial"].as_u64().unwrap())
        .collect();

    // Again, nothing new: same serials, nothing reloaded, the state as it
    // was (the same time, no evidence added twice).
    for f in reloaded(&w) {
        fs::remove_file(w.path(&f)).unwrap();
    }
    let zones_before = tree(&w.path("zones"));
    let r = update(&w, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("acme: unchanged, serial 1\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("zones: 0 changed, 2 unchanged, 0 reloaded\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.ends_with("nothing changed\n"), "{}", r.stdout);
    let j = report(&w);
    assert_eq!(j["verdict"], "unchanged");
    assert!(by(&j, "feeds", "name")
        .values()
        .all(|f| f["added"] == false));
    let zones = by(&j, "zones", "origin");
    let again: Vec<u64> = zones
        .values()
        .map(|z| z["serial"].as_u64().unwrap())
        .collect();
    assert_eq!(again, serials);
    assert!(reloaded(&w).is_empty());
    assert_eq!(tree(&w.path("zones")), zones_before);
    assert_eq!(
        fs::read(w.path("state/runs/000001/state.tls")).unwrap(),
        fs::read(w.path("state/runs/000002/state.tls")).unwrap()
    );
    assert_eq!(
        fs::read_link(w.path("state/current")).unwrap(),
        Path::new("runs/000002")
    );
}

#[test]
fn an_event_file_is_taken_in_once() {
    let w = world();
    w.write(
        "events/sensors.csv",
        "time,source,sensor,port,proto,count\n\
         2026-11-27T10:00:00Z,192.0.2.77,s1,22,tcp,4\n\
         2026-11-27T10:00:00Z,192.0.2.77,s2,22,tcp,3\n\
         2026-11-27T11:00:00Z,192.0.2.77,s3,23,tcp,5\n",
    );
    let explain = |w: &Workdir| {
        let r = w.run(
            "tl-score",
            &[
                "explain",
                "--state",
                "state/current/state.tls",
                "--now",
                NOW,
                "192.0.2.77",
            ],
            b"",
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    let r = update(&w, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = report(&w);
    assert_eq!(j["events"]["rows"], 3);
    assert_eq!(j["events"]["files"].as_array().unwrap().len(), 1);
    let first = explain(&w);
    assert!(first.contains(",s1,") && first.contains(",s3,"), "{first}");
    for _ in 0..2 {
        let r = update(&w, &[]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let j = report(&w);
        assert_eq!(j["events"]["files"].as_array().unwrap().len(), 0);
        assert_eq!(j["events"]["seen"], 1);
        assert_eq!(explain(&w), first);
    }
    // A file changed after it was taken in is skipped and named.
    w.write(
        "events/sensors.csv",
        "time,source,sensor,port,proto,count\n2026-11-27T12:00:00Z,192.0.2.77,s4,22,tcp,1\n",
    );
    let r = update(&w, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("events/sensors.csv: changed after it was scored; skipped"),
        "{}",
        r.stderr
    );
    assert_eq!(explain(&w), first);
    // A new file is taken in.
    w.write(
        "events/more.csv",
        "time,source,sensor,port,proto,count\n2026-11-27T12:00:00Z,192.0.2.77,s4,22,tcp,1\n",
    );
    let r = update(&w, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(explain(&w).contains(",s4,"));
}

#[test]
fn a_dry_run_changes_nothing_and_tells_what_a_run_would_do() {
    let w = world();
    assert_eq!(update(&w, &[]).code, 0);
    for f in reloaded(&w) {
        fs::remove_file(w.path(&f)).unwrap();
    }
    let mut feed = fs::read_to_string(w.path("feeds/botnet-c2.netset")).unwrap();
    feed.push_str("198.51.100.99\n");
    w.write("feeds/botnet-c2.netset", feed);
    let before: Vec<_> = ["state", "out", "zones"]
        .iter()
        .map(|d| tree(&w.path(d)))
        .collect();
    let r = update(&w, &["--dry-run"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("(dry run: nothing was changed)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("acme: published serial 2; added 1 prefix · 1 IPv4 address;"),
        "{}",
        r.stdout
    );
    let after: Vec<_> = ["state", "out", "zones"]
        .iter()
        .map(|d| tree(&w.path(d)))
        .collect();
    assert!(before == after, "a dry run changed files");
    assert!(reloaded(&w).is_empty(), "a dry run reloaded");
    let dry = report(&w);
    assert_eq!(dry["dry_run"], true);
    // The paths of the report are the real ones.
    let file = dry["zones"][0]["file"].as_str().unwrap();
    assert!(
        file.ends_with("zones/acme.zone") && !file.contains("dry-run"),
        "{file}"
    );
    // The real run does what the dry run said.
    let r = update(&w, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let real = report(&w);
    for key in ["profiles", "zones", "verdict"] {
        let strip = |v: &Value| {
            let mut v = v.clone();
            if let Some(a) = v.as_array_mut() {
                for z in a.iter_mut() {
                    z.as_object_mut().map(|o| o.remove("reloaded"));
                }
            }
            v
        };
        assert_eq!(strip(&real[key]), strip(&dry[key]), "{key}");
    }
    assert_eq!(reloaded(&w).len(), 2);
}

#[test]
fn a_guard_holds_a_profile_back_and_the_old_version_stays() {
    let w = world();
    assert_eq!(update(&w, &[]).code, 0);
    // A public resolver in a C2 feed: the canary guard refuses it.
    let mut feed = fs::read_to_string(w.path("feeds/botnet-c2.netset")).unwrap();
    feed.push_str("8.8.8.8\n");
    w.write("feeds/botnet-c2.netset", feed);
    let r = update(&w, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("acme: held back, serial 1 stays\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("  held by canary: "), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("acme: not published; serial 1 stays in force"),
        "{}",
        r.stderr
    );
    let j = report(&w);
    assert_eq!(j["verdict"], "held-back");
    assert_eq!(j["profiles"][0]["holds"][0]["guard"], "canary");
    let m = w.read("metrics.prom");
    assert!(
        m.contains("threatlist_profile_held_back{profile=\"acme\"} 1\n"),
        "{m}"
    );
    assert!(
        m.contains("threatlist_guard_holds{profile=\"acme\",guard=\"canary\"} 2\n"),
        "{m}"
    );
    assert!(m.contains("threatlist_update_exit_code 1\n"), "{m}");
    assert!(!fs::read_to_string(w.path("out/acme/block-in.txt"))
        .unwrap()
        .contains("8.8.8.8"));
}

#[test]
fn a_failed_feed_is_named_and_its_evidence_stays() {
    let w = world();
    assert_eq!(update(&w, &[]).code, 0);
    let entries = report(&w)["score"]["entries"].clone();
    fs::remove_file(w.path("feeds/scanners.txt")).unwrap();
    let r = update(&w, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("feeds: 1 fresh, 0 stale, 1 failed\n  failed scanners: "),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.contains("tl-update: feed scanners: "),
        "{}",
        r.stderr
    );
    let j = report(&w);
    assert_eq!(j["score"]["entries"], entries);
    let f = by(&j, "feeds", "name");
    assert_eq!(f["scanners"]["status"], "failed");
    assert_eq!(f["scanners"]["consecutive_failures"], 1);
    assert!(f["scanners"]["error"]
        .as_str()
        .unwrap()
        .contains("scanners.txt"));
    let m = w.read("metrics.prom");
    assert!(
        m.contains("threatlist_feed_up{feed=\"scanners\"} 0\n"),
        "{m}"
    );
    assert!(
        m.contains("threatlist_feed_up{feed=\"botnet-c2\"} 1\n"),
        "{m}"
    );
    assert!(
        m.contains("threatlist_feed_consecutive_failures{feed=\"scanners\"} 1\n"),
        "{m}"
    );
    assert!(r.stdout.ends_with("nothing changed\n"), "{}", r.stdout);

    // A feed failed by the health rules (an HTML page in place of the
    // list; a file has no good copy) is failed the same way.
    w.write(
        "feeds/scanners.txt",
        "<!DOCTYPE html><html><body>Sign in</body></html>\n",
    );
    let r = update(&w, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let j = report(&w);
    assert_eq!(j["score"]["entries"], entries);
    let f = by(&j, "feeds", "name");
    assert_eq!(f["scanners"]["status"], "failed");
    assert_eq!(f["scanners"]["consecutive_failures"], 2);
    assert_eq!(
        f["scanners"]["error"],
        "an HTML page, not a feed (an error or login page?)"
    );
    assert!(r.stdout.ends_with("nothing changed\n"), "{}", r.stdout);
}

#[test]
fn the_metrics_file_is_well_formed() {
    let w = world();
    assert_eq!(update(&w, &[]).code, 0);
    let m = w.read("metrics.prom");
    let mut declared = std::collections::BTreeSet::new();
    let mut samples = 0;
    for line in m.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert_eq!(kind, "gauge");
            assert!(declared.insert(name.to_string()), "{name} declared twice");
        } else if !line.starts_with("# HELP ") {
            let (series, value) = line.rsplit_once(' ').unwrap();
            let name = series.split('{').next().unwrap();
            assert!(declared.contains(name), "{name} before its TYPE");
            assert!(value.parse::<f64>().is_ok(), "{line}");
            assert!(
                name.starts_with("threatlist_")
                    && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
            );
            samples += 1;
        }
    }
    assert!(samples > 20, "{m}");
    for family in [
        "update_step_duration_seconds{step=\"compile\"}",
        "feed_age_seconds{feed=\"scanners\"}",
        "profile_entries{profile=\"acme\",list=\"block-in\"} 3",
        "profile_addresses{profile=\"acme\",list=\"block-in\",family=\"ipv4\"} 272",
        "zone_serial{zone=\"acme.lists.example\"}",
        "score_entries",
    ] {
        assert!(m.contains(&format!("threatlist_{family}")), "{family}\n{m}");
    }
}

#[test]
fn refusals_exit_2() {
    let w = world();
    // Another run holds the lock.
    fs::create_dir_all(w.path("state")).unwrap();
    let lock = threatlist::files::lock(&w.path("state/lock"))
        .unwrap()
        .unwrap();
    let r = update(&w, &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("another tl-update run holds") && r.stderr.contains("state/lock"),
        "{}",
        r.stderr
    );
    assert!(w
        .read("metrics.prom")
        .contains("threatlist_update_exit_code 2\n"));
    drop(lock);
    assert_eq!(update(&w, &[]).code, 0);
    // A time before the state's.
    let r = w.run(
        "tl-update",
        &[
            "--config",
            "threatlist.toml",
            "--now",
            "2026-11-26T00:00:00Z",
        ],
        b"",
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("is before the state's (2026-11-27T14:00:00Z); replay from a copy"),
        "{}",
        r.stderr
    );
    // A bad configuration: file and line.
    let mut text = w.read("threatlist.toml");
    text.push_str("colour = \"red\"\n");
    w.write("bad.toml", text);
    let r = w.run("tl-update", &["--config", "bad.toml"], b"");
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("tl-update: bad.toml:"), "{}", r.stderr);
    assert!(r.stderr.contains("unknown field `colour`"), "{}", r.stderr);
    let _ = bin_path("tl-update");
}

/// The bundled demo's configuration with everything it writes moved into
/// `w`, and a reload command that leaves a file per zone.
fn demo_config(w: &Workdir) -> String {
    let dir = fixture("demo");
    let text = fs::read_to_string(format!("{dir}/threatlist.toml")).unwrap();
    let mut c: toml::Table = toml::from_str(&text).unwrap();
    let here = |rel: &str| toml::Value::String(w.path(rel).to_string_lossy().into_owned());
    let there = |v: &toml::Value| toml::Value::String(format!("{dir}/{}", v.as_str().unwrap()));
    for (key, rel) in [
        ("state_dir", "state"),
        ("out_dir", "out"),
        ("zone_dir", "zones"),
        ("rules_dir", "rules"),
    ] {
        c.insert(key.into(), here(rel));
    }
    c.insert("feeds".into(), there(&c["feeds"]));
    for key in ["events", "profiles"] {
        let v: Vec<toml::Value> = c[key].as_array().unwrap().iter().map(there).collect();
        c.insert(key.into(), v.into());
    }
    let fix = |table: &mut toml::Table, keys: &[&str]| {
        for key in keys {
            let v: Vec<toml::Value> = table[*key].as_array().unwrap().iter().map(there).collect();
            table.insert(key.to_string(), v.into());
        }
    };
    fix(
        c["geo"].as_table_mut().unwrap(),
        &["country_csv", "asn_csv"],
    );
    let logs = c["logs"].as_table_mut().unwrap();
    fix(logs, &["inputs"]);
    logs.insert("html".into(), here("report.html"));
    let zone = c["zone"].as_table_mut().unwrap();
    zone.insert("reload".into(), "touch reloaded-{zone}".into());
    toml::to_string(&c).unwrap()
}

#[test]
fn the_bundled_demo_runs_and_says_where_everything_is() {
    let w = Workdir::new();
    w.write("demo.toml", demo_config(&w));
    let run = |w: &Workdir| {
        let r = w.run(
            "tl-update",
            &["--config", "demo.toml", "--report-json", "report.json"],
            b"",
        );
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        (r, report(w))
    };
    let (r, j) = run(&w);
    assert!(
        r.stdout.contains("feeds: 5 fresh, 0 stale, 0 failed\n"),
        "{}",
        r.stdout
    );
    // Counts for people: never a long raw number (serials have 10 digits).
    let longest = r
        .stdout
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max();
    assert!(longest <= Some(10), "{}", r.stdout);
    let profiles = by(&j, "profiles", "name");
    assert_eq!(
        profiles.keys().collect::<Vec<_>>(),
        ["acme", "harbor", "resolver"]
    );
    assert!(profiles
        .values()
        .all(|p| p["outcome"] == "published" && p["serial"] == 1));
    assert_eq!(profiles["resolver"]["domains"], 4);
    let zones = by(&j, "zones", "origin");
    assert_eq!(
        zones.keys().collect::<Vec<_>>(),
        [
            "acme.lists.example",
            "acme.rpz.lists.example",
            "harbor.lists.example",
            "resolver.rpz.lists.example"
        ]
    );
    assert_eq!(reloaded(&w).len(), 4);
    assert_eq!(j["rules"][0]["profile"], "harbor");
    assert_eq!(j["rules"][0]["target"], "nftables");
    assert!(w.path("rules/harbor/nftables/threatlist.nft").exists());
    assert!(w.path("report.html").exists());
    assert_eq!(j["logs"]["events_spooled"], 115);
    // Every place the summary names exists.
    for line in r.stdout.lines() {
        for (label, path) in [
            ("lists:  ", "out"),
            ("zones:  ", "zones"),
            ("rules:  ", "rules"),
            ("report: ", "report.html"),
        ] {
            if let Some(p) = line.strip_prefix(label) {
                assert!(p.starts_with(&*w.path(path).to_string_lossy()), "{line}");
                assert!(w.path(path).exists(), "{line}");
            }
        }
    }
    if common::require(common::have_program("named-checkzone"), "named-checkzone") {
        for (origin, z) in &zones {
            let file = z["file"].as_str().unwrap();
            let c = common::run_in(w.dir.path(), "named-checkzone", &["-q", origin, file], b"");
            assert_eq!(
                c.code, 0,
                "named-checkzone {origin} {file}: {}{}",
                c.stdout, c.stderr
            );
        }
    }

    // The second run scores the events the log gave; nothing it publishes
    // changes. The third has nothing new at all.
    for f in reloaded(&w) {
        fs::remove_file(w.path(&f)).unwrap();
    }
    let (r, j) = run(&w);
    assert_eq!(j["events"]["rows"], 115);
    assert!(r.stdout.ends_with("nothing changed\n"), "{}", r.stdout);
    let (r, j) = run(&w);
    assert_eq!(j["events"]["rows"], 0);
    // What the zones leave out was said when they were written.
    assert!(!r.stderr.contains("wider than"), "{}", r.stderr);
    assert!(
        r.stdout
            .contains("evidence: 0 new feed snapshots, 0 new event files"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.ends_with("nothing changed\n"), "{}", r.stdout);
    assert!(reloaded(&w).is_empty());
    assert_eq!(
        fs::read(w.path("state/runs/000002/state.tls")).unwrap(),
        fs::read(w.path("state/runs/000003/state.tls")).unwrap()
    );
    assert_eq!(j["rules"][0]["rendered"], false);
    // Other firewall settings render the rules again, the lists unchanged.
    let text = w
        .read("demo.toml")
        .replace("name = \"threatlist\"", "name = \"tldemo\"");
    w.write("demo.toml", text);
    let (r, j) = run(&w);
    assert!(r.stdout.ends_with("nothing changed\n"), "{}", r.stdout);
    assert_eq!(j["rules"][0]["rendered"], true);
    let rules = fs::read_dir(w.path("rules/harbor/nftables")).unwrap();
    let nft: String = (rules.flatten())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".nft"))
        .map(|e| fs::read_to_string(e.path()).unwrap())
        .collect();
    assert!(nft.contains("table inet tldemo"), "{nft}");
}

/// Kills `tl-update` (SIGKILL) at points through a run, again and again;
/// after each kill what is published is whole (the state's run in force,
/// every profile's version in force, every zone file), and runs to the end
/// afterwards reach exactly what runs never killed reach: nothing is lost
/// or counted twice.
#[test]
fn a_run_killed_anywhere_leaves_whole_outputs_and_counts_nothing_twice() {
    let reference = Workdir::new();
    reference.write("demo.toml", demo_config(&reference));
    let full = |w: &Workdir| {
        let r = w.run("tl-update", &["--config", "demo.toml", "-q"], b"");
        assert_eq!(r.code, 0, "{}", r.stderr);
    };
    // Two runs: the second scores the events the first drew from the log.
    full(&reference);
    full(&reference);

    let w = Workdir::new();
    w.write("demo.toml", demo_config(&w));
    let whole = |w: &Workdir| {
        if let Ok(run) = fs::read_link(w.path("state/current")) {
            let run = w.path("state").join(run);
            let ledger = fs::read(run.join("ledger.json")).unwrap();
            serde_json::from_slice::<Value>(&ledger).expect("the ledger in force is whole");
            assert!(run.join("state.tls").is_file() && run.join("scores.csv").is_file());
        }
        for p in ["acme", "harbor", "resolver"] {
            if let Ok(v) = fs::read_link(w.path(&format!("out/{p}"))) {
                let v = w.path("out").join(v);
                for f in [
                    "compiled.tlc",
                    "block-in.txt",
                    "evidence.crc",
                    "summary.txt",
                ] {
                    assert!(
                        v.join(f).is_file(),
                        "{p}: {f} missing from the version in force"
                    );
                }
            }
        }
        if let Ok(rd) = fs::read_dir(w.path("zones")) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.ends_with(".zone") {
                    let text = fs::read_to_string(e.path()).unwrap();
                    assert!(
                        text.contains("SOA") && text.ends_with('\n'),
                        "{name} is cut"
                    );
                }
            }
        }
    };
    let bin = bin_path("tl-update");
    for delay_ms in [0, 3, 8, 15, 25, 40, 60, 90, 130, 180, 250] {
        let mut child = std::process::Command::new(&bin)
            .args(["--config", "demo.toml", "-q"])
            .current_dir(w.dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        whole(&w);
    }
    // Runs to the end: whatever the killed runs finished, two more runs
    // (or three: one may be the one that scores the log's events) reach
    // the reference, and a further one changes nothing.
    for _ in 0..3 {
        full(&w);
    }
    let same = |rel: &str| {
        assert_eq!(
            fs::read(w.path(rel)).unwrap(),
            fs::read(reference.path(rel)).unwrap(),
            "{rel} differs from runs never killed"
        );
    };
    same("state/current/state.tls");
    same("state/current/scores.csv");
    for p in ["acme", "harbor"] {
        for list in ["block-in.txt", "block-out.txt", "allow.txt", "evidence.crc"] {
            same(&format!("out/{p}/{list}"));
        }
    }
    for z in [
        "acme.zone",
        "acme.rpz.zone",
        "harbor.zone",
        "resolver.rpz.zone",
    ] {
        same(&format!("zones/{z}"));
    }
}

/// Every profile list under `root/out` and zone file under `zroot/zones`,
/// for comparing two worlds whose paths differ.
fn published(root: &Path, zroot: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut m = BTreeMap::new();
    for p in ["acme"] {
        for f in ["block-in.txt", "block-out.txt", "allow.txt", "domains.txt"] {
            let rel = format!("out/{p}/{f}");
            m.insert(rel.clone(), fs::read(root.join(&rel)).unwrap_or_default());
        }
    }
    for z in ["acme.zone", "acme.rpz.zone"] {
        let rel = format!("zones/{z}");
        m.insert(rel.clone(), fs::read(zroot.join(&rel)).unwrap_or_default());
    }
    m
}

/// The output file systems fill up at every point of a run (the state and
/// lists on one, the zones on another): each run that cannot write stops
/// with exit 2 naming the file and "No space left on device"; the state in
/// force is the old one byte for byte, every list and zone in force is the
/// old one or the new one whole, nothing temporary is left; with room again
/// the next run publishes what a run never short of space publishes.
#[test]
fn a_full_file_system_loses_nothing_published() {
    use common::tmpfs::{leftovers, Tmpfs};
    let w = world();
    let Some(disk) = Tmpfs::mount(&w.path("fs"), "8m") else {
        return;
    };
    let Some(zdisk) = Tmpfs::mount(&w.path("zfs"), "1m") else {
        return;
    };
    let text = w
        .read("threatlist.toml")
        .replace("\"state\"", "\"fs/state\"")
        .replace("\"out\"", "\"fs/out\"")
        .replace("\"zones\"", "\"zfs/zones\"");
    w.write("threatlist.toml", text);
    let first = update(&w, &[]);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    let here = |w: &Workdir| published(&w.path("fs"), &w.path("zfs"));
    // What each next run publishes when it has room: the same world,
    // elsewhere, never short of space, after each change of a feed.
    let reference = world();
    assert_eq!(update(&reference, &[]).code, 0);
    let mut feed = w.read("feeds/botnet-c2.netset");
    let mut failed_at = Vec::new();
    for (full, added) in [
        (&disk, "198.51.100.99\n2001:db8:99::/48\n"),
        (&zdisk, "198.51.100.100\n"),
    ] {
        let old = here(&w);
        let old_state = tree(&w.path("fs/state/current/"));
        let old_link = fs::read_link(w.path("fs/state/current")).unwrap();
        feed.push_str(added);
        reference.write("feeds/botnet-c2.netset", &feed);
        assert_eq!(update(&reference, &[]).code, 0);
        let new = published(reference.dir.path(), reference.dir.path());
        assert!(old != new);
        w.write("feeds/botnet-c2.netset", &feed);
        // A page more room each time, until the run has enough.
        for free in (0..32).map(|k| k * 4096) {
            full.fill(free);
            let r = update(&w, &[]);
            full.empty();
            for (rel, bytes) in &here(&w) {
                assert!(
                    *bytes == old[rel] || *bytes == new[rel],
                    "{free} bytes free: {rel} is neither the old nor the new file, whole"
                );
            }
            if r.code == 0 {
                assert!(
                    here(&w) == new,
                    "{free} bytes free: not what a run with room publishes"
                );
                break;
            }
            assert_eq!(r.code, 2, "{free} bytes free: {}{}", r.stdout, r.stderr);
            let why = r.stderr.trim_end().to_string();
            assert!(
                why.contains(": No space left on device") && why.contains("fs/"),
                "{free} bytes free: the error names the file and the reason: {why}"
            );
            failed_at.push(why);
            assert_eq!(
                fs::read_link(w.path("fs/state/current")).unwrap(),
                old_link,
                "{free} bytes free: a run that failed put its state in force"
            );
            assert_eq!(tree(&w.path("fs/state/current/")), old_state);
            for d in ["fs", "zfs"] {
                assert_eq!(
                    leftovers(&w.path(d)),
                    Vec::<String>::new(),
                    "{free} bytes free: temporary files left: {}",
                    r.stderr
                );
            }
        }
    }
    eprintln!("{}", failed_at.join("\n"));
    // Every step that writes was cut short once: the feeds' rows, the
    // scores, a version's files, the basis, a zone file.
    for file in [
        "state/feeds/indicators/",
        "state/runs/",
        "out/.history/acme/",
        "out/.basis/",
        "zfs/zones/acme",
    ] {
        assert!(
            failed_at.iter().any(|e| e.contains(file)),
            "no run failed writing {file}: {failed_at:#?}"
        );
    }
    // The run with room put the state in force and left nothing
    // temporary; a further run changes nothing.
    let r = update(&w, &[]);
    assert!(r.stdout.ends_with("nothing changed\n"), "{}", r.stdout);
    for d in ["fs", "zfs"] {
        assert_eq!(leftovers(&w.path(d)), Vec::<String>::new());
    }
}

/// Three `tl-update`s started together on one state: exactly one runs and
/// publishes; the others stop at once with exit 2 naming the lock and write
/// nothing; what is published is what one run alone publishes.
#[test]
fn runs_started_together_publish_once() {
    let w = world();
    // A reload that takes a while keeps the winner's lock held.
    let text = w
        .read("threatlist.toml")
        .replace("reload = \"touch reloaded-{zone}\"", "reload = \"sleep 1\"");
    w.write("threatlist.toml", text);
    let bin = bin_path("tl-update");
    let children: Vec<_> = (0..3)
        .map(|i| {
            std::process::Command::new(&bin)
                .args(["--config", "threatlist.toml", "--now", NOW])
                .args(["--report-json", &format!("report-{i}.json")])
                .current_dir(w.dir.path())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let runs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let codes: Vec<i32> = runs.iter().map(|r| r.status.code().unwrap()).collect();
    let winners: Vec<usize> = (0..3).filter(|&i| codes[i] == 0).collect();
    assert_eq!(winners.len(), 1, "exit statuses {codes:?}");
    let won = winners[0];
    assert!(String::from_utf8_lossy(&runs[won].stdout).ends_with("published\n"));
    for (i, r) in runs.iter().enumerate().filter(|(i, _)| *i != won) {
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(codes[i], 2, "{err}");
        assert!(
            err.contains("another tl-update run holds") && err.contains("state/lock"),
            "{err}"
        );
        assert!(r.stdout.is_empty());
        assert!(
            !w.path(&format!("report-{i}.json")).exists() || {
                let j: Value = serde_json::from_str(&w.read(&format!("report-{i}.json"))).unwrap();
                j["profiles"].as_array().is_none_or(|p| p.is_empty())
            }
        );
    }
    // One run's state: run 1 in force, nothing else.
    assert_eq!(
        fs::read_link(w.path("state/current")).unwrap(),
        Path::new("runs/000001")
    );
    let runs: Vec<_> = fs::read_dir(w.path("state/runs")).unwrap().collect();
    assert_eq!(runs.len(), 1);
    let r = update(&w, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.ends_with("nothing changed\n"), "{}", r.stdout);
}

/// A feed over HTTP whose server takes the request and never answers,
/// answers 500, an empty 200 or an HTML page: the run ends in bounded time,
/// uses the feed's last good copy from the state's cache, names the feed
/// in the summary and the report, and publishes what it published before.
#[test]
fn a_feed_over_http_that_hangs_or_fails_keeps_its_last_good_copy() {
    use common::http::{hang, ok, status, Reply, Server};
    let s = Server::start();
    let good: &[u8] = b"198.51.100.7\n198.51.100.8\n198.51.100.9\n";
    s.answer(move |_| ok(good));
    let w = world();
    let mut text = w.read("threatlist.toml");
    text = text.replace(
        "[feed_defaults]\n",
        "[feed_defaults]\ntimeout = \"1s\"\nretries = 0\n",
    );
    text.push_str(&format!(
        "[[feed]]\nname = \"drop\"\nurl = \"{}\"\ncategory = \"botnet-c2\"\nconfidence = 0.9\n",
        s.url("/drop.txt")
    ));
    w.write("threatlist.toml", text);
    let r = update(&w, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let j = report(&w);
    let drop = by(&j, "feeds", "name")["drop"].clone();
    assert_eq!(
        (&drop["status"], &drop["entries"]),
        (&"fresh".into(), &3.into())
    );
    let lists = tree(&w.path("out/acme/"));
    let zones = tree(&w.path("zones"));
    // The server's fault, how the feed is reported, and why.
    let html = "an HTML page, not a feed (an error or login page?)";
    let cases: Vec<(Reply, &str, &str)> = vec![
        (hang(), "stale", "timed out (after 1 attempt)"),
        (status(500), "stale", "HTTP 500 (after 1 attempt)"),
        (
            ok(b""),
            "stale",
            "the feed holds no entries (only comments)",
        ),
        (
            ok(b"<html><body>Service unavailable</body></html>\n"),
            "failed",
            html,
        ),
    ];
    for (reply, state, why) in cases {
        s.answer(move |_| reply.clone());
        let t = std::time::Instant::now();
        let r = update(&w, &[]);
        let took = t.elapsed();
        // One attempt of the configured 1 s, and the rest of the run.
        assert!(
            took < std::time::Duration::from_secs(15),
            "{why}: took {took:?}"
        );
        assert_eq!(r.code, 0, "{why}: {}{}", r.stdout, r.stderr);
        let j = report(&w);
        let f = by(&j, "feeds", "name")["drop"].clone();
        assert_eq!(f["status"], state, "{why}: {f}");
        let summary = format!("  {state} drop: ");
        if state == "stale" {
            let said = f["stale_reasons"][0].as_str().unwrap();
            assert!(said.contains(why), "{why}: {f}");
            assert!(said.ends_with("; using the last good copy from 2026-11-27T14:00:00Z"));
            assert!(
                r.stdout.contains("feeds: 2 fresh, 1 stale, 0 failed\n"),
                "{}",
                r.stdout
            );
        } else {
            assert_eq!(f["error"], why, "{f}");
            assert_eq!(f["consecutive_failures"], 1, "{f}");
            assert!(
                r.stdout.contains("feeds: 2 fresh, 0 stale, 1 failed\n"),
                "{}",
                r.stdout
            );
            let m = w.read("metrics.prom");
            assert!(m.contains("threatlist_feed_up{feed=\"drop\"} 0\n"), "{m}");
        }
        assert!(r.stdout.contains(&summary), "{why}: {}", r.stdout);
        assert!(
            r.stdout.ends_with("nothing changed\n"),
            "{why}: {}",
            r.stdout
        );
        assert_eq!(tree(&w.path("out/acme/")), lists, "{why}");
        assert_eq!(tree(&w.path("zones")), zones, "{why}");
    }
}

/// With an ASN database under `[geo]`, a Spamhaus ASN-DROP feed's ASes
/// become their networks in the run (as `tl-ingest --asn-db` does): AS64511
/// is 203.0.113.0/25 in the test database, and it is scored and listed.
/// Without the database the AS is counted unsupported and nothing of it
/// is listed.
#[test]
fn asn_drop_feeds_expand_with_the_configured_asn_database() {
    let run = |asn_db: bool| {
        let w = world();
        let r = w.run(
            "tl-geo",
            &["build", "--db", "asn.mmdb", &fixture("geo/asn.csv")],
            b"",
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        w.write(
            "feeds/asndrop.json",
            "{\"asn\":64511,\"sblid\":\"SBL9\",\"rir\":\"ripencc\",\"cc\":\"XX\",\"asname\":\"BPH\"}\n\
             {\"type\":\"metadata\",\"timestamp\":1795737600}\n",
        );
        let mut config = w.read("threatlist.toml").replace(
            "[geo]\n",
            "[[feed]]\nname = \"asndrop\"\npath = \"feeds/asndrop.json\"\nformat = \"spamhaus-json\"\n\
             category = \"botnet-c2\"\nconfidence = 0.9\n[geo]\n",
        );
        if asn_db {
            config = config.replace("[geo]\n", "[geo]\nasn_db = \"asn.mmdb\"\n");
        }
        w.write("threatlist.toml", config);
        let r = update(&w, &[]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        let scores = w.read("state/current/scores.csv");
        let block_out = w.read("out/acme/block-out.txt");
        let feed = by(&report(&w), "feeds", "name")["asndrop"].clone();
        (r.stdout, scores, block_out, feed)
    };
    let (stdout, scores, block_out, feed) = run(true);
    assert!(
        stdout.contains(
            "feeds: 3 fresh, 0 stale, 0 failed
"
        ) && stdout.contains(
            "15 entries scored, 5 listed
"
        ),
        "{stdout}"
    );
    assert!(
        scores.contains("\n203.0.113.0/25,net,2.360,botnet-c2,asndrop,"),
        "{scores}"
    );
    // The AS's /25 joins the botnet feed's other half into the /24.
    assert_eq!(
        block_out,
        "192.0.2.200/29\n198.51.100.0/28\n203.0.113.0/24\n2001:db8:c2::/64\n"
    );
    assert_eq!(feed["entries"], 1, "{feed}");
    let (stdout, scores, block_out, feed) = run(false);
    assert!(stdout.contains("14 entries scored, 4 listed\n"), "{stdout}");
    assert!(!scores.contains("asndrop"), "{scores}");
    assert_eq!(
        block_out,
        "192.0.2.200/29\n198.51.100.0/28\n203.0.113.128/25\n2001:db8:c2::/64\n"
    );
    assert_eq!(feed["entries"], 0, "{feed}");
}
