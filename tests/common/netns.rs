//! Three network namespaces joined by veth pairs, for tests that send real
//! packets through `tl-fw apply`: an outside host (many addresses), the
//! firewall (routing between its two links) and an inside host, with UDP
//! echo servers on every address probes go to. All undone on drop.

use super::{bin_path, have_program, require};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

pub const PORT: u16 = 7007;
pub const INSIDE: &str = "10.200.2.2";
pub const FW_OUT: &str = "10.200.1.1";
/// Outside addresses: blocked inbound, allowed inside that prefix, unlisted,
/// blocked outbound, allowed inside that prefix, and two that the second
/// lists add (inbound and outbound).
pub const BLOCKED_IN: &str = "198.51.100.10";
pub const ALLOWED_IN: &str = "198.51.100.20";
pub const UNLISTED: &str = "203.0.113.5";
pub const BLOCKED_OUT: &str = "192.0.2.10";
pub const ALLOWED_OUT: &str = "192.0.2.77";
pub const LATER_IN: &str = "203.0.113.99";
pub const LATER_OUT: &str = "203.0.113.50";
pub const OUTSIDE: [&str; 7] = [
    BLOCKED_IN,
    ALLOWED_IN,
    UNLISTED,
    BLOCKED_OUT,
    ALLOWED_OUT,
    LATER_IN,
    LATER_OUT,
];

