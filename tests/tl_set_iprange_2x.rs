//! tl-set's iprange command line where it follows iprange 2.x rather than
//! Debian's 1.0.4 (bugs fixed upstream, features 1.0.4 lacks), and where it
//! deliberately differs from both (no DNS). Exact outputs, pinned here
//! because the installed iprange cannot be the oracle for these.

mod common;
use common::Workdir;

fn run(w: &Workdir, args: &[&str], stdin: &str) -> (i32, String, String) {
    let r = w.run("tl-set", args, stdin.as_bytes());
    (r.code, r.stdout, r.stderr)
}

#[test]
fn counts_do_not_overflow_and_the_space_does_not_wrap() {
    let w = Workdir::new();
    assert_eq!(run(&w, &["-C"], "0.0.0.0/0\n").1, "1,4294967296\n");
    // 2.x counts entries after merging (1.0.4 counts lines read: 2).
    assert_eq!(
        run(&w, &["-C", "--header"], "0.0.0.0/1\n128.0.0.0/1\n").1,
        "entries,unique_ips\n1,4294967296\n"
    );
    // 1.0.4 joins these into 0.0.0.0/0.
    assert_eq!(
        run(&w, &[], "255.255.255.255\n0.0.0.0\n").1,
        "0.0.0.0\n255.255.255.255\n"
    );
    w.write("all.txt", "0.0.0.0/0\n").write("none.txt", "");
    // 1.0.4 exits 0 here although the sets differ.
    let (code, out, _) = run(&w, &["none.txt", "--diff", "all.txt"], "");
    assert_eq!((code, out.as_str()), (1, "0.0.0.0/0\n"));
}

#[test]
fn a_bad_line_fails_the_whole_load() {
    let w = Workdir::new();
    w.write("bad.txt", "1.2.3.4\n1.2.3.4 x\n5.5.5.5\n999.1.1.1\n");
    let (code, out, err) = run(&w, &["bad.txt"], "");
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(
        err,
        "tl-set: Cannot understand line No 2 from bad.txt: 1.2.3.4 x\n\n\
         tl-set: Invalid address 999.1.1.1.\n\
         tl-set: Cannot understand line No 4 from bad.txt: 999.1.1.1\n\n\
         tl-set: Cannot load ipset: bad.txt\n"
    );
    // Files after the bad one are not needed to fail.
    let (code, _, err) = run(&w, &["bad.txt", "missing.txt"], "");
    assert_eq!(code, 1);
    assert!(!err.contains("missing.txt"), "{err}");
}

#[test]
fn hostnames_are_resolved_and_a_failure_fails_the_run() {
    let w = Workdir::new();
    // localhost comes from /etc/hosts: no resolver traffic.
    w.write("h.txt", "10.0.0.1\nlocalhost\n");
    assert_eq!(
        run(&w, &["h.txt"], ""),
        (0, "10.0.0.1\n127.0.0.1\n".into(), String::new())
    );
    let (code, _, err) = run(&w, &["-v", "h.txt"], "");
    assert_eq!(code, 0);
    assert!(
        err.contains("tl-set: DNS: made 1 DNS requests, failed 0, IPs got 1 (h.txt)\n"),
        "{err}"
    );
    // A name that does not resolve fails the whole run, with no output.
    w.write("bad.txt", "localhost\nno-such-host.invalid\n");
    let (code, out, err) = run(&w, &["--count-unique-all", "bad.txt"], "");
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(
        err.starts_with(
            "tl-set: DNS: 'no-such-host.invalid' on line 2 of bad.txt failed permanently: "
        ),
        "{err}"
    );
    assert!(
        err.ends_with("\ntl-set: Cannot load ipset: bad.txt\n"),
        "{err}"
    );
    // Malformed names never reach the resolver.
    let (code, _, err) = run(&w, &[], "foo/bar\n");
    assert_eq!(code, 1);
    assert!(
        err.starts_with("tl-set: Cannot understand line No 1 from stdin: foo/bar\n"),
        "{err}"
    );
    // A "hostname" that is a number is an address, as getaddrinfo reads it.
    assert_eq!(run(&w, &[], "0x7f.1\n").1, "127.0.0.1\n");
    assert_eq!(run(&w, &["-p", "24"], "0x7f.0.0.5\n").1, "127.0.0.0\n");
}

