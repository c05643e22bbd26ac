//! `tl-geo` on databases that `tl-geo build` makes from fixtures/geo, run
//! as a user would, with exact outputs.

mod common;
use common::Workdir;
use std::path::Path;

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/geo")
        .join(name)
        .display()
        .to_string()
}

/// A work directory holding c.mmdb (countries), a.mmdb (ASNs) and r.mmdb
/// (the start,end form).
fn wd() -> Workdir {
    let w = Workdir::new();
    for (db, csv) in [
        ("c.mmdb", "country.csv"),
        ("a.mmdb", "asn.csv"),
        ("r.mmdb", "ranges.csv"),
    ] {
        let r = w.run("tl-geo", &["build", "--db", db, &fixture(csv)], b"");
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.stdout, "");
    }
    w
}

#[test]
fn lookup_arguments_with_both_databases() {
    let w = wd();
    let r = w.run(
        "tl-geo",
        &[
            "lookup",
            "--db",
            "c.mmdb",
            "--asn-db",
            "a.mmdb",
            "--registered",
            "192.0.2.1",
            "192.0.2.130",
            "198.19.200.1",
            "10.0.0.1",
            "2001:db8:1::5",
            "::ffff:198.51.100.9",
            "203.0.113.200",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "address,country,continent,eu,registered_country,asn,org\n\
         192.0.2.1,FR,EU,1,FR,64496,Example Transit\n\
         192.0.2.130,DE,EU,1,DE,64496,Example Transit\n\
         198.19.200.1,US,NA,0,US,64497,\"Bench Net, Inc.\"\n\
         10.0.0.1,,,,,,\n\
         2001:db8:1::5,DE,EU,1,DE,64497,\"Bench Net, Inc.\"\n\
         198.51.100.9,JP,AS,0,JP,64496,Example Transit\n\
         203.0.113.200,BR,SA,0,BR,,\n"
    );
}

#[test]
fn lookup_stdin_tree_and_table_agree() {
    let w = wd();
    let input =
        "# comment\n192.0.2.99\n\n2001:db8:8000::1  # trailing\n198.18.255.255\n198.19.0.0\n";
    let expect = "address,country,continent,eu\n\
                  192.0.2.99,FR,EU,1\n\
                  2001:db8:8000::1,JP,AS,0\n\
                  198.18.255.255,US,NA,0\n\
                  198.19.0.0,CA,NA,0\n";
    let r = w.run("tl-geo", &["lookup", "--db", "c.mmdb"], input.as_bytes());
    assert_eq!((r.code, r.stdout.as_str()), (0, expect), "{}", r.stderr);
    // Through a cached table: the same answers, and the cache is reused.
    let args = ["lookup", "--db", "c.mmdb", "--cache-dir", "."];
    let r = w.run("tl-geo", &args, input.as_bytes());
    assert_eq!((r.code, r.stdout.as_str()), (0, expect), "{}", r.stderr);
    let cached: Vec<_> = std::fs::read_dir(w.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("geo-") && n.ends_with(".tlart"))
        .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
    let r = w.run("tl-geo", &args, input.as_bytes());
    assert_eq!(r.stdout, expect);
    // A corrupt cache file is rebuilt, not trusted.
    w.write(&cached[0], b"garbage");
    let r = w.run("tl-geo", &args, input.as_bytes());
    assert_eq!((r.code, r.stdout.as_str()), (0, expect), "{}", r.stderr);
    assert!(std::fs::read(w.path(&cached[0])).unwrap().len() > 100);
}

#[test]
fn lookup_bad_lines() {
    let w = wd();
    let r = w.run(
        "tl-geo",
        &["lookup", "--db", "c.mmdb"],
        b"192.0.2.1\n010.1.1.1\n",
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "tl-geo: stdin:2: ambiguous leading zero in an IPv4 octet: '010.1.1.1'\n"
    );
    let r = w.run(
        "tl-geo",
        &["lookup", "--db", "c.mmdb", "--lenient"],
        b"192.0.2.1\n192.0.2.0/24\nhost.example\n",
    );
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout,
        "address,country,continent,eu\n192.0.2.1,FR,EU,1\n"
    );
    assert_eq!(
        r.stderr,
        "tl-geo: skipped 2 bad line(s); first: stdin:2: not a single address: '192.0.2.0/24'\n"
    );
}

