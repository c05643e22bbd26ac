//! `tl-fw apply` against real packets. Three network namespaces joined by
//! veth pairs: an outside host (many addresses), the firewall (routing
//! between its two links) and an inside host. The real `tl-fw apply` runs
//! inside the firewall's namespace; UDP echo probes (sockets opened by
//! this test inside the namespaces, bound to chosen source addresses)
//! show that:
//!
//! - traffic from a block-in address is dropped inbound (to the inside
//!   host and to the firewall itself), and counted;
//! - the inside host cannot reach a block-out address, the drop is
//!   counted and logged with the prefix (kernel log: the test sets
//!   `net.netfilter.nf_log_all_netns` to 1 and restores it);
//! - the inbound drops are logged with the inbound prefix, and the log
//!   lines read back (`threatlist::logs`) as drops from the listed source;
//! - an allow-listed address inside a blocked prefix passes both ways;
//! - unlisted traffic passes;
//! - the same after a second apply with changed lists, during which a
//!   continuous stream to an unlisted address loses nothing and a stream
//!   from a blocked address gets nothing through;
//! - `tl-fw check` says the rules are in force (exit 0), and not once the
//!   table or sets are gone (exit 1).
//!
//! Every address lives on the namespaces' own veths (10.200.x and the
//! documentation ranges); nothing leaves them. The namespaces are deleted
//! when the test ends, also on failure. Needs root, `ip netns`, `dmesg`
//! and nft (or ipset and iptables); without them the test says `SKIP:`,
//! under CI it fails.

mod common;
use common::bin_path;
use common::netns::*;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use threatlist::logs;

