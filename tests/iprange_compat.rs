//! Differential tests: `tl-set` with iprange's command line against the real
//! iprange (Debian's 1.0.4, which `.ci/run` installs), byte for byte: stdout
//! and exit status, on generated inputs, for every compatible option.
//!
//! Cases where 1.0.4 has bugs that iprange 2.x fixed, or lacks features
//! (IPv6, @filelist), are pinned separately in `tests/tl_set_iprange_2x.rs`;
//! in the CSV modes, where 2.x counts entries after merging and keeps the
//! argument order, the entries columns and the row order are left out of
//! the comparison here (`csv_rows`) and pinned there.

mod common;
use common::Workdir;

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

fn v4(a: u32) -> String {
    std::net::Ipv4Addr::from(a).to_string()
}

/// An address near one of a few hot spots, so lists overlap and touch.
/// Nothing starts at 0.0.0.0: iprange 1.0.4 wraps a range that ends at
/// 255.255.255.255 into one starting at 0.0.0.0 (a bug 2.x fixed, pinned in
/// `tl_set_iprange_2x`), so the two ends of the space never meet here.
fn addr(rng: &mut Rng) -> u32 {
    let hot = [
        0x0a00_0000u32,
        0x0a00_0100,
        0xc0a8_0000,
        0x5db8_4800,
        0x0100_0000,
        0xffff_fc00,
    ];
    match rng.below(10) {
        0 => (rng.next() as u32).max(1 << 24),
        1 => 1 << 24,
        2 => u32::MAX,
        _ => rng.pick(&hot).wrapping_add(rng.below(1024) as u32),
    }
}

fn netmask(len: u32) -> String {
    v4(if len == 0 { 0 } else { u32::MAX << (32 - len) })
}

/// One input line in a form both programs read the same way.
fn line(rng: &mut Rng) -> String {
    let a = addr(rng);
    let len = *rng.pick(&[16, 20, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 18]) as u32;
    let b = a.saturating_add(rng.below(700) as u32);
    let ws = |rng: &mut Rng| (*rng.pick(&["", " ", "  ", "\t"])).to_string();
    match rng.below(14) {
        0..=4 => v4(a),
        5..=7 => format!("{}/{}", v4(a), len),
        8 => format!("{}/{}", v4(a), netmask(len)),
        9 => format!("{}-{}", v4(a), v4(b)),
        10 => format!("{}{}-{}{}", v4(a), ws(rng), ws(rng), v4(b)),
        11 => format!("{}/{} - {}/{}", v4(a), 24, v4(b), 28),
        12 => format!("{}{}", ws(rng), v4(a)),
        _ => match rng.below(3) {
            0 => "# a comment".to_string(),
            1 => String::new(),
            _ => format!("; {}", v4(a)),
        },
    }
}

fn list(rng: &mut Rng, lines: u64) -> String {
    let n = rng.below(lines) + 1;
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(&line(rng));
        s.push('\n');
    }
    s
}

struct Diff {
    w: Workdir,
    tl: std::path::PathBuf,
    failures: Vec<String>,
    runs: usize,
}

impl Diff {
    fn new() -> Option<Diff> {
        if !common::require(
            common::have_program("iprange"),
            "iprange (Debian package iprange)",
        ) {
            return None;
        }
        Some(Diff {
            w: Workdir::new(),
            tl: common::bin_path("tl-set"),
            failures: Vec::new(),
            runs: 0,
        })
    }

    /// Runs both with `args` and records any difference in stdout or status.
    fn check(&mut self, args: &[&str], stdin: &[u8]) {
        self.runs += 1;
        let t = std::time::Instant::now();
        let want = common::run_in(self.w.dir.path(), "iprange", args, stdin);
        let t1 = t.elapsed();
        let got = common::run_in(self.w.dir.path(), &self.tl, args, stdin);
        if t.elapsed().as_secs() >= 2 {
            eprintln!("slow case {args:?}: iprange {t1:?}, both {:?}", t.elapsed());
        }
        let same = match csv_mode(args) {
            Some(mode) => {
                csv_rows(mode, &want.stdout) == csv_rows(mode, &got.stdout)
                    && want.stdout.contains("unique_ips") == got.stdout.contains("unique_ips")
            }
            None => want.raw == got.raw,
        };
        if !same || want.code != got.code {
            let inputs: String = args
                .iter()
                .filter(|a| self.w.path(a).is_file())
                .map(|a| format!("--- {a}:\n{}", self.w.read(a)))
                .collect();
            self.failures.push(format!(
                "args {args:?}\n{inputs}--- iprange (exit {}):\n{}--- tl-set (exit {}):\n{}{}",
                want.code,
                clip(&want.stdout),
                got.code,
                clip(&got.stdout),
                got.stderr
            ));
        }
    }

