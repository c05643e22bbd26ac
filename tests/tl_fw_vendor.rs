//! `tl-fw render` for the vendor text targets (pf, Cisco ASA, MikroTik,
//! Juniper SRX, Windows Firewall, Palo Alto and FortiGate lists): the real
//! binary renders a small fixed set of lists (IPv4 and IPv6, a range that
//! is not one CIDR, an allow entry inside a blocked prefix) and every file
//! is compared byte for byte with `tests/golden/fw/<case>/`.
//! `TL_UPDATE_GOLDEN=1 cargo test --test tl_fw_vendor` rewrites them (read
//! the diff before committing: the golden files were checked by hand
//! against the vendors' documented syntax). Also: the capacity cut by
//! score with its manifest, and hostile names and log prefixes, refused or
//! quoted harmlessly.

mod common;

use common::{run_in, Run, Workdir};
use std::path::{Path, PathBuf};

const LISTS: &str = "fixtures/fw/vendor";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn tl_fw(dir: &Path, args: &[&str]) -> Run {
    run_in(dir, env!("CARGO_BIN_EXE_tl-fw"), args, b"")
}

/// Renders with `args` into a fresh directory and returns its files, by
/// name, sorted.
fn render(args: &[&str]) -> (Run, Vec<(String, Vec<u8>)>) {
    let w = Workdir::new();
    let out = w.path("out");
    std::fs::create_dir(&out).unwrap();
    let mut all: Vec<&str> = vec!["render"];
    all.extend_from_slice(args);
    let out_s = out.to_str().unwrap();
    all.extend_from_slice(&["-o", out_s]);
    let run = tl_fw(root(), &all);
    (run, files(&out))
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Compares the files with `tests/golden/fw/<case>/` (or rewrites them).
fn golden(case: &str, got: &[(String, Vec<u8>)]) {
    let dir: PathBuf = root().join("tests/golden/fw").join(case);
    if std::env::var_os("TL_UPDATE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, body) in got {
            std::fs::write(dir.join(name), body).unwrap();
        }
        return;
    }
    let want = files(&dir);
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(got),
        names(&want),
        "{case}: other files than tests/golden/fw/{case}/ (TL_UPDATE_GOLDEN=1 rewrites them)"
    );
    for ((name, body), (_, expected)) in got.iter().zip(&want) {
        if body != expected {
            let got = String::from_utf8_lossy(body);
            let exp = String::from_utf8_lossy(expected);
            let line = got
                .lines()
                .zip(exp.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| got.lines().count().min(exp.lines().count()));
            panic!(
                "{case}/{name} differs from the golden file at line {}:\n got: {:?}\nwant: {:?}\n(TL_UPDATE_GOLDEN=1 rewrites them)",
                line + 1,
                got.lines().nth(line),
                exp.lines().nth(line)
            );
        }
    }
}

#[test]
fn every_vendor_target_matches_its_golden_files() {
    for target in [
        "pf", "asa", "mikrotik", "srx", "windows", "paloalto", "fortinet",
    ] {
        let (run, got) = render(&["--target", target, LISTS]);
        assert_eq!(run.code, 0, "{target}: {}", run.stderr);
        golden(target, &got);
    }
}

#[test]
fn without_ipv6_the_entries_are_named_in_the_manifest() {
    let (run, got) = render(&["--target", "mikrotik", "--no-ipv6", LISTS]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("IPv6 not taken 2"),
        "block-in leaves out its two IPv6 entries: {}",
        run.stderr
    );
    golden("mikrotik-no-ipv6", &got);
}

