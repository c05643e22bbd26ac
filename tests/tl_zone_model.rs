//! Property tests of the zone emitters against models: the APL and TXT
//! records give back exactly the list; a DNSBL zone, resolved with DNS's
//! own wildcard rules (closest encloser, empty non-terminals), lists
//! exactly the listed addresses; and no byte string makes a decoder panic.

use proptest::prelude::*;
use std::collections::{HashMap, HashSet};
use threatlist::net::{parse_entry, Entry, Prefix};
use threatlist::set::{IntervalSet, IpSet};
use threatlist::zone::{config, dnsbl, input, lists, name, serial};

fn v4_set(prefixes: &[(u32, u32)]) -> IntervalSet<u32> {
    IntervalSet::from_ranges(
        prefixes
            .iter()
            .map(|&(a, len)| Prefix { addr: a, len }.range())
            .collect(),
    )
}

/// Prefixes inside 10.0.0.0/14, any length from /14 to /32.
fn prefixes4() -> impl Strategy<Value = Vec<(u32, u32)>> {
    prop::collection::vec((0u32..1 << 18, 14u32..=32), 0..12).prop_map(|v| {
        v.into_iter()
            .map(|(x, len)| (0x0a00_0000 | x, len))
            .collect()
    })
}

fn prefixes6() -> impl Strategy<Value = Vec<(u128, u32)>> {
    prop::collection::vec((any::<u64>(), 40u32..=128), 0..8).prop_map(|v| {
        v.into_iter()
            .map(|(x, len)| ((0x2001_0db8u128 << 96) | ((x as u128) << 30), len))
            .collect()
    })
}

/// IPv4 prefixes /16 to /32 whose octets are mostly single digits (0–11),
/// the owners IPv6 nibble names spell alike.
fn digit_prefixes4() -> impl Strategy<Value = Vec<(u32, u32)>> {
    prop::collection::vec((prop::array::uniform4(0u32..12), 16u32..=32), 0..5).prop_map(|v| {
        v.into_iter()
            .map(|(o, len)| {
                let a = o[0] << 24 | o[1] << 16 | o[2] << 8 | o[3];
                (a & u32::MAX.checked_shl(32 - len).unwrap_or(0), len)
            })
            .collect()
    })
}

/// IPv6 prefixes /4 to /40 whose top nibbles are mostly digits.
fn digit_prefixes6() -> impl Strategy<Value = Vec<(u128, u32)>> {
    prop::collection::vec(
        (prop::array::uniform4(0u128..12), any::<u32>(), 4u32..=40),
        0..4,
    )
    .prop_map(|v| {
        v.into_iter()
            .map(|(n, low, len)| {
                let a = (n[0] << 124)
                    | (n[1] << 120)
                    | (n[2] << 116)
                    | (n[3] << 112)
                    | ((low as u128) << 80);
                (a & u128::MAX.checked_shl(128 - len).unwrap_or(0), len)
            })
            .collect()
    })
}

/// A zone body (relative names, continuation lines) as owner → records.
struct ZoneModel {
    data: HashMap<Vec<String>, Vec<(String, String)>>,
    nodes: HashSet<Vec<String>>,
}

impl ZoneModel {
    fn parse(body: &str) -> ZoneModel {
        let mut data: HashMap<Vec<String>, Vec<(String, String)>> = HashMap::new();
        let mut owner: Vec<String> = Vec::new();
        for line in body.lines() {
            let mut f = line.split('\t');
            let o = f.next().unwrap();
            if !o.is_empty() {
                owner = o.split('.').rev().map(String::from).collect();
            }
            let (t, d) = (f.next().unwrap().to_string(), f.next().unwrap().to_string());
            data.entry(owner.clone()).or_default().push((t, d));
        }
        let mut nodes = HashSet::new();
        for k in data.keys() {
            for i in 0..=k.len() {
                nodes.insert(k[..i].to_vec());
            }
        }
        ZoneModel { data, nodes }
    }

    /// The A records DNS answers for `qname` (labels from the top).
    fn a(&self, q: &[String]) -> Vec<String> {
        let rrs = match self.data.get(q) {
            Some(r) => Some(r),
            None if self.nodes.contains(q) => None, // empty non-terminal: NODATA
            None => {
                // closest encloser, then its wildcard
                let enc = (0..q.len())
                    .rev()
                    .find(|&i| self.nodes.contains(&q[..i]))
                    .unwrap_or(0);
                let mut w = q[..enc].to_vec();
                w.push("*".into());
                self.data.get(&w)
            }
        };
        rrs.into_iter()
            .flatten()
            .filter(|(t, _)| t == "A")
            .map(|(_, d)| d.clone())
            .collect()
    }
}