/// The two tests share the kernel log switch: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// A stream of echoes every 2 ms until stopped: (sent, answered).
struct Stream {
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
    answered: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl Stream {
    fn start(ns: &str, src: &str, dst: &str) -> Stream {
        let (ns, src, dst) = (ns.to_string(), src.to_string(), dst.to_string());
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicU64::new(0));
        let answered = Arc::new(AtomicU64::new(0));
        let (st, se, an) = (stop.clone(), sent.clone(), answered.clone());
        let thread = std::thread::spawn(move || {
            enter(&ns);
            let s = UdpSocket::bind((src.parse::<IpAddr>().unwrap(), 0)).unwrap();
            s.connect(SocketAddr::new(dst.parse().unwrap(), PORT))
                .unwrap();
            s.set_read_timeout(Some(Duration::from_millis(2))).unwrap();
            let mut buf = [0u8; 64];
            let mut seq = 0u64;
            let mut last_sent = Instant::now() - Duration::from_secs(1);
            // Answers are counted until 500 ms after the last send.
            let mut stop_at: Option<Instant> = None;
            loop {
                if stop_at.is_none() && st.load(Ordering::SeqCst) {
                    stop_at = Some(Instant::now() + Duration::from_millis(500));
                }
                if stop_at.is_some_and(|t| Instant::now() > t) {
                    break;
                }
                if stop_at.is_none() && last_sent.elapsed() >= Duration::from_millis(2) {
                    seq += 1;
                    if s.send(&seq.to_be_bytes()).is_ok() {
                        se.fetch_add(1, Ordering::SeqCst);
                    }
                    last_sent = Instant::now();
                }
                if let Ok(n) = s.recv(&mut buf) {
                    if n == 8 {
                        an.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
        });
        Stream {
            stop,
            sent,
            answered,
            thread: Some(thread),
        }
    }

    fn finish(mut self) -> (u64, u64) {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.take().unwrap().join().unwrap();
        (
            self.sent.load(Ordering::SeqCst),
            self.answered.load(Ordering::SeqCst),
        )
    }
}

fn scenario(target: &str) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut tools = vec!["dmesg"];
    if target == "nftables" {
        tools.push("nft");
    } else {
        tools.extend(["ipset", "iptables", "iptables-restore", "ip6tables-restore"]);
    }
    if !available(&tools) {
        return;
    }
    let lab = Lab::new(&target[..1]);
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let tag = format!("tlfw{}{}", &target[..1], std::process::id() % 1_000_000);
    let prefix = format!("{tag}: ");
    // A drop word, so that tl-logs reads the lines as drops.
    let in_prefix = format!("{tag} drop in: ");
    let d = dir.to_str().unwrap();
    let args = [
        "-t",
        target,
        "--name",
        "tltest",
        "--log-prefix",
        &prefix,
        "--log-in-prefix",
        &in_prefix,
        d,
    ];

    // Before: everything passes.
    assert!(passes(&lab.outside, BLOCKED_IN, INSIDE));
    assert!(passes(&lab.inside, INSIDE, BLOCKED_OUT));

    write_lists(
        dir,
        &["198.51.100.0/24", "2001:db8:bad::/48"],
        &["192.0.2.0/24", "2001:db8:beef::/48"],
        &[ALLOWED_IN, ALLOWED_OUT],
    );
    let mut apply = vec!["apply"];
    apply.extend_from_slice(&args);
    let (code, _, err) = tl_fw(&lab, &apply);
    assert_eq!(code, 0, "apply: {err}");
    // Applying twice changes nothing: no duplicated rules (check compares
    // every rule and the jumps).
    let (code, _, err) = tl_fw(&lab, &apply);
    assert_eq!(code, 0, "second apply: {err}");
    let mut check = vec!["check"];
    check.extend_from_slice(&args);
    let (code, out, err) = tl_fw(&lab, &check);
    assert_eq!(code, 0, "check after apply: {out}{err}");

    let verify = |later: bool| {
        assert_rules_hold(&lab);
        assert_eq!(
            passes(&lab.outside, LATER_IN, INSIDE),
            !later,
            "second list (in)"
        );
        assert_eq!(
            passes(&lab.inside, INSIDE, LATER_OUT),
            !later,
            "second list (out)"
        );
    };
    let before = counters(&lab, target, &args);
    verify(false);
    let after = counters(&lab, target, &args);
    assert!(
        after.0 > before.0,
        "inbound drops not counted: {before:?} {after:?}"
    );
    assert!(
        after.1 > before.1,
        "outbound drops not counted: {before:?} {after:?}"
    );
    // The outbound drop is logged with the prefix.
    let out_lines = kernel_log(|l| {
        l.contains(prefix.trim_end())
            && l.contains(&format!("SRC={INSIDE}"))
            && l.contains(&format!("DST={BLOCKED_OUT}"))
    });
    assert!(
        !out_lines.is_empty(),
        "no kernel log line with the prefix {prefix:?}"
    );
    // The inbound drops too, with theirs: to the firewall (input: `IN=`
    // set, `OUT=` empty) and through it (forward: both set). tl-logs reads
    // them as drops from the listed source, the first as inbound.
    for (dst, direction) in [
        (FW_OUT, logs::Direction::In),
        (INSIDE, logs::Direction::Unknown),
    ] {
        let lines = kernel_log(|l| {
            l.contains(in_prefix.trim_end()) && l.contains(&format!("SRC={BLOCKED_IN} DST={dst} "))
        });
        let Some(line) = lines.first() else {
            panic!("no kernel log line with the prefix {in_prefix:?} for {BLOCKED_IN} -> {dst}");
        };
        let ev = logs::parse_line(
            logs::Format::Netfilter,
            line.as_bytes(),
            &mut logs::Context::new(0),
        )
        .unwrap_or_else(|s| panic!("{line}: skipped: {}", s.reason()))
        .unwrap_or_else(|| panic!("{line}: no event"));
        assert_eq!(ev.action, Some(logs::Action::Drop), "{line}");
        assert_eq!(ev.direction, direction, "{line}");
        assert_eq!(ev.src, BLOCKED_IN.parse().ok(), "{line}");
        assert_eq!(ev.dst, dst.parse().ok(), "{line}");
        assert_eq!(ev.rule.as_deref(), Some(in_prefix.trim_end()), "{line}");
    }

    // The second apply, with changed lists, under continuous traffic.
    write_lists(
        dir,
        &["198.51.100.0/24", "2001:db8:bad::/48", LATER_IN],
        &["192.0.2.0/24", LATER_OUT],
        &[ALLOWED_IN, ALLOWED_OUT],
    );
    let open = Stream::start(&lab.inside, INSIDE, UNLISTED);
    let shut = Stream::start(&lab.outside, BLOCKED_IN, INSIDE);
    std::thread::sleep(Duration::from_millis(500));
    let (code, _, err) = tl_fw(&lab, &apply);
    std::thread::sleep(Duration::from_millis(500));
    let (sent, answered) = open.finish();
    let (shut_sent, shut_answered) = shut.finish();
    assert_eq!(code, 0, "apply of the changed lists: {err}");
    assert!(sent >= 50, "too few probes during the apply: {sent}");
    assert_eq!(
        answered, sent,
        "unlisted traffic lost packets during the apply"
    );
    assert!(shut_sent >= 50, "too few probes: {shut_sent}");
    assert_eq!(
        shut_answered, 0,
        "a blocked address got through during the apply"
    );
    eprintln!(
        "{target}: during the second apply {sent} probes to an unlisted address, \
         all answered; {shut_sent} from a blocked one, none answered"
    );
    let (code, out, err) = tl_fw(&lab, &check);
    assert_eq!(code, 0, "check after the second apply: {out}{err}");
    verify(true);

    // A firewall reload that removes our rules: check says so.
    if target == "nftables" {
        sh(&["ip", "netns", "exec", &lab.fw, "nft", "flush", "ruleset"]);
    } else {
        sh(&["ip", "netns", "exec", &lab.fw, "iptables", "-F", "INPUT"]);
        sh(&[
            "ip",
            "netns",
            "exec",
            &lab.fw,
            "ipset",
            "flush",
            "tltest-in4",
        ]);
    }
    let (code, out, _) = tl_fw(&lab, &check);
    assert_eq!(code, 1, "check after the rules were removed: {out}");
    assert!(out.contains("NOT IN FORCE"), "{out}");
}

/// The kernel log lines (`dmesg`) that `wanted` picks, waiting up to 5 s
/// for one.
fn kernel_log(wanted: impl Fn(&str) -> bool) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let log = sh(&["dmesg"]);
        let hits: Vec<String> = log
            .lines()
            .filter(|l| wanted(l))
            .map(str::to_string)
            .collect();
        if !hits.is_empty() || Instant::now() > deadline {
            return hits;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn nftables_drops_real_packets() {
    scenario("nftables");
}

#[test]
fn ipset_drops_real_packets() {
    scenario("ipset");
}

/// Runs `tl-fw` outside any namespace, with extra environment.
fn tl_fw_env(args: &[&str], env: &[(&str, &std::path::Path)]) -> (i32, String) {
    let mut c = Command::new(bin_path("tl-fw"));
    c.args(args).stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().expect("run tl-fw");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn apply_refuses_targets_it_cannot_load() {
    let work = tempfile::tempdir().unwrap();
    write_lists(work.path(), &["198.51.100.0/24"], &[], &[]);
    let d = work.path().to_str().unwrap();
    for (target, said) in [("paloalto", "loaded by the device")] {
        for cmd in ["apply", "check"] {
            let (code, err) = tl_fw_env(&[cmd, "-t", target, d], &[]);
            assert_eq!(code, 2, "{cmd} {target}: {err}");
            assert!(err.contains(said), "{cmd} {target}: {err}");
        }
    }
}

#[test]
fn a_failing_tool_fails_the_apply_and_says_so() {
    use std::os::unix::fs::PermissionsExt;
    let work = tempfile::tempdir().unwrap();
    write_lists(work.path(), &["198.51.100.0/24"], &["192.0.2.0/24"], &[]);
    // An nft that accepts the check (-c) and fails the load.
    let fake = work.path().join("nft");
    std::fs::write(
        &fake,
        "#!/bin/sh\ncase \"$1\" in -c) exit 0;; esac\necho 'Error: Could not process rule: simulated' >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let d = work.path().to_str().unwrap();
    let (code, err) = tl_fw_env(&["apply", "-t", "nftables", d], &[("TL_FW_NFT", &fake)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("simulated"), "{err}");
    assert!(
        err.contains("the rules in force were left as they were"),
        "{err}"
    );
    // A missing tool is an error too, never a success.
    let missing = work.path().join("no-such-ipset");
    let (code, err) = tl_fw_env(&["apply", "-t", "ipset", d], &[("TL_FW_IPSET", &missing)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot run it"), "{err}");
    let (code, err) = tl_fw_env(&["check", "-t", "nftables", d], &[("TL_FW_NFT", &missing)]);
    assert_eq!(code, 2, "{err}");
}

/// pf cannot run on Linux: a stand-in pfctl that keeps what a load gave it
/// (the anchor parsed from the working directory pfctl runs in, each
/// table's entries) and answers `-s Tables -vv` and `-s rules` from it, as
/// OpenBSD's pfctl prints them.
const FAKE_PFCTL: &str = r#"#!/bin/sh
state="$PFSTATE"
case "$*" in
  "-n -a "*" -f "*) test -f "$5" || { echo "cannot open $5" >&2; exit 1; }
     grep -q '^block drop in quick from <' "$5" || { echo "syntax error" >&2; exit 1; }; exit 0;;
  "-a "*" -f "*) : > "$state"
     for t in $(sed -n 's/^table <\([^>]*\)> persist file "\(.*\)"$/\1/p' "$4"); do
       n=$(grep -cv '^#' "$t"); printf -- '-pa-r--\t%s\t%s\n\tAddresses:   %s\n' "$t" "$2" "$n" >> "$state"
     done
     grep '^block' "$4" > "$state.rules"; exit 0;;
  "-a "*" -s Tables -vv") cat "$state" 2>/dev/null; exit 0;;
  "-a "*" -s rules") cat "$state.rules" 2>/dev/null; exit 0;;
esac
echo "unexpected: $*" >&2; exit 1
"#;

#[test]
fn pf_is_loaded_in_one_pfctl_transaction_and_checked_by_table_counts() {
    use std::os::unix::fs::PermissionsExt;
    let work = tempfile::tempdir().unwrap();
    let lists = work.path().join("lists");
    std::fs::create_dir(&lists).unwrap();
    write_lists(
        &lists,
        &["198.51.100.0/24", "203.0.113.7"],
        &["192.0.2.0/28"],
        &["198.51.100.53"],
    );
    let fake = work.path().join("pfctl");
    std::fs::write(&fake, FAKE_PFCTL).unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let state = work.path().join("pf.state");
    let d = lists.to_str().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(bin_path("tl-fw"))
            .args(args)
            .env("TL_FW_PFCTL", &fake)
            .env("PFSTATE", &state)
            .stdin(Stdio::null())
            .output()
            .expect("run tl-fw");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Nothing loaded yet: check says so (exit 1).
    let (code, err) = run(&["check", "-t", "pf", d]);
    assert_eq!(code, 1, "{err}");
    let (code, err) = run(&["apply", "-t", "pf", d]);
    assert_eq!(code, 0, "{err}");
    // The allow entry is cut out of 198.51.100.0/24: 8 CIDRs + 1 host.
    let tables = std::fs::read_to_string(&state).unwrap();
    assert!(
        tables.contains("threatlist_block_in\tthreatlist\n\tAddresses:   9"),
        "{tables}"
    );
    assert!(
        tables.contains("threatlist_block_out\tthreatlist\n\tAddresses:   1"),
        "{tables}"
    );
    let (code, err) = run(&["check", "-t", "pf", d]);
    assert_eq!(code, 0, "{err}");
    // A changed list is not in force until applied again.
    write_lists(
        &lists,
        &["198.51.100.0/24", "203.0.113.7", "203.0.113.9"],
        &["192.0.2.0/28"],
        &["198.51.100.53"],
    );
    let (code, err) = run(&["check", "-t", "pf", d]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(run(&["apply", "-t", "pf", d]).0, 0);
    assert_eq!(run(&["check", "-t", "pf", d]).0, 0);
}
