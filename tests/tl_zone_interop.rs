//! The zones `tl-zone` writes, loaded into the real servers: every zone
//! passes `named-checkzone` and `nsd-checkzone`; NSD and BIND serve the
//! lists and the answers (over TCP) reconstruct exactly the compiled list;
//! the DNSBL zone and the rbldnsd datasets answer right at prefix edges;
//! Knot loads and serves every zone form; Unbound applies the policy zone;
//! BIND and Unbound as resolvers answer with local data and apply
//! rpz-nsdname, rpz-nsip and per-list rpz-client-ip triggers, PowerDNS
//! Recursor the local data and client-IP triggers; TSIG guards
//! zone transfers; BIND and NSD secondaries transfer the zones from a BIND
//! primary with the fragments tl-zone writes for them.
//!
//! Servers run on 127.0.0.1 at free high ports, are started and stopped by
//! these tests by PID, and every wait is bounded. Without a server the test
//! says `SKIP:`; under CI (where `.ci/run` installs them) it fails instead.

mod common;
use common::dns::{free_port, nsd_conf, soa_serial, tl_zone, tsig_keygen, Server};
use common::{have_program, require, Workdir};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use threatlist::net::{parse_entry, Addr, Entry};
use threatlist::set::{IntervalSet, IpSet};

const NOW: &str = "2026-11-27T12:00:00Z";

/// `limits.max_chunks` of the served big profile: wide prefixes fill a few
/// names (the default, 100, makes a zone too slow to load in a test).
const MAX_CHUNKS: u128 = 4;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/zone")
}

fn fx(name: &str) -> String {
    fixtures().join(name).to_string_lossy().into_owned()
}

fn tools(names: &[&str]) -> bool {
    names.iter().all(|n| require(have_program(n), n))
}

/// One answer as dig printed it.
#[derive(Debug)]
struct Answer {
    status: String,
    /// (type, rdata) of each record in the answer section.
    records: Vec<(String, String)>,
}

impl Answer {
    fn of(&self, rtype: &str) -> Vec<&str> {
        self.records
            .iter()
            .filter(|(t, _)| t == rtype)
            .map(|(_, d)| d.as_str())
            .collect()
    }
}

fn dig(port: u16, name: &str, qtype: &str, opts: &[&str]) -> Answer {
    let out = Command::new("dig")
        .arg("@127.0.0.1")
        .args([
            "-p",
            &port.to_string(),
            "+time=3",
            "+tries=2",
            "+noall",
            "+comments",
            "+answer",
        ])
        .args(opts)
        .args([name, qtype])
        .output()
        .expect("dig");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let status = text
        .lines()
        .find_map(|l| l.split("status: ").nth(1))
        .map(|s| s.split(',').next().unwrap_or("").to_string())
        .unwrap_or_else(|| format!("no answer: {text}"));
    let records = text
        .lines()
        .filter(|l| !l.starts_with(';') && !l.trim().is_empty())
        .filter_map(|l| {
            // name ttl class type rdata
            let mut parts = l.split_whitespace();
            let (_name, _ttl, _class) = (parts.next()?, parts.next()?, parts.next()?);
            let rtype = parts.next()?.to_string();
            let rdata: Vec<&str> = parts.collect();
            Some((rtype, rdata.join(" ")))
        })
        .collect();
    Answer { status, records }
}

fn tcp(port: u16, name: &str, qtype: &str) -> Answer {
    dig(port, name, qtype, &["+tcp", "+norec"])
}

/// The strings of a TXT record's presentation form.
fn txt_strings(rdata: &str) -> Vec<String> {
    rdata
        .split('"')
        .skip(1)
        .step_by(2)
        .map(String::from)
        .collect()
}

fn set_of(entries: impl IntoIterator<Item = Entry>) -> IpSet {
    IpSet::from_entries(entries)
}