    fn finish(self) {
        eprintln!("{} iprange runs compared", self.runs);
        assert!(
            self.failures.is_empty(),
            "{} of {} differ; first:\n{}",
            self.failures.len(),
            self.runs,
            self.failures[0]
        );
    }
}

/// The CSV mode of a run, if any: iprange 2.x (which tl-set follows) counts
/// entries after merging and writes rows in argument order, where 1.0.4
/// counts lines read and writes them in reverse; the rest must agree.
fn csv_mode(args: &[&str]) -> Option<&'static str> {
    let modes = [
        "--compare-first",
        "--compare-next",
        "--compare",
        "--count-unique-all",
        "--count-unique",
    ];
    args.iter().rev().find_map(|a| {
        let a = if *a == "-C" { "--count-unique" } else { *a };
        modes.iter().copied().find(|m| *m == a)
    })
}

/// A CSV output without its entries columns, rows sorted, and a compared
/// pair in one order (1.0.4 writes (b, a) where 2.x writes (a, b)).
fn csv_rows(mode: &str, out: &str) -> Vec<String> {
    let mut rows: Vec<String> = out
        .lines()
        .filter(|l| !l.contains("unique_ips") && !l.contains("name1"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            match (mode, f.len()) {
                ("--count-unique", 2) => f[1].to_string(),
                ("--count-unique-all", 3) => format!("{},{}", f[0], f[2]),
                ("--compare-first", 4) => format!("{},{},{}", f[0], f[2], f[3]),
                ("--compare" | "--compare-next", 8) => {
                    let mut pair = [(f[0], f[4]), (f[1], f[5])];
                    pair.sort();
                    format!("{pair:?},{},{}", f[6], f[7])
                }
                _ => l.to_string(),
            }
        })
        .collect();
    rows.sort();
    rows
}

fn clip(s: &str) -> String {
    if s.len() > 3000 {
        format!("{}...\n", &s[..3000])
    } else {
        s.to_string()
    }
}

const PRINT_OPTIONS: &[&[&str]] = &[
    &[],
    &["--print-ranges"],
    &["-j"],
    &["--min-prefix", "24"],
    &["--min-prefix", "30"],
    &["--prefixes", "24,28,32"],
    &["--prefixes", "16,20,22,23,24"],
    &["--print-prefix", "add x "],
    &["--print-suffix", " -exist"],
    &[
        "--print-prefix-ips",
        "IP ",
        "--print-prefix-nets",
        "NET ",
        "--print-suffix-nets",
        " /n",
    ],
    &["--print-suffix-ips", " i", "--print-ranges"],
    &["--ipset-reduce", "20"],
    &["--ipset-reduce", "0", "--ipset-reduce-entries", "0"],
    &["--ipset-reduce", "50", "--ipset-reduce-entries", "10"],
    &["--reduce-factor", "100"],
];

#[test]
fn merge_and_print_options_match_iprange() {
    let Some(mut d) = Diff::new() else { return };
    let mut rng = Rng(0x5eed_0001);
    for round in 0..40 {
        let a = list(&mut rng, 40);
        let b = list(&mut rng, 40);
        d.w.write("a.txt", &a).write("b.txt", &b);
        for mode in [
            &["--optimize"][..],
            &["--merge"],
            &["-J"],
            &["--union"],
            &["--combine"],
            &[],
        ] {
            let opts = PRINT_OPTIONS[(round * 7 + mode.len()) % PRINT_OPTIONS.len()];
            let mut args: Vec<&str> = mode.to_vec();
            args.extend_from_slice(opts);
            args.extend_from_slice(&["a.txt", "b.txt"]);
            d.check(&args, b"");
        }
        for opts in PRINT_OPTIONS {
            let mut args: Vec<&str> = opts.to_vec();
            args.push("a.txt");
            d.check(&args, b"");
        }
        // stdin, implicitly and as -
        d.check(&[], a.as_bytes());
        d.check(&["-", "b.txt"], a.as_bytes());
    }
    d.finish();
}

#[test]
fn single_ips_match_iprange() {
    let Some(mut d) = Diff::new() else { return };
    let mut rng = Rng(0x5eed_0002);
    for _ in 0..30 {
        // Keep lists small: -1 prints every address.
        let mut s = String::new();
        for _ in 0..rng.below(8) + 1 {
            let a = addr(&mut rng);
            s.push_str(&format!(
                "{}-{}\n",
                v4(a),
                v4(a.saturating_add(rng.below(40) as u32))
            ));
        }
        d.w.write("s.txt", &s);
        d.check(&["-1", "s.txt"], b"");
        d.check(
            &[
                "--print-single-ips",
                "--print-prefix",
                "<",
                "--print-suffix",
                ">",
                "s.txt",
            ],
            b"",
        );
    }
    d.finish();
}