#[test]
fn extract_countries_continents_asns() {
    let w = wd();
    let run = |args: &[&str]| {
        let r = w.run("tl-geo", args, b"");
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    assert_eq!(
        run(&["extract", "--db", "c.mmdb", "FR", "us"]),
        "192.0.2.0/25\n192.0.2.192/26\n198.18.0.0/16\n198.19.128.0/17\n\
         2001:db8::/48\n2001:db8:2::/47\n"
    );
    assert_eq!(
        run(&["extract", "--db", "c.mmdb", "FR,DE", "-4"]),
        "192.0.2.0/24\n"
    );
    assert_eq!(
        run(&[
            "extract",
            "--db",
            "c.mmdb",
            "--continent",
            "NA",
            "-f",
            "range"
        ]),
        "198.18.0.0-198.19.255.255\n2001:db8:2::-2001:db8:3:ffff:ffff:ffff:ffff:ffff\n"
    );
    assert_eq!(
        run(&[
            "extract",
            "--db",
            "c.mmdb",
            "JP",
            "--by",
            "registered",
            "-6"
        ]),
        "2001:db8:8000::/33\n"
    );
    assert_eq!(
        run(&["extract", "--db", "r.mmdb", "--continent", "EU"]),
        "192.0.2.0/25\n192.0.2.128/26\n192.0.2.192/29\n192.0.2.200\n198.51.100.7\n2001:db8::/112\n"
    );
    assert_eq!(
        run(&["extract", "--asn-db", "a.mmdb", "--asn", "AS64497,64511"]),
        "198.18.0.0/15\n203.0.113.0/25\n2001:db8::/32\n"
    );
    // Countries and ASNs together: the union.
    assert_eq!(
        run(&["extract", "--db", "c.mmdb", "--asn-db", "a.mmdb", "BR", "--asn", "64511"]),
        "203.0.113.0/24\n"
    );
    // A valid code with no networks: empty output, a warning.
    let r = w.run("tl-geo", &["extract", "--db", "c.mmdb", "XK"], b"");
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    assert_eq!(
        r.stderr,
        "tl-geo: warning: no networks for country XK in c.mmdb\n"
    );
    let r = w.run("tl-geo", &["extract", "--db", "c.mmdb", "XK", "-q"], b"");
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}

#[test]
fn annotate_adds_columns() {
    let w = wd();
    let input = "indicator,type,feed\n192.0.2.1,ip,x\n192.0.2.0/24,net,y\n\
                 example.com,domain,z\n198.18.0.0/16,net,\"a, b\"\n";
    let r = w.run(
        "tl-geo",
        &["annotate", "--db", "c.mmdb", "--asn-db", "a.mmdb"],
        input.as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "indicator,type,feed,country,asn\n192.0.2.1,ip,x,FR,64496\n\
         192.0.2.0/24,net,y,,64496\nexample.com,domain,z,,\n\
         198.18.0.0/16,net,\"a, b\",US,64497\n"
    );
    w.write(
        "events.csv",
        "time,src,count\n2026-01-01T00:00:00Z,198.51.100.1,3\n",
    );
    let r = w.run(
        "tl-geo",
        &["annotate", "--db", "c.mmdb", "-c", "src", "events.csv"],
        b"",
    );
    assert_eq!(
        r.stdout,
        "time,src,count,country\n2026-01-01T00:00:00Z,198.51.100.1,3,JP\n"
    );
    let r = w.run(
        "tl-geo",
        &["annotate", "--db", "c.mmdb", "-c", "nope", "events.csv"],
        b"",
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "tl-geo: events.csv: no column 'nope' in the header\n"
    );
}

#[test]
fn bad_databases_are_named() {
    let w = wd();
    let full = std::fs::read(w.path("c.mmdb")).unwrap();
    w.write("short.mmdb", &full[..full.len() / 2]);
    w.write("text.mmdb", "network,country\n");
    let mut liar = full.clone();
    // The metadata survives but the tree is cut: claim more nodes.
    let at = liar.windows(10).position(|x| x == b"node_count").unwrap() + 10;
    liar[at + 1..at + 2].copy_from_slice(&[0xff]);
    w.write("liar.mmdb", &liar);
    let cases = [
        (
            "missing.mmdb",
            "tl-geo: missing.mmdb: No such file or directory\n",
        ),
        (
            "short.mmdb",
            "tl-geo: short.mmdb: not a MaxMind DB file, or truncated (no metadata section found)\n",
        ),
        (
            "text.mmdb",
            "tl-geo: text.mmdb: not a MaxMind DB file, or truncated (no metadata section found)\n",
        ),
    ];
    for (db, err) in cases {
        let r = w.run("tl-geo", &["lookup", "--db", db, "192.0.2.1"], b"");
        assert_eq!((r.code, r.stderr.as_str(), r.stdout.as_str()), (2, err, ""));
    }
    let r = w.run("tl-geo", &["extract", "--db", "liar.mmdb", "FR"], b"");
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("tl-geo: liar.mmdb: "), "{}", r.stderr);
}

