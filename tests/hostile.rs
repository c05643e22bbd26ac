//! Every tool over the hostile inputs of `tests/hostile/` (and the large
//! ones made here at run time): each run ends with exit 0 or 1 (what is bad
//! is skipped and counted) or 2 with a message naming what and why; none
//! panics or hangs, none writes outside its directory, and none publishes a
//! list that blocks a whole address family. docs/hardening.md.

mod common;

use common::bin_path;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Longest a tool may take on one hostile input.
const TIMEOUT: Duration = Duration::from_secs(60);
/// The long line streamed to standard input.
const LONG_LINE: u64 = 1 << 30;
/// The gzip bomb's size once decompressed.
const BOMB: u64 = 1 << 28;

/// What a tool reads on standard input.
enum Stdin {
    Empty,
    /// `LONG_LINE` bytes without a line end, then one good line; the pipe
    /// is closed early when the tool stops reading.
    LongLine,
}

/// Texts that must appear in no file a tool writes, nor on its standard
/// output: the world, and what the injection attempts would leave.
const NEVER: &[&str] = &[
    "0.0.0.0/0",
    "::/0",
    "0.0.0.0-255.255.255.255",
    "0.0.0.0.0.rpz-ip",
    "0.zz.rpz-ip",
    "$INCLUDE",
    "$ORIGIN evil",
    "passwd",
    "shadow",
    "a;b",
    "a b.example",
    "reset-configuration",
    "Remove-Item",
    "touch pwned",
    "system reboot",
];

/// A directory tree whose only writable part for the tool is `work`:
/// `root/a/b/c/work`, so `../../x` from it still lands inside `root`, where
/// it is seen.
struct Sandbox {
    root: tempfile::TempDir,
    work: PathBuf,
}

impl Sandbox {
    fn new() -> Sandbox {
        let root = tempfile::tempdir().expect("temp dir");
        let work = root.path().join("a/b/c/work");
        std::fs::create_dir_all(&work).expect("work dir");
        let hostile = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
        for e in std::fs::read_dir(hostile).expect("tests/hostile") {
            let p = e.expect("entry").path();
            std::fs::copy(&p, work.join(p.file_name().unwrap())).expect("copy case");
        }
        std::fs::write(work.join("list.txt"), "192.0.2.9\n198.51.100.7\n").unwrap();
        std::fs::write(work.join("allow.txt"), "203.0.113.5\n").unwrap();
        let scores = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/profiles/scores.csv");
        std::fs::copy(scores, work.join("scores.csv")).expect("scores");
        Sandbox { root, work }
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) {
        std::fs::write(self.work.join(name), bytes).expect("write case");
    }