fn entry(text: &str) -> Entry {
    parse_entry(text.trim().as_bytes()).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn read_list(path: &Path) -> IpSet {
    let text = std::fs::read_to_string(path).unwrap();
    set_of(
        text.lines()
            .map(|l| l.split('#').next().unwrap().trim())
            .filter(|l| !l.is_empty())
            .map(entry),
    )
}

/// A deterministic list big enough for several chunks of every kind:
/// 9000 IPv4 and 2500 IPv6 hosts, 400 IPv4 and 100 IPv6 networks, and
/// allow-listed holes inside some networks.
fn big_profile(root: &Path) -> (IpSet, IpSet) {
    let dir = root.join("out/big");
    std::fs::create_dir_all(&dir).unwrap();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut block = String::new();
    for i in 0..9000u32 {
        // 44.0.0.0/8, spread out and never adjacent
        let a = (44u32 << 24) | (i * 1031 % (1 << 22)) << 2 | 1;
        block.push_str(&format!("{}\n", std::net::Ipv4Addr::from(a)));
    }
    for i in 0..2500u128 {
        let a = (0x2a00_1450u128 << 96) | (i << 70) | (rnd() as u128 & 0xffff) << 1;
        block.push_str(&format!("{}\n", std::net::Ipv6Addr::from(a)));
    }
    let mut allow = String::new();
    for i in 0..400u32 {
        let len = 17 + (rnd() % 14) as u32; // /17 .. /30
        let base = (45u32 << 24) | (i << 16);
        let net = base & (u32::MAX << (32 - len));
        block.push_str(&format!("{}/{len}\n", std::net::Ipv4Addr::from(net)));
        if i % 5 == 0 {
            let hole = net + 1 + (rnd() as u32 % ((1u32 << (32 - len)) - 2));
            allow.push_str(&format!("{}\n", std::net::Ipv4Addr::from(hole)));
        }
    }
    for i in 0..100u128 {
        let len = 33 + (rnd() % 88) as u32; // /33 .. /120
        let base = (0x2a02_0000u128 << 96) | (i << 88);
        let net = base & (u128::MAX << (128 - len));
        block.push_str(&format!("{}/{len}\n", std::net::Ipv6Addr::from(net)));
        if i % 4 == 0 {
            allow.push_str(&format!("{}\n", std::net::Ipv6Addr::from(net + 1)));
        }
    }
    std::fs::write(dir.join("block-in.txt"), &block).unwrap();
    std::fs::write(dir.join("allow.txt"), &allow).unwrap();
    std::fs::write(dir.join("block-out.txt"), "192.0.2.66\n").unwrap();
    let allow = read_list(&dir.join("allow.txt"));
    let block = read_list(&dir.join("block-in.txt")).difference(&allow);
    (block, allow)
}

fn chunks(port: u16, base: &str) -> usize {
    let a = tcp(port, base, "TXT");
    let t = a
        .of("TXT")
        .into_iter()
        .flat_map(txt_strings)
        .find(|s| s.starts_with("chunks="))
        .unwrap_or_else(|| panic!("no chunk count at {base}: {a:?}"));
    t["chunks=".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

fn chunk_name(base: &str, k: usize) -> String {
    if k == 0 {
        return base.to_string();
    }
    let (first, rest) = base.split_once('.').unwrap();
    format!("{first}{k}.{rest}")
}

/// Every address the multi-host names must carry: the addresses of every
/// prefix of at most 16 addresses (limits.expand_max), then of wider ones,
/// narrowest first, while the list stays within `MAX_CHUNKS` names of
/// `per_name` (limits.max_chunks).
fn hosts<A: Addr>(set: &IntervalSet<A>, per_name: u128) -> BTreeSet<A> {
    let size = |len: u32| 1u128 << (A::BITS - len).min(127);
    let mut prefixes: Vec<_> = set.cidrs().collect();
    let mut total: u128 = prefixes
        .iter()
        .filter(|p| size(p.len) <= 16)
        .map(|p| size(p.len))
        .sum();
    prefixes.sort_by_key(|p| (std::cmp::Reverse(p.len), p.addr));
    let mut out = BTreeSet::new();
    for p in prefixes {
        if size(p.len) > 16 {
            if total + size(p.len) > per_name * MAX_CHUNKS {
                continue;
            }
            total += size(p.len);
        }
        let r = p.range();
        let mut a = r.start;
        loop {
            out.insert(a);
            if a == r.end {
                break;
            }
            a = a.checked_inc().unwrap();
        }
    }
    out
}

/// Queries every list name of `list` in the profile zone at `origin` and
/// checks that the answers give back exactly the list.
fn check_lists(port: u16, origin: &str, list: &str, block: &IpSet, dnsbl: bool) {
    // multi-host A and AAAA
    for (fmt, rtype) in [("a", "A"), ("aaaa", "AAAA")] {
        let base = format!("{fmt}.{list}.{origin}");
        let k = chunks(port, &base);
        let mut got4 = BTreeSet::new();
        let mut got6 = BTreeSet::new();
        for i in 0..k {
            let a = tcp(port, &chunk_name(&base, i), rtype);
            assert_eq!(a.status, "NOERROR", "{base} chunk {i}");
            let rr = a.of(rtype);
            assert!(rr.len() <= if rtype == "A" { 4000 } else { 2000 });
            for d in rr {
                match entry(d) {
                    Entry::V4(r) => got4.insert(r.start),
                    Entry::V6(r) => got6.insert(r.start),
                };
            }
        }
        // Past the last chunk: NXDOMAIN (an empty list keeps its base name
        // for the count, without addresses).
        if k == 0 {
            assert!(tcp(port, &base, rtype).of(rtype).is_empty(), "{base}");
        }
        assert_eq!(
            tcp(port, &chunk_name(&base, k.max(1)), rtype).status,
            "NXDOMAIN",
            "past the last chunk of {base}"
        );
        if rtype == "A" {
            assert!(list != "block-in" || k >= 2, "{base}: {k} chunks");
            assert_eq!(got4, hosts(&block.v4, 4000), "{base}");
        } else {
            assert_eq!(got6, hosts(&block.v6, 2000), "{base}");
        }
    }
    // APL: prefixes minus ! items
    let base = format!("apl.{list}.{origin}");
    let (mut pos, mut neg) = (Vec::new(), Vec::new());
    let k = chunks(port, &base);
    for i in 0..k {
        let a = tcp(port, &chunk_name(&base, i), "APL");
        assert_eq!(a.status, "NOERROR");
        let rrs = a.of("APL");
        assert!(rrs.len() <= 100, "BIND's RRset cap");
        for rr in rrs {
            let items: Vec<&str> = rr.split_whitespace().collect();
            assert!(items.len() <= 64, "NSD's APL item cap");
            for it in items {
                let (neg_item, it) = match it.strip_prefix('!') {
                    Some(x) => (true, x),
                    None => (false, it),
                };
                let e = entry(&it[2..]);
                if neg_item {
                    neg.push(e)
                } else {
                    pos.push(e)
                }
            }
        }
    }
    assert_eq!(set_of(pos).difference(&set_of(neg)), *block, "{base}");
    // TXT: tokens, with complete sequence markers at every name
    let base = format!("txt.{list}.{origin}");
    let k = chunks(port, &base);
    let mut tokens = Vec::new();
    for i in 0..k {
        let a = tcp(port, &chunk_name(&base, i), "TXT");
        let mut seqs = Vec::new();
        for rr in a.of("TXT") {
            let strings = txt_strings(rr);
            if strings[0].starts_with("chunks=") {
                continue;
            }
            let seq = strings[0].strip_prefix("seq=").expect("marker first");
            seqs.push(seq.to_string());
            for s in &strings[1..] {
                assert!(s.len() <= 255);
                tokens.extend(s.split(' ').map(entry));
            }
        }
        let n = seqs.len();
        let mut want: Vec<String> = (1..=n).map(|i| format!("{i}/{n}")).collect();
        seqs.sort();
        want.sort();
        assert_eq!(seqs, want, "{base} chunk {i}");
    }
    assert_eq!(set_of(tokens), *block, "{base}");
    if !dnsbl {
        return;
    }
    // DNSBL names of the same list: IPv4 octets and IPv6 nibbles both
    // under bl.LIST (RFC 5782)
    let bl = format!("bl.{list}.{origin}");
    let v6 = bl.clone();
    for r in block.v4.ranges().iter().step_by(97) {
        for (a, listed) in [
            (r.start, true),
            (r.end, true),
            (
                r.end.wrapping_add(1),
                block.v4.contains(r.end.wrapping_add(1)),
            ),
        ] {
            let ans = tcp(port, &rev4(a, &bl), "A");
            assert_eq!(!ans.of("A").is_empty(), listed, "{}: {ans:?}", rev4(a, &bl));
        }
    }
    for r in block.v6.ranges().iter().step_by(37) {
        for (a, listed) in [
            (r.start, true),
            (r.end, true),
            (
                r.end.wrapping_add(1),
                block.v6.contains(r.end.wrapping_add(1)),
            ),
        ] {
            let ans = tcp(port, &rev6(a, &v6), "A");
            assert_eq!(!ans.of("A").is_empty(), listed, "{}: {ans:?}", rev6(a, &v6));
        }
    }
}

/// Checks an Unbound configuration with unbound-checkconf and starts it in
/// the foreground; ready once it answers for fine.example.test.
fn start_unbound(d: &Path, conf: &Path, port: u16) -> Server {
    let check = Command::new("unbound-checkconf")
        .arg(conf)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "unbound-checkconf: {}",
        String::from_utf8_lossy(&check.stdout)
    );
    Server::start(
        Command::new("unbound").args(["-d", "-c"]).arg(conf),
        &d.join("unbound.log"),
        || dig(port, "fine.example.test", "A", &[]).status == "NOERROR",
    )
}

/// rbldnsd on a free port serving `datasets` (`zone:type:file`, files in
/// `d`), in the foreground, once it answers A for `probe` over UDP.
/// rbldnsd reads its files as its own user, so `d` is made readable.
fn start_rbldnsd(d: &Path, datasets: &[&str], probe: &str) -> (Server, u16) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    let port = free_port();
    let server = Server::start(
        Command::new("rbldnsd")
            .args(["-n", "-4", "-b", &format!("127.0.0.1/{port}"), "-w"])
            .arg(d)
            .arg("-p")
            .arg(d.join("rbldnsd.pid"))
            .args(datasets),
        &d.join("rbldnsd.log"),
        || dig(port, probe, "A", &["+notcp"]).status == "NOERROR",
    );
    (server, port)
}

fn start_nsd(dir: &Path, include: &Path, soa_name: &str) -> (Server, u16) {
    let port = free_port();
    (start_nsd_at(dir, include, soa_name, port), port)
}

/// NSD on `port`, checked by nsd-checkconf, once it answers the SOA of
/// `soa_name` (a secondary: once it has transferred the zone).
fn start_nsd_at(dir: &Path, include: &Path, soa_name: &str, port: u16) -> Server {
    let conf = nsd_conf(dir, port, include, false);
    let check = Command::new("nsd-checkconf").arg(&conf).output().unwrap();
    assert!(
        check.status.success(),
        "nsd-checkconf: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    Server::start(
        Command::new("nsd").args(["-d", "-c"]).arg(&conf),
        &dir.join("nsd.log"),
        || tcp(port, soa_name, "SOA").status == "NOERROR",
    )
}

fn start_named(dir: &Path, include: &Path, soa_name: &str) -> (Server, u16) {
    start_named_with(dir, include, soa_name, "controls { };")
}

fn start_named_with(dir: &Path, include: &Path, soa_name: &str, controls: &str) -> (Server, u16) {
    let port = free_port();
    (start_named_at(dir, include, soa_name, controls, port), port)
}

/// BIND on `port` with the zones of `include` and the `controls`
/// statement, checked by named-checkconf, once it answers the SOA of
/// `soa_name` (a secondary: once it has transferred the zone).
fn start_named_at(dir: &Path, include: &Path, soa_name: &str, controls: &str, port: u16) -> Server {
    let conf = dir.join("named.conf");
    let d = dir.display();
    std::fs::write(
        &conf,
        format!(
            "options {{\n\tdirectory \"{d}\";\n\tlisten-on port {port} {{ 127.0.0.1; }};\n\tlisten-on-v6 {{ none; }};\n\
             \tpid-file \"{d}/named.pid\";\n\tsession-keyfile \"{d}/session.key\";\n\trecursion no;\n\
             \tdnssec-validation no;\n}};\n{controls}\ninclude \"{}\";\n",
            include.display()
        ),
    )
    .unwrap();
    let check = Command::new("named-checkconf").arg(&conf).output().unwrap();
    assert!(
        check.status.success(),
        "named-checkconf: {}",
        String::from_utf8_lossy(&check.stdout)
    );
    Server::start(
        Command::new("named")
            .args(["-g", "-4", "-n", "1", "-c"])
            .arg(&conf),
        &dir.join("named.log"),
        || tcp(port, soa_name, "SOA").status == "NOERROR",
    )
}

/// A `controls` statement for BIND with a new rndc key in `dir`, and the
/// `--reload` command that reloads a zone through it.
fn rndc_controls(dir: &Path) -> (String, String) {
    let key = dir.join("rndc.key");
    let out = Command::new("rndc-confgen")
        .args(["-a", "-c"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cport = free_port();
    let controls = format!(
        "include \"{}\";\ncontrols {{ inet 127.0.0.1 port {cport} allow {{ 127.0.0.1; }} keys {{ \"rndc-key\"; }}; }};",
        key.display()
    );
    let rndc = format!(
        "rndc -s 127.0.0.1 -p {cport} -k {} reload {{zone}}",
        key.display()
    );
    (controls, rndc)
}

/// A TSIG key made by tsig-keygen, as BIND and NSD configuration.
fn tsig_key(dir: &Path) -> String {
    let (text, secret) = tsig_keygen("xfr-key");
    std::fs::write(dir.join("key.named"), &text).unwrap();
    std::fs::write(
        dir.join("key.nsd"),
        format!("key:\n\tname: \"xfr-key\"\n\talgorithm: hmac-sha256\n\tsecret: \"{secret}\"\n"),
    )
    .unwrap();
    secret
}

/// The fixture list in every zone format, each at the origin `origin(f)`
/// in `d/FORMAT.zone`: (origin, file) of each.
fn one_list_per_format(d: &Path, origin: impl Fn(&str) -> String) -> Vec<(String, String)> {
    let (cfg, allow, prov, block, domains) = (
        fx("zone.toml"),
        fx("allow.txt"),
        fx("provenance.csv"),
        fx("block.txt"),
        fx("domains.txt"),
    );
    let mut zones = Vec::new();
    for f in ["a", "aaaa", "apl", "txt", "dnsbl", "rpz"] {
        let (origin, file) = (origin(f), format!("{f}.zone"));
        let mut args = vec![
            "--format",
            f,
            "--origin",
            &origin,
            "--config",
            &cfg,
            "--allow",
            &allow,
            "--provenance",
            &prov,
            "--now",
            NOW,
            "-o",
            &file,
            &block,
        ];
        if f == "rpz" {
            args.push(&domains);
        }
        tl_zone(d, &args);
        zones.push((origin, file));
    }
    zones
}

/// Every profile under `d/out` into `d`, with the configuration `config`
/// and `extra` options.
fn publish_profiles(d: &Path, config: &str, extra: &[&str]) {
    let args = [
        "--out",
        "out",
        "--origin",
        "lists.example",
        "--config",
        config,
        "-o",
        ".",
    ];
    tl_zone(d, &[&args[..], extra].concat());
}

#[test]
fn every_zone_passes_both_checkers() {
    if !tools(&["named-checkzone", "nsd-checkzone"]) {
        return;
    }
    let w = Workdir::new();
    let d = w.dir.path();
    let mut zones = one_list_per_format(d, |_| "lists.example".into());
    big_profile(d);
    tl_zone(
        d,
        &["--out", &fx("out"), "--origin", "lists.example", "-o", "."],
    );
    std::fs::write(
        d.join("big.toml"),
        format!("[limits]\nmax_chunks = {MAX_CHUNKS}\n"),
    )
    .unwrap();
    publish_profiles(d, "big.toml", &[]);
    for p in ["acme", "beta", "big"] {
        zones.push((format!("{p}.lists.example"), format!("{p}.zone")));
        zones.push((format!("{p}.rpz.lists.example"), format!("{p}.rpz.zone")));
    }
    for (origin, file) in zones {
        let path = d.join(&file);
        let o = Command::new("named-checkzone")
            .args(["-k", "fail", "-i", "full"])
            .arg(&origin)
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "named-checkzone {file}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
        let o = Command::new("nsd-checkzone")
            .arg(&origin)
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "nsd-checkzone {file}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn nsd_and_bind_serve_lists_that_reconstruct_exactly() {
    if !tools(&[
        "nsd",
        "nsd-checkconf",
        "named",
        "named-checkconf",
        "dig",
        "tsig-keygen",
    ]) {
        return;
    }
    let w = Workdir::new();
    let d = w.dir.path();
    let (block, allow) = big_profile(d);
    let block_out = set_of([entry("192.0.2.66")]);
    let secret = tsig_key(d);
    std::fs::write(
        d.join("zone.toml"),
        format!(
            "ns = [\"ns1.example.net.\"]\n[limits]\nmax_chunks = {MAX_CHUNKS}\n[server]\nallow_transfer = [\"127.0.0.1\"]\ntsig_key = \"xfr-key\"\n\
             named_key_file = \"{0}/key.named\"\nnsd_key_file = \"{0}/key.nsd\"\n",
            d.display()
        ),
    )
    .unwrap();
    publish_profiles(
        d,
        "zone.toml",
        &[
            "--now",
            NOW,
            "--named-conf",
            "named-zones.conf",
            "--nsd-conf",
            "nsd-zones.conf",
        ],
    );
    let origin = "big.lists.example";
    let key = format!("hmac-sha256:xfr-key:{secret}");
    let axfr = |port: u16, key: Option<&str>| {
        let mut c = Command::new("dig");
        c.args([
            "@127.0.0.1",
            "-p",
            &port.to_string(),
            "+time=5",
            "+tries=1",
            "AXFR",
            origin,
        ]);
        if let Some(k) = key {
            c.args(["-y", k]);
        }
        String::from_utf8_lossy(&c.output().unwrap().stdout).into_owned()
    };

    let nsd_dir = d.join("nsd");
    std::fs::create_dir(&nsd_dir).unwrap();
    let (nsd, port) = start_nsd(&nsd_dir, &d.join("nsd-zones.conf"), origin);
    check_lists(port, origin, "block-in", &block, true);
    check_lists(port, origin, "block-out", &block_out, true);
    check_lists(port, origin, "allow", &allow, false);
    assert!(
        axfr(port, Some(&key)).contains("\tSOA\t"),
        "signed AXFR from NSD"
    );
    assert!(
        !axfr(port, None).contains("\tSOA\t"),
        "unsigned AXFR from NSD"
    );
    drop(nsd);

    // BIND loads names with 4000 records only because the fragment sets
    // max-records-per-type 0.
    let named_dir = d.join("named");
    std::fs::create_dir(&named_dir).unwrap();
    let (named, port) = start_named(&named_dir, &d.join("named-zones.conf"), origin);
    check_lists(port, origin, "block-in", &block, true);
    check_lists(port, origin, "block-out", &block_out, true);
    check_lists(port, origin, "allow", &allow, false);
    assert!(
        axfr(port, Some(&key)).contains("\tSOA\t"),
        "signed AXFR from BIND"
    );
    assert!(
        axfr(port, None).contains("Transfer failed"),
        "unsigned AXFR from BIND"
    );
    drop(named);
}

/// Addresses around every edge of a list: first, last, one before, one after.
fn edges(set: &IpSet, extra: &IpSet) -> (Vec<u32>, Vec<u128>) {
    let mut v4 = BTreeSet::new();
    let mut v6 = BTreeSet::new();
    for r in set.v4.ranges().iter().chain(extra.v4.ranges()) {
        v4.extend(
            [
                Some(r.start),
                Some(r.end),
                r.start.checked_sub(1),
                r.end.checked_add(1),
            ]
            .into_iter()
            .flatten(),
        );
    }
    for r in set.v6.ranges().iter().chain(extra.v6.ranges()) {
        v6.extend(
            [
                Some(r.start),
                Some(r.end),
                r.start.checked_sub(1),
                r.end.checked_add(1),
            ]
            .into_iter()
            .flatten(),
        );
    }
    v4.extend([0x7f00_0001, 0x7f00_0002]);
    v6.extend([0xffff_7f00_0001, 0xffff_7f00_0002]);
    (v4.into_iter().collect(), v6.into_iter().collect())
}

fn rev4(a: u32, zone: &str) -> String {
    let [x, y, z, w] = a.to_be_bytes();
    format!("{w}.{z}.{y}.{x}.{zone}")
}

fn rev6(a: u128, zone: &str) -> String {
    let nibbles: Vec<String> = (0..32)
        .map(|i| format!("{:x}", (a >> (4 * i)) & 0xf))
        .collect();
    format!("{}.{zone}", nibbles.join("."))
}

/// The code an address must answer, from the fixture's categories: the
/// category of the narrowest entry holding it (the longest prefix).
fn expected_code(rows: &[(Entry, String)], hit: impl Fn(&Entry) -> bool) -> &'static str {
    let code = |detail: &str| match detail {
        "botnet-c2" => Some("127.0.0.3"),
        "phishing" => Some("127.0.0.4"),
        "scanners" => Some("127.0.0.5"),
        _ => None,
    };
    let size = |e: &Entry| match e {
        Entry::V4(r) => r.len_u128(),
        Entry::V6(r) => r.len_u128(),
    };
    let narrowest = rows
        .iter()
        .filter(|(e, _)| hit(e))
        .map(|(e, _)| size(e))
        .min();
    let Some(n) = narrowest else {
        return "127.0.0.2";
    };
    ["botnet-c2", "phishing", "scanners"]
        .into_iter()
        .find(|d| rows.iter().any(|(e, x)| x == d && hit(e) && size(e) == n))
        .and_then(code)
        .unwrap_or("127.0.0.2")
}

#[test]
fn dnsbl_zone_and_rbldnsd_answer_at_prefix_edges() {
    if !tools(&["nsd", "nsd-checkconf", "rbldnsd", "dig"]) {
        return;
    }
    let w = Workdir::new();
    let d = w.dir.path();
    // Entries inside categorised networks, of another category: the longest
    // prefix gives the code (192.0.2.9 in the botnet-c2 /24 is a scanner,
    // 2001:db8:abcd::9 in the botnet-c2 /48 phishing).
    let provenance = std::fs::read_to_string(fx("provenance.csv")).unwrap()
        + "192.0.2.9,block-in,feed,scanners\n2001:db8:abcd::9,block-in,feed,phishing\n";
    w.write("provenance.csv", &provenance);
    let prov_path = d.join("provenance.csv").to_string_lossy().into_owned();
    let common = [
        "--config",
        &fx("zone.toml"),
        "--allow",
        &fx("allow.txt"),
        "--provenance",
        &prov_path,
        "--now",
        NOW,
    ];
    let mut args = vec![
        "--format",
        "dnsbl",
        "--origin",
        "bl.example",
        "-o",
        "bl.zone",
    ];
    args.extend(common);
    let block_path = fx("block.txt");
    args.push(&block_path);
    tl_zone(d, &args);
    let mut args = vec![
        "--format",
        "rbldnsd",
        "--origin",
        "bl.example",
        "-o",
        "bl.rbl",
    ];
    args.extend(common);
    args.push(&block_path);
    tl_zone(d, &args);
    let (_rbl, rbl_port) = start_rbldnsd(
        d,
        &["bl.example:ip4set:bl.rbl", "bl.example:ip6trie:bl6.rbl"],
        "2.0.0.127.bl.example",
    );

    std::fs::write(
        d.join("zones.conf"),
        format!(
            "zone:\n\tname: bl.example\n\tzonefile: \"{}/bl.zone\"\n",
            d.display()
        ),
    )
    .unwrap();
    let nsd_dir = d.join("nsd");
    std::fs::create_dir(&nsd_dir).unwrap();
    let (_nsd, nsd_port) = start_nsd(&nsd_dir, &d.join("zones.conf"), "bl.example");

    let allow = read_list(&fixtures().join("allow.txt"));
    let block = read_list(&fixtures().join("block.txt")).difference(&allow);
    let rows: Vec<(Entry, String)> = provenance
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            parse_entry(f[0].as_bytes())
                .ok()
                .map(|e| (e, f[3].to_string()))
        })
        .collect();
    let (mut v4, mut v6) = edges(&block, &allow);
    v4.extend([0xc000_0208, 0xc000_0209, 0xc000_020a]);
    v6.extend([(0x2001_0db8_abcdu128 << 80) | 9]);
    let mut checked = 0;
    for a in v4 {
        let listed = (block.v4.contains(a) || a == 0x7f00_0002) && a != 0x7f00_0001;
        let code = if a == 0x7f00_0002 {
            "127.0.0.2"
        } else {
            expected_code(&rows, |e| matches!(e, Entry::V4(r) if r.contains(a)))
        };
        for (port, q, opts) in [
            (nsd_port, rev4(a, "bl.example"), &["+tcp", "+norec"][..]),
            (rbl_port, rev4(a, "bl.example"), &["+notcp", "+norec"][..]),
        ] {
            let ans = dig(port, &q, "A", opts);
            if listed {
                assert_eq!(ans.of("A"), vec![code], "{q} on port {port}: {ans:?}");
            } else {
                assert!(ans.of("A").is_empty(), "{q} listed on port {port}: {ans:?}");
                assert_eq!(ans.status, "NXDOMAIN", "{q} on port {port}");
            }
            checked += 1;
        }
    }
    for a in v6 {
        let listed = (block.v6.contains(a) || a == 0xffff_7f00_0002) && a != 0xffff_7f00_0001;
        let code = if a == 0xffff_7f00_0002 {
            "127.0.0.2"
        } else {
            expected_code(&rows, |e| matches!(e, Entry::V6(r) if r.contains(a)))
        };
        for (port, q, opts) in [
            (nsd_port, rev6(a, "bl.example"), &["+tcp", "+norec"][..]),
            (rbl_port, rev6(a, "bl.example"), &["+notcp", "+norec"][..]),
        ] {
            let ans = dig(port, &q, "A", opts);
            if listed {
                assert_eq!(ans.of("A"), vec![code], "{q} on port {port}: {ans:?}");
            } else {
                assert!(ans.of("A").is_empty(), "{q} listed on port {port}: {ans:?}");
            }
            checked += 1;
        }
    }
    // the reason comes with the code
    let txt = dig(nsd_port, &rev4(0xc000_0201, "bl.example"), "TXT", &["+tcp"]);
    assert_eq!(txt.of("TXT"), vec!["\"Botnet command and control\""]);
    let txt = dig(
        rbl_port,
        &rev4(0xc000_0201, "bl.example"),
        "TXT",
        &["+notcp"],
    );
    assert_eq!(txt.of("TXT"), vec!["\"Botnet command and control\""]);
    assert!(checked >= 100, "{checked}");
}

#[test]
fn unbound_applies_the_policy_zone() {
    if !tools(&[
        "nsd",
        "nsd-checkconf",
        "unbound",
        "unbound-checkconf",
        "dig",
    ]) {
        return;
    }
    let w = Workdir::new();
    let d = w.dir.path();
    // The policy zone, from the fixtures (listed and allow-listed domains,
    // listed addresses with an allow-listed hole) and a few more categories:
    // NODATA, a walled garden, and a client whose every query is refused.
    let config = std::fs::read_to_string(fx("zone.toml")).unwrap()
        + "\n[[category]]\nmatch = \"feed:nodata-feed\"\nrpz = \"nodata\"\n\
           [[category]]\nmatch = \"feed:garden-feed\"\nrpz = \"redirect:walled.example.test\"\n\
           [rpz]\nclient_ip_action = \"nxdomain\"\n";
    let config = config.replacen("[rpz]\naction = \"nxdomain\"\n", "", 1);
    std::fs::write(d.join("zone.toml"), config).unwrap();
    let provenance = std::fs::read_to_string(fx("provenance.csv")).unwrap()
        + "quiet.example.test,domains,feed,nodata-feed\ngarden.example.test,domains,feed,garden-feed\n";
    std::fs::write(d.join("provenance.csv"), provenance).unwrap();
    std::fs::write(
        d.join("more.txt"),
        "quiet.example.test\ngarden.example.test\n",
    )
    .unwrap();
    std::fs::write(d.join("clients.txt"), "127.0.0.3\n").unwrap();
    tl_zone(
        d,
        &[
            "--format",
            "rpz",
            "--origin",
            "rpz.example",
            "--config",
            "zone.toml",
            "--allow",
            &fx("allow.txt"),
            "--allow",
            &fx("allow-domains.txt"),
            "--provenance",
            "provenance.csv",
            "--client-ip",
            "clients.txt",
            "--now",
            NOW,
            "-o",
            "rpz.zone",
            &fx("block.txt"),
            &fx("domains.txt"),
            "more.txt",
        ],
    );
    // The real names, served by NSD.
    std::fs::write(
        d.join("example.test.zone"),
        "$ORIGIN example.test.\n$TTL 60\n@ SOA ns1 h 1 3600 600 86400 60\n@ NS ns1\nns1 A 127.0.0.1\n\
         bad A 192.0.2.66\nsub.bad A 192.0.2.67\nok.bad A 198.18.0.68\nevil A 198.51.100.7\n\
         fine A 198.18.0.1\npartner A 192.0.2.77\nc2host A 192.0.2.5\nhost6 AAAA 2001:db8:ff00::7\n\
         quiet A 198.18.0.2\ngarden A 198.18.0.3\nwalled A 198.18.0.99\n",
    )
    .unwrap();
    std::fs::write(
        d.join("zones.conf"),
        format!(
            "zone:\n\tname: example.test\n\tzonefile: \"{}/example.test.zone\"\n",
            d.display()
        ),
    )
    .unwrap();
    let nsd_dir = d.join("nsd");
    std::fs::create_dir(&nsd_dir).unwrap();
    let (_nsd, nsd_port) = start_nsd(&nsd_dir, &d.join("zones.conf"), "example.test");

    let port = free_port();
    let conf = d.join("unbound.conf");
    std::fs::write(
        &conf,
        format!(
            "server:\n\tinterface: 127.0.0.1@{port}\n\tport: {port}\n\tdo-ip6: no\n\tusername: \"\"\n\tchroot: \"\"\n\
             \tdirectory: \"{dir}\"\n\tpidfile: \"{dir}/unbound.pid\"\n\tuse-syslog: no\n\tlogfile: \"\"\n\
             \tmodule-config: \"respip iterator\"\n\tlocal-zone: \"test.\" nodefault\n\tdo-not-query-localhost: no\n\
             \tverbosity: 1\n\tnum-threads: 1\n\
             stub-zone:\n\tname: \"example.test\"\n\tstub-addr: 127.0.0.1@{nsd_port}\n\
             rpz:\n\tname: \"rpz.example\"\n\tzonefile: \"{dir}/rpz.zone\"\n",
            dir = d.display()
        ),
    )
    .unwrap();
    let _unbound = start_unbound(d, &conf, port);
    let q = |name: &str, t: &str| dig(port, name, t, &[]);
    // QNAME trigger, and its wildcard for subdomains
    assert_eq!(q("bad.example.test", "A").status, "NXDOMAIN");
    assert_eq!(q("sub.bad.example.test", "A").status, "NXDOMAIN");
    assert_eq!(q("deeper.sub.bad.example.test", "A").status, "NXDOMAIN");
    // an allow-listed name under a listed one passes
    let ok = q("ok.bad.example.test", "A");
    assert_eq!(
        (ok.status.as_str(), ok.of("A")),
        ("NOERROR", vec!["198.18.0.68"])
    );
    // rpz-ip: an answer inside a listed network is rewritten
    assert_eq!(q("evil.example.test", "A").status, "NXDOMAIN");
    assert_eq!(q("host6.example.test", "AAAA").status, "NXDOMAIN");
    // the action of the category: botnet-c2 is DROP (no answer at all)
    let drop = dig(port, "c2host.example.test", "A", &["+time=1", "+tries=1"]);
    assert!(drop.status.starts_with("no answer"), "{drop:?}");
    // an allow-listed hole in a listed network (PASSTHRU, the longer prefix)
    let p = q("partner.example.test", "A");
    assert_eq!(
        (p.status.as_str(), p.of("A")),
        ("NOERROR", vec!["192.0.2.77"])
    );
    // NODATA: the name exists, without the record
    let n = q("quiet.example.test", "A");
    assert_eq!(
        (n.status.as_str(), n.of("A").len()),
        ("NOERROR", 0),
        "{n:?}"
    );
    // a walled garden: the answer is the garden's
    let g = q("garden.example.test", "A");
    assert_eq!(g.of("CNAME"), vec!["walled.example.test."], "{g:?}");
    assert_eq!(g.of("A"), vec!["198.18.0.99"], "{g:?}");
    // rpz-client-ip: the same question from a listed client is refused
    let c = dig(port, "fine.example.test", "A", &["-b", "127.0.0.3"]);
    assert_eq!(c.status, "NXDOMAIN", "{c:?}");
    // everything else is untouched
    let f = q("fine.example.test", "A");
    assert_eq!(
        (f.status.as_str(), f.of("A")),
        ("NOERROR", vec!["198.18.0.1"])
    );
}

/// The names behind the policy tests, on loopback addresses that share
/// one port: a root server (127.0.0.1) that delegates `example.test`,
/// `hosted.test` (its name server `ns.badhost.test`, listed by name) and
/// `ipfront.test` (its name server at 127.0.0.5, listed by address) to a
/// second NSD on 127.0.0.4 and 127.0.0.5. A resolver that iterates from
/// this root sees real delegations, which BIND needs for rpz-nsdname and
/// rpz-nsip triggers.
struct PolicyLab {
    _root: Server,
    _child: Server,
    /// The port every server of the lab listens on.
    port: u16,
}

const LAB_ZONES: [(&str, &str); 4] = [
    (
        "example.test",
        "@ NS ns1\nns1 A 127.0.0.4\nbad A 192.0.2.66\nfine A 198.18.0.1\nphish A 198.18.0.9\n\
         _sip._tcp A 198.18.0.10\nwild A 198.18.0.11\nx.wild A 198.18.0.12\n",
    ),
    ("hosted.test", "@ NS ns.badhost.test.\nwww A 198.18.1.1\n"),
    ("badhost.test", "@ NS ns.badhost.test.\nns A 127.0.0.4\n"),
    (
        "ipfront.test",
        "@ NS ns.ipfront.test.\nns A 127.0.0.5\nwww A 198.18.1.2\n",
    ),
];

fn dig_at(addr: &str, port: u16, name: &str, qtype: &str) -> String {
    let out = Command::new("dig")
        .args([&format!("@{addr}"), "-p", &port.to_string()])
        .args([
            "+tcp", "+norec", "+time=2", "+tries=1", "+short", name, qtype,
        ])
        .output()
        .expect("dig");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn policy_lab(d: &Path) -> PolicyLab {
    let port = common::dns::free_port_on(&["127.0.0.1", "127.0.0.4", "127.0.0.5"]);
    let soa = |ns: &str| format!("$TTL 60\n@ SOA {ns} h 1 3600 600 86400 60\n");
    std::fs::write(
        d.join("root.zone"),
        soa("ns.root.")
            + "@ NS ns.root.\nns.root. A 127.0.0.1\n\
               example.test. NS ns1.example.test.\nns1.example.test. A 127.0.0.4\n\
               hosted.test. NS ns.badhost.test.\n\
               badhost.test. NS ns.badhost.test.\nns.badhost.test. A 127.0.0.4\n\
               ipfront.test. NS ns.ipfront.test.\nns.ipfront.test. A 127.0.0.5\n",
    )
    .unwrap();
    let mut child = String::new();
    for (zone, records) in LAB_ZONES {
        std::fs::write(d.join(format!("{zone}.zone")), soa("ns.root.") + records).unwrap();
        child += &format!(
            "zone:\n\tname: {zone}\n\tzonefile: \"{}/{zone}.zone\"\n",
            d.display()
        );
    }
    std::fs::write(d.join("child.conf"), child).unwrap();
    std::fs::write(
        d.join("root.conf"),
        format!(
            "zone:\n\tname: \".\"\n\tzonefile: \"{}/root.zone\"\n",
            d.display()
        ),
    )
    .unwrap();
    let start = |name: &str, addrs: &[&str], zones: &str, probe: (&'static str, &'static str)| {
        let dir = d.join(name);
        std::fs::create_dir(&dir).unwrap();
        let conf = common::dns::nsd_conf_on(&dir, addrs, port, &d.join(zones), false);
        Server::start(
            Command::new("nsd").args(["-d", "-c"]).arg(&conf),
            &dir.join("nsd.log"),
            || !dig_at(probe.0, port, probe.1, "SOA").is_empty(),
        )
    };
    let root = start("root", &["127.0.0.1"], "root.conf", ("127.0.0.1", "."));
    let child = start(
        "child",
        &["127.0.0.4", "127.0.0.5"],
        "child.conf",
        ("127.0.0.5", "ipfront.test"),
    );
    // without a policy, every name the tests block has an answer
    assert_eq!(
        dig_at("127.0.0.4", port, "www.hosted.test", "A"),
        "198.18.1.1"
    );
    assert_eq!(
        dig_at("127.0.0.5", port, "www.ipfront.test", "A"),
        "198.18.1.2"
    );
    PolicyLab {
        _root: root,
        _child: child,
        port,
    }
}

/// The policy of the lab, published by tl-zone in `d/rpz.zone` (origin
/// `rpz.example`, with a BIND fragment `d/named-zones.conf`): a listed
/// name, a wildcard entry, a category answered with local data (also at a
/// service name), clients with their own actions (127.0.0.2 dropped,
/// 127.0.0.3 sent to the garden), a name server listed by name
/// (NXDOMAIN) and one by address (NODATA, the list's own action).
fn publish_lab_policy(d: &Path) {
    std::fs::write(
        d.join("z.toml"),
        "[rpz]\nclient_ip_action = \"drop\"\n\
         [rpz.list_actions]\ninside = \"local-data:garden\"\nns-addrs = \"nodata\"\n\
         [rpz.local_data.garden]\na = [\"198.18.0.99\"]\naaaa = [\"2001:db8::99\"]\n\
         txt = [\"Blocked: see \\\"help\\\"\"]\n\
         [[category]]\nmatch = \"feed:phishing\"\nrpz = \"local-data:garden\"\n",
    )
    .unwrap();
    let files = [
        (
            "list.txt",
            "bad.example.test\nphish.example.test\n_sip._tcp.example.test\n*.wild.example.test\n",
        ),
        (
            "prov.csv",
            "entry,list,reason,detail\nphish.example.test,domains,feed,phishing\n\
             _sip._tcp.example.test,domains,feed,phishing\n",
        ),
        ("outside.txt", "127.0.0.2\n"),
        ("inside.txt", "127.0.0.3\n"),
        ("ns-names.txt", "ns.badhost.test\n"),
        ("ns-addrs.txt", "127.0.0.5\n"),
    ];
    for (f, text) in files {
        std::fs::write(d.join(f), text).unwrap();
    }
    tl_zone(
        d,
        &[
            "--format",
            "rpz",
            "--origin",
            "rpz.example",
            "--config",
            "z.toml",
            "--provenance",
            "prov.csv",
            "--client-ip",
            "outside.txt",
            "--client-ip",
            "inside.txt",
            "--ns-list",
            "ns-names.txt",
            "--ns-list",
            "ns-addrs.txt",
            "--named-conf",
            "named-zones.conf",
            "--now",
            NOW,
            "-o",
            "rpz.zone",
            "list.txt",
        ],
    );
}

/// What the lab's policy must do at a resolver on 127.0.0.1:`port`.
fn check_lab_policy(port: u16, resolver: &str) {
    check_lab_names_and_clients(port, resolver);
    let q = |name: &str, t: &str| dig(port, name, t, &[]);
    let a = |name: &str| {
        let r = q(name, "A");
        (r.status.clone(), r.of("A").join(" "))
    };
    let nx = ("NXDOMAIN".to_string(), String::new());
    // rpz-nsdname: a name served by a listed name server
    assert_eq!(a("www.hosted.test"), nx, "{resolver}");
    // rpz-nsip: served from a listed address; that list's action, NODATA
    let nodata = q("www.ipfront.test", "A");
    assert_eq!(
        (nodata.status.as_str(), nodata.records.len()),
        ("NOERROR", 0),
        "{resolver}: {nodata:?}"
    );
}

/// The lab's QNAME, local-data, wildcard and client-IP policies, as a
/// resolver at `port` applies them.
fn check_lab_names_and_clients(port: u16, resolver: &str) {
    let q = |name: &str, t: &str| dig(port, name, t, &[]);
    let a = |name: &str| {
        let r = q(name, "A");
        (r.status.clone(), r.of("A").join(" "))
    };
    let ok = |a: &str| ("NOERROR".to_string(), a.to_string());
    let nx = ("NXDOMAIN".to_string(), String::new());
    assert_eq!(a("fine.example.test"), ok("198.18.0.1"), "{resolver}");
    assert_eq!(a("bad.example.test"), nx, "{resolver}");
    // local data: the records themselves, for the name and below it
    assert_eq!(a("phish.example.test"), ok("198.18.0.99"), "{resolver}");
    assert_eq!(
        a("deep.phish.example.test"),
        ok("198.18.0.99"),
        "{resolver}"
    );
    let txt = q("phish.example.test", "TXT");
    assert_eq!(
        txt.of("TXT"),
        vec!["\"Blocked: see \\\"help\\\"\""],
        "{resolver}"
    );
    let aaaa = q("_sip._tcp.example.test", "AAAA");
    assert_eq!(
        aaaa.of("AAAA"),
        vec!["2001:db8::99"],
        "{resolver}: {aaaa:?}"
    );
    // a wildcard entry: the subdomains, not the name
    assert_eq!(a("wild.example.test"), ok("198.18.0.11"), "{resolver}");
    assert_eq!(a("x.wild.example.test"), nx, "{resolver}");
    // rpz-client-ip: each list of clients its own action
    let inside = dig(port, "fine.example.test", "A", &["-b", "127.0.0.3"]);
    assert_eq!(
        inside.of("A"),
        vec!["198.18.0.99"],
        "{resolver}: {inside:?}"
    );
    let outside = dig(
        port,
        "fine.example.test",
        "A",
        &["-b", "127.0.0.2", "+time=1", "+tries=1"],
    );
    assert!(
        outside.status.starts_with("no answer"),
        "{resolver}: {outside:?}"
    );
    assert_eq!(a("fine.example.test"), ok("198.18.0.1"), "{resolver}");
}

/// BIND as the resolver, loading the policy zone through tl-zone's own
/// fragment (its `check-names ignore` lets local data stand at `_sip`),
/// iterating from the lab's root: every trigger kind fires.
#[test]
fn bind_resolver_applies_local_data_name_server_and_client_policies() {
    if !tools(&["nsd", "named", "named-checkconf", "dig"]) {
        return;
    }
    let w = Workdir::new();
    let d = w.dir.path();
    let lab = policy_lab(d);
    publish_lab_policy(d);
    std::fs::write(
        d.join("root.hint"),
        ". 3600 NS ns.root.\nns.root. 3600 A 127.0.0.1\n",
    )
    .unwrap();
    let listen = free_port();
    let conf = d.join("named.conf");
    std::fs::write(
        &conf,
        format!(
            "options {{\n\tdirectory \"{dir}\";\n\tport {port};\n\
             \tlisten-on port {listen} {{ 127.0.0.1; }};\n\tlisten-on-v6 {{ none; }};\n\
             \tpid-file \"{dir}/named.pid\";\n\tsession-keyfile \"{dir}/session.key\";\n\
             \trecursion yes;\n\tallow-query {{ 127.0.0.0/8; }};\n\tallow-recursion {{ 127.0.0.0/8; }};\n\
             \tdnssec-validation no;\n\tresponse-policy {{ zone \"rpz.example\"; }};\n}};\n\
             controls {{ }};\nzone \".\" {{ type hint; file \"{dir}/root.hint\"; }};\n\
             include \"{dir}/named-zones.conf\";\n",
            dir = d.display(),
            port = lab.port,
        ),
    )
    .unwrap();
    let check = Command::new("named-checkconf").arg(&conf).output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let named = Server::start(
        Command::new("named")
            .args(["-g", "-4", "-n", "1", "-c"])
            .arg(&conf),
        &d.join("named.log"),
        || dig(listen, "rpz.example", "SOA", &[]).of("SOA").len() == 1,
    );
    // the policy is in force once the zone is loaded and summarised
    let deadline = Instant::now() + Duration::from_secs(10);
    while dig(listen, "bad.example.test", "A", &[]).status != "NXDOMAIN"
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!named.log().contains("check-names"), "{}", named.log());
    check_lab_policy(listen, "BIND");
}

/// Unbound as the resolver, reading the same policy zone: stub zones give
/// it the name server's name (`stub-host`) and address (`stub-addr`), which
/// its rpz-nsdname and rpz-nsip triggers match.
#[test]
fn unbound_applies_local_data_name_server_and_client_policies() {
    if !tools(&["nsd", "unbound", "unbound-checkconf", "dig"]) {
        return;
    }
    let w = Workdir::new();
    let d = w.dir.path();
    let lab = policy_lab(d);
    publish_lab_policy(d);
    let port = free_port();
    let p = lab.port;
    let conf = d.join("unbound.conf");
    std::fs::write(
        &conf,
        format!(
            "server:\n\tinterface: 127.0.0.1@{port}\n\tport: {port}\n\tdo-ip6: no\n\tusername: \"\"\n\tchroot: \"\"\n\
             \tdirectory: \"{dir}\"\n\tpidfile: \"{dir}/unbound.pid\"\n\tuse-syslog: no\n\tlogfile: \"\"\n\
             \tmodule-config: \"respip iterator\"\n\tlocal-zone: \"test.\" nodefault\n\tdo-not-query-localhost: no\n\
             \taccess-control: 127.0.0.0/8 allow\n\tverbosity: 1\n\tnum-threads: 1\n\
             stub-zone:\n\tname: \"example.test\"\n\tstub-addr: 127.0.0.4@{p}\n\
             stub-zone:\n\tname: \"hosted.test\"\n\tstub-host: ns.badhost.test\n\tstub-addr: 127.0.0.4@{p}\n\
             stub-zone:\n\tname: \"ipfront.test\"\n\tstub-addr: 127.0.0.5@{p}\n\
             rpz:\n\tname: \"rpz.example\"\n\tzonefile: \"{dir}/rpz.zone\"\n",
            dir = d.display()
        ),
    )
    .unwrap();
    let _unbound = start_unbound(d, &conf, port);
    check_lab_policy(port, "Unbound");
}

/// PowerDNS Recursor as the resolver, reading the same policy zone through
/// `rpzFile`. It reaches the lab's zones by forwarding (the lab's servers
/// share a port other than 53, which root hints cannot name), so it never
/// learns their name servers and its rpz-nsdname and rpz-nsip triggers
/// have nothing to match: the QNAME, local-data, wildcard and client-IP
/// policies are checked (docs/zone.md, "Resolvers").
#[test]
fn powerdns_recursor_applies_local_data_and_client_policies() {
    if !tools(&["nsd", "pdns_recursor", "dig"]) {
        return;
    }
    let w = Workdir::new();
    let d = w.dir.path();
    let lab = policy_lab(d);
    publish_lab_policy(d);
    let port = free_port();
    let p = lab.port;
    std::fs::write(
        d.join("rpz.lua"),
        format!(
            "rpzFile(\"{}/rpz.zone\", {{policyName=\"rpz.example\"}})\n",
            d.display()
        ),
    )
    .unwrap();
    std::fs::write(
        d.join("recursor.conf"),
        format!(
            "local-address=127.0.0.1\nlocal-port={port}\nallow-from=127.0.0.0/8\n\
             dont-query=\nforward-zones=example.test=127.0.0.4:{p}\n\
             lua-config-file={dir}/rpz.lua\nsocket-dir={dir}\ndaemon=no\n\
             write-pid=no\nthreads=1\ndisable-syslog=yes\nloglevel=6\ndnssec=off\ndisable-packetcache=yes\n",
            dir = d.display()
        ),
    )
    .unwrap();
    let _recursor = Server::start(
        Command::new("pdns_recursor").arg(format!("--config-dir={}", d.display())),
        &d.join("recursor.log"),
        || dig(port, "fine.example.test", "A", &[]).status == "NOERROR",
    );
    check_lab_names_and_clients(port, "PowerDNS Recursor");
}

#[test]
fn bind_takes_each_new_version_through_the_reload_hook() {
    if !tools(&["named", "named-checkconf", "rndc", "rndc-confgen", "dig"]) {
        return;
    }
    let w = Workdir::new();
    let d = w.dir.path();
    let origin = "reload.example";
    w.write("l.txt", "192.0.2.1\n");
    let publish = |extra: &[&str]| {
        let mut args = vec![
            "--format",
            "a",
            "--origin",
            origin,
            "-o",
            "z.zone",
            "--named-conf",
            "named-zones.conf",
        ];
        args.extend_from_slice(extra);
        args.push("l.txt");
        tl_zone(d, &args);
    };
    publish(&["--now", NOW]);
    // The file looks an hour newer than the clock, as after the clock
    // stepped back. (BIND remembers the older of load time and file time
    // and ignores `rndc reload` for a file not newer than that; a real
    // clock step cannot be made here, so the file level is asserted below.)
    let later = std::time::SystemTime::now() + Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(d.join("z.zone"))
        .unwrap()
        .set_modified(later)
        .unwrap();

    let (controls, rndc) = rndc_controls(d);
    let named_dir = d.join("named");
    std::fs::create_dir(&named_dir).unwrap();
    let (_named, port) =
        start_named_with(&named_dir, &d.join("named-zones.conf"), origin, &controls);
    let serial = || {
        let a = tcp(port, origin, "SOA");
        a.of("SOA")
            .first()
            .map(|s| s.split_whitespace().nth(2).unwrap().to_string())
            .unwrap_or_default()
    };
    assert_eq!(serial(), "2026112700");

    // A new version, published with the reload hook: the serial grows and
    // the file gets an mtime past the old one, so BIND takes it.
    w.write("l.txt", "192.0.2.2\n");
    publish(&["--now", NOW, "--reload", &rndc]);
    let mtime = std::fs::metadata(d.join("z.zone"))
        .unwrap()
        .modified()
        .unwrap();
    assert!(mtime > later, "the new file is newer than the old one");
    let deadline = Instant::now() + Duration::from_secs(10);
    while serial() != "2026112701" && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(serial(), "2026112701");
    assert_eq!(
        tcp(port, &format!("l.{origin}"), "A").of("A"),
        vec!["192.0.2.2"]
    );
}

/// A name server named inside the zone needs address records there: BIND
/// refuses the zone without them. tl-zone refuses to write it, naming the
/// key that fixes it; with `ns_addresses` every checker and BIND take it.
#[test]
fn an_in_zone_name_server_gets_its_addresses() {
    if !tools(&[
        "named-checkzone",
        "nsd-checkzone",
        "named",
        "named-checkconf",
        "dig",
    ]) {
        return;
    }
    let w = Workdir::new();
    let d = w.dir.path();
    let origin = "glue.example";
    w.write("l.txt", "192.0.2.1\n198.51.100.0/24\n");
    w.write(
        "z.toml",
        "ns = [\"ns1.glue.example.\", \"ns.example.net.\"]\n",
    );
    let args = [
        "--format",
        "txt",
        "--origin",
        origin,
        "--config",
        "z.toml",
        "--now",
        NOW,
        "-o",
        "z.zone",
        "--named-conf",
        "named-zones.conf",
        "l.txt",
    ];
    let r = common::run_in(d, common::bin_path("tl-zone"), &args, b"");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "zone glue.example: its name server ns1.glue.example is inside the zone and has \
             no address: give its addresses in the zone configuration, ns_addresses = \
             { \"ns1.glue.example.\" = [\"ADDRESS\"] }"
        ),
        "{}",
        r.stderr
    );
    assert!(!d.join("z.zone").exists());
    w.write(
        "z.toml",
        "ns = [\"ns1.glue.example.\", \"ns.example.net.\"]\n\
         ns_addresses = { \"ns1.glue.example.\" = [\"192.0.2.53\", \"2001:db8::53\"] }\n",
    );
    tl_zone(d, &args);
    let zone = w.read("z.zone");
    assert!(
        zone.contains("ns1.glue.example.\tA\t192.0.2.53\nns1.glue.example.\tAAAA\t2001:db8::53\n"),
        "{zone}"
    );
    for (checker, args) in [
        (
            "named-checkzone",
            vec!["-k", "fail", "-i", "full", origin, "z.zone"],
        ),
        ("nsd-checkzone", vec![origin, "z.zone"]),
    ] {
        let o = Command::new(checker)
            .current_dir(d)
            .args(&args)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{checker}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let named_dir = d.join("named");
    std::fs::create_dir(&named_dir).unwrap();
    let (_named, port) = start_named(&named_dir, &d.join("named-zones.conf"), origin);
    assert_eq!(
        tcp(port, "ns1.glue.example", "A").of("A"),
        vec!["192.0.2.53"]
    );
    assert_eq!(tcp(port, "glue.example", "NS").of("NS").len(), 2);
}

