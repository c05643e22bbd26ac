//! The closed loop, from published zone to dropped packet: a profile's
//! lists are published by the real `tl-zone --out` into zones that NSD
//! (started by this test on 127.0.0.1) serves; the real `tl-fw pull` reads
//! them back over DNS in the root namespace, and the real `tl-fw apply
//! --target nftables` loads them in the firewall's namespace of the lab
//! `tests/tl_fw_netns.rs` uses (outside host, firewall, inside host). UDP
//! echo probes show that:
//!
//! - traffic from a block-in address is dropped inbound (to the inside
//!   host and to the firewall itself) and counted;
//! - the inside host cannot reach a block-out address, and that is counted;
//! - an allow-listed address inside a blocked prefix passes both ways;
//! - unlisted traffic passes;
//! - after the profile gains a block-in address and is published again
//!   (`tl-zone --reload 'nsd-control … reload {zone}'`, the serial grows),
//!   a second pull and apply drop that address too, and unlisted traffic
//!   still passes.
//!
//! NSD and the namespaces are removed when the test ends, also on failure.
//! Needs root, `ip netns`, nft, nsd, nsd-control and dig; without them the
//! test says `SKIP:`, under CI it fails.

mod common;
use common::dns::{nsd_tools, pull, soa_serial, start_nsd, tl_zone};
use common::netns::*;
use common::Workdir;
use std::path::Path;
use std::time::{Duration, Instant};

const ORIGIN: &str = "lists.example";
const PROFILE: &str = "edge";

/// The profile's lists as `tl-zone --out` reads them.
fn profile(root: &Path, block_in: &[&str]) {
    let dir = root.join("out").join(PROFILE);
    std::fs::create_dir_all(&dir).unwrap();
    write_lists(
        &dir,
        block_in,
        &["192.0.2.0/24", "2001:db8:beef::/48"],
        &[ALLOWED_IN, ALLOWED_OUT],
    );
}

/// Publishes the profile with the real tl-zone (APL, the pull's default
/// form), and with `reload`, tells the server about each changed zone.
fn publish(root: &Path, now: &str, reload: Option<&str>) {
    let mut args = vec![
        "--out",
        "out",
        "--origin",
        ORIGIN,
        "--format",
        "apl",
        "-o",
        ".",
        "--now",
        now,
        "--nsd-conf",
        "nsd-zones.conf",
    ];
    if let Some(r) = reload {
        args.extend(["--reload", r]);
    }
    tl_zone(root, &args);
}

/// The serial a pull read (its report: `tl-fw: serial N, …`).
fn pulled_serial(stderr: &str) -> u32 {
    stderr
        .split("serial ")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no serial in the pull's report: {stderr}"))
}

