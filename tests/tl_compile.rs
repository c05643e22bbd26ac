//! `tl-compile` and `tl-query` on fixtures/profiles with a country database
//! that `tl-geo build` makes from fixtures/geo, with exact outputs.

mod common;
use common::{bin_path, Workdir};
use std::path::Path;

fn fixture(path: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(path),
    )
    .unwrap()
}

const NOW: &str = "2026-11-27T14:00:00Z";

/// A work directory with scores.csv, acme.toml and c.mmdb.
fn wd() -> Workdir {
    let w = Workdir::new();
    w.write("scores.csv", fixture("profiles/scores.csv"));
    w.write("acme.toml", fixture("profiles/acme.toml"));
    w.write("country.csv", fixture("geo/country.csv"));
    let r = w.run("tl-geo", &["build", "--db", "c.mmdb", "country.csv"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    w
}

fn compile(w: &Workdir, extra: &[&str]) -> common::Run {
    let mut args = vec![
        "--scores",
        "scores.csv",
        "--profiles",
        "acme.toml",
        "--geo-db",
        "c.mmdb",
        "--out",
        "out",
    ];
    if !extra.contains(&"--now") {
        args.extend_from_slice(&["--now", NOW]);
    }
    args.extend_from_slice(extra);
    w.run("tl-compile", &args, b"")
}

/// tl-compile without a geo database, at `NOW`.
fn compile_plain(w: &Workdir, scores: &str, profiles: &str, out: &str) -> common::Run {
    let args = [
        "--scores",
        scores,
        "--profiles",
        profiles,
        "--out",
        out,
        "--now",
        NOW,
    ];
    w.run("tl-compile", &args, b"")
}

#[test]
fn compiles_in_order_with_guards() {
    let w = wd();
    let r = compile(&w, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "acme: serial 1: block-in 3 prefixes · 257 IPv4 addresses · 1 IPv6 /128; block-out 4 \
         prefixes · 137 IPv4 addresses · 1 IPv6 /128; allow 2 prefixes · 17 IPv4 addresses; \
         domains 1; lines +10 -0 since the last version; left out 0\n"
    );
    assert_eq!(
        r.stderr,
        "tl-compile: acme: refused 8.0.0.0/7: wider than /8 (feed drop)\n\
         tl-compile: acme: allow entry 203.0.113.200 (acme.toml:24) expired on 2026-01-31; \
         no longer applied\n"
    );
    // Evidence (feed/category thresholds), BR inbound only, custom outbound
    // only; 10.1.2.3 (special) and 198.51.100.53 (allow-listed) are out.
    assert_eq!(
        w.read("out/acme/block-in.txt"),
        "198.51.100.7\n203.0.113.0/24\n2001:db8:1::66\n"
    );
    assert_eq!(
        w.read("out/acme/block-out.txt"),
        "192.0.2.200/29\n198.51.100.7\n203.0.113.128/25\n2001:db8:1::66\n"
    );
    assert_eq!(
        w.read("out/acme/allow.txt"),
        "192.0.2.0/28\n198.51.100.53\n"
    );
    assert_eq!(w.read("out/acme/domains.txt"), "bad.example\n");
    assert_eq!(w.read("out/acme/allow-domains.txt"), "partner.example\n");
    // The profile's publication formats, for tl-zone.
    assert_eq!(w.read("out/acme/formats.txt"), "a\nrpz\n");
    // The profile's own rows: rules, custom and allow entries, guards,
    // domains; the evidence is in the run's basis.
    assert_eq!(
        w.read("out/acme/provenance.csv"),
        "entry,list,reason,detail\n\
         rule:category:scanner,block-in,evidence,2.000\n\
         rule:country:BR,block-in,country,BR\n\
         rule:feed:drop,block-in,evidence,0.000\n\
         rule:feed:feodo,block-in,evidence,1.000\n\
         rule:category:scanner,block-out,evidence,2.000\n\
         rule:feed:drop,block-out,evidence,0.000\n\
         rule:feed:feodo,block-out,evidence,1.000\n\
         192.0.2.200/29,block-out,custom,acme.toml:15 ticket 42\n\
         192.0.2.0/28,allow,own-network,acme.toml:33\n\
         198.51.100.53,allow,allow,acme.toml:20 partner resolver\n\
         bad.example,domains,category,phishing\n\
         bad.example,domains,feed,openphish\n\
         bad.example,domains,score,1.500\n\
         partner.example,allow-domains,allow,acme.toml\n\
         ok.partner.example,excluded,allow-listed,domain\n\
         8.0.0.0/7,excluded,too-wide,feed:drop\n"
    );
    // The whole provenance, one row per reason of every entry.
    let r = w.run("tl-query", &["--provenance", "acme"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "entry,list,reason,detail\n\
         198.51.100.7,block-in,category,botnet-c2\n\
         198.51.100.7,block-in,category,scanner\n\
         198.51.100.7,block-in,feed,feodo\n\
         198.51.100.7,block-in,score,4.125\n\
         203.0.113.0/24,block-in,country,BR\n\
         203.0.113.128/25,block-in,category,hijacked\n\
         203.0.113.128/25,block-in,feed,drop\n\
         203.0.113.128/25,block-in,score,2.000\n\
         2001:db8:1::66,block-in,category,scanner\n\
         2001:db8:1::66,block-in,feed,blocklist-de\n\
         2001:db8:1::66,block-in,score,2.500\n\
         192.0.2.200/29,block-out,custom,acme.toml:15 ticket 42\n\
         198.51.100.7,block-out,category,botnet-c2\n\
         198.51.100.7,block-out,category,scanner\n\
         198.51.100.7,block-out,feed,feodo\n\
         198.51.100.7,block-out,score,4.125\n\
         203.0.113.128/25,block-out,category,hijacked\n\
         203.0.113.128/25,block-out,feed,drop\n\
         203.0.113.128/25,block-out,score,2.000\n\
         2001:db8:1::66,block-out,category,scanner\n\
         2001:db8:1::66,block-out,feed,blocklist-de\n\
         2001:db8:1::66,block-out,score,2.500\n\
         192.0.2.0/28,allow,own-network,acme.toml:33\n\
         198.51.100.53,allow,allow,acme.toml:20 partner resolver\n\
         bad.example,domains,category,phishing\n\
         bad.example,domains,feed,openphish\n\
         bad.example,domains,score,1.500\n\
         partner.example,allow-domains,allow,acme.toml\n\
         ok.partner.example,excluded,allow-listed,domain\n\
         8.0.0.0/7,excluded,too-wide,feed:drop\n\
         10.1.2.3,excluded,special-purpose,feed:blocklist-de\n\
         198.51.100.53,excluded,allow-listed,feed:blocklist-de\n"
    );
    assert_eq!(w.read("out/acme/diff.txt").lines().count(), 10);

    // The same input again: byte-identical lists, an empty diff, serial 2.
    let before = w.read("out/acme/provenance.csv");
    let r = compile(&w, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("acme: serial 2:"), "{}", r.stdout);
    assert_eq!(w.read("out/acme/provenance.csv"), before);
    assert_eq!(w.read("out/acme/diff.txt"), "");
    // The old version keeps only what history needs.
    let mut kept: Vec<String> = std::fs::read_dir(w.path("out/.history/acme/1"))
        .unwrap()
        .map(|d| d.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    kept.sort();
    assert_eq!(kept, ["basis.tlb", "compiled.tlc", "provenance.csv"]);
    // One basis per run, shared by hard links: none is left unlinked.
    assert_eq!(std::fs::read_dir(w.path("out/.basis")).unwrap().count(), 1);
}

#[test]
fn query_answers_from_the_compiled_lists() {
    let w = wd();
    assert_eq!(compile(&w, &[]).code, 0);
    let r = w.run(
        "tl-query",
        &["198.51.100.7", "192.0.2.3", "bad.example"],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "query,profile,list,entry,reason,detail,first_listed,first_serial\n\
         198.51.100.7,acme,block-in,198.51.100.7,category,botnet-c2,2026-11-27T14:00:00Z,1\n\
         198.51.100.7,acme,block-in,198.51.100.7,category,scanner,2026-11-27T14:00:00Z,1\n\
         198.51.100.7,acme,block-in,198.51.100.7,feed,feodo,2026-11-27T14:00:00Z,1\n\
         198.51.100.7,acme,block-in,198.51.100.7,score,4.125,2026-11-27T14:00:00Z,1\n\
         198.51.100.7,acme,block-out,198.51.100.7,category,botnet-c2,2026-11-27T14:00:00Z,1\n\
         198.51.100.7,acme,block-out,198.51.100.7,category,scanner,2026-11-27T14:00:00Z,1\n\
         198.51.100.7,acme,block-out,198.51.100.7,feed,feodo,2026-11-27T14:00:00Z,1\n\
         198.51.100.7,acme,block-out,198.51.100.7,score,4.125,2026-11-27T14:00:00Z,1\n\
         192.0.2.3,acme,allow,192.0.2.0/28,own-network,acme.toml:33,2026-11-27T14:00:00Z,1\n\
         bad.example,acme,domains,bad.example,category,phishing,2026-11-27T14:00:00Z,1\n\
         bad.example,acme,domains,bad.example,feed,openphish,2026-11-27T14:00:00Z,1\n\
         bad.example,acme,domains,bad.example,score,1.500,2026-11-27T14:00:00Z,1\n"
    );
    // --json: the same rows as objects.
    let r = w.run("tl-query", &["--json", "192.0.2.3", "10.1.2.3"], b"");
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v["rows"][0],
        serde_json::json!({
            "query": "192.0.2.3", "profile": "acme", "list": "allow",
            "entry": "192.0.2.0/28", "reason": "own-network", "detail": "acme.toml:33",
            "first_listed": "2026-11-27T14:00:00Z", "first_serial": 1
        })
    );
    assert_eq!(v["rows"][1]["list"], "excluded");
    assert_eq!(v["rows"][1]["first_serial"], serde_json::Value::Null);
    // Not listed: exit 1; the guard that took it out is named.
    let r = w.run("tl-query", &["-"], b"10.1.2.3\n198.51.100.53\n");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "query,profile,list,entry,reason,detail,first_listed,first_serial\n\
         10.1.2.3,acme,excluded,10.1.2.3,special-purpose,feed:blocklist-de,,\n\
         198.51.100.53,acme,allow,198.51.100.53,allow,acme.toml:20 partner resolver,2026-11-27T14:00:00Z,1\n\
         198.51.100.53,acme,excluded,198.51.100.53,allow-listed,feed:blocklist-de,,\n"
    );
    let r = w.run("tl-query", &["not an address"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "tl-query: argument: not an address or domain name: 'not an address'\n"
    );
    // No output directory: say what it is and how to name it.
    let r = w.run("tl-query", &["--out", "nowhere", "198.51.100.7"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "tl-query: nowhere: no such directory; tl-query reads what tl-compile --out \
         (or tl-update's out_dir) wrote: name it with --out DIR\n"
    );
    // --at: before the first version there is none.
    let r = w.run("tl-query", &["--at", "2026-01-01", "198.51.100.7"], b"");
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout,
        "query,profile,list,entry,reason,detail,first_listed,first_serial\n\
         198.51.100.7,acme,no-version,,,,,\n"
    );
    // The same, relative to now (a value starting with '-' is a time).
    let r = w.run("tl-query", &["--at", "-36500d", "198.51.100.7"], b"");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.ends_with("198.51.100.7,acme,no-version,,,,,\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn profile_errors_name_file_and_line() {
    let w = wd();
    w.write(
        "bad.toml",
        "name = \"x\"\n[evidence]\nfeeds = { feodo = 1 }\nmin_scor = 2\n",
    );
    let r = w.run(
        "tl-compile",
        &[
            "--scores",
            "scores.csv",
            "--profiles",
            "bad.toml",
            "--out",
            "out",
        ],
        b"",
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("tl-compile: bad.toml:4: unknown field `min_scor`"),
        "{}",
        r.stderr
    );
    w.write(
        "nofeed.toml",
        "name = \"x\"\n[evidence]\nfeeds = { nosuch = 1 }\n",
    );
    let r = w.run(
        "tl-compile",
        &[
            "--scores",
            "scores.csv",
            "--profiles",
            "nofeed.toml",
            "--out",
            "out",
        ],
        b"",
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "tl-compile: nofeed.toml:3: feed 'nosuch' is not in the scores\n"
    );
}

/// Scores with a header and no rows (every feed failed?) hold back the
/// profiles that list evidence, naming the file; a profile of custom
/// blocks alone is published.
#[test]
fn empty_scores_hold_back_only_the_profiles_that_need_them() {
    let w = wd();
    w.write(
        "empty.csv",
        "indicator,type,score,categories,feeds,first_seen,last_seen,hits,sensors\n",
    );
    w.write(
        "custom.toml",
        "name = \"custom\"\n[[block]]\nentries = [\"20.0.0.0/24\"]\n",
    );
    let r = w.run(
        "tl-compile",
        &[
            "--scores",
            "empty.csv",
            "--profiles",
            "acme.toml",
            "custom.toml",
            "--geo-db",
            "c.mmdb",
            "--out",
            "out",
            "--now",
            NOW,
        ],
        b"",
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "tl-compile: acme: allow entry 203.0.113.200 (acme.toml:24) expired on 2026-01-31; no \
         longer applied\n\
         tl-compile: acme: the scores (empty.csv) hold no rows (did every feed fail?), and this \
         profile lists evidence: its lists would lose all of it\n\
         tl-compile: acme: not published; there is no earlier version, so nothing is in force \
         (--force publishes anyway)\n"
    );
    assert!(!w.path("out/acme").exists());
    assert_eq!(w.read("out/custom/block-in.txt"), "20.0.0.0/24\n");
}

#[test]
fn canary_and_circuit_breaker_hold_back() {
    let w = wd();
    assert_eq!(compile(&w, &[]).code, 0);
    let first = w.read("out/acme/block-in.txt");
    // A feed lists a public resolver: refused, naming feed and entry.
    let mut scores = fixture("profiles/scores.csv");
    scores.push_str(
        "8.8.8.0/24,net,9.000,scanner,feodo,2026-11-27T00:00:00Z,2026-11-27T00:00:00Z,1,0\n",
    );
    w.write("scores.csv", &scores);
    let r = compile(&w, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "tl-compile: acme: canary 8.8.8.8 (default canary) would be on block-in: \
         entry 8.8.8.0/24 (feed feodo, category scanner, score 9.000); to keep it off the \
         lists, allow it in the profile ([[allow]] entries = [\"8.8.8.8\"])\n"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("acme: not published; the last version stays"),
        "{}",
        r.stderr
    );
    assert_eq!(w.read("out/acme/block-in.txt"), first);
    // The same on a first run: nothing stays, and the message says so.
    let fresh = wd();
    fresh.write("scores.csv", &scores);
    let r = compile(&fresh, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("acme: not published; there is no earlier version, so nothing is in force"),
        "{}",
        r.stderr
    );
    // Shrinking beyond 50 %: held back, then --force publishes.
    w.write(
        "scores.csv",
        fixture("profiles/scores.csv")
            .lines()
            .take(2)
            .collect::<Vec<_>>()
            .join("\n")
            + "\n",
    );
    w.write(
        "acme.toml",
        fixture("profiles/acme.toml")
            .replace("[[geo]]\ncountries = [\"BR\"]", "[[geo]]\ncountries = []")
            .replace("drop = 0.0", "feodo2 = 0.0")
            .replace("feodo2 = 0.0", "")
            .replace("{ feodo = 1.0,  }", "{ feodo = 1.0 }"),
    );
    let r = compile(&w, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("the list would shrink by"),
        "{}",
        r.stderr
    );
    assert_eq!(w.read("out/acme/block-in.txt"), first);
    let r = compile(&w, &["--force"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(w.read("out/acme/block-in.txt"), "198.51.100.7\n");
}

/// Holds `OUT/.lock` as a publishing run would, until dropped.
fn hold_lock(path: &Path) -> std::fs::File {
    use std::os::unix::io::AsRawFd;
    let f = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .unwrap();
    // SAFETY: flock on a descriptor the test owns.
    assert_eq!(
        unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) },
        0
    );
    f
}

#[test]
fn killed_run_leaves_previous_outputs_intact() {
    let w = wd();
    // A custom block of 4000 addresses makes the version's first file,
    // block-in.txt, far larger than the evidence the run stores first.
    let many: String = (0..4000)
        .map(|i| format!("45.0.{}.{}\n", i / 128, 2 * (i % 128)))
        .collect();
    w.write("many.txt", many);
    let mut profile = fixture("profiles/acme.toml");
    profile.push_str("\n[[block]]\nfiles = [\"many.txt\"]\n");
    w.write("acme.toml", profile);
    let r = compile(&w, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let snapshot = || -> Vec<Vec<u8>> {
        [
            "block-in.txt",
            "block-out.txt",
            "provenance.csv",
            "compiled.tlc",
        ]
        .iter()
        .map(|f| std::fs::read(w.path(&format!("out/acme/{f}"))).unwrap())
        .collect()
    };
    let before = snapshot();
    assert!(before[0].len() > 2 * LIMIT as usize);
    for basis in std::fs::read_dir(w.path("out/.basis")).unwrap() {
        assert!(basis.unwrap().metadata().unwrap().len() < LIMIT);
    }
    // The next run may write no file longer than LIMIT bytes: the kernel
    // kills it (SIGXFSZ) in the middle of writing block-in.txt.
    const LIMIT: u64 = 16 << 10;
    let mut cmd = std::process::Command::new(bin_path("tl-compile"));
    cmd.current_dir(w.path("."))
        .args([
            "--scores",
            "scores.csv",
            "--profiles",
            "acme.toml",
            "--geo-db",
            "c.mmdb",
            "--out",
            "out",
            "--now",
            "2026-11-28T14:00:00Z",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: LIMIT,
                rlim_max: LIMIT,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            libc::signal(libc::SIGXFSZ, libc::SIG_DFL);
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    let tmp = w.path(&format!("out/.history/acme/.tmp-{}", child.id()));
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc::SIGXFSZ), "{status:?}");
    // It died with the new version half written, never in force.
    let written = std::fs::metadata(tmp.join("block-in.txt")).unwrap().len();
    assert_eq!(written, LIMIT);
    assert_eq!(before, snapshot());
    let r = w.run("tl-query", &["198.51.100.7"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A run while another holds the lock is refused.
    let lock = hold_lock(&w.path("out/.lock"));
    let r = compile(&w, &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("another run is publishing"),
        "{}",
        r.stderr
    );
    drop(lock);
    assert_eq!(before, snapshot());
    // The next run cleans up and publishes serial 2.
    let r = compile(&w, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("acme: serial 2:"));
    assert!(!tmp.exists());
}

#[test]
fn demo_profile_compiles() {
    let w = wd();
    w.write("demo.toml", fixture("demo/profiles/acme.toml"));
    let r = w.run(
        "tl-compile",
        &[
            "--scores",
            "scores.csv",
            "--profiles",
            "demo.toml",
            "--geo-db",
            "c.mmdb",
            "--out",
            "out",
            "--now",
            NOW,
            "--quiet",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(
        w.read("out/acme/summary.txt"),
        "acme: serial 1: block-in 3 prefixes · 257 IPv4 addresses · 1 IPv6 /128; block-out 3 \
         prefixes · 9 IPv4 addresses · 1 IPv6 /128; allow 2 prefixes · 17 IPv4 addresses; \
         domains 1; lines +9 -0 since the last version; left out 0\n"
    );
}

#[test]
fn stale_feed_holds_back_and_history_answers_as_of_a_date() {
    let w = wd();
    assert_eq!(compile(&w, &[]).code, 0);
    // Ten days later the named feeds have nothing newer: stale.
    let later = "2026-12-07T14:00:00Z";
    let r = compile(&w, &["--now", later]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "tl-compile: acme: feed 'feodo' is stale: newest entry 2026-11-27T13:58:00Z \
             (10.0 days old, bound 7 days)\n"
        ),
        "{}",
        r.stderr
    );
    // Forced: published as serial 2 without the allow-listed partner.
    w.write(
        "acme.toml",
        fixture("profiles/acme.toml").replace("entries = [\"198.51.100.53\"]", "entries = []"),
    );
    let r = compile(&w, &["--now", later, "--force"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("acme: serial 2:"), "{}", r.stdout);
    assert_eq!(
        w.read("out/acme/diff.txt"),
        "+block-in 198.51.100.53\n+block-out 198.51.100.53\n-allow 198.51.100.53\n"
    );
    let q = |at: &str| w.run("tl-query", &["--at", at, "198.51.100.53"], b"");
    let r = q("2026-12-01");
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("198.51.100.53,acme,allow,"),
        "{}",
        r.stdout
    );
    let r = q(later);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains(
            "198.51.100.53,acme,block-in,198.51.100.53,feed,blocklist-de,2026-12-07T14:00:00Z,2\n"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn a_directory_of_profiles_compiles_each_in_name_order() {
    let w = wd();
    std::fs::create_dir(w.path("profiles")).unwrap();
    w.write("profiles/acme.toml", fixture("profiles/acme.toml"));
    w.write(
        "profiles/beta.toml",
        "name = \"beta\"\nipv6 = false\n[evidence]\nmin_score = 4\n\
         [guards]\ndocumentation_space = true\n",
    );
    w.write("profiles/notes.txt", "not a profile\n");
    let r = w.run(
        "tl-compile",
        &[
            "--scores",
            "scores.csv",
            "--profiles",
            "profiles",
            "--geo-db",
            "c.mmdb",
            "--out",
            "out",
            "--now",
            NOW,
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "acme: serial 1: block-in 3 prefixes · 257 IPv4 addresses · 1 IPv6 /128; block-out 4 \
         prefixes · 137 IPv4 addresses · 1 IPv6 /128; allow 2 prefixes · 17 IPv4 addresses; \
         domains 1; lines +10 -0 since the last version; left out 0\n\
         beta: serial 1: block-in 1 prefix · 1 IPv4 address; block-out 1 prefix · 1 IPv4 \
         address; allow 0 prefixes; domains 0; lines +2 -0 since the last version; left out 0\n"
    );
    assert_eq!(w.read("out/beta/block-in.txt"), "198.51.100.7\n");
    // Two profiles with one name are refused before anything is published.
    w.write("profiles/beta.toml", "name = \"acme\"\n");
    let r = w.run(
        "tl-compile",
        &[
            "--scores",
            "scores.csv",
            "--profiles",
            "profiles",
            "--out",
            "out2",
        ],
        b"",
    );
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr, "tl-compile: two profiles are named 'acme'\n");
    assert!(!w.path("out2").exists());
}

#[test]
fn tl_zone_classifies_entries_by_their_derived_provenance() {
    let w = wd();
    assert_eq!(compile(&w, &[]).code, 0);
    // Classes match provenance rows that only the run's basis holds
    // (evidence feeds and categories): tl-zone derives them.
    w.write(
        "zone.toml",
        "ns = [\"ns1.example.net.\"]\n\
         [soa]\nmname = \"ns1.example.net.\"\nrname = \"hostmaster.example.net.\"\n\
         [rpz]\naction = \"nxdomain\"\n\
         [[category]]\nmatch = \"feed:feodo\"\nrpz = \"drop\"\n\
         [[category]]\nmatch = \"category:hijacked\"\nrpz = \"passthru\"\n",
    );
    std::fs::create_dir_all(w.path("zones")).unwrap();
    let r = w.run(
        "tl-zone",
        &[
            "--config",
            "zone.toml",
            "--out",
            "out",
            "--origin",
            "lists.example",
            "-o",
            "zones",
            "--now",
            NOW,
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rpz = w.read("zones/acme.rpz.zone");
    let ip: Vec<&str> = rpz.lines().filter(|l| l.contains("rpz-ip")).collect();
    assert_eq!(
        ip,
        [
            "29.200.2.0.192.rpz-ip\tCNAME\t.",
            "32.7.100.51.198.rpz-ip\tCNAME\trpz-drop.",
            "25.128.113.0.203.rpz-ip\tCNAME\trpz-passthru.",
            "128.66.zz.1.db8.2001.rpz-ip\tCNAME\t.",
        ],
        "{rpz}"
    );
}

#[test]
fn capacity_cut_is_reported_and_explained() {
    let w = Workdir::new();
    let row = |a: &str, s: &str| {
        format!("{a},ip,{s},scanner,f,2026-11-27T00:00:00Z,2026-11-27T00:00:00Z,1,0\n")
    };
    w.write(
        "scores.csv",
        format!(
            "indicator,type,score,categories,feeds,first_seen,last_seen,hits,sensors\n{}{}{}{}",
            row("20.0.0.1", "1.000"),
            row("20.0.0.9", "3.000"),
            row("20.0.0.20", "2.000"),
            row("20.0.0.40", "0.500"),
        ),
    );
    w.write(
        "p.toml",
        "name = \"p\"\n[evidence]\nmin_score = 0\n[capacity]\nmax_entries = 2\n",
    );
    let r = compile_plain(&w, "scores.csv", "p.toml", "out");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "tl-compile: p: capacity 2: left out 2 entries from 20.0.0.1 (score 1.000) down, \
         by score then address (tl-query --provenance lists them)\n"
    );
    assert!(r.stdout.ends_with("left out 2\n"), "{}", r.stdout);
    assert_eq!(w.read("out/p/block-in.txt"), "20.0.0.9\n20.0.0.20\n");
    assert!(w.read("out/p/provenance.csv").contains(
        "rule:capacity,excluded,capacity,\
         \"2 entries from 20.0.0.1 (score 1.000) down, by score then address\"\n"
    ));
    let q = w.run("tl-query", &["--out", "out", "20.0.0.40", "20.0.0.9"], b"");
    assert_eq!(q.code, 0, "{}", q.stderr);
    assert_eq!(
        q.stdout,
        "query,profile,list,entry,reason,detail,first_listed,first_serial\n\
         20.0.0.40,p,excluded,20.0.0.40,capacity,score:0.500,,\n\
         20.0.0.9,p,block-in,20.0.0.9,category,scanner,2026-11-27T14:00:00Z,1\n\
         20.0.0.9,p,block-in,20.0.0.9,feed,f,2026-11-27T14:00:00Z,1\n\
         20.0.0.9,p,block-in,20.0.0.9,score,3.000,2026-11-27T14:00:00Z,1\n\
         20.0.0.9,p,block-out,20.0.0.9,category,scanner,2026-11-27T14:00:00Z,1\n\
         20.0.0.9,p,block-out,20.0.0.9,feed,f,2026-11-27T14:00:00Z,1\n\
         20.0.0.9,p,block-out,20.0.0.9,score,3.000,2026-11-27T14:00:00Z,1\n"
    );
    let all = w.run("tl-query", &["--out", "out", "--provenance", "p"], b"");
    assert_eq!(all.code, 0, "{}", all.stderr);
    assert!(
        all.stdout.ends_with(
            "20.0.0.1,excluded,capacity,score:1.000\n\
         20.0.0.40,excluded,capacity,score:0.500\n"
        ),
        "{}",
        all.stdout
    );
}

#[test]
fn a_large_scores_file_read_in_two_parts_gives_the_same_lists() {
    use std::io::Write;
    // Over 8 MB, so a plain file is read as two parts on two threads; the
    // gzip copy is read in one piece. Scores repeat across the cut, a
    // domain and a feed appear only in the second half.
    let mut text =
        String::from("indicator,type,score,categories,feeds,first_seen,last_seen,hits,sensors\n");
    let n = 150_000u32;
    for i in 0..n {
        let a = 0x1400_0000u32 + i.wrapping_mul(2_654_435_761) % (1 << 24);
        let feed = if i > n / 2 && i % 1000 == 0 {
            "late"
        } else {
            "f"
        };
        text.push_str(&format!(
            "{},ip,{}.{:03},scanner;spam,{feed},2026-11-20T00:00:00Z,2026-11-2{}T00:00:00Z,1,0\n",
            std::net::Ipv4Addr::from(a),
            i % 7,
            i % 1000,
            i % 7
        ));
    }
    text.push_str(
        "bad.example,domain,5.000,phishing,late,2026-11-20T00:00:00Z,2026-11-26T00:00:00Z,1,0\n",
    );
    assert!(text.len() > 1 << 23);
    let w = Workdir::new();
    w.write("scores.csv", &text);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text.as_bytes()).unwrap();
    w.write("scores.csv.gz", gz.finish().unwrap());
    w.write(
        "p.toml",
        "name = \"p\"\n[evidence]\nmin_score = 4.0\nfeeds = { late = 0.0 }\n\
         [domains]\ncategories = [\"phishing\"]\n[capacity]\nmax_entries = 40000\n",
    );
    let run = |scores: &str, out: &str| compile_plain(&w, scores, "p.toml", out);
    let (a, b) = (run("scores.csv", "a"), run("scores.csv.gz", "b"));
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!((&a.stdout, &a.stderr), (&b.stdout, &b.stderr));
    for f in [
        "block-in.txt",
        "provenance.csv",
        "domains.txt",
        "basis.tlb",
        "compiled.tlc",
        "evidence.crc",
    ] {
        assert!(
            std::fs::read(w.path(&format!("a/p/{f}"))).unwrap()
                == std::fs::read(w.path(&format!("b/p/{f}"))).unwrap(),
            "{f} differs"
        );
    }
    // A bad row late in the file is named by its line in the whole file.
    let line = text.lines().nth(140_000).unwrap();
    let bad = text.replace(line, &line.replace(",ip,", ",bogus,"));
    w.write("scores.csv", &bad);
    let r = run("scores.csv", "c");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("tl-compile: scores.csv:140001: bad type 'bogus'"),
        "{}",
        r.stderr
    );
}

#[test]
fn json_report_names_every_profile_outcome() {
    let w = wd();
    let r = compile(&w, &["--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "");
    assert_eq!(
        r.stdout,
        r#"{
  "held_back": 0,
  "profiles": [
    {
      "holds": [],
      "in_force": true,
      "name": "acme",
      "notes": [
        "refused 8.0.0.0/7: wider than /8 (feed drop)",
        "allow entry 203.0.113.200 (acme.toml:24) expired on 2026-01-31; no longer applied"
      ],
      "outcome": "published",
      "serial": 1,
      "summary": "acme: serial 1: block-in 3 prefixes · 257 IPv4 addresses · 1 IPv6 /128; block-out 4 prefixes · 137 IPv4 addresses · 1 IPv6 /128; allow 2 prefixes · 17 IPv4 addresses; domains 1; lines +10 -0 since the last version; left out 0"
    }
  ],
  "scores": 9
}
"#
    );
}