/// Knot on a free port in `d/knot`, serving `zones` (origin, file in `d`),
/// once it answers the SOA of the last.
fn start_knot(d: &Path, zones: &[(String, String)]) -> (Server, u16) {
    let port = free_port();
    let knot = d.join("knot");
    std::fs::create_dir(&knot).unwrap();
    let mut conf = format!(
        "server:\n    listen: 127.0.0.1@{port}\n    rundir: \"{k}\"\n\
         database:\n    storage: \"{k}\"\n\
         template:\n  - id: default\n    storage: \"{k}\"\n    journal-content: none\n\
         \x20   zonefile-sync: -1\n    zonefile-load: whole\n    semantic-checks: on\n\
         zone:\n",
        k = knot.display()
    );
    for (origin, file) in zones {
        conf.push_str(&format!(
            "  - domain: {origin}\n    file: \"{}\"\n",
            d.join(file).display()
        ));
    }
    let conf_path = knot.join("knot.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let check = Command::new("knotc")
        .args(["-c"])
        .arg(&conf_path)
        .arg("conf-check")
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "knotc conf-check: {}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let last = zones.last().unwrap().0.clone();
    let knot_server = Server::start(
        Command::new("knotd").arg("-c").arg(&conf_path),
        &knot.join("knotd.log"),
        || tcp(port, &last, "SOA").status == "NOERROR",
    );
    (knot_server, port)
}

/// Knot DNS loads and serves every zone form tl-zone writes: one list in
/// each format (each at its own origin) and every profile's list and
/// policy zones.
#[test]
fn knot_loads_and_serves_every_zone() {
    if !tools(&["knotd", "dig"]) {
        return;
    }
    let w = Workdir::new();
    let d = w.dir.path();
    let mut zones = one_list_per_format(d, |f| format!("{f}.knot.example"));
    tl_zone(
        d,
        &[
            "--out",
            &fx("out"),
            "--origin",
            "lists.example",
            "--now",
            NOW,
            "-o",
            ".",
        ],
    );
    for p in ["acme", "beta"] {
        zones.push((format!("{p}.lists.example"), format!("{p}.zone")));
        zones.push((format!("{p}.rpz.lists.example"), format!("{p}.rpz.zone")));
    }
    let (_knot, port) = start_knot(d, &zones);
    for (origin, _) in &zones {
        let soa = tcp(port, origin, "SOA");
        assert_eq!(soa.status, "NOERROR", "{origin}: {soa:?}");
        assert!(
            soa.of("SOA")[0].contains(" 2026112700 "),
            "{origin}: {soa:?}"
        );
    }
    let q = |name: &str, t: &str| tcp(port, name, t);
    assert!(q("block.a.knot.example", "A")
        .of("A")
        .contains(&"192.0.2.1"));
    assert!(q("block.aaaa.knot.example", "AAAA")
        .of("AAAA")
        .contains(&"2001:db8::5"));
    let apl = q("block.apl.knot.example", "APL");
    assert!(
        apl.of("APL")
            .iter()
            .any(|r| r.contains("1:192.0.2.0/24 !1:192.0.2.77/32")),
        "{apl:?}"
    );
    let txt = q("block.txt.knot.example", "TXT");
    assert!(
        txt.of("TXT").iter().any(|r| r.starts_with("\"seq=1/")),
        "{txt:?}"
    );
    assert_eq!(
        q("1.2.0.192.dnsbl.knot.example", "A").of("A"),
        vec!["127.0.0.3"]
    );
    assert_eq!(q("77.2.0.192.dnsbl.knot.example", "A").status, "NXDOMAIN");
    assert_eq!(
        q("c2.example.test.rpz.knot.example", "CNAME").of("CNAME"),
        vec!["rpz-drop."]
    );
    assert_eq!(
        q("x.bad.example.test.rpz.knot.example", "CNAME").of("CNAME"),
        vec!["."]
    );
}

/// The forms of issue 19 on the real servers: an exact list (APL: nested
/// entries as given) and a plain TXT list (no markers) pass both checkers
/// and are served by NSD, BIND and Knot; the DNSBL zone with IPv6 nibbles
/// directly under its name answers right for both families on owners
/// spelled in digits; rbldnsd serves the ip4set and ip6trie datasets under
/// one zone name (its own RFC 5782 form), exact lines included; `tl-fw
/// pull` refuses a plain TXT list by name.
#[test]
fn exact_plain_txt_and_ipv6_dnsbl_names_on_the_servers() {
    if !tools(&[
        "named-checkzone",
        "nsd-checkzone",
        "nsd",
        "nsd-checkconf",
        "named",
        "named-checkconf",
        "knotd",
        "knotc",
        "rbldnsd",
        "dig",
    ]) {
        return;
    }
    let w = Workdir::new();
    let d = w.dir.path();
    let (exact, allow) = (fx("exact.txt"), fx("exact-allow.txt"));
    let (digits, digits_cfg) = (fx("digits.txt"), fx("digits.toml"));
    let one = |args: &[&str]| {
        let mut a = vec!["-q", "--now", NOW];
        a.extend_from_slice(args);
        tl_zone(d, &a);
    };
    one(&[
        "--format",
        "apl",
        "--exact",
        "--origin",
        "apl.exact.example",
        "--allow",
        &allow,
        "-o",
        "apl.zone",
        &exact,
    ]);
    one(&[
        "--format",
        "txt",
        "--exact",
        "--txt-plain",
        "--origin",
        "txt.exact.example",
        "--allow",
        &allow,
        "-o",
        "txt.zone",
        &exact,
    ]);
    one(&[
        "--format",
        "dnsbl",
        "--config",
        &digits_cfg,
        "--origin",
        "bl.digits.example",
        "-o",
        "bl.zone",
        &digits,
    ]);
    one(&[
        "--format",
        "rbldnsd",
        "--config",
        &digits_cfg,
        "--origin",
        "bl.digits.example",
        "-o",
        "digits.rbl",
        &digits,
    ]);
    one(&[
        "--format",
        "rbldnsd",
        "--exact",
        "--origin",
        "bl.exact.example",
        "--allow",
        &allow,
        "-o",
        "exact.rbl",
        &exact,
    ]);
    let zones: Vec<(String, String)> = [
        ("apl.exact.example", "apl.zone"),
        ("txt.exact.example", "txt.zone"),
        ("bl.digits.example", "bl.zone"),
    ]
    .map(|(o, f)| (o.to_string(), f.to_string()))
    .to_vec();
    for (origin, file) in &zones {
        let o = Command::new("named-checkzone")
            .args(["-k", "fail", "-i", "full", origin])
            .arg(d.join(file))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "named-checkzone {file}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
        let o = Command::new("nsd-checkzone")
            .arg(origin)
            .arg(d.join(file))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "nsd-checkzone {file}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let mut conf = String::new();
    let mut named = String::new();
    for (origin, file) in &zones {
        let path = d.join(file);
        conf.push_str(&format!(
            "zone:\n\tname: {origin}\n\tzonefile: \"{}\"\n",
            path.display()
        ));
        named.push_str(&format!(
            "zone \"{origin}\" {{ type primary; file \"{}\"; max-records-per-type 0; }};\n",
            path.display()
        ));
    }
    std::fs::write(d.join("nsd-zones.conf"), conf).unwrap();
    std::fs::write(d.join("named-zones.conf"), named).unwrap();
    for dir in ["nsd", "named"] {
        std::fs::create_dir(d.join(dir)).unwrap();
    }
    let (_nsd, nsd_port) = start_nsd(
        &d.join("nsd"),
        &d.join("nsd-zones.conf"),
        "bl.digits.example",
    );
    let (_named, named_port) = start_named(
        &d.join("named"),
        &d.join("named-zones.conf"),
        "bl.digits.example",
    );
    let (_knot, knot_port) = start_knot(d, &zones);
    // IPv4 and IPv6 queries under one name; listed or not
    let v6 = |s: &str| s.parse::<std::net::Ipv6Addr>().unwrap().to_bits();
    let v4 = |s: &str| s.parse::<std::net::Ipv4Addr>().unwrap().to_bits();
    let bl = "bl.digits.example";
    let queries = [
        (rev6(v6("2001:db8::1"), bl), true),
        (rev6(v6("3000::7"), bl), true),
        (rev6(v6("300f:ffff::1"), bl), true),
        (rev6(v6("2010::1"), bl), false), // under IPv4 2.0.1.0/24's owner
        (rev6(v6("9990::1"), bl), false), // under IPv4 9.9.9.9's owner
        (rev4(v4("2.0.1.5"), bl), true),
        (rev4(v4("10.0.1.200"), bl), true),
        (rev4(v4("9.9.9.9"), bl), true),
        (rev4(v4("3.0.0.7"), bl), false), // under IPv6 3000::/12's owner
        (rev4(v4("2.0.2.5"), bl), false),
    ];
    for port in [nsd_port, named_port, knot_port] {
        for (q, listed) in &queries {
            let a = tcp(port, q, "A");
            if *listed {
                assert_eq!(a.of("A"), vec!["127.0.0.2"], "{q} on {port}: {a:?}");
            } else {
                assert!(a.of("A").is_empty(), "{q} listed on {port}: {a:?}");
            }
        }
        // the exact list: nested entries as given, the hole in each
        let apl = tcp(port, "exact.apl.exact.example", "APL");
        assert!(
            apl.of("APL").iter().any(|r| r.contains(
                "1:192.0.2.0/24 !1:192.0.2.77/32 1:192.0.2.0/25 !1:192.0.2.77/32 1:192.0.2.128/25"
            )),
            "{apl:?}"
        );
        // the plain TXT list: token strings only
        let txt = tcp(port, "exact.txt.exact.example", "TXT");
        let records = txt.of("TXT");
        assert_eq!(records.len(), 1, "{txt:?}");
        let strings = txt_strings(records[0]);
        assert!(
            strings[0].starts_with("10.0.0.0/8 10.1.2.0/28 192.0.2.0/26 "),
            "{strings:?}"
        );
        assert!(!records[0].contains("seq=") && !records[0].contains("chunks="));
        assert_eq!(
            tcp(port, "exact1.txt.exact.example", "TXT").status,
            "NXDOMAIN"
        );
    }
    // rbldnsd: both datasets under one zone name, and exact lines
    let (_rbl, rbl_port) = start_rbldnsd(
        d,
        &[
            "bl.digits.example:ip4set:digits.rbl",
            "bl.digits.example:ip6trie:digits6.rbl",
            "bl.exact.example:ip4set:exact.rbl",
            "bl.exact.example:ip6trie:exact6.rbl",
        ],
        "5.1.0.2.bl.digits.example",
    );
    let exact_queries = [
        (rev4(v4("192.0.2.77"), "bl.exact.example"), false),
        (rev4(v4("192.0.2.78"), "bl.exact.example"), true),
        (rev4(v4("192.0.2.200"), "bl.exact.example"), true),
        (rev4(v4("10.1.2.5"), "bl.exact.example"), true),
        (rev4(v4("198.51.100.7"), "bl.exact.example"), false),
        (rev6(v6("2001:db8:abcd::1"), "bl.exact.example"), true),
        (rev6(v6("2001:db9::1"), "bl.exact.example"), false),
    ];
    for (q, listed) in queries.iter().chain(&exact_queries) {
        let a = dig(rbl_port, q, "A", &["+notcp", "+norec"]);
        if *listed {
            assert_eq!(a.of("A"), vec!["127.0.0.2"], "{q} on rbldnsd: {a:?}");
        } else {
            assert!(a.of("A").is_empty(), "{q} listed on rbldnsd: {a:?}");
        }
    }
    // tl-fw pull and a plain TXT profile zone: refused, saying why
    tl_zone(
        d,
        &[
            "-q",
            "--out",
            &fx("out"),
            "--origin",
            "plain.example",
            "--format",
            "txt",
            "--txt-plain",
            "--now",
            NOW,
            "-o",
            "plain",
            "--nsd-conf",
            "plain-zones.conf",
        ],
    );
    std::fs::create_dir(d.join("nsd-plain")).unwrap();
    let (_nsd2, port2) = start_nsd(
        &d.join("nsd-plain"),
        &d.join("plain-zones.conf"),
        "acme.plain.example",
    );
    let server = format!("127.0.0.1:{port2}");
    let r = common::dns::pull(
        d,
        &[
            "--server",
            &server,
            "--zone",
            "acme.plain.example",
            "--form",
            "txt",
            "-o",
            "pulled",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("without the chunks=K count and seq=I/N markers"),
        "{}",
        r.stderr
    );
}

/// The secondaries' side: a BIND primary loads the fragment tl-zone wrote
/// for it, and a BIND and an NSD secondary load theirs as written,
/// transfer the zone with the TSIG key (AXFR) and serve a chunk name of
/// 1,000 A records (BIND only with `max-records-per-type 0`, which the
/// secondary fragment sets). A new version reaches both through NOTIFY and
/// IXFR within seconds (the SOA refresh is an hour).
#[test]
fn bind_and_nsd_secondaries_transfer_from_the_primary() {
    if !tools(&[
        "named",
        "named-checkconf",
        "nsd",
        "nsd-checkconf",
        "rndc",
        "rndc-confgen",
        "tsig-keygen",
        "dig",
    ]) {
        return;
    }
    let w = Workdir::new();
    let d = w.dir.path();
    let origin = "sec.example";
    let mut ports = Vec::new();
    while ports.len() < 3 {
        let p = free_port();
        if !ports.contains(&p) {
            ports.push(p);
        }
    }
    let (primary_port, bind_port, nsd_port) = (ports[0], ports[1], ports[2]);
    tsig_key(d);
    w.write(
        "zone.toml",
        format!(
            "ns = [\"ns1.example.net.\"]\n[server]\nallow_transfer = [\"127.0.0.1\"]\n\
             notify = [\"127.0.0.1@{bind_port}\", \"127.0.0.1@{nsd_port}\"]\n\
             tsig_key = \"xfr-key\"\nnamed_key_file = \"{0}/key.named\"\nnsd_key_file = \"{0}/key.nsd\"\n\
             secondary_nsd_conf = \"nsd-secondary.conf\"\n",
            d.display()
        ),
    );
    // 1,000 addresses: one chunk name `l` with 1,000 A records.
    let list = |n: u32| -> BTreeSet<String> {
        (0..n)
            .map(|i| std::net::Ipv4Addr::from(0xc612_0000 + i * 3).to_string())
            .collect()
    };
    let write_list = |set: &BTreeSet<String>| {
        let text: String = set.iter().map(|a| format!("{a}\n")).collect();
        w.write("l.txt", text);
    };
    let primary = format!("127.0.0.1@{primary_port}");
    let publish = |extra: &[&str]| {
        let mut args = vec![
            "--format",
            "a",
            "--origin",
            origin,
            "--config",
            "zone.toml",
            "-o",
            "z.zone",
            "--named-conf",
            "named-zones.conf",
            "--secondary-named-conf",
            "named-secondary.conf",
            "--primary",
            &primary,
        ];
        args.extend_from_slice(extra);
        args.push("l.txt");
        tl_zone(d, &args);
    };
    let first = list(1000);
    write_list(&first);
    publish(&["--now", NOW]);

    let (controls, rndc) = rndc_controls(d);
    let dir = |name: &str| {
        let p = d.join(name);
        std::fs::create_dir(&p).unwrap();
        p
    };
    let _primary = start_named_at(
        &dir("primary"),
        &d.join("named-zones.conf"),
        origin,
        &controls,
        primary_port,
    );
    let bind_dir = dir("bind");
    let bind = start_named_at(
        &bind_dir,
        &d.join("named-secondary.conf"),
        origin,
        "controls { };",
        bind_port,
    );
    let nsd_dir = dir("nsd");
    let nsd = start_nsd_at(&nsd_dir, &d.join("nsd-secondary.conf"), origin, nsd_port);

    let name = format!("l.{origin}");
    let served = |port: u16| -> BTreeSet<String> {
        let a = tcp(port, &name, "A");
        assert_eq!(a.status, "NOERROR", "{name} at port {port}: {a:?}");
        a.of("A").into_iter().map(String::from).collect()
    };
    for (server, port) in [("BIND", bind_port), ("NSD", nsd_port)] {
        assert_eq!(soa_serial(port, origin), Some(2026112700), "{server}");
        assert!(served(port) == first, "{server}: the 1,000 records");
    }

    // A new version, reloaded on the primary: NOTIFY, then IXFR.
    let second = list(1001);
    write_list(&second);
    publish(&["--now", NOW, "--reload", &rndc]);
    let deadline = Instant::now() + Duration::from_secs(60);
    for (server, port) in [("BIND", bind_port), ("NSD", nsd_port)] {
        while soa_serial(port, origin) != Some(2026112701) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
        }
        assert_eq!(
            soa_serial(port, origin),
            Some(2026112701),
            "{server} took the new serial"
        );
        assert!(served(port) == second, "{server}: the 1,001 records");
    }
    // Incremental: BIND's second transfer is 5 records (SOA, old SOA,
    // SOA, the new A, SOA), not the 1,005 of the zone; NSD's a few hundred
    // bytes, not the 16 kB of the first.
    let log = bind.log();
    let records = log
        .lines()
        .find(|l| l.contains("Transfer completed") && l.contains("(serial 2026112701)"))
        .and_then(|l| l.split("messages, ").nth(1))
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or_else(|| panic!("no second transfer in BIND's log:\n{log}"));
    assert!(
        records < 10,
        "BIND transferred {records} records, not an IXFR"
    );
    let log = nsd.log();
    let bytes = log
        .lines()
        .find(|l| l.contains("received update to serial 2026112701") && l.contains(" bytes"))
        .and_then(|l| l.split(" of ").last())
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or_else(|| panic!("no second transfer in NSD's log:\n{log}"));
    assert!(bytes < 1000, "NSD transferred {bytes} bytes, not an IXFR");
}