fn labels4(a: u32) -> Vec<String> {
    a.to_be_bytes().iter().map(|o| o.to_string()).collect()
}

/// The nibble labels from the top, under `label` when given.
fn labels6(a: u128, label: Option<&str>) -> Vec<String> {
    let mut l: Vec<String> = (0..32)
        .rev()
        .map(|i| format!("{:x}", (a >> (4 * i)) & 0xf))
        .collect();
    if let Some(label) = label {
        l.insert(0, label.into());
    }
    l
}

fn class() -> config::Class {
    config::Class {
        code: 0x7f00_0002,
        txt: "listed".into(),
        rpz: config::Action::Nxdomain,
    }
}

/// Every address worth asking about: range edges and their neighbours.
fn probes<A: threatlist::net::Addr>(sets: &[&IntervalSet<A>]) -> Vec<A> {
    let mut v = Vec::new();
    for s in sets {
        for r in s.ranges() {
            v.extend(
                [
                    Some(r.start),
                    Some(r.end),
                    r.start.checked_dec(),
                    r.end.checked_inc(),
                ]
                .into_iter()
                .flatten(),
            );
        }
    }
    v
}

/// Sets of each family (block less allow, and allow) and the DNSBL zone
/// of both, IPv6 under `ip6` (a label, or "" for directly under the base
/// with IPv4, as RFC 5782 has it).
#[allow(clippy::type_complexity)]
fn dnsbl_two_families(
    b4: &[(u32, u32)],
    a4: &[(u32, u32)],
    b6: &[(u128, u32)],
    a6: &[(u128, u32)],
    ip6: &str,
) -> (ZoneModel, [IntervalSet<u32>; 2], [IntervalSet<u128>; 2]) {
    let allow4 = v4_set(a4);
    let block4 = v4_set(b4).difference(&allow4);
    let p6 = |v: &[(u128, u32)]| {
        IntervalSet::from_ranges(
            v.iter()
                .map(|&(a, len)| Prefix { addr: a, len }.range())
                .collect(),
        )
    };
    let allow6 = p6(a6);
    let block6 = p6(b6).difference(&allow6);
    let c = class();
    let mut out = Vec::new();
    let mut w = dnsbl::DnsblOut {
        out: &mut out,
        names: 0,
        max_names: 1 << 24,
        shared_base: ip6.is_empty(),
    };
    let covers = dnsbl::class_covers(&[(0, block4.clone())], &allow4, false);
    dnsbl::zone(&mut w, "", &covers, &[&c]).unwrap();
    let covers = dnsbl::class_covers(&[(0, block6.clone())], &allow6, false);
    dnsbl::zone(&mut w, ip6, &covers, &[&c]).unwrap();
    let z = ZoneModel::parse(&String::from_utf8(out).unwrap());
    (z, [block4, allow4], [block6, allow6])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn dnsbl_zone_resolves_to_the_list(
        b4 in prefixes4(), a4 in prefixes4(), b6 in prefixes6(), a6 in prefixes6(),
    ) {
        let (z, [block4, allow4], [block6, allow6]) = dnsbl_two_families(&b4, &a4, &b6, &a6, "ip6");
        for a in probes(&[&block4, &allow4]) {
            let got = z.a(&labels4(a));
            prop_assert_eq!(!got.is_empty(), block4.contains(a), "{}", std::net::Ipv4Addr::from(a));
        }
        for a in probes(&[&block6, &allow6]) {
            let got = z.a(&labels6(a, Some("ip6")));
            prop_assert_eq!(!got.is_empty(), block6.contains(a), "{}", std::net::Ipv6Addr::from(a));
        }
    }

    /// Both families directly under one name, as RFC 5782 and rbldnsd have
    /// it, on owners spelled in digits: an IPv4 wildcard must not answer
    /// IPv6 queries, nor the reverse.
    #[test]
    fn dnsbl_families_share_the_base(
        b4 in digit_prefixes4(), a4 in digit_prefixes4(), b6 in digit_prefixes6(), a6 in digit_prefixes6(),
    ) {
        let (z, [block4, allow4], [block6, allow6]) = dnsbl_two_families(&b4, &a4, &b6, &a6, "");
        // each family's edges, and the other family's owners read as this one's
        let mut p4 = probes(&[&block4, &allow4]);
        let mut p6 = probes(&[&block6, &allow6]);
        for r in block4.ranges().iter().chain(allow4.ranges()) {
            for a in [r.start, r.end] {
                let o = a.to_be_bytes();
                if o.iter().all(|&x| x < 10) {
                    let n = o.iter().fold(0u128, |n, &x| (n << 4) | x as u128) << 112;
                    p6.extend([n, n | 0xffff, n | (1 << 100)]);
                }
            }
        }
        for r in block6.ranges().iter().chain(allow6.ranges()) {
            for a in [r.start, r.end] {
                let n: Vec<u32> = (0..4).map(|i| ((a >> (124 - 4 * i)) & 0xf) as u32).collect();
                if n.iter().all(|&x| x < 10) {
                    p4.push(n[0] << 24 | n[1] << 16 | n[2] << 8 | n[3]);
                }
            }
        }
        for a in p4 {
            let got = z.a(&labels4(a));
            prop_assert_eq!(!got.is_empty(), block4.contains(a), "{}", std::net::Ipv4Addr::from(a));
        }
        for a in p6 {
            let got = z.a(&labels6(a, None));
            prop_assert_eq!(!got.is_empty(), block6.contains(a), "{}", std::net::Ipv6Addr::from(a));
        }
    }

    #[test]
    fn apl_and_txt_give_back_the_list(b4 in prefixes4(), a4 in prefixes4(), b6 in prefixes6(), items in 2usize..70) {
        let allow = IpSet { v4: v4_set(&a4), v6: IntervalSet::new() };
        let v6 = IntervalSet::from_ranges(b6.iter().map(|&(a, len)| Prefix { addr: a, len }.range()).collect());
        let block = IpSet { v4: v4_set(&b4), v6 }.difference(&allow);
        let l = config::Limits { apl_items_per_rr: items, txt_rr_octets: 600, rrs_per_name: 5, ..Default::default() };
        let mut out = Vec::new();
        lists::apl(&mut out, "l", &block, &allow, &l);
        let (mut pos, mut neg) = (Vec::new(), Vec::new());
        for line in String::from_utf8(out).unwrap().lines().filter(|l| l.contains("\tAPL\t")) {
            let rdata = line.split('\t').nth(2).unwrap();
            prop_assert!(rdata.split(' ').count() <= items);
            for it in rdata.split(' ') {
                let (n, it) = match it.strip_prefix('!') { Some(x) => (true, x), None => (false, it) };
                let e = parse_entry(&it.as_bytes()[2..]).unwrap();
                if n { neg.push(e) } else { pos.push(e) }
            }
        }
        prop_assert_eq!(IpSet::from_entries(pos).difference(&IpSet::from_entries(neg)), block.clone());

        let mut out = Vec::new();
        lists::txt(&mut out, "t", &block, &l);
        let mut toks: Vec<Entry> = Vec::new();
        for line in String::from_utf8(out).unwrap().lines() {
            let strings: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
            if strings[0].starts_with("chunks=") { continue; }
            let rdata: usize = strings.iter().map(|s| s.len() + 1).sum();
            prop_assert!(rdata <= 600);
            for s in &strings[1..] {
                prop_assert!(s.len() <= 255);
                toks.extend(s.split(' ').map(|t| parse_entry(t.as_bytes()).unwrap()));
            }
        }
        prop_assert_eq!(IpSet::from_entries(toks), block);
    }

    #[test]
    fn decoders_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = serial::read_serial(&bytes);
        let _ = name::check_list_domain(&bytes);
        if let Ok(s) = std::str::from_utf8(&bytes) {
            let _ = config::parse(s, "z.toml");
            let _ = name::check_absolute(s);
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in");
        std::fs::write(&p, &bytes).unwrap();
        let p = p.to_string_lossy().into_owned();
        let _ = input::read_mixed(std::slice::from_ref(&p), "rpz.example", true);
        let _ = input::read_ips(std::slice::from_ref(&p));
        let _ = input::read_provenance(&p, &config::ZoneConfig::default());
    }

    #[test]
    fn accepted_names_cannot_carry_zone_syntax(bytes in prop::collection::vec(any::<u8>(), 0..80)) {
        if let Ok(n) = name::check_list_domain(&bytes) {
            prop_assert!(n.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.'));
            prop_assert!(!n.starts_with('.') && !n.ends_with('.') && !n.contains(".."));
        }
    }
}

#[test]
fn the_model_sees_empty_non_terminals() {
    // Without the repeated wildcard, 172.16.5.6 would be NODATA.
    let z = ZoneModel::parse("*.16.172\tA\t127.0.0.2\n5.5.16.172\tCNAME\texcluded\n");
    let q = |a: u32| z.a(&labels4(a));
    assert!(q(0xac10_0606).len() == 1);
    assert!(q(0xac10_0506).is_empty());
}
