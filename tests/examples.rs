//! The files under `examples/*/` work as they are: the BIND and NSD
//! fragments load in the real checkers and servers, name the zones tl-zone
//! publishes, and serve them to `tl-fw pull` with their key; the firewall
//! script pulls and loads (a recording stand-in for nft) and keeps the
//! lists when a pull fails; the systemd units pass `systemd-analyze
//! verify`; the cron lines parse; every `tl-*` flag they use exists.

mod common;

use common::dns::{self, Server};
use common::{bin_path, have_program, require, under_ci};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const ZONE_DIR: &str = "/var/lib/threatlist/zones/";
const KEY_NAME: &str = "threatlist-xfr";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn example(rel: &str) -> String {
    let path = root().join("examples").join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file under `examples/*/`, with its path relative to `examples/`.
fn example_files() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(root().join("examples")).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let rel = f.strip_prefix(root().join("examples")).unwrap();
            out.push((
                rel.to_string_lossy().into_owned(),
                std::fs::read_to_string(&f).unwrap(),
            ));
        }
    }
    out.sort();
    out
}

/// The first quoted string after `word` on a line, for every such line.
fn quoted_after(text: &str, word: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("//") && !l.starts_with('#'))
        .filter_map(|l| l.strip_prefix(word))
        .filter_map(|rest| rest.split('"').nth(1).map(str::to_string))
        .collect()
}

/// (zone, file) pairs of a BIND configuration.
fn named_zones(text: &str) -> BTreeSet<(String, String)> {
    let zones = quoted_after(text, "zone ");
    let files = quoted_after(text, "file ");
    assert_eq!(zones.len(), files.len(), "one file per zone:\n{text}");
    zones.into_iter().zip(files).collect()
}

/// (zone, file) pairs of an NSD configuration.
fn nsd_zones(text: &str) -> BTreeSet<(String, String)> {
    let zones = quoted_after(text, "name: ");
    let files = quoted_after(text, "zonefile: ");
    // Patterns have names too: zones are the names followed by a zonefile.
    let zones = zones.into_iter().filter(|z| z.contains('.'));
    zones.zip(files).collect()
}

/// The example's key secret.
fn key_secret() -> String {
    let text = example("bind/named.conf.threatlist");
    quoted_after(&text, "secret ")
        .into_iter()
        .next()
        .expect("the BIND example defines a key")
}

/// The key as BIND's key clause (what tsig-keygen writes, and what `tl-fw
/// pull --tsig-key FILE` reads).
fn key_clause() -> String {
    format!(
        "key \"{KEY_NAME}\" {{\n\talgorithm hmac-sha256;\n\tsecret \"{}\";\n}};\n",
        key_secret()
    )
}

/// One profile `acme` as tl-compile writes it, published by tl-zone with
/// the example zone configuration: zone files in `dir/zones`, fragments
/// `dir/zones/named-zones.conf` and `nsd-zones.conf`.
fn publish(dir: &Path, origin: &str) -> PathBuf {
    let out = dir.join("out");
    std::fs::create_dir_all(out.join("acme")).unwrap();
    std::fs::write(
        out.join("acme/block-in.txt"),
        "198.51.100.0/24\n203.0.113.99\n",
    )
    .unwrap();
    std::fs::write(out.join("acme/block-out.txt"), "192.0.2.128/25\n").unwrap();
    std::fs::write(out.join("acme/allow.txt"), "203.0.113.7\n").unwrap();
    std::fs::write(out.join("acme/domains.txt"), "evil.example\n").unwrap();
    let zones = dir.join("zones");
    std::fs::create_dir_all(&zones).unwrap();
    let config = root().join("examples/zone/zone.toml");
    dns::tl_zone(
        dir,
        &[
            "--out",
            out.to_str().unwrap(),
            "--origin",
            origin,
            "--config",
            config.to_str().unwrap(),
            "-o",
            zones.to_str().unwrap(),
            "--format",
            "apl",
            "--format",
            "rpz",
            "--now",
            "2026-01-01T00:00:00Z",
            // zone.toml's `rndc reload {zone}` has no server to talk to here
            "--reload",
            "true",
        ],
    );
    zones
}

