//! Property tests of the geo engine: databases written from random rows
//! answer every look-up (by tree and by table) and every extraction as the
//! rows say; and no byte string makes the reader panic.

use proptest::prelude::*;
use threatlist::geo::writer::{build_mmdb, BuildOptions, Row, RowData};
use threatlist::geo::{codes, extract_asns, extract_geo, Database, GeoSelection, GeoTable};
use threatlist::geo::{record::GeoRecord, Resolver};
use threatlist::net::{Entry, Range};
use threatlist::set::IpSet;

/// (start offset, end offset, data: (country index, ASN)) of a segment.
type Segment = (u32, u32, Option<(usize, Option<u32>)>);

const COUNTRIES: [&str; 4] = ["FR", "DE", "US", "JP"];
const V4_BASE: u32 = 0x0a00_0000; // 10.0.0.0, a /20 of it
const V6_BASE: u128 = 0x2001_0db8 << 96; // 2001:db8::, a /116 of it

/// Disjoint segments cut from a small space: (start offset, end offset, data).
fn segments() -> impl Strategy<Value = Vec<Segment>> {
    proptest::collection::vec(
        (
            1u32..300,
            proptest::option::of((0usize..4, proptest::option::of(64496u32..64499))),
        ),
        1..40,
    )
    .prop_map(|v| {
        let mut at = 0u32;
        v.into_iter()
            .map(|(len, d)| {
                let s = at;
                at += len;
                (s, at - 1, d)
            })
            .collect()
    })
}

fn rows(v4: &[Segment], v6: &[Segment]) -> Vec<Row> {
    let data = |c: usize, asn: Option<u32>| RowData {
        country: (c < 3 || asn.is_none()).then(|| codes::code(COUNTRIES[c].as_bytes()).unwrap()),
        asn,
        org: asn.map(|n| format!("Org {n}")),
    };
    let mut out = Vec::new();
    for &(s, e, d) in v4 {
        if let Some((c, asn)) = d {
            out.push(Row {
                file: 0,
                line: out.len() as u64 + 1,
                entry: Entry::V4(Range::new(V4_BASE + s, V4_BASE + e)),
                data: data(c, asn),
            });
        }
    }
    for &(s, e, d) in v6 {
        if let Some((c, asn)) = d {
            out.push(Row {
                file: 0,
                line: out.len() as u64 + 1,
                entry: Entry::V6(Range::new(V6_BASE + s as u128, V6_BASE + e as u128)),
                data: data(c, asn),
            });
        }
    }
    out
}

fn model(rows: &[Row], e: &Entry) -> Option<RowData> {
    rows.iter()
        .find(|r| match (r.entry, e) {
            (Entry::V4(a), Entry::V4(b)) => a.contains(b.start),
            (Entry::V6(a), Entry::V6(b)) => a.contains(b.start),
            _ => false,
        })
        .map(|r| r.data.clone())
}

fn seen(r: Option<&GeoRecord>) -> Option<(Option<[u8; 2]>, Option<u32>)> {
    r.map(|r| (r.country, r.asn))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn built_databases_answer_as_their_rows(v4 in segments(), v6 in segments(), probes in proptest::collection::vec((any::<bool>(), 0u32..12_000), 50)) {
        let rows = rows(&v4, &v6);
        prop_assume!(!rows.is_empty());
        let bytes = build_mmdb(&rows, &BuildOptions::default()).unwrap();
        let db = Database::from_bytes("t.mmdb".into(), bytes.clone()).unwrap();
        let table = GeoTable::build(&db).unwrap();
        let mut tree = Resolver::new(Database::from_bytes("t.mmdb".into(), bytes).unwrap(), None);
        tree.switch_at = u64::MAX;
        // Probes: random offsets plus every row's edges and their neighbours.
        let mut points: Vec<Entry> = probes.iter().map(|&(six, off)| if six {
            Entry::V6(Range::new(V6_BASE + off as u128, V6_BASE + off as u128))
        } else {
            Entry::V4(Range::new(V4_BASE + off, V4_BASE + off))
        }).collect();
        for r in &rows {
            match r.entry {
                Entry::V4(x) => for a in [x.start - 1, x.start, x.end, x.end + 1] {
                    points.push(Entry::V4(Range::new(a, a)));
                    // The same address, IPv4-mapped, through the alias.
                    let m = 0xffff_0000_0000u128 | a as u128;
                    points.push(Entry::V6(Range::new(m, m)));
                },
                Entry::V6(x) => for a in [x.start - 1, x.start, x.end, x.end + 1] {
                    points.push(Entry::V6(Range::new(a, a)));
                },
            }
        }
        for p in &points {
            let unmapped = match *p {
                Entry::V6(r) if r.start >> 32 == 0xffff => Entry::V4(Range::new(r.start as u32, r.start as u32)),
                p => p,
            };
            let want = model(&rows, &unmapped).map(|d| (d.country, d.asn));
            let from_table = match p {
                Entry::V4(r) => table.lookup_v4(r.start),
                Entry::V6(r) => table.lookup_v6(r.start),
            };
            prop_assert_eq!(seen(from_table), want, "table {:?}", p);
            prop_assert_eq!(seen(tree.lookup(p).unwrap()), want, "tree {:?}", p);
        }
        // Extraction per country and per ASN equals the rows' union.
        for (i, c) in COUNTRIES.iter().enumerate() {
            let code = codes::code(c.as_bytes()).unwrap();
            let sel = GeoSelection { countries: vec![code], ..Default::default() };
            let want = IpSet::from_entries(rows.iter().filter(|r| r.data.country == Some(code)).map(|r| r.entry));
            prop_assert_eq!(extract_geo(&table, &sel), want, "country {}", i);
        }
        for asn in 64496u32..64499 {
            let want = IpSet::from_entries(rows.iter().filter(|r| r.data.asn == Some(asn)).map(|r| r.entry));
            prop_assert_eq!(extract_asns(&table, &[asn]), want, "AS{}", asn);
        }
    }

    #[test]
    fn bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6)) {
        let exercise = |b: Vec<u8>| {
            if let Ok(db) = Database::from_bytes("x".into(), b) {
                let _ = db.lookup_v4(0x0a00_0001).map(|o| db.record(o));
                let _ = db.lookup_v6(V6_BASE | 5).map(|o| db.record(o));
                if let Ok(t) = GeoTable::build(&db) {
                    let _ = t.lookup_v4(0x0a00_0001);
                    let _ = t.lookup_v6(0xffff_0a00_0001);
                    let _ = extract_geo(&t, &GeoSelection { countries: vec![*b"FR"], ..Default::default() });
                }
            }
        };
        // Random bytes, with and without a metadata marker in front of them.
        exercise(bytes.clone());
        let mut marked = bytes.clone();
        marked.extend_from_slice(b"\xAB\xCD\xEFMaxMind.com");
        marked.extend_from_slice(&bytes);
        exercise(marked);
        // A valid database with a few bytes changed.
        let rows = rows(&[(0, 9, Some((0, Some(64496)))), (10, 300, Some((1, None)))], &[(0, 99, Some((2, None)))]);
        let mut valid = build_mmdb(&rows, &BuildOptions::default()).unwrap();
        for (at, v) in flips {
            let n = valid.len();
            valid[at % n] = v;
        }
        exercise(valid);
    }
}
