//! `tl-fw render`: the kernel targets (nftables, ipset + iptables) against
//! golden files (`tests/golden/fw/kernel/`; `TL_UPDATE_GOLDEN=1 cargo test
//! --test tl_fw_render` rewrites them), and every rendered file loaded by
//! the real tools in a throwaway network namespace: `nft -c -f` and `nft
//! -f` (twice: one table, same rules), `ipset restore`, `iptables-restore
//! --test`. Without the tools or namespaces the loading tests say `SKIP:`;
//! under CI they fail.

mod common;
use common::{bin_path, have_program, require, run_in};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn golden() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/fw/kernel")
}

fn lists() -> String {
    golden().join("lists").to_string_lossy().into_owned()
}

/// Renders the golden lists into a fresh directory; its files by name.
fn render(target: &str, extra: &[&str]) -> (tempfile::TempDir, Vec<(String, Vec<u8>)>) {
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap().to_string();
    let l = lists();
    let mut args = vec![
        "render",
        "-t",
        target,
        "--name",
        "tl",
        "--log-prefix",
        "tl drop: ",
        "-o",
        &o,
    ];
    args.extend_from_slice(extra);
    args.push(&l);
    let r = run_in(out.path(), bin_path("tl-fw"), &args, b"");
    assert_eq!(r.code, 0, "render {target}: {}", r.stderr);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    (out, files)
}