#[test]
fn csv_rows_follow_the_arguments_and_names_are_quoted() {
    let w = Workdir::new();
    w.write("a", "10.0.0.0/24\n10.0.1.0/24\n")
        .write("b", "10.0.1.0/24\n10.0.2.0/24\n")
        .write("c", "10.0.2.0/24\n");
    let args = ["a", "as", "base", "b", "as", "x,y", "c", "as", "say \"hi\""];
    let with = |mode: &str| {
        let mut v: Vec<&str> = args.to_vec();
        v.push(mode);
        v.push("--header");
        run(&w, &v, "").1
    };
    assert_eq!(
        with("--compare-first"),
        "name,entries,unique_ips,common_ips\n\"x,y\",1,512,256\n\"say \"\"hi\"\"\",1,256,0\n"
    );
    assert_eq!(
        with("--count-unique-all"),
        "name,entries,unique_ips\nbase,1,512\n\"x,y\",1,512\n\"say \"\"hi\"\"\",1,256\n"
    );
    assert_eq!(
        with("--compare"),
        "name1,name2,entries1,entries2,ips1,ips2,combined_ips,common_ips\n\
         base,\"x,y\",1,1,512,512,768,256\n\
         base,\"say \"\"hi\"\"\",1,1,512,256,768,0\n\
         \"x,y\",\"say \"\"hi\"\"\",1,1,512,256,512,256\n"
    );
    assert_eq!(with("--count-unique"), "entries,unique_ips\n1,768\n");
}

