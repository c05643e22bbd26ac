//! `tl-geo` against real databases: MaxMind's own test databases (checked
//! against the JSON they were built from) in `../shared/data/geo`, and the
//! full GeoLite2 Country database of ip-location-db (checked against the
//! same data published as CSV) from npm.
//!
//! The npm packages are looked for in `$TL_GEO_NPM_DIR` (the directory
//! holding `geolite2-country/` and `geolite2-country-mmdb/`), else in
//! `target/npm/node_modules/@ip-location-db`, where `.ci/run` installs them:
//! `npm install --prefix target/npm @ip-location-db/geolite2-country-mmdb
//! @ip-location-db/geolite2-country`.

mod common;
use common::{require, shared_data, Workdir};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv6Addr;
use std::path::{Path, PathBuf};
use threatlist::geo::{Database, GeoTable, Resolver};
use threatlist::net::{parse_entry, Entry, Range};
use threatlist::set::{IpSet, SetBuilder};

/// A network as MaxMind's JSON writes it: IPv4 mostly as `::a.b.c.d/len+96`,
/// host bits not always zero.
fn json_network(text: &str) -> Entry {
    let (addr, len) = text.split_once('/').expect("network has a length");
    let len: u32 = len.parse().unwrap();
    if addr.contains(':') {
        let a = u128::from(addr.parse::<Ipv6Addr>().unwrap());
        if a >> 32 == 0 && len >= 96 {
            Entry::V4(Range::from_prefix(a as u32, len - 96))
        } else {
            Entry::V6(Range::from_prefix(a, len))
        }
    } else {
        parse_entry(text.as_bytes()).unwrap()
    }
}

fn ends(e: &Entry) -> [String; 2] {
    match e {
        Entry::V4(r) => [r.start, r.end].map(|a| std::net::Ipv4Addr::from(a).to_string()),
        Entry::V6(r) => [r.start, r.end].map(|a| Ipv6Addr::from(a).to_string()),
    }
}

fn geo_dir() -> Option<PathBuf> {
    let d = shared_data()?.join("geo");
    d.join("GeoIP2-Country-Test.mmdb").exists().then_some(d)
}

fn load_json(path: &Path) -> Vec<(Entry, serde_json::Value)> {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o.as_object().unwrap().iter())
        .map(|(k, rec)| (json_network(k), rec.clone()))
        .collect()
}

fn str_at<'a>(v: &'a serde_json::Value, path: &[&str]) -> &'a str {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(|v| v.as_str())
        .unwrap_or("")
}

fn set_of<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> IpSet {
    IpSet::from_entries(entries.into_iter().copied())
}

fn parse_list(text: &str) -> IpSet {
    IpSet::from_entries(text.lines().map(|l| parse_entry(l.as_bytes()).unwrap()))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[test]
fn maxmind_country_test_database_matches_its_json() {
    let Some(dir) = geo_dir() else {
        require(false, "../shared/data/geo (MaxMind test databases)");
        return;
    };
    let db = dir.join("GeoIP2-Country-Test.mmdb").display().to_string();
    let data = load_json(&dir.join("GeoIP2-Country-Test.json"));
    assert!(data.len() > 300);
    let w = Workdir::new();

    // Look-ups: the first and last address of every network.
    let mut input = String::new();
    let mut expect = String::from("address,country,continent,eu,registered_country\n");
    for (net, rec) in &data {
        let country = str_at(rec, &["country", "iso_code"]);
        let eu = match rec["country"]["is_in_european_union"].as_bool() {
            _ if country.is_empty() => "",
            Some(true) => "1",
            _ => "0",
        };
        for a in ends(net) {
            input.push_str(&a);
            input.push('\n');
            expect.push_str(&format!(
                "{a},{country},{},{eu},{}\n",
                str_at(rec, &["continent", "code"]),
                str_at(rec, &["registered_country", "iso_code"])
            ));
        }
    }
    // Through the tree (small work) and through the table (forced by a
    // cache directory): the same answers.
    for extra in [&[][..], &["--cache-dir", "."][..]] {
        let mut args = vec!["lookup", "--db", &db, "--registered"];
        args.extend_from_slice(extra);
        let r = w.run("tl-geo", &args, input.as_bytes());
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.stdout, expect);
    }

    // Extraction: every country's networks, by country and by registered
    // country, are exactly the JSON's.
    for (field, by) in [("country", "country"), ("registered_country", "registered")] {
        let mut by_code: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
        for (net, rec) in &data {
            let c = str_at(rec, &[field, "iso_code"]);
            if !c.is_empty() {
                by_code.entry(c.to_string()).or_default().push(*net);
            }
        }
        assert!(by_code.len() > 5);
        for (code, nets) in &by_code {
            let r = w.run(
                "tl-geo",
                &["extract", "--db", &db, "--by", by, code, "--cache-dir", "."],
                b"",
            );
            assert_eq!(r.code, 0, "{}", r.stderr);
            assert_eq!(parse_list(&r.stdout), set_of(nets), "{by} {code}");
        }
    }
    // Continents too.
    let mut by_continent: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    for (net, rec) in &data {
        let c = str_at(rec, &["continent", "code"]);
        if !c.is_empty() {
            by_continent.entry(c.to_string()).or_default().push(*net);
        }
    }
    for (code, nets) in &by_continent {
        let r = w.run(
            "tl-geo",
            &["extract", "--db", &db, "--continent", code],
            b"",
        );
        assert_eq!(parse_list(&r.stdout), set_of(nets), "continent {code}");
    }
}