/// Compares (or, with TL_UPDATE_GOLDEN, rewrites) a golden directory.
fn compare(name: &str, files: &[(String, Vec<u8>)]) {
    let dir = golden().join(name);
    if std::env::var_os("TL_UPDATE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (f, body) in files {
            std::fs::write(dir.join(f), body).unwrap();
        }
        return;
    }
    let mut want: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    want.sort();
    let got: Vec<String> = files.iter().map(|(f, _)| f.clone()).collect();
    assert_eq!(got, want, "files of {name}");
    for (f, body) in files {
        let expected = std::fs::read(dir.join(f)).unwrap();
        assert!(
            *body == expected,
            "{name}/{f} differs from the golden file:\n{}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn nftables_golden() {
    let (_, files) = render("nftables", &[]);
    compare("nftables", &files);
    let nft =
        String::from_utf8_lossy(&files.iter().find(|(f, _)| f == "tl.nft").unwrap().1).into_owned();
    // One transaction that replaces the table; no auto-merge; merged and
    // disjoint intervals; the allow entry cut out of the blocked prefix.
    assert!(nft.contains("table inet tl {}\ndelete table inet tl\ntable inet tl {\n"));
    assert!(!nft.contains("auto-merge"));
    assert!(nft.contains("198.51.100.0-198.51.100.19,\n\t\t\t198.51.100.21-198.51.100.255"));
    assert!(nft.contains("\t\t\t203.0.113.7-203.0.113.20\n"));
    assert!(nft.contains("ip daddr @block_out4 counter log prefix \"tl drop: \" drop"));
}

#[test]
fn ipset_golden() {
    let (_, files) = render("ipset", &[]);
    compare("ipset", &files);
    let (_, files) = render("ipset", &["--no-ipv6"]);
    compare("ipset-no-ipv6", &files);
    assert!(!files.iter().any(|(f, _)| f == "tl.rules.v6"));
}

/// The inbound log prefix: each inbound drop rule logs first, nothing
/// else changes.
const LOG_IN: [&str; 2] = ["--log-in-prefix", "tl drop in: "];

#[test]
fn inbound_drops_are_logged_with_their_prefix() {
    let (_, files) = render("nftables", &LOG_IN);
    compare("nftables-log-in", &files);
    let nft =
        String::from_utf8_lossy(&files.iter().find(|(f, _)| f == "tl.nft").unwrap().1).into_owned();
    assert_eq!(
        nft.matches("\t\tip saddr @block_in4 counter log prefix \"tl drop in: \" drop\n")
            .count(),
        2,
        "input and forward"
    );
    assert_eq!(
        nft.matches("\t\tip6 saddr @block_in6 counter log prefix \"tl drop in: \" drop\n")
            .count(),
        2
    );
    assert_eq!(nft.matches("log prefix \"tl drop: \"").count(), 4);
    let (_, files) = render("ipset", &LOG_IN);
    compare("ipset-log-in", &files);
    for (f, n) in [("tl.rules.v4", "4"), ("tl.rules.v6", "6")] {
        let rules =
            String::from_utf8_lossy(&files.iter().find(|(g, _)| g == f).unwrap().1).into_owned();
        for chain in ["tl-in", "tl-fwd"] {
            let pair = format!(
                "-A {chain} -m set --match-set tl-in{n} src -j LOG --log-prefix \"tl drop in: \"\n\
                 -A {chain} -m set --match-set tl-in{n} src -j DROP\n"
            );
            assert!(rules.contains(&pair), "{f}: {rules}");
        }
        assert!(
            !rules.contains("-A tl-out -m set --match-set tl-in"),
            "{rules}"
        );
    }
}

#[test]
fn the_inbound_prefix_is_refused_where_it_cannot_be_carried() {
    let l = lists();
    let run = |args: &[&str]| {
        let out = tempfile::tempdir().unwrap();
        let o = out.path().join("out");
        let mut a = vec!["render", "-o", o.to_str().unwrap()];
        a.extend_from_slice(args);
        a.push(&l);
        let r = run_in(out.path(), bin_path("tl-fw"), &a, b"");
        assert!(!o.exists(), "{args:?} wrote {}", o.display());
        (r.code, r.stderr)
    };
    let (code, err) = run(&["-t", "pf", "--log-in-prefix", "tl drop in: "]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        err,
        "tl-fw: --log-in-prefix: the pf target does not log inbound drops \
         (nftables and ipset do)\n"
    );
    let (code, err) = run(&[
        "-t",
        "nftables",
        "--log-in-prefix",
        "in\" drop; flush ruleset; \"",
    ]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        err,
        "tl-fw: --log-in-prefix: use at most 29 printable characters without quotes, \
         '\\', '`' or '$': 'in\" drop; flush ruleset; \"'\n"
    );
    let long = "x".repeat(30);
    let (code, err) = run(&["-t", "ipset", "--log-in-prefix", &long]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--log-in-prefix: use at most 29"), "{err}");
}

#[test]
fn ipset_sizes_grow_with_the_list() {
    // 200,000 entries: never the 65,536 default maxelem.
    let work = tempfile::tempdir().unwrap();
    let mut list = String::new();
    for i in 0..200_000u32 {
        let a = 0x0b00_0000 + i * 4;
        list.push_str(&format!(
            "{}.{}.{}.{}\n",
            a >> 24,
            (a >> 16) & 255,
            (a >> 8) & 255,
            a & 255
        ));
    }
    std::fs::write(work.path().join("block-in.txt"), list).unwrap();
    let o = work.path().join("out");
    let r = run_in(
        work.path(),
        bin_path("tl-fw"),
        &[
            "render",
            "-t",
            "ipset",
            "-o",
            o.to_str().unwrap(),
            work.path().to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(o.join("threatlist.ipset")).unwrap();
    assert!(
        text.contains(
            "create threatlist-in4-new hash:net family inet hashsize 262144 maxelem 524288\n"
        ),
        "{}",
        &text[..600]
    );
}

fn netns_tools(tools: &[&str]) -> bool {
    if !tools.iter().all(|t| require(have_program(t), t)) {
        return false;
    }
    require(
        Command::new("unshare")
            .args(unshare_args())
            .arg("true")
            .status()
            .is_ok_and(|s| s.success()),
        "unshare (a throwaway network namespace)",
    )
}

/// `unshare -n` as root, `unshare -rn` (a user namespace too) otherwise.
fn unshare_args() -> Vec<&'static str> {
    if unsafe { libc::geteuid() } == 0 {
        vec!["-n"]
    } else {
        vec!["-rn"]
    }
}

/// Runs a script in a throwaway network namespace (our own fixed text,
/// paths passed as arguments).
fn in_netns(script: &str, args: &[&Path]) -> (bool, String) {
    let out = Command::new("unshare")
        .args(unshare_args())
        .args(["sh", "-c", script, "sh"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn nft_loads_every_rendered_file_and_twice_is_once() {
    if !netns_tools(&["nft"]) {
        return;
    }
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("allow.txt"), "").unwrap();
    for (dir, extra, drops) in [
        (lists(), vec![], 8),
        (lists(), vec!["--no-ipv6"], 8),
        (lists(), LOG_IN.to_vec(), 8),
        (empty.path().to_string_lossy().into_owned(), vec![], 8),
    ] {
        let out = tempfile::tempdir().unwrap();
        let f = out.path().join("tl.nft");
        let mut args = vec!["render", "-t", "nftables", "-o", f.to_str().unwrap()];
        args.extend(&extra);
        args.push(&dir);
        let r = run_in(out.path(), bin_path("tl-fw"), &args, b"");
        assert_eq!(r.code, 0, "{}", r.stderr);
        let (ok, said) = in_netns(
            "nft -c -f \"$1\" && nft -f \"$1\" && nft -f \"$1\" && nft -t list ruleset",
            &[&f],
        );
        assert!(ok, "nft refused {}: {said}", f.display());
        assert_eq!(said.matches("table inet threatlist {").count(), 1, "{said}");
        // Rules that end in a drop (the log prefixes say "drop" too).
        let rules = said.lines().filter(|l| l.trim_end().ends_with(" drop"));
        assert_eq!(rules.count(), drops, "{said}");
        if extra == LOG_IN {
            assert_eq!(
                said.matches("ip saddr @block_in4 counter packets 0 bytes 0 log prefix \"tl drop in: \" drop")
                    .count(),
                2,
                "{said}"
            );
        }
    }
}

#[test]
fn ipset_restore_loads_every_rendered_file() {
    if !netns_tools(&["ipset", "iptables-restore", "ip6tables-restore"]) {
        return;
    }
    for extra in [vec![], vec!["--no-ipv6"], LOG_IN.to_vec()] {
        let (out, files) = render("ipset", &extra);
        let d = out.path();
        let six = files.iter().any(|(f, _)| f == "tl.rules.v6");
        // The live sets exist before the swap (tl-fw apply creates them).
        let script = format!(
            "for s in allow4 in4 out4; do ipset create tl-$s hash:net family inet || exit 1; done; \
             {} \
             ipset restore < \"$1/tl.ipset\" && ipset restore < \"$1/tl.ipset\" && \
             iptables-restore --noflush < \"$1/tl.rules.v4\" && \
             iptables-restore --noflush < \"$1/tl.rules.v4\" && \
             {} ipset list -n && ipset list -t tl-in4 && iptables -S",
            if six {
                "for s in allow6 in6 out6; do ipset create tl-$s hash:net family inet6 || exit 1; done;"
            } else {
                ""
            },
            if six {
                "ip6tables-restore --noflush < \"$1/tl.rules.v6\" &&"
            } else {
                ""
            }
        );
        let (ok, said) = in_netns(&script, &[d]);
        assert!(ok, "ipset/iptables refused: {said}");
        assert!(!said.contains("-new"), "a temporary set was left: {said}");
        assert!(said.contains("Number of entries: 13\n"), "{said}");
        // Twice loaded, each rule once.
        assert_eq!(
            said.matches("-A tl-in -m set --match-set tl-in4 src -j DROP")
                .count(),
            1,
            "{said}"
        );
        let logged_in = said
            .matches("-A tl-in -m set --match-set tl-in4 src -j LOG --log-prefix \"tl drop in: \"")
            .count();
        assert_eq!(logged_in, usize::from(extra == LOG_IN), "{said}");
    }
}