#[test]
fn set_modes_match_iprange() {
    let Some(mut d) = Diff::new() else { return };
    let mut rng = Rng(0x5eed_0003);
    for round in 0..40 {
        for f in ["a.txt", "b.txt", "c.txt", "d.txt"] {
            let l = list(&mut rng, 30);
            d.w.write(f, &l);
        }
        let opts = PRINT_OPTIONS[round % PRINT_OPTIONS.len()];
        let cases: &[&[&str]] = &[
            &["a.txt", "b.txt", "--common"],
            &["--common", "a.txt", "b.txt", "c.txt"],
            &["--intersect", "a.txt", "a.txt"],
            &["a.txt", "b.txt", "--except", "c.txt", "d.txt"],
            &["a.txt", "--exclude-next", "b.txt"],
            &["a.txt", "--diff", "b.txt"],
            &["a.txt", "c.txt", "--diff-next", "b.txt", "d.txt"],
            &["a.txt", "--diff", "a.txt"],
            &["a.txt", "--diff", "b.txt", "--quiet"],
        ];
        for case in cases {
            let mut args: Vec<&str> = case.to_vec();
            if !case.contains(&"--quiet") {
                args.extend_from_slice(opts);
            }
            d.check(&args, b"");
        }
    }
    d.finish();
}

#[test]
fn diff_keeps_adjacent_pieces_apart_and_binary_matches() {
    let Some(mut d) = Diff::new() else { return };
    d.w.write("x1", "10.0.0.0/24\n")
        .write("x2", "10.0.1.0/24\n")
        .write("d1", "1.1.1.0-1.1.1.10\n")
        .write("d2", "1.1.1.11-1.1.1.20\n5.5.5.5\n");
    for args in [
        &["x1", "--diff", "x2"][..],
        &["x1", "--diff", "x2", "-j"],
        &["d1", "--diff", "d2"],
        &["d1", "--diff", "d2", "--print-binary"],
        &["d1", "d2", "--print-binary"],
        &["x1", "x2", "--print-binary"],
        &["--print-binary", "x1", "--except", "x1"],
    ] {
        d.check(args, b"");
    }
    // Binary files written by iprange load back, alone and mixed with text.
    let bin = common::run_in(
        d.w.dir.path(),
        "iprange",
        &["--print-binary", "d1", "d2"],
        b"",
    );
    d.w.write("both.bin", &bin.raw);
    d.check(&["-C", "both.bin"], b"");
    d.check(&["both.bin", "x1", "-j"], b"");
    d.check(&["--count-unique-all", "both.bin", "x2"], b"");
    d.finish();
}

#[test]
fn large_inputs_parsed_on_threads_match_iprange() {
    let Some(mut d) = Diff::new() else { return };
    let mut rng = Rng(0x5eed_0005);
    // ~4 MB: more than the blocks parsed inline, so worker threads run.
    let mut big = String::new();
    while big.len() < 4 << 20 {
        big.push_str(&line(&mut rng));
        big.push('\n');
    }
    let small = list(&mut rng, 2000);
    // ~1.5 MB: parsed on one thread, but sorted as two halves.
    let medium = big[..big[..3 << 19].rfind('\n').unwrap() + 1].to_string();
    d.w.write("big.txt", &big)
        .write("small.txt", &small)
        .write("medium.txt", &medium);
    d.check(&["medium.txt"], b"");
    d.check(&["-C", "medium.txt"], b"");
    d.check(&["--print-ranges", "medium.txt", "small.txt"], b"");
    d.check(&["medium.txt", "--common", "small.txt"], b"");
    for args in [
        &["big.txt"][..],
        &["-C", "big.txt", "small.txt"],
        &["big.txt", "--except", "small.txt", "-j"],
        &["--count-unique-all", "small.txt", "big.txt"],
    ] {
        d.check(args, b"");
    }
    d.check(&["-C"], big.as_bytes());
    // A bad line deep in the file is reported with its own line number.
    let lines = big.lines().count();
    let bad = format!("{big}999.1.1.1\n");
    d.w.write("bad.txt", &bad);
    let r = d.w.run("tl-set", &["bad.txt"], b"");
    let want = format!(
        "tl-set: Cannot understand line No {} from bad.txt: 999.1.1.1\n",
        lines + 1
    );
    assert!(r.stderr.contains(&want), "{}", r.stderr);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""));
    let theirs = common::run_in(d.w.dir.path(), "iprange", &["bad.txt"], b"");
    assert!(
        theirs
            .stderr
            .contains(&want.replacen("tl-set", "iprange", 1)),
        "{}",
        theirs.stderr
    );
    d.finish();
}