#[test]
fn maxmind_asn_test_database_matches_its_json() {
    let Some(dir) = geo_dir() else {
        require(false, "../shared/data/geo (MaxMind test databases)");
        return;
    };
    let db = dir.join("GeoLite2-ASN-Test.mmdb").display().to_string();
    let data = load_json(&dir.join("GeoLite2-ASN-Test.json"));
    let w = Workdir::new();
    let mut input = String::new();
    let mut expect = String::from("address,asn,org\n");
    let mut by_asn: BTreeMap<u64, Vec<Entry>> = BTreeMap::new();
    for (net, rec) in &data {
        let asn = rec["autonomous_system_number"].as_u64();
        if let Some(n) = asn {
            by_asn.entry(n).or_default().push(*net);
        }
        for a in ends(net) {
            input.push_str(&a);
            input.push('\n');
            expect.push_str(&format!(
                "{a},{},{}\n",
                asn.map(|n| n.to_string()).unwrap_or_default(),
                csv_field(str_at(rec, &["autonomous_system_organization"]))
            ));
        }
    }
    let r = w.run("tl-geo", &["lookup", "--asn-db", &db], input.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, expect);
    let asns: Vec<String> = by_asn.keys().map(|n| n.to_string()).collect();
    for (n, nets) in &by_asn {
        let r = w.run(
            "tl-geo",
            &["extract", "--asn-db", &db, "--asn", &n.to_string()],
            b"",
        );
        assert_eq!(parse_list(&r.stdout), set_of(nets), "AS{n}");
    }
    // All at once is their union.
    let all = asns.join(",");
    let r = w.run("tl-geo", &["extract", "--asn-db", &db, "--asn", &all], b"");
    let union: Vec<Entry> = by_asn.values().flatten().copied().collect();
    assert_eq!(parse_list(&r.stdout), set_of(&union));
    // The wrong database for the job says so.
    let r = w.run("tl-geo", &["extract", "--db", &db, "FR"], b"");
    assert_eq!(
        r.stderr,
        format!("tl-geo: {db}: database type 'GeoLite2-ASN' holds no country data; a country database (GeoLite2-Country, GeoIP2-City, …) is needed here\n")
    );
}

/// The ip-location-db packages, when installed.
fn npm_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("TL_GEO_NPM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/npm/node_modules/@ip-location-db")
        });
    let ok = dir
        .join("geolite2-country-mmdb/geolite2-country.mmdb")
        .exists()
        && dir
            .join("geolite2-country/geolite2-country-ipv4.csv")
            .exists()
        && dir
            .join("geolite2-country/geolite2-country-ipv6.csv")
            .exists();
    ok.then_some(dir)
}

/// Every country's ranges in the CSV files (`start,end,CC`).
fn csv_countries(dir: &Path) -> BTreeMap<String, SetBuilder> {
    let mut out: BTreeMap<String, SetBuilder> = BTreeMap::new();
    for f in ["geolite2-country-ipv4.csv", "geolite2-country-ipv6.csv"] {
        let text = std::fs::read_to_string(dir.join("geolite2-country").join(f)).unwrap();
        for line in text.lines().filter(|l| !l.is_empty()) {
            let mut it = line.split(',');
            let (s, e, c) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
            let entry = parse_entry(format!("{s}-{e}").as_bytes()).unwrap();
            out.entry(c.to_string()).or_default().push(entry);
        }
    }
    out
}

