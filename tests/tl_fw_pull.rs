//! `tl-fw pull` against the real servers: NSD serves the zones `tl-zone`
//! writes from small compiled profiles, and the pull rebuilds block-in,
//! block-out and allow exactly from each form (A/AAAA, APL, TXT); a form
//! that leaves prefixes out, a list not published and a refused list are
//! errors that leave the previous files alone; BIND with a query ACL on a
//! TSIG key answers a pull with the key and refuses one without it.
//!
//! Servers run on 127.0.0.1 at free high ports, are started and stopped by
//! these tests by PID, and every wait is bounded. Without a server the test
//! says `SKIP:`; under CI (where `.ci/run` installs them) it fails instead.

mod common;
use common::dns::*;
use common::{have_program, require, Workdir};
use std::path::Path;
use std::process::Command;
use threatlist::net::parse_entry;
use threatlist::set::{IpSet, ListPrinter};

const ORIGIN: &str = "lists.example";

fn tools(names: &[&str]) -> bool {
    names.iter().all(|n| require(have_program(n), n))
}

fn read_list(path: &Path) -> IpSet {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    IpSet::from_entries(
        text.lines()
            .map(|l| l.split('#').next().unwrap().trim())
            .filter(|l| !l.is_empty())
            .map(|l| parse_entry(l.as_bytes()).unwrap_or_else(|e| panic!("{l}: {e}"))),
    )
}