    /// Every file under the root.
    fn files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![self.root.path().to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("read dir") {
                let p = e.expect("entry").path();
                if p.is_dir() && !p.is_symlink() {
                    stack.push(p.clone());
                }
                out.push(p);
            }
        }
        out.sort();
        out
    }

    /// Runs `tool args` in `work` and checks what every run must do;
    /// returns the exit code and standard error.
    fn run(&self, tool: &str, args: &[&str], stdin: Stdin) -> (i32, String) {
        let (code, err, _) = self.run_with(tool, args, stdin, true);
        (code, err)
    }

    /// [`Sandbox::run`], the output checked against [`NEVER`] or not, and
    /// returned.
    fn run_with(
        &self,
        tool: &str,
        args: &[&str],
        stdin: Stdin,
        check: bool,
    ) -> (i32, String, String) {
        let before = self.files();
        let what = format!("{tool} {}", args.join(" "));
        let mut child = Command::new(bin_path(tool))
            .args(args)
            .current_dir(&self.work)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut input = child.stdin.take().unwrap();
        let feeder = std::thread::spawn(move || {
            if let Stdin::LongLine = stdin {
                let chunk = vec![b'a'; 1 << 20];
                let mut sent = 0;
                while sent < LONG_LINE {
                    if input.write_all(&chunk).is_err() {
                        return; // the tool stopped reading: fine
                    }
                    sent += chunk.len() as u64;
                }
                let _ = input.write_all(b"\n192.0.2.1\n");
            }
        });
        let drain = |mut r: Box<dyn Read + Send>| {
            std::thread::spawn(move || {
                let mut v = Vec::new();
                let _ = r.read_to_end(&mut v);
                v
            })
        };
        let out = drain(Box::new(child.stdout.take().unwrap()));
        let err = drain(Box::new(child.stderr.take().unwrap()));
        let start = Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().expect("wait") {
                break s;
            }
            if start.elapsed() > TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{what}: still running after {TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let _ = feeder.join();
        let stdout = out.join().unwrap();
        let stderr = String::from_utf8_lossy(&err.join().unwrap()).into_owned();
        let code = status.code().unwrap_or(-1);
        assert!(
            !stderr.contains("panicked") && code != 101,
            "{what}: panicked (exit {code})\n{stderr}"
        );
        assert!(
            matches!(code, 0..=2),
            "{what}: exit {code} (killed?)\n{stderr}"
        );
        if code == 2 {
            assert!(
                stderr.starts_with(&format!("{tool}:")) || stderr.contains(&format!("\n{tool}:")),
                "{what}: exit 2 without a message of its own\n{stderr}"
            );
        }
        // Nothing outside work; nothing written that holds what must never be
        // published.
        let after = self.files();
        for p in after.iter().filter(|p| !before.contains(p)) {
            assert!(
                p.starts_with(&self.work),
                "{what}: wrote {} outside its directory",
                p.display()
            );
            if p.is_file() && check {
                never(&what, &p.display().to_string(), &std::fs::read(p).unwrap());
            }
        }
        if check {
            never(&what, "stdout", &stdout);
        }
        (code, stderr, String::from_utf8_lossy(&stdout).into_owned())
    }

    /// Builds the gzip bomb (once) and returns its name.
    fn bomb(&self) -> &'static str {
        let name = "bomb.txt.gz";
        let path = self.work.join(name);
        if !path.exists() {
            let f = std::fs::File::create(&path).expect("bomb");
            let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::default());
            let chunk = vec![b'7'; 1 << 20];
            for _ in 0..BOMB >> 20 {
                gz.write_all(&chunk).unwrap();
            }
            gz.finish().unwrap();
        }
        name
    }
}

fn never(what: &str, file: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for bad in NEVER {
        assert!(
            !text.lines().any(|l| l.contains(bad) && !l.starts_with('#')),
            "{what}: {file} holds '{bad}':\n{}",
            text.chars().take(2000).collect::<String>()
        );
    }
}

/// The domain feed in each format a domain can come in, plus names no
/// file should hold: NUL, non-UTF-8, a 64-octet label, 256 octets.
fn domain_cases(s: &Sandbox) -> Vec<(&'static str, &'static str)> {
    let text = std::fs::read(s.work.join("domains.txt")).unwrap();
    let mut names: Vec<Vec<u8>> = text
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty() && !l.starts_with(b"#"))
        .map(<[u8]>::to_vec)
        .collect();
    names.push(b"nul\0.example".to_vec());
    names.push(b"bad\xff\xfe.example".to_vec());
    names.push(format!("{}.example", "a".repeat(64)).into_bytes());
    names.push(format!("{}example", "abcdefg.".repeat(31)).into_bytes()); // 255 octets
    names.push(format!("{}example", "abcdefgh.".repeat(28)).into_bytes()); // 256 octets
    let mut files = Vec::new();
    for (file, format, pre, post) in [
        ("d-domains.txt", "domains", "", ""),
        ("d-hosts.txt", "hosts", "0.0.0.0 ", ""),
        ("d-adblock.txt", "adblock", "||", "^"),
        ("d-rpz.txt", "rpz", "", " CNAME ."),
    ] {
        let mut body = Vec::new();
        for n in &names {
            body.extend_from_slice(pre.as_bytes());
            body.extend_from_slice(n);
            body.extend_from_slice(post.as_bytes());
            body.push(b'\n');
        }
        s.write(file, body);
        files.push((file, format));
    }
    files
}