/// The generated fragments name the same zones and files as the
/// hand-written examples: the examples follow tl-zone's naming.
#[test]
fn examples_name_the_zones_tl_zone_publishes() {
    let d = tempfile::tempdir().unwrap();
    let zones = publish(d.path(), "lists.example");
    let generated = std::fs::read_to_string(zones.join("named-zones.conf")).unwrap();
    let want = named_zones(&generated);
    assert_eq!(want.len(), 2, "{generated}");
    assert_eq!(named_zones(&example("bind/named.conf.threatlist")), want);
    let generated = std::fs::read_to_string(zones.join("nsd-zones.conf")).unwrap();
    assert_eq!(nsd_zones(&generated), want, "{generated}");
    assert_eq!(nsd_zones(&example("nsd/nsd.conf.threatlist")), want);
    for (_, file) in &want {
        let name = file.strip_prefix(ZONE_DIR).expect("zone_dir of zone.toml");
        assert!(zones.join(name).is_file(), "{name} published");
    }
}

/// `named-checkconf` on the example, and on the example with a generated
/// fragment (other zone names) included beside it: the generated zones
/// use the example's key.
#[test]
fn bind_example_passes_named_checkconf() {
    if !require(have_program("named-checkconf"), "named-checkconf") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let zones = publish(d.path(), "generated.example");
    let example = root().join("examples/bind/named.conf.threatlist");
    for extra in [None, Some(zones.join("named-zones.conf"))] {
        let conf = d.path().join("named.conf");
        let mut text = format!(
            "options {{ directory \"{}\"; }};\ninclude \"{}\";\n",
            d.path().display(),
            example.display()
        );
        if let Some(f) = &extra {
            text.push_str(&format!("include \"{}\";\n", f.display()));
        }
        std::fs::write(&conf, text).unwrap();
        let o = Command::new("named-checkconf").arg(&conf).output().unwrap();
        assert!(
            o.status.success(),
            "named-checkconf ({extra:?}): {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

/// `nsd-checkconf` on the example, and with a generated fragment beside it.
#[test]
fn nsd_example_passes_nsd_checkconf() {
    if !require(have_program("nsd-checkconf"), "nsd-checkconf") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let zones = publish(d.path(), "generated.example");
    let example = root().join("examples/nsd/nsd.conf.threatlist");
    for extra in [None, Some(zones.join("nsd-zones.conf"))] {
        let conf = d.path().join("nsd.conf");
        let mut text = format!(
            "server:\n\tzonesdir: \"{}\"\n\tusername: \"\"\n\tchroot: \"\"\ninclude: \"{}\"\n",
            d.path().display(),
            example.display()
        );
        if let Some(f) = &extra {
            text.push_str(&format!("include: \"{}\"\n", f.display()));
        }
        std::fs::write(&conf, text).unwrap();
        let o = Command::new("nsd-checkconf").arg(&conf).output().unwrap();
        assert!(
            o.status.success(),
            "nsd-checkconf ({extra:?}): {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

/// The example with the zone directory moved into `dir`.
fn localized(rel: &str, dir: &Path, zones: &Path) -> PathBuf {
    let text = example(rel).replace(ZONE_DIR, &format!("{}/", zones.display()));
    let path = dir.join(Path::new(rel).file_name().unwrap());
    std::fs::write(&path, text).unwrap();
    path
}

fn dig_key() -> String {
    format!("hmac-sha256:{KEY_NAME}:{}", key_secret())
}

/// BIND started with the example (zone files from tl-zone): a query
/// signed with the key is answered, an unsigned one from an address
/// outside the ACL refused, and `tl-fw pull` reads the lists with the key
/// from the key clause; then the firewall script pulls and loads them, and
/// keeps them when the server is gone.
#[test]
fn bind_example_serves_tl_fw_pull_and_the_firewall_script() {
    if !require(
        have_program("named") && have_program("dig"),
        "named and dig (bind9, bind9-dnsutils)",
    ) {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let zones = publish(d.path(), "lists.example");
    let include = localized("bind/named.conf.threatlist", d.path(), &zones);
    let port = dns::free_port();
    let conf = d.path().join("named.conf");
    let p = d.path().display();
    std::fs::write(
        &conf,
        format!(
            "options {{\n\tdirectory \"{p}\";\n\tlisten-on port {port} {{ 127.0.0.1; }};\n\
             \tlisten-on-v6 {{ none; }};\n\tpid-file \"{p}/named.pid\";\n\
             \tsession-keyfile \"{p}/session.key\";\n\trecursion no;\n\tdnssec-validation no;\n}};\n\
             controls {{ }};\ninclude \"{}\";\n",
            include.display()
        ),
    )
    .unwrap();
    let key = dig_key();
    let named = Server::start(
        Command::new("named")
            .args(["-g", "-4", "-n", "1", "-c"])
            .arg(&conf),
        &d.path().join("named.log"),
        || dns::answers(port, "acme.lists.example", Some(&key)),
    );
    assert!(dns::answers(port, "acme.rpz.lists.example", Some(&key)));
    assert!(
        !dns::answers(port, "acme.lists.example", None),
        "127.0.0.1 is outside threatlist-clients: unsigned queries are refused"
    );

    let key_file = d.path().join("threatlist-xfr.key");
    std::fs::write(&key_file, key_clause()).unwrap();
    let server = format!("127.0.0.1:{port}");
    let pulled = d.path().join("pulled");
    let r = dns::pull(
        d.path(),
        &[
            "--server",
            &server,
            "--zone",
            "acme.lists.example",
            "--tsig-key",
            key_file.to_str().unwrap(),
            "-o",
            pulled.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "tl-fw pull: {}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(pulled.join("block-in.txt")).unwrap(),
        "198.51.100.0/24\n203.0.113.99\n"
    );

    // The firewall script, with a stand-in for nft that records its calls
    // and shows no table in force.
    let fw_dir = d.path().join("fw");
    let nft_log = d.path().join("nft.log");
    let nft = d.path().join("nft");
    std::fs::write(
        &nft,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexit 0\n",
            nft_log.display()
        ),
    )
    .unwrap();
    make_executable(&nft);
    let script = |server: &str| {
        let bin_dir = bin_path("tl-fw").parent().unwrap().to_path_buf();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let o = Command::new(root().join("examples/firewall/threatlist-fw"))
            .env("PATH", path)
            .env("THREATLIST_FW_CONFIG", d.path().join("none"))
            .env("SERVER", server)
            .env("ZONE", "acme.lists.example")
            .env("KEY", &key_file)
            .env("DIR", &fw_dir)
            .env("TARGET", "nftables")
            .env("RESOLVER", "192.0.2.53")
            .env("TL_FW_NFT", &nft)
            .output()
            .unwrap();
        let log = std::fs::read_to_string(&nft_log).unwrap_or_default();
        let _ = std::fs::remove_file(&nft_log);
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
            log,
        )
    };
    let (code, stderr, log) = script(&server);
    assert_eq!(code, Some(0), "threatlist-fw: {stderr}");
    assert_eq!(stderr, "", "quiet on success");
    let applied = |log: &str| log.lines().any(|l| l.starts_with("-f "));
    assert!(applied(&log), "the lists were loaded: {log}");
    let lists = std::fs::read_to_string(fw_dir.join("block-in.txt")).unwrap();
    assert_eq!(lists, "198.51.100.0/24\n203.0.113.99\n");

    // The server is gone: the pull fails, the lists stay, and (no table in
    // force) the lists of the last good pull are loaded again.
    drop(named);
    let (code, stderr, log) = script(&server);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("failed") && stderr.contains("the rules in force stay"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(fw_dir.join("block-in.txt")).unwrap(),
        lists
    );
    assert!(applied(&log), "{log}");

    // A failed first pull: nothing to load, nft never runs.
    std::fs::remove_dir_all(&fw_dir).unwrap();
    let (code, _, log) = script(&server);
    assert_eq!(code, Some(2));
    assert_eq!(log, "");
    assert!(!fw_dir.join("block-in.txt").exists());
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// NSD started with the example: `tl-fw pull` reads the lists with the key.
#[test]
fn nsd_example_serves_tl_fw_pull() {
    if !require(have_program("nsd"), "nsd") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let zones = publish(d.path(), "lists.example");
    let include = localized("nsd/nsd.conf.threatlist", d.path(), &zones);
    let (_nsd, port) = dns::start_nsd(d.path(), &include, "acme.lists.example", false);
    assert!(dns::answers(
        port,
        "acme.rpz.lists.example",
        Some(&dig_key())
    ));
    let pulled = d.path().join("pulled");
    let r = dns::pull(
        d.path(),
        &[
            "--server",
            &format!("127.0.0.1:{port}"),
            "--zone",
            "acme.lists.example",
            "--tsig-key",
            &format!("{KEY_NAME}:hmac-sha256:{}", key_secret()),
            "-o",
            pulled.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "tl-fw pull: {}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(pulled.join("block-out.txt")).unwrap(),
        "192.0.2.128/25\n"
    );
}

/// `systemd-analyze verify` on the units, with ExecStart pointing at a
/// built binary; any complaint fails. Skipped (with the reason) where
/// systemd-analyze is missing or cannot run.
#[test]
fn systemd_units_pass_systemd_analyze_verify() {
    if !have_program("systemd-analyze") {
        eprintln!("SKIP: systemd-analyze is not installed");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let bin_dir = bin_path("tl-set").parent().unwrap().to_path_buf();
    let exe = ["tl-update", "tl-set"]
        .iter()
        .map(|b| bin_dir.join(b))
        .find(|p| p.exists())
        .unwrap();
    let mut units = Vec::new();
    for (rel, text) in example_files() {
        let Some(name) = rel.strip_prefix("systemd/") else {
            continue;
        };
        let text = text.replace("/usr/bin/tl-update", exe.to_str().unwrap());
        std::fs::write(d.path().join(name), text).unwrap();
        units.push(d.path().join(name));
    }
    assert_eq!(units.len(), 2);
    let o = match Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .args(&units)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            eprintln!("SKIP: systemd-analyze does not run here: {e}");
            return;
        }
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success() && text.trim().is_empty(), "{text}");
}

/// One cron time field: `*`, N, N-M, lists, `/STEP`, names.
fn cron_field(field: &str, min: u32, max: u32, names: &[&str]) -> Result<(), String> {
    let value = |s: &str| -> Result<u32, String> {
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(s)) {
            return Ok(min + i as u32);
        }
        let v: u32 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
        if v < min || v > max {
            return Err(format!("{v} is outside {min}-{max}"));
        }
        Ok(v)
    };
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (item, None),
        };
        if let Some(s) = step {
            let s: u32 = s.parse().map_err(|_| format!("bad step in '{item}'"))?;
            if s == 0 {
                return Err(format!("bad step in '{item}'"));
            }
        }
        if range == "*" {
            continue;
        }
        match range.split_once('-') {
            Some((a, b)) => {
                if value(a)? > value(b)? {
                    return Err(format!("empty range '{range}'"));
                }
            }
            None => {
                value(range)?;
            }
        }
    }
    Ok(())
}

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// The jobs of an /etc/cron.d file (time fields, user, command): every
/// line is a comment, a variable or a job with valid time fields.
fn cron_jobs(path: &str, text: &str) -> Vec<String> {
    let mut jobs = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        let at = format!("{path}:{}", n + 1);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let first = line.split_whitespace().next().unwrap();
        if first.contains('=') {
            continue;
        }
        let (user, command) = if let Some(special) = first.strip_prefix('@') {
            assert!(
                ["reboot", "yearly", "annually", "monthly", "weekly", "daily", "hourly"]
                    .contains(&special),
                "{at}: unknown @{special}"
            );
            let mut rest = line[first.len()..]
                .trim_start()
                .splitn(2, char::is_whitespace);
            (rest.next().unwrap(), rest.next().unwrap_or("").trim())
        } else {
            let mut rest = line;
            let mut time = Vec::new();
            for _ in 0..6 {
                let t = rest.trim_start();
                let end = t.find(char::is_whitespace).unwrap_or(t.len());
                time.push(&t[..end]);
                rest = &t[end..];
            }
            let limits: [(u32, u32, &[&str]); 5] = [
                (0, 59, &[]),
                (0, 23, &[]),
                (1, 31, &[]),
                (1, 12, MONTHS),
                (0, 7, DAYS),
            ];
            for (f, (min, max, names)) in time.iter().zip(limits) {
                if let Err(e) = cron_field(f, min, max, names) {
                    panic!("{at}: time field '{f}': {e}");
                }
            }
            (time[5], rest.trim())
        };
        assert!(
            !user.is_empty()
                && user
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c)),
            "{at}: the user field"
        );
        assert!(!command.is_empty(), "{at}: no command");
        // cron turns an unescaped % into a newline
        assert!(!command.contains('%'), "{at}: % in a cron command");
        let o = Command::new("sh")
            .args(["-n", "-c", command])
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{at}: sh -n: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        jobs.push(command.to_string());
    }
    jobs
}

#[test]
fn cron_examples_parse() {
    let jobs = cron_jobs("cron/threatlist", &example("cron/threatlist"));
    assert_eq!(jobs.len(), 1);
    for flag in ["--config", "--report-json", "--metrics"] {
        assert!(jobs[0].contains(flag), "{flag}");
    }
    assert!(jobs[0].contains("/var/lib/prometheus/node-exporter/threatlist.prom"));
    let jobs = cron_jobs(
        "firewall/threatlist-fw.cron",
        &example("firewall/threatlist-fw.cron"),
    );
    assert_eq!(jobs.len(), 2);
    // the time-field checker refuses what cron refuses
    assert!(cron_field("60", 0, 59, &[]).is_err());
    assert!(cron_field("*/0", 0, 59, &[]).is_err());
    assert!(cron_field("5-2", 0, 59, &[]).is_err());
    assert!(cron_field("*/3", 0, 23, &[]).is_ok());
    assert!(cron_field("mon-fri", 0, 7, DAYS).is_ok());
}

#[test]
fn firewall_script_is_valid_sh() {
    let o = Command::new("sh")
        .arg("-n")
        .arg(root().join("examples/firewall/threatlist-fw"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Every `tl-*` command line in the examples (and their comments), as
/// (tool, words up to the end of the command).
fn tool_uses(text: &str) -> Vec<(String, Vec<String>)> {
    let text = text.replace("\\\n", " ");
    let mut uses = Vec::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            let Some(tool) = tool_name(w) else { continue };
            let mut args = Vec::new();
            for w in &words[i + 1..] {
                if tool_name(w).is_some() {
                    break;
                }
                let ends = ["&&", "||", "|", ";"].contains(w) || w.ends_with([';', ')', '`']);
                args.push(clean(w));
                if ends {
                    break;
                }
            }
            uses.push((tool, args));
        }
    }
    uses
}

fn clean(word: &str) -> String {
    word.trim_matches(|c: char| !(c.is_ascii_alphanumeric() || "-_./".contains(c)))
        .to_string()
}

/// `tl-x` for words like `tl-x`, `/usr/bin/tl-x`, `ExecStart=/usr/bin/tl-x`,
/// `$(tl-x`, `` `tl-x``.
fn tool_name(word: &str) -> Option<String> {
    let w = clean(word);
    let w = clean(w.rsplit(['=', '/', '(']).next()?);
    let rest = w.strip_prefix("tl-")?;
    (!rest.is_empty() && rest.chars().all(|c| c.is_ascii_lowercase())).then_some(w)
}

fn has_flag(cmd: &clap::Command, flag: &str) -> bool {
    if ["--help", "-h", "--version", "-V"].contains(&flag) {
        return true;
    }
    cmd.get_arguments().any(|a| {
        if let Some(long) = flag.strip_prefix("--") {
            a.get_long() == Some(long) || a.get_all_aliases().is_some_and(|al| al.contains(&long))
        } else {
            let c = flag.chars().nth(1);
            flag.len() == 2 && c.is_some() && a.get_short() == c
        }
    })
}

#[test]
fn examples_use_only_real_flags() {
    let tools: Vec<clap::Command> = threatlist::cmd::all()
        .into_iter()
        .map(|t| t.command)
        .collect();
    let bins: BTreeSet<String> = std::fs::read_dir(root().join("src/bin"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let mut checked = 0;
    let mut missing = BTreeSet::new();
    let mut files = example_files();
    files.push(("README.md".into(), example("README.md")));
    for (file, text) in files {
        for (tool, args) in tool_uses(&text) {
            let Some(cmd) = tools.iter().find(|c| c.get_name() == tool) else {
                missing.insert(tool);
                continue;
            };
            let sub = args.iter().find_map(|a| cmd.find_subcommand(a.as_str()));
            for flag in args.iter().filter(|a| a.starts_with('-') && a.len() > 1) {
                let flag = flag.split('=').next().unwrap();
                if flag.chars().nth(1).is_some_and(|c| c.is_ascii_digit()) {
                    continue;
                }
                let ok = match sub {
                    Some(s) => has_flag(s, flag),
                    None => has_flag(cmd, flag) || cmd.get_subcommands().any(|s| has_flag(s, flag)),
                };
                assert!(ok, "examples/{file}: {tool} has no {flag} ({args:?})");
                checked += 1;
            }
        }
    }
    for tool in &missing {
        // A tool being added: its flags are checked once cmd::all() has it.
        let note = format!("{tool} (not in threatlist::cmd::all(); its flags are not checked)");
        if bins.contains(tool) || !under_ci() {
            eprintln!("NOTE: {note}");
        } else {
            require(false, &note);
        }
    }
    assert!(checked >= 10, "only {checked} flags found");
}

/// The helpers above find the uses that matter.
#[test]
fn tool_uses_reads_shell_and_unit_lines() {
    let uses = tool_uses(
        "ExecStart=/usr/bin/tl-update --config /etc/x.toml --metrics m\n\
         out=$(tl-update --config c 2>&1) || echo\n\
         tl-fw pull --server \"$S\" -o \"$DIR\" && tl-fw apply --target nftables \"$DIR\"\n",
    );
    let flags = |i: usize| -> Vec<String> {
        uses[i]
            .1
            .iter()
            .filter(|a| a.starts_with('-'))
            .cloned()
            .collect()
    };
    assert_eq!(uses.len(), 4);
    assert_eq!(uses[0].0, "tl-update");
    assert_eq!(flags(0), ["--config", "--metrics"]);
    assert_eq!(flags(1), ["--config"]);
    assert_eq!(uses[2].0, "tl-fw");
    assert_eq!(flags(2), ["--server", "-o"]);
    assert_eq!(flags(3), ["--target"]);
    let fw = threatlist::cmd::fw::command();
    let pull = fw.find_subcommand("pull").unwrap();
    assert!(has_flag(pull, "--tsig-key") && has_flag(pull, "-o"));
    assert!(!has_flag(pull, "--tsig"));
}