/// Waits (at most 10 s) until the server gives `zone` a serial greater
/// than `old` (RFC 1982, within a day's worth of changes); returns it.
fn wait_for_new_serial(port: u16, zone: &str, old: u32) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = soa_serial(port, zone);
        if let Some(new) = got.filter(|&n| n != old && n.wrapping_sub(old) < 1 << 31) {
            return new;
        }
        assert!(
            Instant::now() < deadline,
            "NSD still gives serial {got:?} for {zone} 10 s after the reload (was {old})"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_published_zone_drops_real_packets() {
    if !available(&["nft"]) {
        return;
    }
    if !nsd_tools() {
        return;
    }
    let started = Instant::now();
    let w = Workdir::new();
    let d = w.dir.path();
    let zone = format!("{PROFILE}.{ORIGIN}");

    // Publish, then serve.
    profile(d, &["198.51.100.0/24", "2001:db8:bad::/48"]);
    publish(d, "2026-11-27T12:00:00Z", None);
    std::fs::create_dir(d.join("nsd")).unwrap();
    let (_nsd, port) = start_nsd(&d.join("nsd"), &d.join("nsd-zones.conf"), &zone, true);
    let server = format!("127.0.0.1:{port}");
    let first = soa_serial(port, &zone).expect("NSD answers the SOA");

    // Pull in the root namespace, where NSD listens.
    let lists = d.join("lists");
    let lists_arg = lists.to_str().unwrap();
    let pull_args = ["--server", &server, "--zone", &zone, "-o", lists_arg];
    let r = pull(d, &pull_args);
    assert_eq!(r.code, 0, "first pull: {}", r.stderr);
    assert_eq!(pulled_serial(&r.stderr), first, "{}", r.stderr);
    // The allow-list comes through as published, and tl-zone published the
    // block-in list without the allow-listed address.
    assert_eq!(
        std::fs::read_to_string(lists.join("allow.txt")).unwrap(),
        format!("{ALLOWED_OUT}\n{ALLOWED_IN}\n")
    );
    let block_in = std::fs::read_to_string(lists.join("block-in.txt")).unwrap();
    assert!(!block_in.contains("198.51.100.0/24\n"), "{block_in}");
    assert!(block_in.contains("2001:db8:bad::/48\n"), "{block_in}");

    // Load it in the firewall's namespace.
    let lab = Lab::new("l");
    assert!(passes(&lab.outside, BLOCKED_IN, INSIDE), "lab: no path in");
    assert!(passes(&lab.inside, INSIDE, BLOCKED_OUT), "lab: no path out");
    let rules = [
        "--target",
        "nftables",
        "--name",
        "tlloop",
        "--log-prefix",
        "tlloop: ",
        lists_arg,
    ];
    let apply = [&["apply"][..], &rules].concat();
    let check = [&["check"][..], &rules].concat();
    let (code, _, err) = tl_fw(&lab, &apply);
    assert_eq!(code, 0, "first apply: {err}");
    let (code, out, err) = tl_fw(&lab, &check);
    assert_eq!(code, 0, "check after the first apply: {out}{err}");

    let verify = |later_listed: bool| {
        assert_rules_hold(&lab);
        assert_eq!(
            passes(&lab.outside, LATER_IN, INSIDE),
            !later_listed,
            "the address the second publication adds (to the inside host)"
        );
        assert_eq!(
            passes(&lab.outside, LATER_IN, FW_OUT),
            !later_listed,
            "the address the second publication adds (to the firewall)"
        );
    };
    let before = counters(&lab, "nftables", &rules);
    verify(false);
    let after = counters(&lab, "nftables", &rules);
    assert!(
        after.0 > before.0,
        "inbound drops not counted: {before:?} {after:?}"
    );
    assert!(
        after.1 > before.1,
        "outbound drops not counted: {before:?} {after:?}"
    );

    // The profile gains a block-in address; publishing it again reloads
    // the zone in NSD through nsd-control, with a greater serial.
    profile(d, &["198.51.100.0/24", "2001:db8:bad::/48", LATER_IN]);
    let reload = format!(
        "nsd-control -c {} reload {{zone}}",
        d.join("nsd/nsd.conf").display()
    );
    publish(d, "2026-11-27T13:00:00Z", Some(&reload));
    let served = wait_for_new_serial(port, &zone, first);
    let r = pull(d, &pull_args);
    assert_eq!(r.code, 0, "second pull: {}", r.stderr);
    let second = pulled_serial(&r.stderr);
    assert_eq!(second, served, "{}", r.stderr);
    // Only block-in changed.
    assert_eq!(r.stderr.matches("(unchanged)").count(), 2, "{}", r.stderr);
    let block_in = std::fs::read_to_string(lists.join("block-in.txt")).unwrap();
    assert!(block_in.contains(&format!("{LATER_IN}\n")), "{block_in}");

    let (code, _, err) = tl_fw(&lab, &apply);
    assert_eq!(code, 0, "second apply: {err}");
    let (code, out, err) = tl_fw(&lab, &check);
    assert_eq!(code, 0, "check after the second apply: {out}{err}");
    let before = counters(&lab, "nftables", &rules);
    verify(true);
    let after = counters(&lab, "nftables", &rules);
    assert!(
        after.0 > before.0,
        "inbound drops not counted after the second apply: {before:?} {after:?}"
    );
    eprintln!(
        "loop: serial {first} then {second}; published, pulled, applied and probed twice in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