#[test]
fn domain_feeds_carry_no_zone_directive() {
    let s = Sandbox::new();
    for (file, format) in domain_cases(&s) {
        let (code, err) = s.run(
            "tl-ingest",
            &["-f", format, file, "-o", "out.csv"],
            Stdin::Empty,
        );
        assert!(
            code == 2 || err.contains("rejected"),
            "{file}: refusals counted\n{err}"
        );
    }
    let (_, err) = s.run(
        "tl-zone",
        &[
            "--origin",
            "rpz.example",
            "-f",
            "rpz",
            "d-domains.txt",
            "-o",
            "z.zone",
        ],
        Stdin::Empty,
    );
    assert!(err.contains("d-domains.txt:1:"), "names its line\n{err}");
    for list in ["domains.txt", "d-domains.txt"] {
        s.run(
            "tl-zone",
            &[
                "--origin",
                "rpz.example",
                "-f",
                "rpz",
                "--allow",
                list,
                "list.txt",
            ],
            Stdin::Empty,
        );
        s.run("tl-set", &[list], Stdin::Empty);
    }
    let profile = "name = \"hostile\"\n[domains]\nallow = [\"a;b.example\", \"x.example\\n$INCLUDE /etc/passwd\"]\n";
    s.write("hostile.toml", profile);
    let (code, err) = s.run(
        "tl-compile",
        &[
            "--scores",
            "scores.csv",
            "--profiles",
            "hostile.toml",
            "--out",
            "out",
        ],
        Stdin::Empty,
    );
    assert_eq!(code, 2, "{err}");
}

/// The 243-octet name of issue 18 once stopped tl-zone (exit 2) and no
/// policy zone was published at all: now it is left out, counted, and the
/// rest is published.
#[test]
fn a_long_name_leaves_the_rest_published() {
    let s = Sandbox::new();
    let long = format!(
        "{}.{}.{}.{}.example",
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(43)
    );
    assert_eq!(long.len(), 243);
    s.write("long.txt", format!("ok.example\n{long}\n"));
    let (code, err) = s.run(
        "tl-zone",
        &[
            "--origin",
            "rpz.example",
            "-f",
            "rpz",
            "long.txt",
            "-o",
            "z.zone",
        ],
        Stdin::Empty,
    );
    assert!(code != 2, "{err}");
    assert!(std::fs::read_to_string(s.work.join("z.zone"))
        .unwrap()
        .contains("ok.example"));
}

#[test]
fn firewall_scripts_take_no_injected_command() {
    let s = Sandbox::new();
    let targets = [
        "nftables", "ipset", "pf", "asa", "mikrotik", "paloalto", "fortinet", "srx", "windows",
    ];
    let names = std::fs::read_to_string(s.work.join("fw-names.txt")).unwrap();
    for t in targets {
        let out = format!("out-{t}");
        let lists = [
            "--block-in",
            "fw-comments.txt",
            "--block-out",
            "fw-comments.txt",
            "--allow",
            "allow.txt",
        ];
        let mut args = vec!["render", "-t", t, "-o", &out];
        args.extend(lists);
        let (code, err) = s.run("tl-fw", &args, Stdin::Empty);
        assert_eq!(code, 0, "{t}: {err}");
        // The names are checked before any target's renderer: four
        // languages are enough to show it.
        if !matches!(t, "mikrotik" | "windows" | "asa" | "srx") {
            continue;
        }
        for name in names.lines() {
            for option in ["--name", "--log-prefix"] {
                let mut a = vec!["render", "-t", t, option, name];
                a.extend(lists);
                // Refused, or taken as quoted text that ends no string
                // (the run's output is checked for the injected commands).
                let (code, err, out) = s.run_with("tl-fw", &a, Stdin::Empty, false);
                let quoted = option == "--log-prefix" && !name.contains(['"', '\\', '`', '$']);
                if name != "x" && !quoted {
                    assert_eq!(code, 2, "{t} {option} {name:?}: refused\n{err}");
                }
                let inside = out.matches(&format!("\"{name}\"")).count()
                    + out.matches(&format!("'{name}'")).count();
                if name != "x" {
                    assert_eq!(
                        out.matches(name).count(),
                        inside,
                        "{t} {option} {name:?}: written unquoted\n{out}"
                    );
                }
            }
        }
    }
}

