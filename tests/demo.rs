//! The bundled demo (`fixtures/demo/`), run through today's binaries with
//! the clock of its `threatlist.toml`: five feeds in five formats, sensor
//! events, the demo geo databases built from CSV, three profiles, their
//! zones. Pins what each profile publishes: harbor's allow-listed scanner
//! carved out of its blocked range, resolver's RPZ of domains and nothing
//! else, and acme's lists exactly as before the demo grew (without the
//! events) and with them.

mod common;
use common::{have_program, ok, require, run_in};
use std::path::{Path, PathBuf};

/// The demo's clock, as `threatlist.toml` sets it.
const NOW: &str = "2026-12-07T14:00:00Z";

fn demo(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/demo")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

/// What the chain is fed besides the feeds.
struct World {
    /// Score the sensor events of `events.csv` too.
    events: bool,
    /// The country CSV the geo database is built from.
    country: String,
    asn: String,
}

impl World {
    /// The demo as `threatlist.toml` describes it.
    fn demo() -> World {
        World {
            events: true,
            country: demo("geo/country.csv"),
            asn: demo("geo/asn.csv"),
        }
    }

    /// The demo as the tests that predate it run it: the feeds alone, the
    /// shared test geo data (`fixtures/geo`).
    fn feeds_only() -> World {
        let geo = |f: &str| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/geo")
                .join(f)
                .to_string_lossy()
                .into_owned()
        };
        World {
            events: false,
            country: geo("country.csv"),
            asn: geo("asn.csv"),
        }
    }
}

/// ingest → score → geo → compile → zone in a new directory, every step a
/// binary with the demo's clock.
fn chain(w: &World) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bin = |b: &str, args: &[&str]| ok(b, run_in(d, common::bin_path(b), args, b""));
    let feeds = demo("feeds.toml");
    let r = bin(
        "tl-ingest",
        &["--config", &feeds, "--now", NOW, "-o", "indicators.csv"],
    );
    // Every feed is read in its own format, nothing refused.
    for line in [
        "tl-ingest: botnet-c2 (firehol): read 7, accepted 4,",
        "tl-ingest: bruteforce (csv): read 10, accepted 5,",
        "tl-ingest: c2-domains (hosts): read 8, accepted 4,",
        "tl-ingest: exploits (json): read 4, accepted 4,",
        "tl-ingest: scanners (list): read 10, accepted 10,",
    ] {
        assert!(r.stderr.contains(line), "{line}\n{}", r.stderr);
    }
    assert!(!r.stderr.contains("rejected 1"), "{}", r.stderr);
    let events = demo("events.csv");
    let mut score = vec!["--feeds", &feeds, "--now", NOW, "-o", "scores.csv"];
    if w.events {
        score.extend(["--events", &events]);
    }
    score.push("indicators.csv");
    bin("tl-score", &score);
    bin("tl-geo", &["build", "--db", "country.mmdb", &w.country]);
    bin("tl-geo", &["build", "--db", "asn.mmdb", &w.asn]);
    let profiles = demo("profiles");
    let r = bin(
        "tl-compile",
        &[
            "--scores",
            "scores.csv",
            "--profiles",
            &profiles,
            "--geo-db",
            "country.mmdb",
            "--asn-db",
            "asn.mmdb",
            "--now",
            NOW,
            "--out",
            "out",
        ],
    );
    assert_eq!(r.stdout.lines().count(), 3, "three profiles: {}", r.stdout);
    std::fs::create_dir(d.join("zones")).unwrap();
    bin(
        "tl-zone",
        &[
            "--out",
            "out",
            "--origin",
            "lists.example",
            "--now",
            NOW,
            "-o",
            "zones",
            "--nsd-conf",
            "zones/nsd-zones.conf",
        ],
    );
    dir
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn lines(dir: &Path, rel: &str) -> Vec<String> {
    read(dir, rel).lines().map(String::from).collect()
}

/// The zone files written, by name.
fn zone_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("zones"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".zone"))
        .collect();
    names.sort();
    names
}

