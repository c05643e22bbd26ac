//! `tl-set`'s own subcommands, run as a user would, with exact outputs.

mod common;
use common::Workdir;

fn wd() -> Workdir {
    let w = Workdir::new();
    w.write(
        "a.txt",
        "# list a\n10.0.0.0/24\n10.0.1.0/24 ; adjacent\n192.0.2.1\n2001:db8::/48\n",
    )
    .write(
        "b.txt",
        "10.0.0.128/25\n192.0.2.1\n192.0.2.2\n2001:db8::/64\n2001:db8:1::1\n",
    )
    .write("c.txt", "10.0.0.0/8\n");
    w
}

#[test]
fn union_is_minimal_and_sorted_v4_then_v6() {
    let w = wd();
    let r = w.run("tl-set", &["union", "a.txt", "b.txt"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "10.0.0.0/23\n192.0.2.1\n192.0.2.2\n2001:db8::/48\n2001:db8:1::1\n"
    );
    // merge is the same command
    assert_eq!(
        w.run("tl-set", &["merge", "a.txt", "b.txt"], b"").stdout,
        r.stdout
    );
}

#[test]
fn stdin_is_the_default_and_dash() {
    let w = wd();
    let r = w.run("tl-set", &["union"], b"1.2.3.5\n1.2.3.4\n");
    assert_eq!(r.stdout, "1.2.3.4/31\n");
    let r = w.run("tl-set", &["union", "-", "c.txt"], b"1.2.3.4\n");
    assert_eq!(r.stdout, "1.2.3.4\n10.0.0.0/8\n");
}

#[test]
fn gzip_input_is_read_transparently() {
    use std::io::Write;
    let w = wd();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"198.51.100.0/24\n").unwrap();
    w.write("l.gz", gz.finish().unwrap());
    assert_eq!(
        w.run("tl-set", &["union", "l.gz"], b"").stdout,
        "198.51.100.0/24\n"
    );
}

#[test]
fn common_except_diff_complement() {
    let w = wd();
    let r = w.run("tl-set", &["common", "a.txt", "b.txt"], b"");
    assert_eq!(r.stdout, "10.0.0.128/25\n192.0.2.1\n2001:db8::/64\n");
    let r = w.run(
        "tl-set",
        &["except", "c.txt", "-x", "a.txt", "--exclude", "b.txt"],
        b"",
    );
    assert_eq!(
        r.stdout,
        "10.0.2.0/23\n10.0.4.0/22\n10.0.8.0/21\n10.0.16.0/20\n10.0.32.0/19\n10.0.64.0/18\n\
         10.0.128.0/17\n10.1.0.0/16\n10.2.0.0/15\n10.4.0.0/14\n10.8.0.0/13\n10.16.0.0/12\n\
         10.32.0.0/11\n10.64.0.0/10\n10.128.0.0/9\n"
    );
    let r = w.run(
        "tl-set",
        &["diff", "a.txt", "b.txt", "-f", "range", "-4"],
        b"",
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout,
        "10.0.0.0-10.0.0.127\n10.0.1.0-10.0.1.255\n192.0.2.2\n"
    );
    let r = w.run("tl-set", &["diff", "a.txt", "a.txt"], b"");
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    let r = w.run("tl-set", &["diff", "--status-only", "a.txt", "b.txt"], b"");
    assert_eq!((r.code, r.stdout.as_str()), (1, ""));
    let r = w.run(
        "tl-set",
        &["complement", "-4", "-"],
        b"0.0.0.1-255.255.255.255\n",
    );
    assert_eq!(r.stdout, "0.0.0.0\n");
    let r = w.run("tl-set", &["complement", "-6", "-"], b"::/1\n");
    assert_eq!(r.stdout, "8000::/1\n");
}