#[test]
fn geolite2_country_extract_equals_the_csv() {
    let Some(dir) = npm_dir() else {
        require(
            false,
            "npm packages @ip-location-db/geolite2-country(-mmdb) (set TL_GEO_NPM_DIR or install into target/npm)",
        );
        return;
    };
    let db = dir.join("geolite2-country-mmdb/geolite2-country.mmdb");
    let mut expected: BTreeMap<String, IpSet> = csv_countries(&dir)
        .into_iter()
        .map(|(c, b)| (c, b.build()))
        .collect();
    assert!(expected.len() > 200, "{} countries", expected.len());

    // Several countries through the binary, IPv4 and IPv6.
    let w = Workdir::new();
    let dbs = db.display().to_string();
    for code in [
        "US", "CN", "DE", "FR", "GB", "JP", "RU", "BR", "IN", "NL", "AU", "ZA",
    ] {
        let r = w.run(
            "tl-geo",
            &["extract", "--db", &dbs, code, "--cache-dir", "."],
            b"",
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let got = parse_list(&r.stdout);
        let want = &expected[code];
        assert!(!want.v4.is_empty() && !want.v6.is_empty(), "{code}");
        assert!(got == *want, "{code}: extract differs from the CSV");
    }

    // Every country, through the library.
    let database = Database::open(&db).unwrap();
    let table = GeoTable::build(&database).unwrap();
    let codes: BTreeSet<_> = table.records.iter().filter_map(|r| r.country).collect();
    for c in codes {
        let code = String::from_utf8(c.to_vec()).unwrap();
        let sel = threatlist::geo::GeoSelection {
            countries: vec![c],
            ..Default::default()
        };
        let got = threatlist::geo::extract_geo(&table, &sel);
        let want = expected.remove(&code).unwrap_or_default();
        assert!(got == want, "{code}: extract differs from the CSV");
    }
    assert!(
        expected.is_empty(),
        "CSV countries not in the database: {:?}",
        expected.keys()
    );
}

/// Tree look-ups, table look-ups and the maxminddb crate agree on the full
/// database, for addresses spread over both families.
#[test]
fn geolite2_country_lookups_agree_with_maxminddb() {
    let Some(dir) = npm_dir() else {
        require(
            false,
            "npm packages @ip-location-db/geolite2-country(-mmdb)",
        );
        return;
    };
    #[derive(serde::Deserialize)]
    struct Rec<'a> {
        country_code: Option<&'a str>,
    }
    let path = dir.join("geolite2-country-mmdb/geolite2-country.mmdb");
    let reader = maxminddb::Reader::open_readfile(&path).unwrap();
    let db = Database::open(&path).unwrap();
    let table = GeoTable::build(&db).unwrap();
    let mut tree = Resolver::new(Database::open(&path).unwrap(), None);
    tree.switch_at = u64::MAX;
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..200_000u32 {
        let ip: std::net::IpAddr = if i % 4 == 3 {
            // Mostly inside 2000::/4, where the IPv6 networks are.
            let hi = (0x2000u128 | (next() as u128 & 0x0fff)) << 112;
            Ipv6Addr::from(hi | ((next() as u128) << 48) | (next() as u128 & 0xffff_ffff_ffff))
                .into()
        } else {
            std::net::Ipv4Addr::from(next() as u32).into()
        };
        let want = reader
            .lookup(ip)
            .unwrap()
            .decode::<Rec>()
            .unwrap()
            .and_then(|r| r.country_code)
            .map(str::to_string);
        let entry = match ip {
            std::net::IpAddr::V4(a) => Entry::V4(Range::new(u32::from(a), u32::from(a))),
            std::net::IpAddr::V6(a) => Entry::V6(Range::new(u128::from(a), u128::from(a))),
        };
        let from_table = match entry {
            Entry::V4(r) => table.lookup_v4(r.start),
            Entry::V6(r) => table.lookup_v6(r.start),
        };
        let code = |r: Option<&threatlist::geo::GeoRecord>| {
            r.and_then(|r| r.country)
                .map(|c| String::from_utf8(c.to_vec()).unwrap())
        };
        assert_eq!(code(from_table), want, "table, {ip}");
        assert_eq!(code(tree.lookup(&entry).unwrap()), want, "tree, {ip}");
    }
    assert!(!tree.has_table());
}