#[test]
fn help_and_version_succeed_and_a_cut_pipe_does_not() {
    let w = Workdir::new();
    let (code, out, _) = run(&w, &["iprange", "--help"], "");
    assert_eq!(code, 0);
    assert!(out.contains("iprange manages IP ranges"), "{out}");
    let (code, out, _) = run(&w, &["iprange", "--version"], "");
    assert_eq!(code, 0);
    assert!(out.starts_with("tl-set "), "{out}");
    // Output cut short (a reader that stops) is not a success in iprange 2.x.
    let many: String = (0..100_000u32)
        .map(|i| format!("10.{}.{}.{}\n", i >> 15, (i >> 7) & 255, (i & 127) * 2 + 1))
        .collect();
    w.write("many", &many);
    let mut child = std::process::Command::new(common::bin_path("tl-set"))
        .args(["iprange", "many"])
        .current_dir(w.dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    assert_eq!(child.wait().unwrap().code(), Some(1));
}

#[test]
fn ipv6_lines_in_ipv4_mode_are_dropped_and_counted() {
    let w = Workdir::new();
    w.write(
        "mixed.txt",
        "1.2.3.4\n2001:db8::1\n::ffff:10.0.0.0/24\nfe80::/10\n",
    );
    let (code, out, err) = run(&w, &["mixed.txt"], "");
    assert_eq!((code, out.as_str()), (0, "1.2.3.4\n10.0.0.0/24\n"));
    assert_eq!(
        err,
        "tl-set: mixed.txt: 2 IPv6 entries dropped (use -6 for IPv6 mode)\n"
    );
}

#[test]
fn ipv6_mode() {
    let w = Workdir::new();
    let input =
        "2001:db8::/32\n2001:db8:1::5\n10.0.0.0/30\n2001:DB8:0:0:1::/80 - 2001:db8::2:0:0:0\n";
    w.write("six.txt", input);
    let (code, out, _) = run(&w, &["-6", "six.txt"], "");
    assert_eq!(
        (code, out.as_str()),
        (0, "::ffff:10.0.0.0/126\n2001:db8::/32\n")
    );
    let (_, out, _) = run(
        &w,
        &["-6", "--print-ranges"],
        "2001:db8::5\n2001:db8::7-2001:db8::9\n",
    );
    assert_eq!(out, "2001:db8::5-2001:db8::5\n2001:db8::7-2001:db8::9\n");
    let (_, out, _) = run(&w, &["-6", "-C"], "::/0\n");
    assert_eq!(out, "1,340282366920938463463374607431768211455\n");
    let (_, out, _) = run(&w, &["-6", "-1"], "::a00:0/127\n");
    assert_eq!(out, "::10.0.0.0\n::10.0.0.1\n");
    w.write("a6", "2001:db8::/33\n")
        .write("b6", "2001:db8:8000::/33\n");
    let (code, out, _) = run(&w, &["-6", "a6", "--diff", "b6"], "");
    assert_eq!(
        (code, out.as_str()),
        (1, "2001:db8::/33\n2001:db8:8000::/33\n")
    );
    let (code, _, err) = run(&w, &["-6", "--ipset-reduce", "20", "a6"], "");
    assert_eq!(
        (code, err.as_str()),
        (1, "tl-set: --ipset-reduce is not supported in IPv6 mode\n")
    );
    let (code, _, err) = run(&w, &["-6"], "2001:db8::/129\n");
    assert_eq!(code, 1);
    assert!(
        err.starts_with("tl-set: Invalid IPv6 prefix /129\n"),
        "{err}"
    );
    let (code, _, err) = run(&w, &["-6"], "10.0.0.1 - 2001:db8::1\n");
    assert_eq!(code, 1);
    assert!(
        err.starts_with("tl-set: Mixed-family range: 10.0.0.1 - 2001:db8::1\n"),
        "{err}"
    );
}

#[test]
fn binary_format_round_trips_in_both_families() {
    let w = Workdir::new();
    let r = w.run("tl-set", &["--print-binary"], b"10.0.0.0/24\n10.0.2.1\n");
    w.write("v4.bin", &r.raw);
    assert_eq!(run(&w, &["v4.bin"], "").1, "10.0.0.0/24\n10.0.2.1\n");
    let r = w.run("tl-set", &["-6", "--print-binary"], b"2001:db8::/64\n");
    assert!(r.stdout.starts_with("iprange binary format v2.0\nipv6\noptimized\nrecord size 32\nrecords 1\nbytes 36\nlines 1\n"));
    w.write("v6.bin", &r.raw);
    assert_eq!(run(&w, &["-6", "v6.bin"], "").1, "2001:db8::/64\n");
    let (code, _, err) = run(&w, &["v6.bin"], "");
    assert_eq!(code, 1);
    assert!(
        err.contains("IPv6 binary file cannot be loaded in IPv4 mode (use -6)"),
        "{err}"
    );
    // A truncated binary file is refused, never half-read.
    let bytes = std::fs::read(w.path("v4.bin")).unwrap();
    w.write("cut.bin", &bytes[..bytes.len() - 3]);
    let (code, out, err) = run(&w, &["cut.bin"], "");
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(
        err.contains("expected to load 2 entries, loaded 1"),
        "{err}"
    );
}

#[test]
fn file_lists_and_directories() {
    let w = Workdir::new();
    std::fs::create_dir(w.path("d")).unwrap();
    std::fs::create_dir(w.path("d/sub")).unwrap();
    w.write("d/b.txt", "10.0.0.2\n")
        .write("d/a.txt", "10.0.0.1\n")
        .write("d/sub/c.txt", "10.0.0.3\n")
        .write("list", "# inputs\nd/a.txt\n\n  d/b.txt  \n");
    assert_eq!(run(&w, &["@d"], "").1, "10.0.0.1\n10.0.0.2\n");
    assert_eq!(
        run(&w, &["--count-unique-all", "@d"], "").1,
        "d/a.txt,1,1\nd/b.txt,1,1\n"
    );
    // A list keeps its own order; a directory is read in name order.
    w.write("rlist", "d/b.txt\nd/a.txt\n");
    assert_eq!(
        run(&w, &["--count-unique-all", "@rlist"], "").1,
        "d/b.txt,1,1\nd/a.txt,1,1\n"
    );
    assert_eq!(
        run(&w, &["--header", "@d", "--compare-next", "d/a.txt"], "").1,
        "name1,name2,entries1,entries2,ips1,ips2,combined_ips,common_ips\n\
         d/a.txt,d/a.txt,1,1,1,1,1,1\nd/b.txt,d/a.txt,1,1,1,1,2,0\n"
    );
    let (code, _, err) = run(&w, &["@missing"], "");
    assert_eq!(
        (code, err.as_str()),
        (
            1,
            "tl-set: Cannot access missing: No such file or directory\n"
        )
    );
    w.write("badlist", "d/a.txt\nnope.txt\n");
    let (code, _, err) = run(&w, &["@badlist"], "");
    assert_eq!(code, 1);
    assert!(
        err.ends_with("tl-set: Cannot load file nope.txt from list badlist (line 2)\n"),
        "{err}"
    );
    std::fs::create_dir(w.path("empty")).unwrap();
    let (code, _, err) = run(&w, &["@empty"], "");
    assert_eq!(
        (code, err.as_str()),
        (1, "tl-set: No valid files found in directory: empty\n")
    );
}

#[test]
fn option_values_are_checked() {
    let w = Workdir::new();
    for (args, msg) in [
        (
            &["--min-prefix", "0"][..],
            "Invalid value '0' for --min-prefix. It must be between 1 and 32.",
        ),
        (
            &["-p", "33"],
            "Invalid value '33' for -p. It must be between 0 and 32.",
        ),
        (
            &["--default-prefix", "abc"],
            "Invalid value 'abc' for --default-prefix. It must be between 0 and 32.",
        ),
        (
            &["--ipset-reduce", "-5"],
            "Invalid value '-5' for --ipset-reduce. It must be a non-negative integer percentage.",
        ),
        (
            &["--ipset-reduce-entries", "x"],
            "Invalid value 'x' for --ipset-reduce-entries. It must be a non-negative integer.",
        ),
    ] {
        let (code, out, err) = run(&w, args, "1.2.3.4\n");
        assert_eq!(
            (code, out.as_str(), err.as_str()),
            (1, "", format!("tl-set: {msg}\n").as_str()),
            "{args:?}"
        );
    }
    for flag in [
        "--has-ipv6",
        "--has-filelist-loading",
        "--has-directory-loading",
        "--has-compare",
    ] {
        assert_eq!(run(&w, &[flag], "").0, 0, "{flag}");
    }
}

#[test]
fn invoked_as_iprange_it_is_iprange() {
    let w = Workdir::new();
    std::os::unix::fs::symlink(common::bin_path("tl-set"), w.path("iprange")).unwrap();
    let r = common::run_in(
        w.dir.path(),
        w.path("iprange"),
        &["--count-unique", "-"],
        b"10.0.0.0/8\n",
    );
    assert_eq!((r.code, r.stdout.as_str()), (0, "1,16777216\n"));
    let r = common::run_in(w.dir.path(), w.path("iprange"), &["missing"], b"");
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "iprange: missing - No such file or directory\niprange: Cannot load ipset: missing\n"
        )
    );
    // Even a subcommand name is a file name to iprange.
    let r = common::run_in(w.dir.path(), w.path("iprange"), &["union"], b"");
    assert_eq!(r.code, 1);
    // `tl-set iprange ...` is the explicit form.
    let r = w.run("tl-set", &["iprange", "-C"], b"1.2.3.4\n");
    assert_eq!(r.stdout, "1,1\n");
}