fn printed(set: &IpSet) -> String {
    let mut out = Vec::new();
    ListPrinter::default().print(set, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Two profiles: `hosts` (addresses and networks of at most 16 addresses,
/// so the multi-host form holds it whole) and `nets` (wide networks with
/// allow-listed holes), both in several chunks of every form. Returns the
/// lists as published: (profile, [block-in − allow, block-out − allow, allow]).
fn profiles(root: &Path) -> Vec<(&'static str, [IpSet; 3])> {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut out = Vec::new();
    for (name, wide) in [("hosts", false), ("nets", true)] {
        let dir = root.join("out").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let mut block = String::new();
        let mut allow = String::new();
        for i in 0..700u32 {
            let a = (100u32 << 24) | (i * 7919 % (1 << 20)) << 2 | 1;
            block.push_str(&format!("{}\n", std::net::Ipv4Addr::from(a)));
        }
        for i in 0..300u128 {
            let a = (0x2a00_1450u128 << 96) | (i << 64) | (rnd() as u128 & 0xffff);
            block.push_str(&format!("{}\n", std::net::Ipv6Addr::from(a)));
        }
        for i in 0..60u32 {
            let len = if wide { 12 + (rnd() % 16) as u32 } else { 28 };
            let net = ((101u32 << 24) | (i << 16)) & (u32::MAX << (32 - len));
            block.push_str(&format!("{}/{len}\n", std::net::Ipv4Addr::from(net)));
            if i % 3 == 0 {
                allow.push_str(&format!("{}\n", std::net::Ipv4Addr::from(net + 5)));
            }
        }
        if wide {
            for i in 0..40u128 {
                let len = 40 + (rnd() % 60) as u32;
                let net = ((0x2a02_0000u128 << 96) | (i << 88)) & (u128::MAX << (128 - len));
                block.push_str(&format!("{}/{len}\n", std::net::Ipv6Addr::from(net)));
                if i % 4 == 0 {
                    allow.push_str(&format!("{}\n", std::net::Ipv6Addr::from(net + 1)));
                }
            }
        }
        std::fs::write(dir.join("block-in.txt"), &block).unwrap();
        std::fs::write(dir.join("block-out.txt"), "192.0.2.66\n198.51.100.0/30\n").unwrap();
        std::fs::write(dir.join("allow.txt"), &allow).unwrap();
        let allow = read_list(&dir.join("allow.txt"));
        let lists = [
            read_list(&dir.join("block-in.txt")).difference(&allow),
            read_list(&dir.join("block-out.txt")).difference(&allow),
            allow,
        ];
        out.push((name, lists));
    }
    out
}

/// Small limits, so that every list takes several chunks of every form.
const ZONE_TOML: &str = "\
[limits]
a_per_name = 100
aaaa_per_name = 50
apl_items_per_rr = 16
rrs_per_name = 4
txt_rr_octets = 512
";

const FILES: [&str; 3] = ["block-in.txt", "block-out.txt", "allow.txt"];

fn check_pulled(dir: &Path, lists: &[IpSet; 3], what: &str) {
    for (f, want) in FILES.iter().zip(lists) {
        let got = std::fs::read_to_string(dir.join(f)).unwrap();
        assert_eq!(got, printed(want), "{what}: {f}");
    }
}

#[test]
fn nsd_serves_every_form_and_the_pull_rebuilds_the_lists() {
    if !tools(&["nsd", "dig"]) {
        return;
    }
    let w = Workdir::new();
    let d = w.dir.path();
    let profiles = profiles(d);
    std::fs::write(d.join("zone.toml"), ZONE_TOML).unwrap();
    tl_zone(
        d,
        &[
            "--out",
            "out",
            "--origin",
            ORIGIN,
            "--config",
            "zone.toml",
            "--format",
            "a",
            "--format",
            "aaaa",
            "--format",
            "apl",
            "--format",
            "txt",
            "-o",
            ".",
            "--now",
            "2026-11-27T12:00:00Z",
            "--nsd-conf",
            "nsd-zones.conf",
        ],
    );
    std::fs::create_dir(d.join("nsd")).unwrap();
    let (_nsd, port) = start_nsd(
        &d.join("nsd"),
        &d.join("nsd-zones.conf"),
        "hosts.lists.example",
        false,
    );
    let server = format!("127.0.0.1:{port}");
    for (profile, lists) in &profiles {
        let zone = format!("{profile}.{ORIGIN}");
        let mut forms: Vec<&[&str]> = vec![&["apl"], &["txt"], &["apl", "txt"]];
        if *profile == "hosts" {
            forms.push(&["a", "aaaa"]);
        }
        for form in forms {
            let out = format!("pulled-{profile}-{}", form.join("-"));
            let mut args = vec!["--server", &server, "--zone", &zone, "-o", &out];
            for f in form {
                args.extend(["--form", f]);
            }
            let r = pull(d, &args);
            assert_eq!(r.code, 0, "{profile} {form:?}: {}", r.stderr);
            assert!(r.stderr.contains("serial "), "{}", r.stderr);
            check_pulled(&d.join(&out), lists, &format!("{profile} {form:?}"));
            // again: nothing changes
            let r = pull(d, &args);
            assert_eq!(r.code, 0, "{}", r.stderr);
            assert_eq!(r.stderr.matches("(unchanged)").count(), 3, "{}", r.stderr);
        }
    }

    // The multi-host form of a list with wide networks is not the list:
    // an error, and the previous files stay.
    let keep = d.join("pulled-nets-apl");
    let before: Vec<String> = FILES
        .iter()
        .map(|f| std::fs::read_to_string(keep.join(f)).unwrap())
        .collect();
    let r = pull(
        d,
        &[
            "--server",
            &server,
            "--zone",
            "nets.lists.example",
            "--form",
            "a",
            "-o",
            "pulled-nets-apl",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("leaves out"), "{}", r.stderr);
    // A zone the server does not have.
    let r = pull(
        d,
        &[
            "--server",
            &server,
            "--zone",
            "nobody.lists.example",
            "-o",
            "pulled-nets-apl",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    // The nameserver's own address may not be blocked.
    let r = pull(
        d,
        &[
            "--server",
            &server,
            "--zone",
            "nets.lists.example",
            "--protect",
            "101.0.0.7",
            "-o",
            "pulled-nets-apl",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("refused"), "{}", r.stderr);
    for (f, b) in FILES.iter().zip(&before) {
        assert_eq!(
            &std::fs::read_to_string(keep.join(f)).unwrap(),
            b,
            "{f} kept"
        );
    }
    // Nothing listens: an error, files kept.
    let r = pull(
        d,
        &[
            "--server",
            &format!("127.0.0.1:{}", free_port()),
            "--zone",
            "nets.lists.example",
            "--timeout",
            "2",
            "-o",
            "pulled-nets-apl",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn bind_answers_a_signed_pull_and_refuses_an_unsigned_one() {
    if !tools(&["named", "named-checkconf", "tsig-keygen", "dig"]) {
        return;
    }
    let w = Workdir::new();
    let d = w.dir.path();
    let profiles = profiles(d);
    std::fs::write(d.join("zone.toml"), ZONE_TOML).unwrap();
    tl_zone(
        d,
        &[
            "--out",
            "out",
            "--origin",
            ORIGIN,
            "--config",
            "zone.toml",
            "--format",
            "txt",
            "-o",
            ".",
            "--now",
            "2026-11-27T12:00:00Z",
        ],
    );
    let (key_text, secret) = tsig_keygen("fw-key");
    std::fs::write(d.join("fw.key"), &key_text).unwrap();

    let port = free_port();
    let dir = d.join("named");
    std::fs::create_dir(&dir).unwrap();
    let conf = dir.join("named.conf");
    let dd = dir.display();
    std::fs::write(
        &conf,
        format!(
            "options {{\n\tdirectory \"{dd}\";\n\tlisten-on port {port} {{ 127.0.0.1; }};\n\tlisten-on-v6 {{ none; }};\n\
             \tpid-file \"{dd}/named.pid\";\n\tsession-keyfile \"{dd}/session.key\";\n\trecursion no;\n\
             \tdnssec-validation no;\n}};\ncontrols {{ }};\ninclude \"{}\";\n\
             zone \"hosts.{ORIGIN}\" {{\n\ttype primary;\n\tfile \"{}\";\n\tallow-query {{ key fw-key; }};\n}};\n",
            d.join("fw.key").display(),
            d.join("hosts.zone").display(),
        ),
    )
    .unwrap();
    let check = Command::new("named-checkconf").arg(&conf).output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let dig_key = format!("hmac-sha256:fw-key:{secret}");
    let _named = Server::start(
        Command::new("named")
            .args(["-g", "-4", "-n", "1", "-c"])
            .arg(&conf),
        &dir.join("named.log"),
        || answers(port, "hosts.lists.example", Some(&dig_key)),
    );
    let server = format!("127.0.0.1:{port}");
    let zone = format!("hosts.{ORIGIN}");
    let base = ["--server", &server, "--zone", &zone, "--form", "txt"];

    // With the key file (BIND's format), and with the key inline.
    for (key, out) in [
        ("fw.key".to_string(), "signed"),
        (format!("fw-key:hmac-sha256:{secret}"), "inline"),
    ] {
        let mut args = base.to_vec();
        args.extend(["--tsig-key", &key, "-o", out]);
        let r = pull(d, &args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        check_pulled(&d.join(out), &profiles[0].1, "signed pull");
    }
    // Without the key: refused, nothing written.
    let mut args = base.to_vec();
    args.extend(["-o", "unsigned"]);
    let r = pull(d, &args);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("REFUSED") || r.stderr.contains("Refused"),
        "{}",
        r.stderr
    );
    assert!(!d.join("unsigned/block-in.txt").exists());
    // With a wrong secret: the server does not sign, the pull refuses.
    let mut args = base.to_vec();
    let wrong = "fw-key:hmac-sha256:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=";
    args.extend(["--tsig-key", wrong, "-o", "wrong"]);
    let r = pull(d, &args);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("TSIG"), "{}", r.stderr);
    assert!(!d.join("wrong/block-in.txt").exists());
}

#[test]
fn plain_lists_from_files_and_stdin() {
    let w = Workdir::new();
    w.write(
        "in.txt",
        "# feed\n192.0.2.0/25\n192.0.2.128/25\n2001:db8::1\n",
    );
    let r = w.run(
        "tl-fw",
        &[
            "pull",
            "--block-in",
            "in.txt",
            "--allow",
            "-",
            "-o",
            "lists",
        ],
        b"192.0.2.7\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(w.read("lists/block-in.txt"), "192.0.2.0/24\n2001:db8::1\n");
    assert_eq!(w.read("lists/allow.txt"), "192.0.2.7\n");
    assert!(!w.path("lists/block-out.txt").exists());
    // everything blocked: refused, the previous list stays
    w.write("all.txt", "0.0.0.0/0\n");
    let r = w.run(
        "tl-fw",
        &["pull", "--block-in", "all.txt", "-o", "lists"],
        b"",
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("all of IPv4"), "{}", r.stderr);
    assert_eq!(w.read("lists/block-in.txt"), "192.0.2.0/24\n2001:db8::1\n");
    // a bad line names the file and line
    w.write("bad.txt", "192.0.2.1\nevil;rm -rf\n");
    let r = w.run(
        "tl-fw",
        &["pull", "--block-in", "bad.txt", "-o", "lists"],
        b"",
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("tl-fw: bad.txt:2: "), "{}", r.stderr);
}