#[test]
fn csv_modes_match_iprange() {
    let Some(mut d) = Diff::new() else { return };
    let mut rng = Rng(0x5eed_0004);
    for _ in 0..25 {
        for f in ["a.txt", "b.txt", "c.txt"] {
            let l = list(&mut rng, 30);
            d.w.write(f, &l);
        }
        let cases: &[&[&str]] = &[
            &["--compare", "a.txt", "b.txt", "c.txt"],
            &["--compare", "--header", "a.txt", "b.txt"],
            &["--compare-first", "a.txt", "b.txt", "c.txt"],
            &[
                "--compare-first",
                "--header",
                "a.txt",
                "as",
                "first",
                "b.txt",
                "c.txt",
                "as",
                "third",
            ],
            &["a.txt", "b.txt", "--compare-next", "c.txt"],
            &["--header", "a.txt", "--compare-next", "b.txt", "c.txt"],
            &["--count-unique", "a.txt", "b.txt"],
            &["-C", "--header", "a.txt"],
            &["--count-unique-all", "a.txt", "b.txt", "c.txt"],
            &[
                "--count-unique-all",
                "--header",
                "a.txt",
                "as",
                "A",
                "b.txt",
                "as",
                "B",
            ],
            &["--compare", "a.txt"],
        ];
        for case in cases {
            d.check(case, b"");
        }
    }
    d.finish();
}

#[test]
fn input_dialect_matches_iprange() {
    let Some(mut d) = Diff::new() else { return };
    // inet_aton forms, netmasks, CIDR ranges, reversed ranges, comments,
    // CRLF, and the two input options.
    let text = "\
010.1.1.1
0x7f.1
1.2.3
4294967295
1.1.1.17/24
10.0.0.0/255.0.0.0
10.9.0.0/255.255.255.128
5.5.5.5 - 5.5.5.10
6.6.6.10-6.6.6.1
7.7.7.7/24 - 7.7.9.9/24
  8.8.8.8   \n\
9.9.9.9\r
 # comment line
; another
1.2.3.4 # trailing comment
2.3.4.5;trailing
11.0.0.1/32
12.0.0.0/0012
13.1.2.3/24/8
14.1.2.3/4294967040
15.1.2.3/4294967328
16.0.0.1 -
16.0.0.9 - # nothing after the dash
17.0.0.1/08
18.0.0.1/24.0
1.16777215
0377.1.1.1
017777777777
";
    d.w.write("dialect.txt", text);
    d.check(&["dialect.txt"], b"");
    d.check(&["--dont-fix-network", "dialect.txt"], b"");
    d.check(&["--default-prefix", "24", "dialect.txt"], b"");
    d.check(&["-p", "30", "--print-ranges", "dialect.txt"], b"");
    d.check(&["-"], b"");
    d.check(&[], b"# nothing\n\n");
    d.check(&["--print-binary", "dialect.txt"], b"");
    d.check(&["-C", "-"], text.as_bytes());
    d.w.write("wide.txt", "1.2.3.4//24\n");
    d.check(&["wide.txt"], b"");
    d.w.write("m.txt", "10.0.0.0/22\n10.1.0.1 - 10.1.0.6\n");
    // Errors and early exits: the same status, at the same point.
    for args in [
        &["missing.txt"][..],
        &["dialect.txt", "missing.txt", "-C"],
        &["missing.txt", "--has-reduce"],
        &["dialect.txt", "--has-reduce", "missing.txt"],
        &["--except", "dialect.txt"],
        &["dialect.txt", "--except"],
        &["dialect.txt", "--diff"],
        &["dialect.txt", "--compare-next"],
        &["--common", "dialect.txt"],
        &["--compare", "dialect.txt"],
        &["--compare-first", "dialect.txt"],
        &["dialect.txt", "--print-prefix"],
        &["--foo", "dialect.txt"],
        &["as", "x", "dialect.txt"],
        &["dialect.txt", "as"],
        &["--prefixes", "33", "dialect.txt"],
        &["--prefixes", "24,,30", "dialect.txt"],
        &["--min-prefix", "24", "--prefixes", "28", "m.txt"],
        &["--prefixes", "28", "--min-prefix", "30", "m.txt"],
        &["--prefixes", "", "m.txt"],
        &["--prefixes", "23 30", "m.txt"],
        &["dialect.txt", "-", "--count-unique-all"],
    ] {
        d.check(args, b"");
    }
    d.check(&["--has-compare"], b"");
    d.check(&["--has-reduce"], b"");
    d.finish();
}
