//! `tl-zone` run as a user would: exact zone files for every format, serials,
//! unchanged zones left alone, refused names, the reload hook. The servers
//! themselves are in `tl_zone_interop.rs`.

mod common;
use common::{Run, Workdir};
use std::path::{Path, PathBuf};

const NOW: &str = "2026-11-27T12:00:00Z";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/zone")
}

fn fx(name: &str) -> String {
    fixtures().join(name).to_string_lossy().into_owned()
}

fn expected(name: &str) -> String {
    std::fs::read_to_string(fixtures().join("expected").join(name)).expect("expected file")
}

fn zone(w: &Workdir, args: &[&str]) -> Run {
    w.run("tl-zone", args, b"")
}

#[test]
fn every_format_of_one_list_is_exact() {
    let w = Workdir::new();
    let (cfg, allow, prov, block) = (
        fx("zone.toml"),
        fx("allow.txt"),
        fx("provenance.csv"),
        fx("block.txt"),
    );
    for f in ["a", "aaaa", "apl", "txt", "dnsbl"] {
        let r = zone(
            &w,
            &[
                "-q",
                "--format",
                f,
                "--origin",
                "lists.example",
                "--config",
                &cfg,
                "--allow",
                &allow,
                "--provenance",
                &prov,
                "--now",
                NOW,
                &block,
            ],
        );
        assert_eq!(r.code, 0, "{f}: {}", r.stderr);
        assert_eq!(r.stdout, expected(&format!("{f}.zone")), "format {f}");
    }
    let r = zone(
        &w,
        &[
            "-q",
            "--format",
            "rpz",
            "--origin",
            "rpz.example",
            "--config",
            &cfg,
            "--allow",
            &allow,
            "--allow",
            &fx("allow-domains.txt"),
            "--provenance",
            &prov,
            "--now",
            NOW,
            &block,
            &fx("domains.txt"),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, expected("rpz.zone"));
    let r = zone(
        &w,
        &[
            "--format",
            "rbldnsd",
            "--origin",
            "bl.example",
            "--config",
            &cfg,
            "--allow",
            &allow,
            "--provenance",
            &prov,
            "--now",
            NOW,
            "-o",
            "bl.rbl",
            &block,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(w.read("bl.rbl"), expected("bl.rbl"));
    assert_eq!(w.read("bl6.rbl"), expected("bl6.rbl"));
}

#[test]
fn a_lists_say_what_they_leave_out() {
    let w = Workdir::new();
    // 9,000 adjacent hosts merge into a few wide prefixes: all are expanded
    // (within the default budget of 100 names); a /8 is not.
    let hosts: String = (0..9000u32)
        .map(|i| format!("{}\n", std::net::Ipv4Addr::from(0xc612_0000 + i)))
        .collect();
    w.write("l.txt", format!("{hosts}10.0.0.0/8\n2001:db8::1\n"));
    let r = zone(
        &w,
        &[
            "--format",
            "a",
            "--origin",
            "lists.example",
            "--now",
            NOW,
            "l.txt",
        ],
    );
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("l\tTXT\t\"chunks=3 omitted=1\"\n"),
        "{}",
        r.stdout
    );
    assert_eq!(r.stdout.matches("\tA\t").count(), 9000);
    assert!(
        r.stderr.contains(
            "warning: l: 1 prefix (16,777,216 IPv4 addresses) left out of the A names: \
             expanded they would pass limits.max_chunks (100 names); the APL, TXT and \
             DNSBL forms carry them"
        ),
        "{}",
        r.stderr
    );
    assert!(r
        .stderr
        .contains("IPv6 entries are not in this zone (use --format aaaa)"));
}

#[test]
fn chunks_are_dense_and_numbered_from_the_base_name() {
    let w = Workdir::new();
    let list: String = (0..9000u32)
        .map(|i| format!("100.{}.{}.{}\n", i >> 7, (i & 127) * 2, 7))
        .collect();
    w.write("big.txt", &list);
    let r = zone(
        &w,
        &[
            "--format", "a", "--origin", "x.test", "--now", NOW, "big.txt",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let count = |name: &str| {
        r.stdout
            .lines()
            .filter(|l| l.starts_with(&format!("{name}\tA\t")))
            .count()
    };
    assert_eq!(
        (count("big"), count("big1"), count("big2"), count("big3")),
        (4000, 4000, 1000, 0)
    );
    assert!(r.stdout.contains("big\tTXT\t\"chunks=3\"\n"));
    // numeric order: 100.0.8.7 before 100.0.10.7, and chunk 1 starts at the 4001st
    assert!(r.stdout.contains("big\tA\t100.0.8.7\nbig\tA\t100.0.10.7\n"));
    assert!(r.stdout.contains("big1\tA\t100.31.64.7\n"));
    // the same input gives the same bytes
    assert_eq!(
        zone(
            &w,
            &["--format", "a", "--origin", "x.test", "--now", NOW, "big.txt"]
        )
        .stdout,
        r.stdout
    );
}

#[test]
fn every_profile_is_exact() {
    let w = Workdir::new();
    let (out, config) = (fx("out"), fx("zone.toml"));
    // Every profile of the fixtures into `dir`, with `extra` flags.
    let publish = |dir: &str, extra: &[&str]| {
        let mut args = vec![
            "-q",
            "--out",
            &out,
            "--origin",
            "lists.example",
            "--config",
            &config,
            "--now",
            NOW,
            "-o",
            dir,
        ];
        args.extend_from_slice(extra);
        zone(&w, &args)
    };
    let r = publish(
        ".",
        &[
            "--named-conf",
            "named.conf",
            "--nsd-conf",
            "nsd.conf",
            "--secondary-named-conf",
            "named-secondary.conf",
            "--secondary-nsd-conf",
            "nsd-secondary.conf",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut want: Vec<String> = std::fs::read_dir(fixtures().join("expected/out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    want.sort();
    let mut got: Vec<String> = std::fs::read_dir(w.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    got.sort();
    assert_eq!(got, want);
    for f in &want {
        assert_eq!(w.read(f), expected(&format!("out/{f}")), "{f}");
    }
    // Again: nothing changed, so no zone is rewritten.
    let mtime = |f: &str| std::fs::metadata(w.path(f)).unwrap().modified().unwrap();
    let before: Vec<_> = want.iter().map(|f| mtime(f)).collect();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let r = publish(".", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after: Vec<_> = want.iter().map(|f| mtime(f)).collect();
    assert_eq!(before, after);
    // An output directory that does not exist yet is made.
    let r = publish("new/zones", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for f in want.iter().filter(|f| f.ends_with(".zone")) {
        assert_eq!(
            w.read(&format!("new/zones/{f}")),
            expected(&format!("out/{f}")),
            "{f}"
        );
    }
}

fn serial_of(text: &str) -> u32 {
    let soa = text
        .lines()
        .find(|l| l.starts_with("@\tSOA\t"))
        .expect("SOA");
    soa.split_whitespace().nth(4).unwrap().parse().unwrap()
}

#[test]
fn serials_grow_and_unchanged_zones_stay() {
    let w = Workdir::new();
    w.write("l.txt", "192.0.2.1\n");
    let run = |now: &str, extra: &[&str]| {
        let mut args = vec![
            "--format", "a", "--origin", "x.test", "-o", "z.zone", "--now", now, "l.txt",
        ];
        args.extend_from_slice(extra);
        let r = zone(&w, &args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        serial_of(&w.read("z.zone"))
    };
    assert_eq!(run(NOW, &[]), 2026112700);
    let mtime = || {
        std::fs::metadata(w.path("z.zone"))
            .unwrap()
            .modified()
            .unwrap()
    };
    let m1 = mtime();
    std::thread::sleep(std::time::Duration::from_millis(20));
    // nothing changed: the file is left alone, serial and mtime included
    assert_eq!(run("2026-11-28T00:00:00Z", &[]), 2026112700);
    assert_eq!(mtime(), m1);
    // a change the next day
    w.write("l.txt", "192.0.2.2\n");
    assert_eq!(run("2026-11-28T00:00:00Z", &[]), 2026112800);
    assert!(mtime() > m1);
    // the clock steps back a month: still forward
    w.write("l.txt", "192.0.2.3\n");
    assert_eq!(run("2026-10-01T00:00:00Z", &[]), 2026112801);
    // Unix time is behind date serials: the serial keeps counting
    w.write("l.txt", "192.0.2.4\n");
    assert_eq!(run(NOW, &["--serial-style", "unix"]), 2026112802);
    w.write("l.txt", "192.0.2.5\n");
    assert_eq!(run(NOW, &["--serial-style", "increment"]), 2026112803);
    // a file that is not a zone is never replaced blindly
    w.write("z.zone", "hello\n");
    let r = zone(
        &w,
        &[
            "--format", "a", "--origin", "x.test", "-o", "z.zone", "l.txt",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("tl-zone: z.zone: no SOA serial"),
        "{}",
        r.stderr
    );
}

#[test]
fn reload_hook_runs_for_changed_zones_only() {
    let w = Workdir::new();
    w.write("l.txt", "192.0.2.1\n");
    let args = [
        "--format",
        "txt",
        "--origin",
        "x.test",
        "-o",
        "z.zone",
        "--reload",
        "touch {file}.{zone}",
        "l.txt",
    ];
    assert_eq!(zone(&w, &args).code, 0);
    assert!(w.path("z.zone.x.test").exists());
    std::fs::remove_file(w.path("z.zone.x.test")).unwrap();
    assert_eq!(zone(&w, &args).code, 0);
    assert!(!w.path("z.zone.x.test").exists(), "unchanged zone reloaded");
    w.write("l.txt", "192.0.2.9\n");
    assert_eq!(zone(&w, &args).code, 0);
    assert!(w.path("z.zone.x.test").exists());
    let r = zone(
        &w,
        &[
            "--format", "txt", "--origin", "x.test", "-o", "y.zone", "--reload", "false", "l.txt",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("reload command for zone x.test failed"),
        "{}",
        r.stderr
    );
}

#[test]
fn hostile_names_are_refused() {
    let w = Workdir::new();
    let long_label = format!("{}.com", "a".repeat(64));
    let cases: Vec<(&str, &str)> = vec![
        ("evil.com;x", "';' in a domain name"),
        ("ev il.com", "space in a domain name"),
        ("evil(.com", "character not allowed"),
        ("a..b.com", "empty label"),
        ("\"evil.com\"", "character not allowed"),
        ("Evil.com", "not in canonical form"),
        ("evil.com.", "not in canonical form"),
        ("@", "character not allowed"),
        ("*", "character not allowed"),
        ("evil.*.com", "character not allowed"),
        ("$INCLUDE /etc/hostname", "'$' in a domain name"),
        ("$GENERATE 1-3 host$ CNAME .", "'$' in a domain name"),
        ("b\u{fc}cher.example", "not in canonical form"),
        ("32.3.0.0.127.rpz-client-ip", "reserved in policy zones"),
        ("x.rpz-ip", "reserved in policy zones"),
        (&long_label, "label longer than 63 octets"),
        ("com", "single-label name"),
        ("*.*.evil.com", "character not allowed"),
        ("**.evil.com", "character not allowed"),
        ("*.com", "single-label name"),
        ("evil._com", "'_' in the top-level label"),
    ];
    for (line, reason) in cases {
        w.write("d.txt", format!("good.example\n{line}\n"));
        let r = zone(
            &w,
            &[
                "--format",
                "rpz",
                "--origin",
                "rpz.example",
                "-o",
                "r.zone",
                "d.txt",
            ],
        );
        assert_eq!(r.code, 2, "{line:?} was accepted");
        assert!(
            r.stderr.starts_with("tl-zone: d.txt:2: "),
            "{line:?}: {}",
            r.stderr
        );
        assert!(r.stderr.contains(reason), "{line:?}: {}", r.stderr);
        assert!(!w.path("r.zone").exists(), "{line:?}: a zone was written");
    }
    // a line break can never reach a zone: each line is one entry
    w.write("d.txt", "good.example\r\nnext.example\n");
    assert_eq!(
        zone(&w, &["--format", "rpz", "--origin", "rpz.example", "d.txt"]).code,
        0
    );
    // hostnames in address lists are refused as everywhere
    w.write("l.txt", "192.0.2.1\nexample.com\n");
    let r = zone(&w, &["--format", "apl", "--origin", "x.test", "l.txt"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("tl-zone: l.txt:2: "), "{}", r.stderr);
    // and so are names in the provenance
    w.write(
        "p.csv",
        "entry,list,reason,detail\nbad example,domains,feed,x\n",
    );
    let r = zone(
        &w,
        &[
            "--format",
            "rpz",
            "--origin",
            "x.test",
            "--provenance",
            "p.csv",
            "d.txt",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("tl-zone: p.csv:2: space in a domain name: 'bad example'"),
        "{}",
        r.stderr
    );
}

/// The RPZ configuration of the policy tests: local data for a category
/// and for a list of inside clients, a list of guests dropped, a list of
/// name servers answered NODATA.
const POLICY_TOML: &str = "ns = [\"ns1.example.net.\"]\n\
[rpz]\n\
client_ip_action = \"drop\"\n\
[rpz.list_actions]\n\
inside = \"local-data:garden\"\n\
bad-ns = \"nodata\"\n\
[rpz.local_data.garden]\n\
a = [\"192.0.2.80\", \"192.0.2.8\"]\n\
aaaa = [\"2001:DB8::80\"]\n\
txt = [\"Blocked: \\\"see\\\" C:\\\\help\", \"caf\u{e9}\"]\n\
[[category]]\n\
match = \"feed:phishing\"\n\
rpz = \"local-data:garden\"\n";

/// What [`POLICY_TOML`] gives the policy lists of the test below (after
/// the header).
const POLICY_BODY: &str = "\
_sip._tcp.example.com\tCNAME\t.
*._sip._tcp.example.com\tCNAME\t.
bad.example\tCNAME\t.
*.bad.example\tCNAME\t.
phish.example\tA\t192.0.2.8
phish.example\tA\t192.0.2.80
phish.example\tAAAA\t2001:db8::80
phish.example\tTXT\t\"Blocked: \\\"see\\\" C:\\\\help\"
phish.example\tTXT\t\"caf\\195\\169\"
*.phish.example\tA\t192.0.2.8
*.phish.example\tA\t192.0.2.80
*.phish.example\tAAAA\t2001:db8::80
*.phish.example\tTXT\t\"Blocked: \\\"see\\\" C:\\\\help\"
*.phish.example\tTXT\t\"caf\\195\\169\"
*.wild.example\tCNAME\t.
24.0.100.51.198.rpz-ip\tCNAME\t.
8.0.0.0.10.rpz-client-ip\tCNAME\trpz-drop.
32.3.2.1.10.rpz-client-ip\tA\t192.0.2.8
32.3.2.1.10.rpz-client-ip\tA\t192.0.2.80
32.3.2.1.10.rpz-client-ip\tAAAA\t2001:db8::80
32.3.2.1.10.rpz-client-ip\tTXT\t\"Blocked: \\\"see\\\" C:\\\\help\"
32.3.2.1.10.rpz-client-ip\tTXT\t\"caf\\195\\169\"
*.evil-dns.example.rpz-nsdname\tCNAME\t*.
ns.other.example.rpz-nsdname\tCNAME\t.
ns1.evil.example.rpz-nsdname\tCNAME\t*.
32.53.2.0.192.rpz-nsip\tCNAME\t*.
128.53.zz.db8.2001.rpz-nsip\tCNAME\t*.
";

/// Local data, name-server lists, client lists with their own actions,
/// wildcard entries (`*.wild.example` publishes only the wildcard) and
/// service labels, in one policy zone: exact text.
#[test]
fn policy_zone_local_data_name_servers_and_clients_are_exact() {
    let w = Workdir::new();
    w.write("z.toml", POLICY_TOML);
    w.write(
        "list.txt",
        "bad.example\n*.wild.example\n_sip._tcp.example.com\nphish.example\n198.51.100.0/24\n",
    );
    w.write(
        "prov.csv",
        "entry,list,reason,detail\nphish.example,domains,feed,phishing\n",
    );
    w.write("guests.txt", "10.0.0.0/8\n");
    w.write("inside.txt", "10.1.2.3\n");
    w.write(
        "bad-ns.txt",
        "ns1.evil.example\n*.evil-dns.example\n192.0.2.53\n2001:db8::53\n",
    );
    // a name on two lists takes the first list's action
    w.write("more-ns.txt", "ns.other.example\nns1.evil.example\n");
    let r = zone(
        &w,
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
            "guests.txt",
            "--client-ip",
            "inside.txt",
            "--ns-list",
            "bad-ns.txt",
            "--ns-list",
            "more-ns.txt",
            "--now",
            NOW,
            "list.txt",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let head = "; Generated by tl-zone. Do not edit: the next run replaces this file.\n\
                $ORIGIN rpz.example.\n$TTL 300\n\
                @\tSOA\tns1.example.net. hostmaster.localhost. 2026112700 3600 600 604800 300\n\
                @\tNS\tns1.example.net.\n";
    assert_eq!(r.stdout, format!("{head}{POLICY_BODY}"));
    // a zone of name-server triggers alone is not empty
    w.write("none.txt", "# nothing\n");
    let r = zone(
        &w,
        &[
            "--format",
            "rpz",
            "--origin",
            "rpz.example",
            "--ns-list",
            "more-ns.txt",
            "--now",
            NOW,
            "none.txt",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.ends_with(
        "@\tNS\tlocalhost.\nns.other.example.rpz-nsdname\tCNAME\t.\n\
         ns1.evil.example.rpz-nsdname\tCNAME\t.\n"
    ));
}

/// Profiles: the policy zone at `rpz.origin`, name servers from
/// `rpz.ns_lists`, and a client list read only for the policy zone.
#[test]
fn profile_policy_zones_take_their_origin_and_lists_from_the_configuration() {
    let w = Workdir::new();
    std::fs::create_dir_all(w.path("out/acme")).unwrap();
    w.write("out/acme/domains.txt", "bad.example\n*.wild.example\n");
    w.write("out/acme/block-in.txt", "192.0.2.0/24\n");
    w.write("out/acme/inside.txt", "10.1.2.3\n");
    w.write("out/acme/nameservers.txt", "ns1.evil.example\n192.0.2.53\n");
    w.write(
        "z.toml",
        format!(
            "formats = [\"rpz\"]\n{}",
            POLICY_TOML.replace(
                "[rpz]\n",
                "[rpz]\norigin = \"rpz.{profile}.example.net\"\n\
                 client_ip_lists = [\"inside\"]\nns_lists = [\"nameservers\"]\n",
            )
        ),
    );
    let r = zone(
        &w,
        &[
            "--out",
            "out",
            "--origin",
            "lists.example",
            "--config",
            "z.toml",
            "-o",
            ".",
            "--now",
            NOW,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let z = w.read("acme.rpz.zone");
    let body = z.split_once("@\tNS\tns1.example.net.\n").unwrap().1;
    assert!(z.contains("$ORIGIN rpz.acme.example.net.\n"), "{z}");
    assert_eq!(
        body,
        "bad.example\tCNAME\t.\n*.bad.example\tCNAME\t.\n*.wild.example\tCNAME\t.\n\
         32.3.2.1.10.rpz-client-ip\tA\t192.0.2.8\n\
         32.3.2.1.10.rpz-client-ip\tA\t192.0.2.80\n\
         32.3.2.1.10.rpz-client-ip\tAAAA\t2001:db8::80\n\
         32.3.2.1.10.rpz-client-ip\tTXT\t\"Blocked: \\\"see\\\" C:\\\\help\"\n\
         32.3.2.1.10.rpz-client-ip\tTXT\t\"caf\\195\\169\"\n\
         ns1.evil.example.rpz-nsdname\tCNAME\t.\n32.53.2.0.192.rpz-nsip\tCNAME\t.\n"
    );
    // an origin that names no profile, or the list zone, is refused
    for (origin, reason) in [
        ("rpz.example.net", "must hold {profile}"),
        ("{profile}.{origin}", "the profile's list zone"),
        ("{profile}..x", "empty label"),
    ] {
        w.write("bad.toml", format!("[rpz]\norigin = \"{origin}\"\n"));
        let r = zone(
            &w,
            &["--out", "out", "--origin", "x.test", "--config", "bad.toml"],
        );
        assert_eq!(r.code, 2, "{origin}");
        assert!(
            r.stderr.contains("bad.toml:2: rpz.origin: ") && r.stderr.contains(reason),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn local_data_and_list_actions_are_checked() {
    let w = Workdir::new();
    for (toml, want) in [
        (
            "[rpz]\naction = \"local-data:nope\"\n",
            "z.toml:2: rpz.action: no such [rpz.local_data.SET]",
        ),
        (
            "[rpz.local_data.g]\na = [\"192.0.2.300\"]\n",
            "z.toml:2: rpz.local_data.g.a: not an IPv4 address",
        ),
        (
            "[rpz.local_data.g]\naaaa = [\"192.0.2.3\"]\n",
            "z.toml:2: rpz.local_data.g.aaaa: not an IPv6 address",
        ),
        (
            "[rpz.local_data.g]\n",
            "z.toml: rpz.local_data.g: no records",
        ),
        (
            &format!("[rpz.local_data.g]\ntxt = [\"{}\"]\n", "x".repeat(256)),
            "z.toml:2: rpz.local_data.g.txt: longer than 255 octets",
        ),
        (
            "[rpz.local_data.\"G G\"]\na = [\"192.0.2.3\"]\n",
            "z.toml: rpz.local_data.G G: label may hold only",
        ),
        ("[rpz.local_data.g]\ncname = [\"x.example\"]\n", "z.toml:2:"),
        (
            "[rpz.list_actions]\ninside = \"explode\"\n",
            "z.toml:2: rpz.list_actions: not an action",
        ),
    ] {
        w.write("z.toml", toml);
        w.write("l.txt", "bad.example\n");
        let r = zone(
            &w,
            &[
                "--format", "rpz", "--origin", "x.test", "--config", "z.toml", "l.txt",
            ],
        );
        assert_eq!(r.code, 2, "{toml}");
        assert!(r.stderr.contains(want), "{toml}: {}", r.stderr);
    }
    // and for policy zones
    let r = zone(
        &w,
        &[
            "--format",
            "apl",
            "--origin",
            "x.test",
            "--ns-list",
            "l.txt",
            "l.txt",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("are for --format rpz"), "{}", r.stderr);
    // --ns-list is for one list
    std::fs::create_dir_all(w.path("out/p")).unwrap();
    w.write("out/p/domains.txt", "bad.example\n");
    let r = zone(
        &w,
        &["--out", "out", "--origin", "x.test", "--ns-list", "l.txt"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--ns-list is for one list"),
        "{}",
        r.stderr
    );
}

/// A valid name of `n` octets: labels of 60 octets and a last one of
/// what is left, under `.example`.
fn long_name(n: usize) -> String {
    let mut labels = Vec::new();
    let mut left = n - ".example".len();
    while left > 61 {
        labels.push("a".repeat(60));
        left -= 61;
    }
    labels.push("b".repeat(left));
    let name = format!("{}.example", labels.join("."));
    assert_eq!(name.len(), n);
    name
}

#[test]
fn a_name_too_long_for_the_zone_is_left_out_and_the_rest_published() {
    let w = Workdir::new();
    // `*.NAME.rpz.example` on the wire: n + 2 + 2 + 13 - 1 <= 255
    let (fits, mid, long) = (long_name(239), long_name(241), long_name(243));
    w.write("d.txt", format!("good.example\n{long}\n{fits}\n{mid}\n"));
    w.write("ok.txt", format!("{}\n", long_name(250)));
    let args = [
        "--format",
        "rpz",
        "--origin",
        "rpz.example",
        "--allow",
        "ok.txt",
        "-o",
        "r.zone",
        "--now",
        NOW,
        "d.txt",
    ];
    let r = zone(&w, &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let z = w.read("r.zone");
    assert!(z.contains("\ngood.example\tCNAME\t.\n"), "{z}");
    assert!(z.contains(&format!("\n*.{fits}\tCNAME\t.\n")), "{z}");
    assert!(!z.contains(&long) && !z.contains("bbbb.example\tCNAME\trpz-passthru"));
    assert_eq!(
        r.stderr,
        format!(
            "tl-zone: warning: rpz.example: 3 domains left out: too long for this zone \
             (over 255 octets with the origin), first '{}...'\n",
            &long[..60]
        )
    );
    // without the wildcard owner two octets more fit
    w.write("z.toml", "[rpz]\nwildcard = false\n");
    let r = zone(&w, &[&args[..], &["--config", "z.toml"]].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let z = w.read("r.zone");
    assert!(z.contains(&format!("\n{mid}\tCNAME\t.\n")), "{z}");
    assert!(!z.contains(&long), "{z}");
    assert!(r.stderr.contains(": 2 domains left out"), "{}", r.stderr);
}

/// Issue 18: a 243-octet name that tl-ingest and tl-compile take no
/// longer stops the policy zone; a name no zone could hold (252 octets)
/// is refused where it enters, and counted.
#[test]
fn one_long_name_never_blocks_a_publication_end_to_end() {
    let w = Workdir::new();
    let (long, longest) = (long_name(243), long_name(252));
    for d in ["feeds", "profiles"] {
        std::fs::create_dir_all(w.path(d)).unwrap();
    }
    w.write(
        "feeds/c2.hosts",
        format!("0.0.0.0 c2.example\n0.0.0.0 {long}\n0.0.0.0 {longest}\n0.0.0.0 beacon.example\n"),
    );
    w.write(
        "profiles/resolver.toml",
        "name = \"resolver\"\nformats = [\"rpz\"]\n[domains]\ncategories = [\"botnet-c2\"]\n",
    );
    w.write(
        "threatlist.toml",
        "state_dir = \"state\"\nout_dir = \"out\"\nzone_dir = \"zones\"\nprofiles = [\"profiles\"]\n\
         [[feed]]\nname = \"c2\"\npath = \"feeds/c2.hosts\"\nformat = \"hosts\"\n\
         category = \"botnet-c2\"\nconfidence = 0.9\n\
         [zone]\norigin = \"lists.example\"\n",
    );
    let r = w.run(
        "tl-update",
        &[
            "--config",
            "threatlist.toml",
            "--now",
            NOW,
            "--report-json",
            "report.json",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let report: serde_json::Value = serde_json::from_str(&w.read("report.json")).unwrap();
    // tl-compile took the 243-octet name ...
    let domains = w.read("out/resolver/domains.txt");
    assert!(
        domains.contains(&long) && !domains.contains(&longest),
        "{domains}"
    );
    // ... and the policy zone is published without it, saying so.
    let z = w.read("zones/resolver.rpz.zone");
    assert!(z.contains("\nc2.example\tCNAME\t.\n"), "{z}");
    assert!(z.contains("\nbeacon.example\tCNAME\t.\n"), "{z}");
    assert!(!z.contains("bbbb"), "{z}");
    let notes = report["zone_notes"].to_string();
    assert!(
        notes.contains("resolver.rpz.lists.example: 1 domain left out: too long for this zone"),
        "{notes}"
    );
    assert!(r.stderr.contains("1 domain left out"), "{}", r.stderr);
    // tl-ingest refused the 252-octet name, named it and counted it
    let r = w.run("tl-ingest", &["--now", NOW, "feeds/c2.hosts"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(&long) && !r.stdout.contains(&longest));
    assert!(
        r.stderr
            .contains("feeds/c2.hosts:3: name longer than 251 octets"),
        "{}",
        r.stderr
    );
}

#[test]
fn usage_and_configuration_errors() {
    let w = Workdir::new();
    w.write("l.txt", "192.0.2.1\n");
    let bad = |args: &[&str], want: &str| {
        let r = zone(&w, args);
        assert_eq!(r.code, 2, "{args:?}");
        assert!(r.stderr.contains(want), "{args:?}: {}", r.stderr);
    };
    bad(
        &["--origin", "x.test", "l.txt"],
        "give --format for one list, or --out DIR",
    );
    bad(
        &[
            "--format", "a", "--format", "apl", "--origin", "x.test", "l.txt",
        ],
        "one --format for one list",
    );
    bad(&["--format", "a", "--origin", "a b", "l.txt"], "--origin:");
    bad(
        &[
            "--format",
            "a",
            "--origin",
            "x.test",
            "--name",
            "two.labels",
            "l.txt",
        ],
        "--name:",
    );
    bad(
        &["--format", "rbldnsd", "--origin", "x.test", "l.txt"],
        "give -o FILE",
    );
    bad(
        &[
            "--format",
            "a",
            "--origin",
            "x.test",
            "--now",
            "last week",
            "l.txt",
        ],
        "--now:",
    );
    w.write(
        "z.toml",
        "ttl = 300\n[soa]\nmname = \"ns1.example.\"\nserial = 5\n",
    );
    bad(
        &[
            "--format", "a", "--origin", "x.test", "-c", "z.toml", "l.txt",
        ],
        "z.toml:4: unknown field `serial`",
    );
    w.write("z.toml", "[limits]\napl_items_per_rr = 0\n");
    bad(
        &[
            "--format", "a", "--origin", "x.test", "-c", "z.toml", "l.txt",
        ],
        "z.toml:2: limits.apl_items_per_rr",
    );
    w.write(
        "z.toml",
        "[server]\nzone_dir = '/srv/\"; }; include \"/etc/x'\n",
    );
    bad(
        &[
            "--format",
            "a",
            "--origin",
            "x.test",
            "-c",
            "z.toml",
            "-o",
            "z.zone",
            "--named-conf",
            "n.conf",
            "l.txt",
        ],
        "may not hold",
    );
    assert!(!w.path("n.conf").exists());
    // Fragments for secondaries need the primary's address; nothing is
    // written without it.
    let secondary = [
        "--format",
        "a",
        "--origin",
        "x.test",
        "-o",
        "s.zone",
        "--secondary-nsd-conf",
        "s.conf",
        "l.txt",
    ];
    bad(
        &secondary,
        "need the primary's address: --primary ADDR[@PORT]",
    );
    bad(
        &[&secondary[..], &["--primary", "192.0.2.0/24"]].concat(),
        "--primary: one address, not a network: '192.0.2.0/24'",
    );
    w.write("z.toml", "[server]\nprimaries = [\"192.0.2.1@99999\"]\n");
    bad(
        &[
            "--format", "a", "--origin", "x.test", "-c", "z.toml", "l.txt",
        ],
        "z.toml:2: server.primaries",
    );
    assert!(!w.path("s.zone").exists() && !w.path("s.conf").exists());
    w.write("p.csv", "address,list\n");
    bad(
        &[
            "--format",
            "dnsbl",
            "--origin",
            "x.test",
            "--provenance",
            "p.csv",
            "l.txt",
        ],
        "p.csv:1: not a provenance file",
    );
    bad(&["--out", "nowhere", "--origin", "x.test"], "nowhere:");
    std::fs::create_dir(w.path("empty")).unwrap();
    bad(&["--out", "empty", "--origin", "x.test"], "no profiles");
    std::fs::create_dir(w.path("p")).unwrap();
    std::fs::create_dir(w.path("p/Bad Name")).unwrap();
    std::fs::write(w.path("p/Bad Name/block-in.txt"), "").unwrap();
    bad(
        &["--out", "p", "--origin", "x.test"],
        "profile name is not a DNS label",
    );
}

#[test]
fn stdin_and_default_names() {
    let w = Workdir::new();
    let r = w.run(
        "tl-zone",
        &["--format", "apl", "--origin", "x.test", "--now", NOW],
        b"192.0.2.0/24\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .ends_with("list\tTXT\t\"chunks=1\"\nlist\tAPL\t1:192.0.2.0/24\n"),
        "{}",
        r.stdout
    );
    w.write("Scanners.v1.txt", "192.0.2.0/24\n");
    let r = zone(
        &w,
        &["--format", "apl", "--origin", "x.test", "Scanners.v1.txt"],
    );
    assert!(r.stdout.contains("scanners\tAPL\t"), "{}", r.stdout);
}

#[test]
fn a_profile_may_choose_its_formats() {
    let w = Workdir::new();
    std::fs::create_dir_all(w.path("out/p")).unwrap();
    w.write("out/p/block-in.txt", "192.0.2.0/24\n");
    w.write("out/p/formats.txt", "# written by tl-compile\napl\nrpz\n");
    let r = zone(
        &w,
        &[
            "--out", "out", "--origin", "x.test", "-o", ".", "--now", NOW,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let z = w.read("p.zone");
    assert!(z.contains("apl.block-in\tAPL\t1:192.0.2.0/24\n"), "{z}");
    assert!(!z.contains("a.block-in") && !z.contains(".bl."), "{z}");
    assert!(w.path("p.rpz.zone").exists());
    assert!(!w.path("p.block-in.ip4set").exists());
    // the command line wins
    let r = zone(
        &w,
        &[
            "--out", "out", "--origin", "x.test", "-o", ".", "--format", "rbldnsd",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(w.path("p.block-in.ip4set").exists());
    w.write("out/p/formats.txt", "apl\nbind\n");
    let r = zone(&w, &["--out", "out", "--origin", "x.test", "-o", "."]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("formats.txt:2: not a format"),
        "{}",
        r.stderr
    );
}

/// A list that comes out empty (its input empty, or all of it allowed) is
/// held back like a list that shrank to nothing: exit 1, the zone in place
/// stays, the reason said even under -q; --force publishes it.
#[test]
fn an_empty_list_is_held_back() {
    let w = Workdir::new();
    w.write("blk.txt", "198.51.100.7\n");
    w.write("none.txt", "# nothing listed today\n");
    w.write("allow.txt", "198.51.100.0/24\n");
    let args = |input: &'static str, extra: &[&'static str]| {
        let mut a = vec!["--format", "a", "--origin", "lists.example", "--now", NOW];
        a.extend_from_slice(&["--name", "blk", "-o", "z.zone"]);
        a.extend_from_slice(extra);
        a.push(input);
        a
    };
    // No zone yet: nothing is written.
    let r = zone(&w, &args("none.txt", &["-q"]));
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        "tl-zone: blk: held back: the list is empty (its input holds no entries, or all of \
         them are allowed); z.zone is not written (there is no earlier version) (--force \
         publishes an empty zone)\n"
    );
    assert!(!w.path("z.zone").exists());
    assert_eq!(zone(&w, &args("blk.txt", &["-q"])).code, 0);
    let before = w.read("z.zone");
    // Everything allowed: held back, the zone in force stays.
    let r = zone(&w, &args("blk.txt", &["--allow", "allow.txt"]));
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        "tl-zone: blk: held back: the list is empty (its input holds no entries, or all of \
         them are allowed); z.zone stays as it is (--force publishes an empty zone)\n"
    );
    assert_eq!(w.read("z.zone"), before);
    // Forced: the empty zone is published.
    let r = zone(&w, &args("none.txt", &["-q", "--force"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(w.read("z.zone").ends_with("blk\tTXT\t\"chunks=0\"\n"));
}

/// `tl-zone` on one list with `extra` options, at `NOW`, to stdout.
fn one_list(w: &Workdir, format: &str, origin: &str, extra: &[&str], list: &str) -> Run {
    let mut args = vec!["-q", "--format", format, "--origin", origin, "--now", NOW];
    args.extend_from_slice(extra);
    args.push(list);
    let r = zone(w, &args);
    assert_eq!(r.code, 0, "{format}: {}", r.stderr);
    r
}

#[test]
fn exact_lists_keep_the_entries_as_given() {
    let w = Workdir::new();
    let (list, allow) = (fx("exact.txt"), fx("exact-allow.txt"));
    let exact = ["--exact", "--allow", &allow];
    for f in ["a", "aaaa", "apl", "txt"] {
        let r = one_list(&w, f, "lists.example", &exact, &list);
        assert_eq!(r.stdout, expected(&format!("exact-{f}.zone")), "format {f}");
    }
    // what the entries are: nested and adjacent ones stay apart, a repeated
    // one is written once, a range is its CIDRs, an allowed address is a
    // hole where the form has them
    let apl = one_list(&w, "apl", "lists.example", &exact, &list).stdout;
    assert!(apl.contains(
        "1:10.0.0.0/8 1:10.1.2.0/28 1:192.0.2.0/24 !1:192.0.2.77/32 1:192.0.2.0/25 \
         !1:192.0.2.77/32 1:192.0.2.128/25 1:198.51.100.8/30 1:203.0.113.10/31 \
         1:203.0.113.12/31 2:2001:db8::/33 2:2001:db8::5/128 2:2001:db8:8000::/33\n"
    ));
    // without --exact the same list is merged
    let merged = one_list(&w, "txt", "lists.example", &["--allow", &allow], &list).stdout;
    assert!(
        merged.contains(" 203.0.113.12/31 2001:db8::/32\"\n"),
        "{merged}"
    );
    // the configuration's `exact` is the same as the flag
    w.write("exact.toml", "exact = true\n");
    let cfg = w.path("exact.toml").to_string_lossy().into_owned();
    let r = one_list(
        &w,
        "apl",
        "lists.example",
        &["--config", &cfg, "--allow", &allow],
        &list,
    );
    assert_eq!(r.stdout, expected("exact-apl.zone"));
    // rbldnsd: one line per entry, the shared hole once
    let r = zone(
        &w,
        &[
            "--exact",
            "--format",
            "rbldnsd",
            "--origin",
            "bl.example",
            "--allow",
            &allow,
            "--now",
            NOW,
            "-o",
            "ex.rbl",
            &list,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let body = |f: &str| w.read(f).lines().skip(4).collect::<Vec<_>>().join("\n");
    assert_eq!(
        body("ex.rbl"),
        ":127.0.0.2:Listed by threatlist\n10.0.0.0/8\n10.1.2.0/28\n127.0.0.2\n\
         192.0.2.0/24\n192.0.2.0/25\n!192.0.2.77\n192.0.2.128/25\n198.51.100.8/30\n\
         203.0.113.10/31\n203.0.113.12/31"
    );
    assert_eq!(
        body("ex6.rbl"),
        ":127.0.0.2:Listed by threatlist\n::ffff:7f00:2\n2001:db8::/33\n2001:db8::5\n\
         2001:db8:8000::/33"
    );
}

#[test]
fn plain_txt_has_no_markers() {
    let w = Workdir::new();
    let (list, allow) = (fx("exact.txt"), fx("exact-allow.txt"));
    let r = one_list(
        &w,
        "txt",
        "lists.example",
        &["--exact", "--txt-plain", "--allow", &allow],
        &list,
    );
    assert_eq!(r.stdout, expected("exact-plain-txt.zone"));
    assert!(!r.stdout.contains("seq=") && !r.stdout.contains("chunks="));
    // the configuration's txt.plain, and chunks numbered as always
    w.write(
        "plain.toml",
        "[txt]\nplain = true\n[limits]\ntxt_rr_octets = 512\nrrs_per_name = 2\n",
    );
    let cfg = w.path("plain.toml").to_string_lossy().into_owned();
    let hosts: String = (0..300u32)
        .map(|i| format!("{}\n", std::net::Ipv4Addr::from(0xc633_6400 + 2 * i)))
        .collect();
    w.write("hosts.txt", &hosts);
    let r = one_list(&w, "txt", "x.test", &["--config", &cfg], "hosts.txt");
    let owners: std::collections::BTreeSet<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains("\tTXT\t"))
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(
        owners.into_iter().collect::<Vec<_>>(),
        ["hosts", "hosts1", "hosts2", "hosts3", "hosts4"]
    );
    let tokens: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains("\tTXT\t"))
        .flat_map(|l| l.split('"').skip(1).step_by(2))
        .flat_map(|s| s.split(' '))
        .collect();
    assert_eq!(tokens.len(), 300);
    assert_eq!(tokens[0], "198.51.100.0");
}

#[test]
fn dnsbl_ipv6_names_sit_under_the_list_name() {
    let w = Workdir::new();
    let (list, cfg) = (fx("digits.txt"), fx("digits.toml"));
    // RFC 5782 and rbldnsd: nibbles directly under the name; wildcards the
    // other family could read are expanded (2.0.1.0/24 into 256 names,
    // 3000::/12 into 16 wildcards one nibble down)
    let r = one_list(&w, "dnsbl", "bl.example", &["--config", &cfg], &list);
    assert_eq!(r.stdout, expected("digits.zone"));
    assert!(!r.stdout.contains("*.1.0.2\t") && !r.stdout.contains("*.0.0.3\t"));
    assert!(r.stdout.contains("\n*.8.b.d.0.1.0.0.2\tA\t127.0.0.2\n"));
    // dnsbl.ip6_label: the old form, IPv6 under ip6., no expansion needed
    w.write(
        "ip6.toml",
        "[dnsbl]\ntest_entry = false\nip6_label = true\n",
    );
    let cfg = w.path("ip6.toml").to_string_lossy().into_owned();
    let r = one_list(&w, "dnsbl", "bl.example", &["--config", &cfg], &list);
    assert!(
        r.stdout.contains("\n*.1.0.2\tA\t127.0.0.2\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("\n*.8.b.d.0.1.0.0.2.ip6\tA\t127.0.0.2\n"));
    assert!(r.stdout.contains("\n*.0.0.3.ip6\tA\t127.0.0.2\n"));
}

#[test]
fn exact_profiles_publish_their_lines() {
    let w = Workdir::new();
    let out = fx("out");
    let publish = |extra: &[&str]| {
        let mut args = vec![
            "-q",
            "--out",
            &out,
            "--origin",
            "lists.example",
            "--format",
            "apl",
        ];
        args.extend_from_slice(&["--now", NOW, "-o", "."]);
        args.extend_from_slice(extra);
        let r = zone(&w, &args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        w.read("acme.zone")
    };
    // tl-compile wrote block-in with the allow-list cut out: as given, its
    // CIDRs; merged, the networks with their holes
    let exact = publish(&["--exact"]);
    assert!(
        exact.contains(
            "apl.block-in\tAPL\t1:10.20.0.0/15 1:172.16.0.0/22 1:172.16.4.0/24 1:172.16.5.0/30 \
         1:172.16.5.4/32 1:172.16.5.6/31 "
        ),
        "{exact}"
    );
    let merged = publish(&[]);
    assert!(
        merged.contains(
            "apl.block-in\tAPL\t1:10.20.0.0/15 1:172.16.0.0/16 !1:172.16.5.5/32 1:192.0.2.0/24 "
        ),
        "{merged}"
    );
}