#[test]
fn count_and_compare_for_people_csv_and_json() {
    let w = wd();
    // For people: prefixes, IPv4 addresses and IPv6 space apart.
    let r = w.run("tl-set", &["count", "a.txt", "b.txt"], b"");
    assert_eq!(
        r.stdout,
        "a.txt: 3 prefixes · 513 IPv4 addresses · 1 IPv6 /48\n\
         b.txt: 5 prefixes · 130 IPv4 addresses · 1 IPv6 /64\n"
    );
    let r = w.run("tl-set", &["count", "--csv", "a.txt", "b.txt"], b"");
    assert_eq!(
        r.stdout,
        "name,ranges,prefixes,ipv4_addresses,ipv6_addresses\n\
         a.txt,3,3,513,1208925819614629174706176\n\
         b.txt,4,5,130,18446744073709551617\n"
    );
    let r = w.run(
        "tl-set",
        &["count", "--csv", "-4", "--union", "a.txt", "b.txt"],
        b"",
    );
    assert_eq!(
        r.stdout,
        "name,ranges,prefixes,ipv4_addresses,ipv6_addresses\nunion,2,3,514,0\n"
    );
    let r = w.run("tl-set", &["count", "--csv", "-6", "-"], b"::/0\n");
    assert_eq!(
        r.stdout,
        "name,ranges,prefixes,ipv4_addresses,ipv6_addresses\n\
         stdin,1,1,0,340282366920938463463374607431768211456\n"
    );
    let r = w.run("tl-set", &["count", "-4", "-"], b"0.0.0.0/0\n");
    assert_eq!(r.stdout, "stdin: 1 prefix · 4.3 G IPv4 addresses\n");
    let r = w.run("tl-set", &["count", "--json", "-6", "-"], b"::/0\n");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v["lists"][0]["ipv6_addresses"],
        "340282366920938463463374607431768211456"
    );
    assert_eq!(v["lists"][0]["ipv4_addresses"], 0);
    assert_eq!(v["lists"][0]["name"], "stdin");
    let r = w.run(
        "tl-set",
        &["compare", "-4", "--csv", "a.txt", "b.txt", "c.txt"],
        b"",
    );
    assert_eq!(
        r.stdout,
        "name1,name2,ranges1,ranges2,ipv4_addresses1,ipv6_addresses1,ipv4_addresses2,\
         ipv6_addresses2,ipv4_union,ipv6_union,ipv4_common,ipv6_common\n\
         a.txt,b.txt,2,2,513,0,130,0,514,0,129,0\n\
         a.txt,c.txt,2,1,513,0,16777216,0,16777217,0,512,0\n\
         b.txt,c.txt,2,1,130,0,16777216,0,16777218,0,128,0\n"
    );
    let r = w.run("tl-set", &["compare", "a.txt", "b.txt"], b"");
    assert_eq!(
        r.stdout,
        "a.txt and b.txt\n\
         \x20 in both:   3 prefixes · 129 IPv4 addresses · 1 IPv6 /64\n\
         \x20 in either: 5 prefixes · 514 IPv4 addresses · 1 IPv6 /48\n\
         \x20 a.txt: 3 prefixes · 513 IPv4 addresses · 1 IPv6 /48\n\
         \x20 b.txt: 5 prefixes · 130 IPv4 addresses · 1 IPv6 /64\n"
    );
    let r = w.run(
        "tl-set",
        &["compare", "--json", "-4", "a.txt", "c.txt"],
        b"",
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let p = &v["pairs"][0];
    assert_eq!(
        (p["name1"].as_str(), p["name2"].as_str()),
        (Some("a.txt"), Some("c.txt"))
    );
    assert_eq!(p["common"]["ipv4_addresses"], 512);
    assert_eq!(p["union"]["ipv4_addresses"], 16777217);
    assert_eq!(p["list2"]["human"], "1 prefix · 16.8 M IPv4 addresses");
}