#[test]
fn the_scores_of_the_demo_world() {
    let dir = chain(&World::demo());
    // indicator and score of every listed row: the feeds in five formats,
    // corroborated by the sensors (198.51.100.66, .10) or by each other
    // (198.51.100.100), and one sensor's 500 events (198.51.100.200) not
    // enough alone.
    let rows: Vec<String> = lines(dir.path(), "scores.csv")
        .iter()
        .skip(1)
        .map(|l| l.splitn(4, ',').take(3).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(
        rows,
        [
            "198.51.100.10,ip,2.850",
            "100.64.12.0/22,net,2.700",
            "198.51.100.0/28,net,2.700",
            "203.0.113.128/25,net,2.700",
            "2001:db8:c2::/64,net,2.700",
            "beacon.tidewater.test,domain,2.700",
            "c2.crabnet.example,domain,2.700",
            "gate.crabnet.example,domain,2.700",
            "update.crabnet.example,domain,2.700",
            "198.51.100.66,ip,2.539",
            "198.51.100.100,ip,2.257",
            "198.19.44.0/24,net,2.000",
            "198.51.100.101,ip,2.000",
        ]
    );
}

#[test]
fn harbor_blocks_its_range_except_its_own_scanner() {
    let dir = chain(&World::demo());
    let d = dir.path();
    let block = [
        "198.19.44.0/24",
        "198.51.100.0/29",
        "198.51.100.8",
        "198.51.100.10/31",
        "198.51.100.12/30",
        "198.51.100.66",
        "198.51.100.100/31",
        "203.0.113.0/26",
        "203.0.113.64/29",
        "203.0.113.72/30",
        "203.0.113.76",
        "203.0.113.78/31",
        "203.0.113.80/28",
        "203.0.113.96/27",
        "203.0.113.128/25",
        "2001:db8:c2::/64",
    ];
    assert_eq!(lines(d, "out/harbor/block-in.txt"), block);
    assert_eq!(lines(d, "out/harbor/block-out.txt"), block);
    assert_eq!(
        lines(d, "out/harbor/allow.txt"),
        ["198.51.100.9", "203.0.113.77", "2001:db8:bad:1::/64"]
    );
    assert_eq!(read(d, "out/harbor/domains.txt"), "");
    assert_eq!(lines(d, "out/harbor/formats.txt"), ["apl", "txt"]);
    // Where the scanner came from: allow.txt, by line.
    let prov = read(d, "out/harbor/provenance.csv");
    assert!(
        prov.lines()
            .any(|l| l.starts_with("203.0.113.77,allow,allow,") && l.contains("allow.txt:3 ")),
        "{prov}"
    );
    // The zone: APL says the range with its hole, TXT the plain prefixes;
    // no other record type.
    let zone = read(d, "zones/harbor.zone");
    let apl = "apl.block-in\tAPL\t1:198.19.44.0/24 1:198.51.100.0/28 !1:198.51.100.9/32 \
               1:198.51.100.66/32 1:198.51.100.100/31 1:203.0.113.0/24 !1:203.0.113.77/32 \
               2:2001:db8:c2::/64\n";
    assert!(zone.contains(apl), "{zone}");
    assert!(
        zone.contains("txt.block-in\tTXT\t\"seq=1/1\" \"198.19.44.0/24 "),
        "{zone}"
    );
    assert!(zone.contains(" 203.0.113.76 203.0.113.78/31 "), "{zone}");
    for rtype in ["\tA\t", "\tAAAA\t", "\tCNAME\t"] {
        assert!(!zone.contains(rtype), "{rtype} in {zone}");
    }
    // The nftables rules harbor's firewall gets: the scanner allowed first,
    // and the range around it in the block set.
    let r = ok(
        "tl-fw render",
        run_in(
            d,
            common::bin_path("tl-fw"),
            &["render", "--target", "nftables", "out/harbor"],
            b"",
        ),
    );
    let rules = r.stdout;
    let allow4 = "\tset allow4 {\n\t\ttype ipv4_addr\n\t\tsize 64\n\t\tflags interval\n\t\t\
                  elements = {\n\t\t\t198.51.100.9,\n\t\t\t203.0.113.77\n\t\t}\n";
    assert!(rules.contains(allow4), "{rules}");
    for range in ["203.0.113.0-203.0.113.76,", "203.0.113.78-203.0.113.255\n"] {
        assert!(
            rules.contains(&format!("\t\t\t{range}")),
            "{range}: {rules}"
        );
    }
}

#[test]
fn resolver_publishes_only_a_policy_zone_of_domains() {
    let dir = chain(&World::demo());
    let d = dir.path();
    let domains = [
        "beacon.tidewater.test",
        "c2.crabnet.example",
        "gate.crabnet.example",
        "update.crabnet.example",
    ];
    assert_eq!(lines(d, "out/resolver/domains.txt"), domains);
    for list in ["block-in", "block-out", "allow"] {
        assert_eq!(read(d, &format!("out/resolver/{list}.txt")), "", "{list}");
    }
    assert_eq!(lines(d, "out/resolver/formats.txt"), ["rpz"]);
    // One zone for resolver, the policy zone; none with address lists.
    assert_eq!(
        zone_files(d),
        [
            "acme.rpz.zone",
            "acme.zone",
            "harbor.zone",
            "resolver.rpz.zone"
        ]
    );
    let rpz = read(d, "zones/resolver.rpz.zone");
    let triggers: Vec<&str> = rpz
        .lines()
        .filter(|l| !l.starts_with(['$', ';', '@']))
        .collect();
    let want: Vec<String> = domains
        .iter()
        .flat_map(|n| [format!("{n}\tCNAME\t."), format!("*.{n}\tCNAME\t.")])
        .collect();
    assert_eq!(triggers, want);
    let nsd = read(d, "zones/nsd-zones.conf");
    assert!(
        nsd.contains("name: \"resolver.rpz.lists.example\""),
        "{nsd}"
    );
    assert!(!nsd.contains("name: \"resolver.lists.example\""), "{nsd}");
}

#[test]
fn acme_is_unchanged_by_the_new_feeds_and_takes_what_the_sensors_add() {
    // The feeds alone, with the shared test geo data: acme exactly as the
    // tests and README before the demo grew have it (the new feeds are
    // bruteforce and exploit below its score, and C&C domains outside its
    // domain categories).
    let dir = chain(&World::feeds_only());
    let d = dir.path();
    assert_eq!(
        lines(d, "out/acme/block-in.txt"),
        ["198.51.100.0/28", "203.0.113.0/24", "2001:db8:c2::/64"]
    );
    assert_eq!(
        lines(d, "out/acme/block-out.txt"),
        [
            "192.0.2.200/29",
            "198.51.100.0/28",
            "203.0.113.128/25",
            "2001:db8:c2::/64"
        ]
    );
    assert_eq!(
        lines(d, "out/acme/allow.txt"),
        ["192.0.2.0/28", "198.51.100.53"]
    );
    assert_eq!(read(d, "out/acme/domains.txt"), "");
    assert_eq!(
        read(d, "out/acme/summary.txt"),
        "acme: serial 1: block-in 3 prefixes · 272 IPv4 addresses · 1 IPv6 /64; block-out 4 \
         prefixes · 152 IPv4 addresses · 1 IPv6 /64; allow 2 prefixes · 17 IPv4 addresses; \
         domains 0; lines +9 -0 since the last version; left out 0\n"
    );

    // The whole demo: the sensors corroborate the brute-forcer
    // 198.51.100.66 (scanner evidence ≥ 2), and the demo's BR has an IPv6
    // network too.
    let dir = chain(&World::demo());
    let d = dir.path();
    assert_eq!(
        lines(d, "out/acme/block-in.txt"),
        [
            "198.51.100.0/28",
            "198.51.100.66",
            "203.0.113.0/24",
            "2001:db8:b4::/48",
            "2001:db8:c2::/64"
        ]
    );
    assert_eq!(
        lines(d, "out/acme/block-out.txt"),
        [
            "192.0.2.200/29",
            "198.51.100.0/28",
            "198.51.100.66",
            "203.0.113.128/25",
            "2001:db8:c2::/64"
        ]
    );
    assert_eq!(
        lines(d, "out/acme/allow.txt"),
        ["192.0.2.0/28", "198.51.100.53"]
    );
    assert_eq!(read(d, "out/acme/domains.txt"), "");
}

#[test]
fn the_demo_zones_load_in_bind() {
    if !require(have_program("named-checkzone"), "named-checkzone") {
        return;
    }
    let dir = chain(&World::demo());
    for file in zone_files(dir.path()) {
        let origin = format!("{}.lists.example", file.trim_end_matches(".zone"));
        let path = dir.path().join("zones").join(&file);
        let out = std::process::Command::new("named-checkzone")
            .args([origin.as_str(), &path.to_string_lossy()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// The configuration a new user reads first names files that exist, and
/// runs at the clock this test runs at. (Its keys are tl-update's to check.)
#[test]
fn threatlist_toml_names_the_demo_files() {
    let text = std::fs::read_to_string(demo("threatlist.toml")).unwrap();
    let cfg: toml::Table = toml::from_str(&text).unwrap();
    assert_eq!(cfg["now"].as_str(), Some(NOW));
    let base = PathBuf::from(demo(""));
    let exists = |v: &toml::Value| {
        let p = base.join(v.as_str().unwrap());
        assert!(p.exists(), "{}", p.display());
    };
    exists(&cfg["feeds"]);
    for key in ["events", "profiles"] {
        cfg[key].as_array().unwrap().iter().for_each(exists);
    }
    for key in ["country_csv", "asn_csv"] {
        cfg["geo"][key].as_array().unwrap().iter().for_each(exists);
    }
    cfg["logs"]["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .for_each(exists);
    // Everything a run writes stays under target/demo.
    for key in ["state_dir", "out_dir", "zone_dir", "rules_dir"] {
        let p = cfg[key].as_str().unwrap();
        assert!(p.starts_with("../../target/demo/"), "{key} = {p}");
    }
    assert!(cfg["logs"]["html"]
        .as_str()
        .unwrap()
        .starts_with("../../target/demo/"));
}