#[test]
fn names_do_not_climb_out_of_their_directory() {
    let s = Sandbox::new();
    s.run(
        "tl-ingest",
        &["--feed", "../../etc", "--output-dir", "feeds", "list.txt"],
        Stdin::Empty,
    );
    let (code, _) = s.run(
        "tl-ingest",
        &["-c", "traversal-feeds.toml", "--output-dir", "feeds"],
        Stdin::Empty,
    );
    assert_eq!(code, 2);
    let (code, _) = s.run(
        "tl-compile",
        &[
            "--scores",
            "scores.csv",
            "--profiles",
            "traversal-profile.toml",
            "--out",
            "out",
        ],
        Stdin::Empty,
    );
    assert_eq!(code, 2);
    s.run(
        "tl-zone",
        &[
            "--origin",
            "x.example",
            "-f",
            "a",
            "--name",
            "../../etc",
            "list.txt",
            "-o",
            "z.zone",
        ],
        Stdin::Empty,
    );
    let (code, _) = s.run(
        "tl-update",
        &[
            "--config",
            "traversal-update.toml",
            "--now",
            "2026-12-07T14:00:00Z",
        ],
        Stdin::Empty,
    );
    assert_eq!(code, 2);
}

#[test]
fn no_tool_publishes_the_world_or_the_nameserver() {
    let s = Sandbox::new();
    for list in ["world.txt", "world-halves.txt", "world6.txt"] {
        s.run("tl-ingest", &[list, "-o", "ingested.csv"], Stdin::Empty);
        let (code, err) = s.run(
            "tl-fw",
            &["render", "-t", "nftables", "--block-in", list],
            Stdin::Empty,
        );
        assert_eq!(code, 2, "{list}: {err}");
        for f in ["a", "aaaa", "apl", "txt", "dnsbl", "rpz", "rbldnsd"] {
            let (code, err) = s.run(
                "tl-zone",
                &["--origin", "x.example", "-f", f, list, "-o", "z.zone"],
                Stdin::Empty,
            );
            assert_eq!(code, 2, "{list} as {f}: {err}");
        }
    }
    let (code, err) = s.run(
        "tl-fw",
        &[
            "render",
            "-t",
            "nftables",
            "--nameserver",
            "192.0.2.53",
            "--block-out",
            "nameserver.txt",
        ],
        Stdin::Empty,
    );
    assert_eq!(code, 2, "{err}");
}

#[test]
fn gzip_bombs_long_lines_and_wide_csv_end_in_time() {
    let s = Sandbox::new();
    let bomb = s.bomb();
    let wide: String = (0..10_000).map(|i| format!("c{i},")).collect::<String>() + "ip\n";
    let row: String = "x,".repeat(10_000) + "192.0.2.1\n";
    s.write("wide.csv", format!("{wide}{row}{row}"));
    let runs: [(&str, Vec<&str>); 4] = [
        ("tl-ingest", vec![]),
        ("tl-set", vec![]),
        ("tl-logs", vec!["--list", "list.txt"]),
        ("tl-zone", vec!["--origin", "x.example", "-f", "a"]),
    ];
    for (tool, args) in &runs {
        let mut a = args.clone();
        a.push(bomb);
        s.run(tool, &a, Stdin::Empty);
        let mut a = args.clone();
        a.push("-");
        s.run(tool, &a, Stdin::LongLine);
    }
    s.run("tl-ingest", &["-f", "csv", "wide.csv"], Stdin::Empty);
    s.run(
        "tl-ingest",
        &["-f", "csv", "--column", "ip", "wide.csv"],
        Stdin::Empty,
    );
    s.run(
        "tl-geo",
        &["build", "--db", "wide.mmdb", "wide.csv"],
        Stdin::Empty,
    );
    s.run(
        "tl-score",
        &["--events", "wide.csv", "-o", "scores.csv"],
        Stdin::Empty,
    );
    s.run(
        "tl-logs",
        &[
            "--list",
            "list.txt",
            "--format",
            "csv",
            "--columns",
            "src=10001",
            "wide.csv",
        ],
        Stdin::Empty,
    );
}
