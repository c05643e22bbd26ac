//! Benchmark of `tl-geo`'s engine (run by scripts/bench-geo.sh):
//!
//! 1. extraction: open a full country database, flatten it, and print the
//!    networks of 10 countries as CIDRs;
//! 2. batch look-ups: N addresses (90 % IPv4 uniformly, 10 % IPv6 in
//!    2000::/4) through the flattened table, through our tree walk, and
//!    through the `maxminddb` crate's per-address `lookup` + decode loop,
//!    side by side; all three must give the same answers.
//!
//! Usage: cargo run --release --example bench_geo -- DB.mmdb [N]

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;
use std::time::Instant;
use threatlist::geo::{self, codes, Database, GeoSelection, GeoTable, Resolver};
use threatlist::net::{Entry, Range};
use threatlist::set::ListPrinter;

#[derive(serde::Deserialize)]
struct Rec<'a> {
    country_code: Option<&'a str>,
    #[serde(borrow)]
    country: Option<Country<'a>>,
}

#[derive(serde::Deserialize)]
struct Country<'a> {
    iso_code: Option<&'a str>,
}

fn code_sum(code: Option<&[u8]>) -> u64 {
    code.map_or(0, |c| 1 + c[0] as u64 * 31 + c[1] as u64)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(args.next().expect("usage: bench_geo DB.mmdb [N]"));
    let n: usize = args.next().map_or(10_000_000, |s| s.parse().expect("N"));

    // 1. Extraction.
    let countries = ["US", "CN", "RU", "DE", "FR", "GB", "BR", "IN", "IR", "KP"];
    let t = Instant::now();
    let db = Database::open(&path).expect("database");
    let t_open = t.elapsed();
    let table = GeoTable::build(&db).expect("table");
    let t_table = t.elapsed();
    let sel = GeoSelection {
        countries: countries
            .iter()
            .map(|c| codes::code(c.as_bytes()).unwrap())
            .collect(),
        ..Default::default()
    };
    let set = geo::extract_geo(&table, &sel);
    let mut out = Vec::new();
    ListPrinter::default().print(&set, &mut out).unwrap();
    let t_all = t.elapsed();
    let (r4, r6) = table.len();
    println!(
        "extract 10 countries: {:.3} s total (open {:.3} s, flatten {:.3} s to {} + {} ranges, {} records; select+print {:.3} s, {} lines)",
        t_all.as_secs_f64(),
        t_open.as_secs_f64(),
        (t_table - t_open).as_secs_f64(),
        r4,
        r6,
        table.records.len(),
        (t_all - t_table).as_secs_f64(),
        out.iter().filter(|&&b| b == b'\n').count()
    );

    // 2. Look-ups.
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let ips: Vec<IpAddr> = (0..n)
        .map(|i| {
            if i % 10 == 9 {
                let hi = (0x2000u128 | (next() as u128 & 0x0fff)) << 112;
                Ipv6Addr::from(hi | ((next() as u128) << 48) | (next() as u128 & 0xffff_ffff_ffff))
                    .into()
            } else {
                Ipv4Addr::from(next() as u32).into()
            }
        })
        .collect();
    println!("{n} addresses (90 % IPv4, 10 % IPv6)");

    let reader = maxminddb::Reader::open_readfile(&path).expect("maxminddb");
    let t = Instant::now();
    let mut sum_crate = 0u64;
    for &ip in &ips {
        let r = reader.lookup(ip).unwrap();
        let code = r
            .decode::<Rec>()
            .unwrap()
            .and_then(|r| r.country_code.or(r.country.and_then(|c| c.iso_code)));
        sum_crate += code_sum(code.map(str::as_bytes));
    }
    let t_crate = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let table = GeoTable::build(&db).expect("table");
    let t_build = t.elapsed().as_secs_f64();
    let mut sum_table = 0u64;
    for &ip in &ips {
        let r = match ip {
            IpAddr::V4(a) => table.lookup_v4(u32::from(a)),
            IpAddr::V6(a) => table.lookup_v6(u128::from(a)),
        };
        sum_table += code_sum(r.and_then(|r| r.country.as_ref()).map(|c| &c[..]));
    }
    let t_table = t.elapsed().as_secs_f64();

    let mut tree = Resolver::new(Database::open(&path).unwrap(), None);
    tree.switch_at = u64::MAX;
    let t = Instant::now();
    let mut sum_tree = 0u64;
    for &ip in &ips {
        let e = match ip {
            IpAddr::V4(a) => Entry::V4(Range::new(u32::from(a), u32::from(a))),
            IpAddr::V6(a) => Entry::V6(Range::new(u128::from(a), u128::from(a))),
        };
        let r = tree.lookup(&e).unwrap();
        sum_tree += code_sum(r.and_then(|r| r.country.as_ref()).map(|c| &c[..]));
    }
    let t_tree = t.elapsed().as_secs_f64();

    // Per family, table against crate, for the record.
    for (name, v6) in [("IPv4", false), ("IPv6", true)] {
        let fam: Vec<IpAddr> = ips.iter().copied().filter(|i| i.is_ipv6() == v6).collect();
        let t = Instant::now();
        let mut s1 = 0u64;
        for &ip in &fam {
            let r = reader.lookup(ip).unwrap();
            let code = r
                .decode::<Rec>()
                .unwrap()
                .and_then(|r| r.country_code.or(r.country.and_then(|c| c.iso_code)));
            s1 += code_sum(code.map(str::as_bytes));
        }
        let a = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let mut s2 = 0u64;
        for &ip in &fam {
            let r = match ip {
                IpAddr::V4(a) => table.lookup_v4(u32::from(a)),
                IpAddr::V6(a) => table.lookup_v6(u128::from(a)),
            };
            s2 += code_sum(r.and_then(|r| r.country.as_ref()).map(|c| &c[..]));
        }
        let b = t.elapsed().as_secs_f64();
        assert_eq!(s1, s2);
        println!(
            "  {name}: {} addresses, maxminddb {:.1} ns each, table {:.1} ns each ({:.1}x)",
            fam.len(),
            a * 1e9 / fam.len() as f64,
            b * 1e9 / fam.len() as f64,
            a / b
        );
    }
    black_box((&sum_crate, &sum_table, &sum_tree));
    assert_eq!(sum_crate, sum_table, "table answers differ from maxminddb");
    assert_eq!(sum_crate, sum_tree, "tree answers differ from maxminddb");

    let rate = |s: f64| n as f64 / s / 1e6;
    println!(
        "maxminddb lookup+decode: {:.3} s, {:.2} M/s",
        t_crate,
        rate(t_crate)
    );
    println!(
        "tl-geo table (incl. {:.3} s to build it): {:.3} s, {:.2} M/s  -> {:.1}x maxminddb",
        t_build,
        t_table,
        rate(t_table),
        t_crate / t_table
    );
    println!(
        "tl-geo tree walk: {:.3} s, {:.2} M/s  -> {:.1}x maxminddb",
        t_tree,
        rate(t_tree),
        t_crate / t_tree
    );
}