#[test]
fn reads_tl_ingest_csv_by_its_first_column() {
    let w = wd();
    w.write(
        "ind.csv",
        "indicator,type,feed,category,first_seen,last_seen,hits,confidence\n\
         10.0.0.0/24,net,a,x,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.5\n\
         evil.example,domain,a,x,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.5\n\
         10.0.1.5,ip,a,x,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,0.5\n",
    );
    let r = w.run("tl-set", &["union", "ind.csv", "c.txt"], b"");
    assert_eq!((r.code, r.stdout.as_str()), (0, "10.0.0.0/8\n"));
    let r = w.run("tl-set", &["union", "ind.csv"], b"");
    assert_eq!(r.stdout, "10.0.0.0/24\n10.0.1.5\n");
    assert_eq!(r.stderr, "tl-set: ind.csv: left out 1 domain indicator\n");
    // Only the first line makes a file CSV: the header elsewhere is an error.
    w.write(
        "late.csv",
        "10.0.0.1\nindicator,type,feed,category,first_seen,last_seen,hits,confidence\n",
    );
    let r = w.run("tl-set", &["union", "late.csv"], b"");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("late.csv:2:"), "{}", r.stderr);
}

#[test]
fn output_formats_prefix_suffix_and_min_prefix() {
    let w = wd();
    let r = w.run(
        "tl-set",
        &[
            "union", "-f", "ip", "--prefix", "add bl ", "--suffix", " -exist",
        ],
        b"10.0.0.6/31\n",
    );
    assert_eq!(r.stdout, "add bl 10.0.0.6 -exist\nadd bl 10.0.0.7 -exist\n");
    let r = w.run(
        "tl-set",
        &["union", "--min-prefix", "24"],
        b"10.0.0.0/23\n10.0.9.9\n",
    );
    assert_eq!(r.stdout, "10.0.0.0/24\n10.0.1.0/24\n10.0.9.9\n");
    let r = w.run("tl-set", &["union", "-f", "ip", "-"], b"2001:db8::/64\n");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("refusing"), "{}", r.stderr);
}

#[test]
fn reduce_trades_entries_for_fewer_prefix_lengths() {
    let w = wd();
    // A /23 and a /24 (two lengths) → with room to grow, both as /24s.
    let r = w.run(
        "tl-set",
        &["reduce", "--percent", "50", "--entries", "0"],
        b"10.0.0.0/23\n10.0.2.0/24\n",
    );
    assert_eq!(r.stdout, "10.0.0.0/24\n10.0.1.0/24\n10.0.2.0/24\n");
    let r = w.run(
        "tl-set",
        &["reduce", "--percent", "0", "--entries", "0"],
        b"10.0.0.0/23\n10.0.2.0/24\n",
    );
    assert_eq!(r.stdout, "10.0.0.0/23\n10.0.2.0/24\n");
}

#[test]
fn output_file_is_written_atomically_with_normal_mode() {
    use std::os::unix::fs::PermissionsExt;
    let w = wd();
    let r = w.run("tl-set", &["union", "a.txt", "-o", "out.txt", "-4"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(w.read("out.txt"), "10.0.0.0/23\n192.0.2.1\n");
    let mode = std::fs::metadata(w.path("out.txt"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644);
    // No temporary files left behind.
    let names: Vec<_> = std::fs::read_dir(w.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.to_string_lossy().starts_with(".tl-")),
        "{names:?}"
    );
}

#[test]
fn bad_input_names_file_line_and_text_with_exit_2() {
    let w = wd();
    let cases: &[(&[u8], &str)] = &[
        (b"1.2.3.4\nfoo bar\n", "tl-set: bad.txt:2: not an IP address, CIDR or range: 'foo bar'\n"),
        (b"1.2.3\n", "tl-set: bad.txt:1: IPv4 address without four octets: '1.2.3'\n"),
        (b"010.1.1.1\n", "tl-set: bad.txt:1: ambiguous leading zero in an IPv4 octet: '010.1.1.1'\n"),
        (b"1.2.3.4/33\n", "tl-set: bad.txt:1: prefix length too long for the address family: '1.2.3.4/33'\n"),
        (b"\n\n1.2.3.4/\n", "tl-set: bad.txt:3: prefix length is not a number: '1.2.3.4/'\n"),
        (b"\x00\x01\xff\n", "tl-set: bad.txt:1: not an IP address, CIDR or range: '\\u{0}\\u{1}\\u{fffd}'\n"),
        (b"1.2.3.9 - 1.2.3.1\n", "tl-set: bad.txt:1: range ends before it starts: '1.2.3.9 - 1.2.3.1'\n"),
        (b"malware.example.com\n", "tl-set: bad.txt:1: hostnames are not resolved; give addresses: 'malware.example.com'\n"),
    ];
    for (input, expect) in cases {
        w.write("bad.txt", input);
        let r = w.run("tl-set", &["union", "bad.txt"], b"");
        assert_eq!(
            (r.code, r.stderr.as_str(), r.stdout.as_str()),
            (2, *expect, "")
        );
    }
    let r = w.run("tl-set", &["union", "missing.txt"], b"");
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (2, "tl-set: missing.txt: No such file or directory\n")
    );
}

#[test]
fn a_ten_megabyte_line_is_an_error_not_a_hang() {
    let w = wd();
    let mut big = vec![b'7'; 10 << 20];
    big.push(b'\n');
    w.write("big.txt", &big);
    let r = w.run("tl-set", &["union", "big.txt"], b"");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("tl-set: big.txt:1: line longer than 65536 bytes: '7777"),
        "{}",
        r.stderr
    );
}

