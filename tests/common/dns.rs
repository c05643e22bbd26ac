//! Name servers started by the tests on 127.0.0.1 at free high ports,
//! stopped by PID on drop, every wait bounded; and the real `tl-zone` and
//! `tl-fw pull` that publish to them and read from them.

use super::{bin_path, run_in, Run};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A port free for TCP and UDP on 127.0.0.1 (as far as one can tell).
pub fn free_port() -> u16 {
    loop {
        let t = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = t.local_addr().unwrap().port();
        if port > 1024 && std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// A port free for TCP and UDP on every address of `addrs` (loopback
/// addresses: all of 127.0.0.0/8 is local on Linux), for servers that
/// must share one port (a resolver whose `port` option sends every query
/// there).
pub fn free_port_on(addrs: &[&str]) -> u16 {
    loop {
        let port = free_port();
        let free = addrs.iter().all(|a| {
            std::net::TcpListener::bind((*a, port)).is_ok()
                && std::net::UdpSocket::bind((*a, port)).is_ok()
        });
        if free {
            return port;
        }
    }
}

/// A server process of this test, stopped (SIGTERM, then SIGKILL) by PID.
pub struct Server {
    child: Child,
    log: PathBuf,
}

impl Server {
    pub fn start(cmd: &mut Command, log: &Path, ready: impl Fn() -> bool) -> Server {
        let file = std::fs::File::create(log).expect("log file");
        let child = cmd
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .expect("start server");
        let mut s = Server {
            child,
            log: log.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(status)) = s.child.try_wait() {
                panic!("server exited ({status}):\n{}", s.log());
            }
            if ready() {
                return s;
            }
            if Instant::now() > deadline {
                panic!("server not ready within 20 s:\n{}", s.log());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: signalling our own child process by its PID.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `dig` for the SOA of `zone` at 127.0.0.1:`port` over TCP (one try),
/// with `extra` options (`+short`, `-y KEY`); its standard output.
fn dig_soa(port: u16, zone: &str, extra: &[&str]) -> Option<String> {
    let port = port.to_string();
    let mut args = vec!["@127.0.0.1", "-p", &port, "+tcp", "+time=2", "+tries=1"];
    args.extend_from_slice(extra);
    args.extend([zone, "SOA"]);
    let out = Command::new("dig")
        .args(&args)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether the server answers the SOA of `zone` (dig over TCP, with a key).
pub fn answers(port: u16, zone: &str, key: Option<&str>) -> bool {
    let extra: Vec<&str> = key.map(|k| vec!["-y", k]).unwrap_or_default();
    dig_soa(port, zone, &extra).is_some_and(|out| out.contains("status: NOERROR"))
}

pub fn tl_zone(dir: &Path, args: &[&str]) {
    let r = run_in(dir, bin_path("tl-zone"), args, b"");
    assert_eq!(r.code, 0, "tl-zone {args:?}: {}", r.stderr);
}

pub fn pull(dir: &Path, args: &[&str]) -> Run {
    run_in(dir, bin_path("tl-fw"), &[&["pull"], args].concat(), b"")
}

/// NSD's configuration in `dir` (`dir/nsd.conf`), listening on
/// 127.0.0.1@`port`, with the zones of `include`. With `control`,
/// `nsd-control -c dir/nsd.conf` talks to it over a local socket
/// (`dir/nsd.ctl`, no TLS keys).
pub fn nsd_conf(dir: &Path, port: u16, include: &Path, control: bool) -> PathBuf {
    nsd_conf_on(dir, &["127.0.0.1"], port, include, control)
}

/// [`nsd_conf`], listening on each of `addrs` at `port`.
pub fn nsd_conf_on(
    dir: &Path,
    addrs: &[&str],
    port: u16,
    include: &Path,
    control: bool,
) -> PathBuf {
    let conf = dir.join("nsd.conf");
    let d = dir.display();
    let listen: String = addrs
        .iter()
        .map(|a| format!("\tip-address: {a}@{port}\n"))
        .collect();
    let control = if control {
        format!("\tcontrol-enable: yes\n\tcontrol-interface: \"{d}/nsd.ctl\"\n")
    } else {
        "\tcontrol-enable: no\n".to_string()
    };
    std::fs::write(
        &conf,
        format!(
            "server:\n{listen}\tport: {port}\n\tusername: \"\"\n\tchroot: \"\"\n\
             \tzonesdir: \"{d}\"\n\tpidfile: \"{d}/nsd.pid\"\n\tdatabase: \"\"\n\txfrdfile: \"{d}/xfrd.state\"\n\
             \tzonelistfile: \"{d}/zone.list\"\n\txfrdir: \"{d}\"\n\tserver-count: 1\n\tverbosity: 1\n\
             \tdo-ip6: no\nremote-control:\n{control}include: \"{}\"\n",
            include.display()
        ),
    )
    .unwrap();
    conf
}

/// Whether NSD, nsd-control and dig are here (`SKIP:` or, under CI, a
/// failure when not).
pub fn nsd_tools() -> bool {
    ["nsd", "nsd-control", "dig"]
        .iter()
        .all(|t| super::require(super::have_program(t), t))
}

/// NSD on a free port, serving the zones of `include`, once it answers
/// the SOA of `zone`.
pub fn start_nsd(dir: &Path, include: &Path, zone: &str, control: bool) -> (Server, u16) {
    let port = free_port();
    let conf = nsd_conf(dir, port, include, control);
    let s = Server::start(
        Command::new("nsd").args(["-d", "-c"]).arg(&conf),
        &dir.join("nsd.log"),
        || answers(port, zone, None),
    );
    (s, port)
}

/// The SOA serial the server at 127.0.0.1:`port` gives for `zone` (dig
/// over TCP), if it answers.
pub fn soa_serial(port: u16, zone: &str) -> Option<u32> {
    dig_soa(port, zone, &["+short"])?
        .split_whitespace()
        .nth(2)?
        .parse()
        .ok()
}

/// A new TSIG key from `tsig-keygen -a hmac-sha256 NAME`: the key clause
/// BIND reads, and its base64 secret.
pub fn tsig_keygen(name: &str) -> (String, String) {
    let out = Command::new("tsig-keygen")
        .args(["-a", "hmac-sha256", name])
        .output()
        .expect("run tsig-keygen");
    assert!(out.status.success(), "tsig-keygen failed");
    let text = String::from_utf8(out.stdout).expect("key text");
    let secret = text
        .split("secret \"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a secret in the key")
        .to_string();
    (text, secret)
}