#[test]
fn binary_headers_and_payload_are_checked_in_full() {
    let w = Workdir::new();
    let r = w.run("tl-set", &["--print-binary"], b"192.0.2.0/30\n");
    let good = r.raw.clone();
    w.write("good.bin", &good);
    assert_eq!(run(&w, &["good.bin"], "").1, "192.0.2.0/30\n");
    let text = String::from_utf8_lossy(&good).into_owned();
    // A header number must be digits and nothing else.
    for (from, to) in [
        ("record size 8\n", "record size 8x\n"),
        ("records 1\n", "records 0x1\n"),
        ("bytes 12\n", "bytes 12 \n"),
        ("lines 1\n", "lines one\n"),
        ("unique ips 4\n", "unique ips 4k\n"),
    ] {
        assert!(text.contains(from), "{text:?}");
        let mut bytes = good.clone();
        let at = good
            .windows(from.len())
            .position(|x| x == from.as_bytes())
            .unwrap();
        bytes.splice(at..at + from.len(), to.bytes());
        w.write("forged.bin", &bytes);
        let (code, out, err) = run(&w, &["forged.bin"], "");
        assert_eq!((code, out.as_str()), (1, ""), "{to:?}");
        assert!(err.contains("forged.bin: invalid "), "{to:?}: {err}");
    }
    // Bytes after the announced records are refused, not ignored.
    let mut long = good.clone();
    long.extend_from_slice(b"more");
    w.write("long.bin", &long);
    let (code, out, err) = run(&w, &["long.bin"], "");
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(
        err.contains("long.bin: trailing data after the 1 records"),
        "{err}"
    );
    // A file marked optimized must not hold overlapping records.
    let forged = |flag: &str| {
        let mut f = format!(
            "iprange binary format v1.0\n{flag}\nrecord size 8\nrecords 2\nbytes 20\n\
             lines 2\nunique ips 3\n"
        )
        .into_bytes();
        f.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
        for v in [0x0a00_0001u32, 0x0a00_0003, 0x0a00_0002, 0x0a00_0002] {
            f.extend_from_slice(&v.to_le_bytes());
        }
        f
    };
    w.write("overlap.bin", forged("optimized"));
    let (code, out, err) = run(&w, &["overlap.bin"], "");
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(err.contains("in a file marked optimized"), "{err}");
    // The same records in a file that does not claim order are merged.
    w.write("loose.bin", forged("non-optimized"));
    assert_eq!(run(&w, &["loose.bin"], "").1, "10.0.0.1\n10.0.0.2/31\n");
}