#[test]
fn lenient_skips_and_counts() {
    let w = wd();
    w.write("mixed.txt", "1.2.3.4\nnope\n5.6.7.8\n1.2.3\n");
    let r = w.run("tl-set", &["union", "--lenient", "mixed.txt"], b"");
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, "1.2.3.4\n5.6.7.8\n");
    assert_eq!(
        r.stderr,
        "tl-set: mixed.txt: skipped 2 bad lines (first: line 2: hostnames are not resolved; give addresses: 'nope')\n"
    );
    let r = w.run("tl-set", &["union", "--lenient", "-q", "mixed.txt"], b"");
    assert_eq!(r.stderr, "");
}

#[test]
fn broken_pipe_is_quiet_success() {
    let w = wd();
    let mut lines = String::new();
    for i in 0..200_000u32 {
        lines.push_str(&format!(
            "{}.{}.{}.1\n",
            1 + i % 200,
            (i / 200) % 250,
            i % 250
        ));
    }
    w.write("many.txt", lines);
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' union -f ip many.txt | head -1; echo \"rc=${{PIPESTATUS:-x}}\"",
            common::bin_path("tl-set").display()
        ))
        .current_dir(w.dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr, "", "tl-set must not complain about a closed pipe");
    let bash = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -o pipefail; '{}' union -f ip many.txt | head -1 >/dev/null",
            common::bin_path("tl-set").display()
        ))
        .current_dir(w.dir.path())
        .status()
        .unwrap();
    assert!(bash.success(), "exit status under pipefail: {bash:?}");
}

#[test]
fn the_readme_demo_runs() {
    let root = env!("CARGO_MANIFEST_DIR");
    let r = common::run_in(
        std::path::Path::new(root),
        common::bin_path("tl-set"),
        &[
            "except",
            "fixtures/demo/feeds/botnet-c2.netset",
            "fixtures/demo/feeds/scanners.txt",
            "-x",
            "fixtures/demo/allow.txt",
            "-4",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "100.64.12.0/22\n192.0.2.200/29\n192.0.2.208/29\n198.51.100.0/29\n198.51.100.8\n\
         198.51.100.10/31\n198.51.100.12/30\n203.0.113.0/26\n203.0.113.64/29\n203.0.113.72/30\n\
         203.0.113.76\n203.0.113.78/31\n203.0.113.80/28\n203.0.113.96/27\n203.0.113.128/25\n"
    );
}

#[test]
fn a_mistyped_subcommand_is_a_usage_error_not_iprange_mode() {
    let w = wd();
    let r = w.run("tl-set", &["unoin", "a.txt", "b.txt"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "tl-set: 'unoin' is not a subcommand (did you mean 'union'?), nor a file to read as \
         iprange does (tl-set iprange … takes iprange's command line)\n"
    );
    assert_eq!(r.stdout, "");
    let r = w.run("tl-set", &["frobnicate"], b"");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("the subcommands are union, merge, common"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("--help"), "{}", r.stderr);
    // A file of that name is an iprange input, as before.
    w.write("unoin", "192.0.2.1\n");
    let r = w.run("tl-set", &["unoin"], b"");
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "192.0.2.1\n"),
        "{}",
        r.stderr
    );
}