#[test]
fn wrong_database_type_and_unknown_codes() {
    let w = wd();
    let r = w.run("tl-geo", &["extract", "--db", "a.mmdb", "FR"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "tl-geo: a.mmdb: database type 'tl-geo-ASN' holds no country data; a country database (GeoLite2-Country, GeoIP2-City, …) is needed here\n"
    );
    let r = w.run(
        "tl-geo",
        &["extract", "--asn-db", "c.mmdb", "--asn", "1"],
        b"",
    );
    assert_eq!(
        r.stderr,
        "tl-geo: c.mmdb: database type 'tl-geo-Country' holds no ASN data; an ASN database (GeoLite2-ASN, …) is needed here\n"
    );
    let r = w.run("tl-geo", &["lookup", "--db", "a.mmdb", "1.2.3.4"], b"");
    assert_eq!(r.code, 2);
    // A country database whose type does not say so is judged by its records.
    let r = w.run(
        "tl-geo",
        &[
            "build",
            "--db",
            "x.mmdb",
            "--type",
            "custom",
            &fixture("asn.csv"),
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = w.run("tl-geo", &["extract", "--db", "x.mmdb", "FR"], b"");
    assert_eq!(
        r.stderr,
        "tl-geo: x.mmdb: database type 'custom' holds no country data; a country database (GeoLite2-Country, GeoIP2-City, …) is needed here\n"
    );
    let r = w.run("tl-geo", &["extract", "--db", "c.mmdb", "UK"], b"");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with(
            "tl-geo: unknown country code 'UK'; did you mean GB (United Kingdom), CK (Cook Islands),"
        ),
        "{}",
        r.stderr
    );
    let r = w.run("tl-geo", &["extract", "--db", "c.mmdb", "germany"], b"");
    assert_eq!(
        r.stderr,
        "tl-geo: unknown country code 'germany'; did you mean DE (Germany)?\n"
    );
    let r = w.run(
        "tl-geo",
        &["extract", "--db", "c.mmdb", "--continent", "europe"],
        b"",
    );
    assert_eq!(
        r.stderr,
        "tl-geo: unknown continent code 'europe'; did you mean EU (Europe)?\n"
    );
}

#[test]
fn build_is_deterministic_and_refuses_bad_rows() {
    let w = wd();
    let r = w.run(
        "tl-geo",
        &["build", "-o", "c2.mmdb", &fixture("country.csv")],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        std::fs::read(w.path("c.mmdb")).unwrap(),
        std::fs::read(w.path("c2.mmdb")).unwrap()
    );
    let cases: &[(&str, &str)] = &[
        (
            "192.0.2.0/24,FR\n192.0.2.128/25,DE\n",
            "tl-geo: stdin:2: network overlaps the one at stdin:1\n",
        ),
        (
            "network,country\n192.0.2.0/24,XX\n",
            "tl-geo: stdin:2: unknown country code 'XX'; did you mean AX (Aland Islands), CX (Christmas Island), MX (Mexico), SX (Sint Maarten (Dutch part)), XK (Kosovo)?: '192.0.2.0/24,XX'\n",
        ),
        (
            "192.0.2.0/24,FR\n1.2.3,DE\n",
            "tl-geo: stdin:2: IPv4 address without four octets: '1.2.3,DE'\n",
        ),
        (
            "192.0.2.9,192.0.2.1,FR\n",
            "tl-geo: stdin:1: range ends before it starts: '192.0.2.9,192.0.2.1,FR'\n",
        ),
        ("192.0.2.0/24\n", "tl-geo: stdin:1: row has neither a country nor an ASN: '192.0.2.0/24'\n"),
        (
            "::/64,FR\n",
            "tl-geo: stdin:1: IPv6 network overlaps ::/96 or ::ffff:0:0/96, where IPv4 lives; write IPv4 addresses\n",
        ),
        ("# nothing\n", "tl-geo: no networks in the input\n"),
    ];
    for (csv, err) in cases {
        let r = w.run("tl-geo", &["build", "--db", "bad.mmdb"], csv.as_bytes());
        assert_eq!((r.code, r.stderr.as_str()), (2, *err), "{csv}");
        assert!(!w.path("bad.mmdb").exists());
    }
}

/// Another implementation reads what `tl-geo build` writes.
#[test]
fn maxminddb_crate_reads_built_databases() {
    use maxminddb::{geoip2, Reader};
    let w = wd();
    let c = Reader::open_readfile(w.path("c.mmdb")).unwrap();
    assert_eq!(c.metadata().database_type, "tl-geo-Country");
    let get = |ip: &str| -> Option<(String, String, bool)> {
        let r = c.lookup(ip.parse().unwrap()).unwrap();
        r.decode::<geoip2::Country>().unwrap().map(|x| {
            (
                x.country.iso_code.unwrap_or_default().to_string(),
                x.continent.code.unwrap_or_default().to_string(),
                x.country.is_in_european_union.unwrap_or(false),
            )
        })
    };
    assert_eq!(get("192.0.2.1"), Some(("FR".into(), "EU".into(), true)));
    assert_eq!(
        get("::ffff:192.0.2.1"),
        Some(("FR".into(), "EU".into(), true))
    );
    assert_eq!(get("198.19.0.1"), Some(("CA".into(), "NA".into(), false)));
    assert_eq!(
        get("2001:db8:3::1"),
        Some(("US".into(), "NA".into(), false))
    );
    assert_eq!(get("10.0.0.1"), None);
    let a = Reader::open_readfile(w.path("a.mmdb")).unwrap();
    let r = a.lookup("198.19.1.1".parse().unwrap()).unwrap();
    let asn = r.decode::<geoip2::Asn>().unwrap().unwrap();
    assert_eq!(asn.autonomous_system_number, Some(64497));
    assert_eq!(asn.autonomous_system_organization, Some("Bench Net, Inc."));
}