#[test]
fn signed_option_values_read_like_strtol_and_sizes_as_digits() {
    let w = Workdir::new();
    w.write("net.txt", "198.51.100.0/30\n");
    // Leading blanks and a sign are part of a signed value...
    for v in [" 31", "+31", "031"] {
        assert_eq!(
            run(&w, &["--min-prefix", v, "net.txt"], "").1,
            "198.51.100.0/31\n198.51.100.2/31\n",
            "{v:?}"
        );
    }
    assert_eq!(run(&w, &["-p", "-0"], "192.0.2.9\n").1, "0.0.0.0/0\n");
    // ...but nothing may follow the digits, and it must fit.
    for v in ["31 ", "", "+", "99999999999999999999"] {
        let (code, _, err) = run(&w, &["--min-prefix", v, "net.txt"], "");
        assert_eq!(code, 1, "{v:?}");
        assert_eq!(
            err,
            format!("tl-set: Invalid value '{v}' for --min-prefix. It must be between 1 and 32.\n")
        );
    }
    let (code, _, err) = run(&w, &["--dns-threads", "2147483648", "net.txt"], "");
    assert_eq!(code, 1);
    assert!(
        err.contains("for --dns-threads. It must be an integer greater"),
        "{err}"
    );
    // Unsigned values take digits only: no sign, no blank.
    for v in ["+5", " 5"] {
        let (code, _, err) = run(&w, &["--reduce-entries", v, "net.txt"], "");
        assert_eq!(code, 1, "{v:?}");
        assert!(err.contains("It must be a non-negative integer."), "{err}");
    }
    // --prefixes reads each number as a C long kept in an int.
    assert_eq!(
        run(&w, &["--prefixes", "4294967299", "net.txt"], "").1,
        "198.51.100.0\n198.51.100.1\n198.51.100.2\n198.51.100.3\n"
    );
    let (code, _, err) = run(&w, &["--prefixes", "2147483648", "net.txt"], "");
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "tl-set: Only prefixes from 1 to 32 can be set (32 is always enabled). \
         -2147483648 is invalid.\n"
    );
}