/// A list over `--max-entries` keeps its highest-scoring entries; the
/// manifest names every other one.
#[test]
fn capacity_cut_keeps_the_best_scored_and_names_the_rest() {
    let scores = format!("{LISTS}/scores.csv");
    let (run, got) = render(&[
        "--target",
        "paloalto",
        "--max-entries",
        "3",
        "--scores",
        &scores,
        LISTS,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("block-in: 3 entries, left out 3 (over capacity 3"),
        "{}",
        run.stderr
    );
    let page = &got
        .iter()
        .find(|(n, _)| n == "threatlist-block-in.txt")
        .unwrap()
        .1;
    // 192.0.2.7 (4.125), 2001:db8:1::/49 (3.500 for 2001:db8:1::1) and the
    // range holding 203.0.113.15 (2.000) outrank the rest.
    assert_eq!(
        String::from_utf8_lossy(page),
        "192.0.2.7\n203.0.113.10-203.0.113.20\n2001:db8:1::/49\n"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&got.iter().find(|(n, _)| n == "manifest.json").unwrap().1).unwrap();
    let block_in = &manifest["lists"][1];
    assert_eq!(block_in["list"], "block-in");
    assert_eq!(
        block_in["left_out"],
        serde_json::json!([
            "198.51.100.0-198.51.100.76",
            "198.51.100.78-198.51.100.255",
            "2001:db8:2::5"
        ])
    );
    golden("paloalto-cut", &got);
}

/// Names and log prefixes that could break out of a string or start a
/// command are refused before anything is written.
#[test]
fn hostile_names_and_log_prefixes_are_refused() {
    let hostile = [
        "a\";reboot",
        "x'y",
        "$(id)",
        "`id`",
        "a\nb",
        "a;b",
        "a b",
        "'; Remove-NetFirewallRule -All; '",
    ];
    for target in ["pf", "asa", "mikrotik", "srx", "windows"] {
        for h in hostile {
            let (run, got) = render(&["--target", target, "--name", h, LISTS]);
            assert_eq!(run.code, 2, "{target} --name {h:?}: {}", run.stderr);
            assert!(run.stderr.contains("--name"), "{}", run.stderr);
            assert!(got.is_empty(), "{target}: nothing written");
            // Only quoted text reaches the terminal.
            assert!(!run.stderr.contains('\n') || run.stderr.lines().count() == 1);
        }
        for h in [
            "a\"b",
            "it's",
            "$(id)",
            "`id`",
            "a\nb",
            "back\\slash",
            "\u{7f}",
        ] {
            let (run, got) = render(&["--target", target, "--log-prefix", h, LISTS]);
            assert_eq!(run.code, 2, "{target} --log-prefix {h:?}: {}", run.stderr);
            assert!(run.stderr.contains("--log-prefix"), "{}", run.stderr);
            assert!(got.is_empty());
        }
    }
}

/// What `Options::check` lets through (`;`, `#`, `?`, `[`, `]`, `:`) is
/// quoted harmlessly where a target writes it.
#[test]
fn allowed_punctuation_is_quoted_harmlessly() {
    let prefix = "x?; :put [/system reboot] #";
    let (run, got) = render(&["--target", "mikrotik", "--log-prefix", prefix, LISTS]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let script =
        String::from_utf8_lossy(&got.iter().find(|(n, _)| n == "threatlist.rsc").unwrap().1)
            .into_owned();
    let quoted = r#"log-prefix="x\?; :put [/system reboot] #""#;
    assert!(script.contains(quoted), "{script}");
    // Every use of the prefix is that quoted string.
    assert_eq!(
        script.matches("/system reboot").count(),
        script.matches(quoted).count()
    );
    // The name is quoted too (a '-' is allowed in names).
    let (run, got) = render(&["--target", "windows", "--name", "tl-x_1", LISTS]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ps = String::from_utf8_lossy(&got.iter().find(|(n, _)| n == "tl-x_1.ps1").unwrap().1)
        .into_owned();
    assert!(ps.contains("$group = 'tl-x_1'"), "{ps}");
    assert!(ps.contains("-DisplayName 'tl-x_1 block-in 1/1'"), "{ps}");
}

/// An empty list never becomes a rule that matches everything (an empty
/// `-RemoteAddress` is "any" on Windows) or a policy naming a missing set.
#[test]
fn an_empty_list_blocks_nothing() {
    let block_in = format!("{LISTS}/block-in.txt");
    let (run, got) = render(&["--target", "windows", "--block-in", &block_in]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ps = String::from_utf8_lossy(&got.iter().find(|(n, _)| n == "threatlist.ps1").unwrap().1)
        .into_owned();
    assert!(ps.contains("-Direction Inbound"));
    assert!(!ps.contains("-Direction Outbound"), "{ps}");
    assert!(ps.contains("# block-out: 0 entries, 0 rule(s)"), "{ps}");

    let (run, got) = render(&["--target", "srx", "--block-in", &block_in]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let srx = String::from_utf8_lossy(
        &got.iter()
            .find(|(n, _)| n == "threatlist-srx.txt")
            .unwrap()
            .1,
    )
    .into_owned();
    assert!(
        srx.contains("address threatlist_out_1 0.0.0.0/32\n"),
        "an address nothing is sent to keeps the set valid: {srx}"
    );

    let (run, got) = render(&["--target", "asa", "--block-in", &block_in]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let asa = String::from_utf8_lossy(
        &got.iter()
            .find(|(n, _)| n == "threatlist-asa.txt")
            .unwrap()
            .1,
    )
    .into_owned();
    assert!(
        !asa.lines()
            .any(|l| l == "object-group network threatlist_block_out"),
        "{asa}"
    );
    assert!(
        asa.contains("no object-group network threatlist_block_out\n"),
        "{asa}"
    );
}

/// Windows rules take at most 1,000 addresses each.
#[test]
fn windows_rules_hold_at_most_a_thousand_addresses() {
    let w = Workdir::new();
    let list: String = (0..2500u32)
        .map(|i| format!("10.{}.{}.1\n", i / 256, i % 256))
        .collect();
    w.write("in.txt", list);
    std::fs::create_dir(w.path("out")).unwrap();
    let run = tl_fw(
        w.dir.path(),
        &[
            "render",
            "--target",
            "windows",
            "--block-in",
            "in.txt",
            "-o",
            "out",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ps = w.read("out/threatlist.ps1");
    for k in 1..=3 {
        assert!(ps.contains(&format!("'threatlist block-in {k}/3'")), "{ps}");
    }
    let rules: Vec<&str> = ps.split("New-NetFirewallRule").skip(1).collect();
    let sizes: Vec<usize> = rules
        .iter()
        .map(|r| r.lines().filter(|l| l.starts_with("  '")).count())
        .collect();
    assert_eq!(sizes, [1000, 1000, 500]);
    assert!(ps.lines().all(|l| l.len() < 200), "short command lines");
}

/// Comments in the lists (text from outside) never reach a rendered file.
#[test]
fn list_comments_never_reach_a_script() {
    let w = Workdir::new();
    std::fs::create_dir(w.path("lists")).unwrap();
    w.write(
        "lists/block-in.txt",
        "# \"; /system reset-configuration; $(reboot) `id` '; Stop-Computer; '\n198.51.100.0/24\n",
    );
    w.write(
        "lists/block-out.txt",
        "203.0.113.9 # \"; reset-configuration\n",
    );
    for target in ["pf", "asa", "mikrotik", "srx", "windows"] {
        std::fs::create_dir(w.path(target)).unwrap();
        let run = tl_fw(
            w.dir.path(),
            &["render", "--target", target, "lists", "-o", target],
        );
        assert_eq!(run.code, 0, "{target}: {}", run.stderr);
        for (name, body) in files(&w.path(target)) {
            let text = String::from_utf8_lossy(&body);
            assert!(!text.contains("reset-configuration"), "{target}/{name}");
            assert!(!text.contains("Stop-Computer"), "{target}/{name}");
        }
    }
}