pub fn sh(args: &[&str]) -> String {
    let out = Command::new(args[0])
        .args(&args[1..])
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    assert!(
        out.status.success(),
        "{args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The namespaces of one test and the kernel log switch; all undone on drop.
pub struct Lab {
    pub outside: String,
    pub fw: String,
    pub inside: String,
    pub log_all_netns: Option<String>,
    pub stop: Arc<AtomicBool>,
    pub servers: Vec<JoinHandle<()>>,
}

pub const LOG_ALL: &str = "/proc/sys/net/netfilter/nf_log_all_netns";

impl Drop for Lab {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for s in self.servers.drain(..) {
            let _ = s.join();
        }
        for ns in [&self.outside, &self.fw, &self.inside] {
            let _ = Command::new("ip")
                .args(["netns", "del", ns])
                .stderr(Stdio::null())
                .status();
        }
        if let Some(v) = &self.log_all_netns {
            let _ = std::fs::write(LOG_ALL, v);
        }
    }
}

impl Lab {
    pub fn new(tag: &str) -> Lab {
        let id = std::process::id();
        let mut lab = Lab {
            outside: format!("tlo{tag}{id}"),
            fw: format!("tlf{tag}{id}"),
            inside: format!("tli{tag}{id}"),
            log_all_netns: None,
            stop: Arc::new(AtomicBool::new(false)),
            servers: Vec::new(),
        };
        for ns in [&lab.outside, &lab.fw, &lab.inside] {
            sh(&["ip", "netns", "add", ns]);
        }
        let (o, f, i) = (lab.outside.clone(), lab.fw.clone(), lab.inside.clone());
        sh(&[
            "ip", "-n", &f, "link", "add", "o0", "type", "veth", "peer", "name", "eth0", "netns",
            &o,
        ]);
        sh(&[
            "ip", "-n", &f, "link", "add", "i0", "type", "veth", "peer", "name", "eth0", "netns",
            &i,
        ]);
        for (ns, dev, addr) in [
            (&f, "o0", "10.200.1.1/24"),
            (&f, "i0", "10.200.2.1/24"),
            (&o, "eth0", "10.200.1.2/24"),
            (&i, "eth0", "10.200.2.2/24"),
        ] {
            sh(&["ip", "-n", ns, "addr", "add", addr, "dev", dev]);
            sh(&["ip", "-n", ns, "link", "set", dev, "up"]);
            sh(&["ip", "-n", ns, "link", "set", "lo", "up"]);
        }
        for a in OUTSIDE {
            sh(&[
                "ip",
                "-n",
                &o,
                "addr",
                "add",
                &format!("{a}/32"),
                "dev",
                "eth0",
            ]);
        }
        sh(&[
            "ip",
            "-n",
            &o,
            "route",
            "add",
            "default",
            "via",
            "10.200.1.1",
        ]);
        sh(&[
            "ip",
            "-n",
            &i,
            "route",
            "add",
            "default",
            "via",
            "10.200.2.1",
        ]);
        for net in ["198.51.100.0/24", "192.0.2.0/24", "203.0.113.0/24"] {
            sh(&["ip", "-n", &f, "route", "add", net, "via", "10.200.1.2"]);
        }
        sh(&[
            "ip",
            "netns",
            "exec",
            &f,
            "sh",
            "-c",
            "echo 1 > /proc/sys/net/ipv4/ip_forward",
        ]);
        // Log lines from a namespace reach the kernel log only with this on.
        lab.log_all_netns = Some(std::fs::read_to_string(LOG_ALL).expect("read nf_log_all_netns"));
        std::fs::write(LOG_ALL, "1").expect("set nf_log_all_netns");
        // Echo servers on every address probes go to.
        let mut servers = vec![(i.clone(), INSIDE), (f.clone(), FW_OUT)];
        servers.extend(OUTSIDE.iter().map(|a| (o.clone(), *a)));
        for (ns, addr) in servers {
            let stop = lab.stop.clone();
            let ready = Arc::new(AtomicBool::new(false));
            let r = ready.clone();
            lab.servers.push(std::thread::spawn(move || {
                enter(&ns);
                let s = UdpSocket::bind((addr, PORT)).expect("bind echo server");
                s.set_read_timeout(Some(Duration::from_millis(100)))
                    .unwrap();
                r.store(true, Ordering::SeqCst);
                let mut buf = [0u8; 64];
                while !stop.load(Ordering::SeqCst) {
                    if let Ok((n, from)) = s.recv_from(&mut buf) {
                        let _ = s.send_to(&buf[..n], from);
                    }
                }
            }));
            while !ready.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        lab
    }
}

/// Moves this thread into a named network namespace.
pub fn enter(ns: &str) {
    let f = std::fs::File::open(format!("/run/netns/{ns}")).expect("open netns");
    let rc = unsafe { libc::setns(std::os::fd::AsRawFd::as_raw_fd(&f), libc::CLONE_NEWNET) };
    assert_eq!(rc, 0, "setns {ns}: {}", std::io::Error::last_os_error());
}

/// The two rules hold for the lab's fixed addresses: block-in dropped
/// (to the inside host and to the firewall), block-out dropped, the
/// allow-listed and unlisted addresses pass both ways.
pub fn assert_rules_hold(lab: &Lab) {
    assert!(!passes(&lab.outside, BLOCKED_IN, INSIDE), "block-in passed");
    assert!(
        !passes(&lab.outside, BLOCKED_IN, FW_OUT),
        "block-in reached the firewall"
    );
    assert!(
        passes(&lab.outside, ALLOWED_IN, INSIDE),
        "allow-listed (in) dropped"
    );
    assert!(
        passes(&lab.outside, UNLISTED, INSIDE),
        "unlisted (in) dropped"
    );
    assert!(
        !passes(&lab.inside, INSIDE, BLOCKED_OUT),
        "block-out passed"
    );
    assert!(
        passes(&lab.inside, INSIDE, ALLOWED_OUT),
        "allow-listed (out) dropped"
    );
    assert!(
        passes(&lab.inside, INSIDE, UNLISTED),
        "unlisted (out) dropped"
    );
}

/// Whether a UDP echo from `src` (inside namespace `ns`) to `dst` comes
/// back (three tries, 300 ms each).
pub fn passes(ns: &str, src: &str, dst: &str) -> bool {
    let (ns, src, dst) = (ns.to_string(), src.to_string(), dst.to_string());
    std::thread::spawn(move || {
        enter(&ns);
        let s = UdpSocket::bind((src.parse::<IpAddr>().unwrap(), 0)).expect("bind probe");
        s.connect(SocketAddr::new(dst.parse().unwrap(), PORT))
            .unwrap();
        s.set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let mut buf = [0u8; 64];
        (0..3).any(|_| s.send(b"probe").is_ok() && s.recv(&mut buf).is_ok())
    })
    .join()
    .unwrap()
}

pub fn tl_fw(lab: &Lab, args: &[&str]) -> (i32, String, String) {
    let bin = bin_path("tl-fw");
    let out = Command::new("ip")
        .args(["netns", "exec", &lab.fw])
        .arg(&bin)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run tl-fw");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn write_lists(dir: &std::path::Path, block_in: &[&str], block_out: &[&str], allow: &[&str]) {
    for (name, lines) in [
        ("block-in.txt", block_in),
        ("block-out.txt", block_out),
        ("allow.txt", allow),
    ] {
        let mut s = lines.join("\n");
        s.push('\n');
        std::fs::write(dir.join(name), s).unwrap();
    }
}

/// Packets dropped by our rules, from the firewall's counters: (inbound
/// drops, outbound drops).
pub fn counters(lab: &Lab, target: &str, args: &[&str]) -> (u64, u64) {
    let (mut inb, mut outb) = (0, 0);
    if target == "nftables" {
        let mut a = vec!["check"];
        a.extend_from_slice(args);
        let (_, stdout, _) = tl_fw(lab, &a);
        for l in stdout.lines() {
            let Some(rest) = l.strip_prefix("dropped ") else {
                continue;
            };
            let n: u64 = rest.split(' ').next().unwrap().parse().unwrap();
            if l.contains("saddr @block_in") {
                inb += n;
            } else if l.contains("daddr @block_out") {
                outb += n;
            }
        }
    } else {
        for chain in ["tltest-in", "tltest-fwd", "tltest-out"] {
            let out = sh(&[
                "ip", "netns", "exec", &lab.fw, "iptables", "-w", "-L", chain, "-v", "-x", "-n",
            ]);
            for l in out.lines().filter(|l| l.contains(" DROP ")) {
                let n: u64 = l.split_whitespace().next().unwrap().parse().unwrap();
                if l.contains("tltest-in4 src") {
                    inb += n;
                } else if l.contains("tltest-out4 dst") {
                    outb += n;
                }
            }
        }
    }
    (inb, outb)
}

/// Whether this test can build namespaces: root, `ip netns` and `tools`;
/// says `SKIP:` (or fails under CI) when not.
pub fn available(tools: &[&str]) -> bool {
    let root = unsafe { libc::geteuid() } == 0;
    if !require(root, "root (network namespaces)") {
        return false;
    }
    if !["ip"]
        .iter()
        .chain(tools)
        .all(|t| require(have_program(t), t))
    {
        return false;
    }
    let probe_ns = format!("tlprobe{}", std::process::id());
    let netns_ok = Command::new("ip")
        .args(["netns", "add", &probe_ns])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let _ = Command::new("ip")
        .args(["netns", "del", &probe_ns])
        .status();
    require(netns_ok, "ip netns add")
}