#[test]
fn options_read_by_the_family_in_force_where_they_stand() {
    let w = Workdir::new();
    w.write("six.txt", "2001:db8::/126\n");
    // Before -6 the IPv4 bounds apply; after it, the IPv6 ones.
    let (code, _, err) = run(&w, &["--min-prefix", "100", "-6", "six.txt"], "");
    assert_eq!(code, 1);
    assert!(err.contains("It must be between 1 and 32."), "{err}");
    assert_eq!(
        run(&w, &["-6", "--min-prefix", "127", "six.txt"], "").1,
        "2001:db8::/127\n2001:db8::2/127\n"
    );
    // After -6, -p's value is taken and ignored (IPv6 always uses /128).
    assert_eq!(
        run(&w, &["-6", "-p", "not-a-number", "six.txt"], "").1,
        "2001:db8::/126\n"
    );
    // After -6 an unknown option, or a value option with no value, is
    // passed over; before it, it is a file name.
    assert_eq!(
        run(&w, &["-6", "--no-such-option", "six.txt"], "").1,
        "2001:db8::/126\n"
    );
    assert_eq!(run(&w, &["-6", "--print-prefix"], "::5\n").1, "::5\n");
    let (code, _, err) = run(&w, &["--no-such-option", "-6", "six.txt"], "");
    assert_eq!(code, 1);
    assert!(
        err.ends_with("tl-set: Cannot load ipset: --no-such-option\n"),
        "{err}"
    );
    // After -6, --except with nothing before it has no first ipset.
    let (code, out, err) = run(&w, &["-6", "--except", "six.txt"], "::1\n");
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (1, "", "tl-set: No valid ipsets to process.\n")
    );
    let (code, _, err) = run(&w, &["--except", "six.txt", "-6"], "");
    assert_eq!(
        (code, err.as_str()),
        (1, "tl-set: An ipset is needed before --except\n")
    );
}

#[test]
fn a_directory_named_as_a_file_is_an_empty_set() {
    let w = Workdir::new();
    std::fs::create_dir(w.path("dir")).unwrap();
    w.write("dir/inside.txt", "10.9.9.9\n")
        .write("one.txt", "203.0.113.7\n")
        .write("list", "one.txt\ndir\n");
    // Never expanded (that is what @dir is for), and no error.
    assert_eq!(
        run(&w, &["dir", "one.txt"], ""),
        (0, "203.0.113.7\n".into(), String::new())
    );
    assert_eq!(run(&w, &["-C", "dir"], "").1, "0,0\n");
    assert_eq!(run(&w, &["@list"], "").1, "203.0.113.7\n");
}

#[test]
fn dns_progress_and_the_sides_of_a_verbose_diff() {
    let w = Workdir::new();
    // localhost comes from /etc/hosts: no resolver traffic.
    w.write("names.txt", "localhost\n");
    let (code, out, err) = run(&w, &["--dns-progress", "names.txt"], "");
    assert_eq!((code, out.as_str()), (0, "127.0.0.1\n"));
    assert_eq!(
        err,
        "tl-set: DNS: 1 of 1 names of names.txt looked up (100%)\n"
    );
    w.write("p.txt", "10.1.0.1\n")
        .write("q.txt", "10.1.0.2\n")
        .write("r.txt", "10.1.0.3\n");
    let (code, _, err) = run(
        &w,
        &[
            "-v", "p.txt", "as", "mine", "--diff", "q.txt", "r.txt", "--quiet",
        ],
        "",
    );
    assert_eq!(code, 1);
    assert_eq!(err, "tl-set: Finding diff IPs in mine and ipset B\n");
}

#[test]
fn names_that_are_not_utf8_are_echoed_as_given() {
    use std::os::unix::ffi::OsStrExt;
    let w = Workdir::new();
    let odd = std::ffi::OsStr::from_bytes(b"gone\xfe.txt");
    let out = std::process::Command::new(common::bin_path("tl-set"))
        .current_dir(w.dir.path())
        .arg(odd)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        out.stderr,
        b"tl-set: gone\xfe.txt - No such file or directory\ntl-set: Cannot load ipset: gone\xfe.txt\n"
    );
    let out = std::process::Command::new(common::bin_path("tl-set"))
        .arg("--min-prefix")
        .arg(std::ffi::OsStr::from_bytes(b"3\xfe"))
        .output()
        .unwrap();
    assert_eq!(
        out.stderr,
        b"tl-set: Invalid value '3\xfe' for --min-prefix. It must be between 1 and 32.\n"
    );
    // A bad line is reported under the file's own bytes too.
    std::fs::write(w.dir.path().join(odd).with_extension("in"), "1.2.3.4/99\n").unwrap();
    let out = std::process::Command::new(common::bin_path("tl-set"))
        .current_dir(w.dir.path())
        .arg(std::ffi::OsStr::from_bytes(b"gone\xfe.in"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let has = |needle: &[u8]| out.stderr.windows(needle.len()).any(|x| x == needle);
    assert!(
        has(b"Cannot understand line No 1 from gone\xfe.in: 1.2.3.4/99")
            && has(b"Cannot load ipset: gone\xfe.in\n"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_link_named_iprange_is_iprange_whatever_argv0_says() {
    use std::os::unix::process::CommandExt;
    let w = Workdir::new();
    std::os::unix::fs::symlink(common::bin_path("tl-set"), w.path("iprange")).unwrap();
    // Run through the link, but with another name in argv[0]: still
    // iprange, and its usage line shows the name it was given.
    let out = std::process::Command::new(w.path("iprange"))
        .arg0("renamed-tool")
        .arg("-h")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("Usage: renamed-tool [options] file1 file2 file3 ...\n\n"),
        "{text}"
    );
    let out = std::process::Command::new(w.path("iprange"))
        .arg0("renamed-tool")
        .arg("no-such-file")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "iprange: no-such-file - No such file or directory\n\
         iprange: Cannot load ipset: no-such-file\n"
    );
    let r = w.run("tl-set", &["iprange", "--help"], b"");
    assert!(
        r.stdout
            .starts_with("Usage: tl-set iprange [options] file1 file2 file3 ...\n"),
        "{}",
        r.stdout
    );
}

/// Upstream iprange's own test suite (`run-tests.sh`, `tests.d/`), run by
/// `scripts/iprange-upstream` against tl-set. The suite lives in a FireHOL
/// iprange source checkout that this repository does not carry and CI does
/// not fetch: give its path in TL_IPRANGE_UPSTREAM to run it. The goal is
/// 90 % of the cases present (90 of upstream's 100).
#[test]
fn upstream_suite_passes_at_least_90_percent() {
    let Some(src) = std::env::var_os("TL_IPRANGE_UPSTREAM") else {
        eprintln!(
            "SKIP: upstream iprange's test suite: set TL_IPRANGE_UPSTREAM to an iprange \
             source checkout (with run-tests.sh and tests.d/)"
        );
        return;
    };
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/iprange-upstream");
    let out = std::process::Command::new(script)
        .arg(&src)
        .arg(common::bin_path("tl-set"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let counts: Vec<u32> = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("passed "))
        .map(|r| r.split(" of ").filter_map(|n| n.parse().ok()).collect())
        .unwrap_or_default();
    let [passed, total] = counts[..] else {
        panic!("no count in {text:?}");
    };
    eprintln!("upstream iprange suite: {}", text.trim());
    assert!(
        passed * 10 >= total * 9,
        "upstream iprange suite: {}",
        text.trim()
    );
}
