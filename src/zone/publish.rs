//! Publishing a zone file: serial from the file it replaces, atomic
//! replacement, a modification time newer than the old file's (BIND's
//! `rndc reload` ignores a file that is not newer), the reload hook, and
//! server configuration fragments.

use super::config::{Peer, ZoneConfig};
use super::serial::{next_serial, read_serial, SerialStyle};
use crate::error::describe_io;
use crate::files::output::Output;
use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, SystemTime};

/// What publishing one file did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    pub path: String,
    /// False when the file already held exactly this content.
    pub changed: bool,
    pub serial: u32,
}

/// Writes `header(serial)` and the body parts to `path` unless the file already holds
/// the same content under its serial. The serial grows from the previous
/// file's (RFC 1982); the new file is renamed into place atomically and
/// gets a modification time newer than the file it replaced.
pub fn publish(
    path: &str,
    header: impl Fn(u32) -> Vec<u8>,
    body: &[&[u8]],
    style: SerialStyle,
    now: i64,
) -> Result<Published, String> {
    let old = match fs::read(path) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("{path}: {}", describe_io(&e))),
    };
    let old_mtime = fs::metadata(path).and_then(|m| m.modified()).ok();
    let prev = match &old {
        None => None,
        Some(b) => Some(read_serial(b).ok_or_else(|| {
            format!(
                "{path}: no SOA serial in the file to be replaced (move it away to start afresh)"
            )
        })?),
    };
    if let (Some(old), Some(prev)) = (&old, prev) {
        let h = header(prev);
        let total: usize = body.iter().map(|b| b.len()).sum();
        let same = old.len() == h.len() + total && old.starts_with(&h) && {
            let mut at = h.len();
            body.iter().all(|b| {
                at += b.len();
                &old[at - b.len()..at] == *b
            })
        };
        if same {
            return Ok(Published {
                path: path.to_string(),
                changed: false,
                serial: prev,
            });
        }
    }
    let serial = next_serial(prev, style, now);
    let head = header(serial);
    let mut parts: Vec<&[u8]> = vec![&head];
    parts.extend_from_slice(body);
    write_atomic(path, &parts)?;
    if let Some(old_mtime) = old_mtime {
        newer_than(path, old_mtime)?;
    }
    Ok(Published {
        path: path.to_string(),
        changed: true,
        serial,
    })
}

/// Replaces `path` atomically with the concatenated parts.
pub fn write_atomic(path: &str, parts: &[&[u8]]) -> Result<(), String> {
    let err = |e: io::Error| format!("{path}: {}", describe_io(&e));
    let mut out = Output::create(Some(path)).map_err(err)?;
    for p in parts {
        out.write_all(p).map_err(err)?;
    }
    out.finish().map_err(err)
}

/// Writes `content` unless the file already holds it; true when written.
pub fn write_if_changed(path: &str, content: &[u8]) -> Result<bool, String> {
    if fs::read(path).is_ok_and(|old| old == content) {
        return Ok(false);
    }
    write_atomic(path, &[content])?;
    Ok(true)
}

/// Makes sure `path` is newer than `old` (a clock stepped back, or two
/// writes within the file system's time resolution).
fn newer_than(path: &str, old: SystemTime) -> Result<(), String> {
    let err = |e: io::Error| format!("{path}: {}", describe_io(&e));
    let now = fs::metadata(path).and_then(|m| m.modified()).map_err(err)?;
    if now <= old {
        let f = fs::File::options().write(true).open(path).map_err(err)?;
        f.set_modified(old + Duration::from_secs(1)).map_err(err)?;
    }
    Ok(())
}

/// Runs the reload command for a changed zone: `{zone}` and `{file}` in its
/// arguments are replaced; no shell is involved.
pub fn reload(argv: &[String], zone: &str, file: &str) -> Result<(), String> {
    let Some((prog, args)) = argv.split_first() else {
        return Ok(());
    };
    let subst = |a: &String| a.replace("{zone}", zone).replace("{file}", file);
    let status = std::process::Command::new(subst(prog))
        .args(args.iter().map(subst))
        .stdin(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("reload command '{prog}': {}", describe_io(&e)))?;
    if !status.success() {
        return Err(format!("reload command for zone {zone} failed ({status})"));
    }
    Ok(())
}

/// One published zone, for the server fragments.
#[derive(Clone, Debug)]
pub struct ZoneFile {
    /// Origin without the trailing dot.
    pub origin: String,
    /// File name as the server should open it.
    pub file: String,
}

fn named_peer(p: &Peer, key: Option<&str>) -> String {
    let mut s = p.addr.clone();
    if let Some(port) = p.port {
        s.push_str(&format!(" port {port}"));
    }
    if let Some(k) = key {
        s.push_str(&format!(" key \"{k}\""));
    }
    s
}

/// A `named.conf` fragment: one primary zone per file, with
/// `max-records-per-type 0` (BIND ≥ 9.18.28 refuses RRsets over 100 records
/// otherwise), query and transfer ACLs, NOTIFY targets and the TSIG key.
pub fn named_conf(zones: &[ZoneFile], cfg: &ZoneConfig) -> Vec<u8> {
    let s = &cfg.server;
    let key = s.tsig_key.as_deref();
    let mut o = String::from(
        "// Generated by tl-zone. Every BIND that serves or resolves these names\n\
         // (secondaries and resolvers too) needs max-records-per-type 0.\n",
    );
    if let Some(f) = &s.named_key_file {
        o.push_str(&format!("include \"{f}\";\n"));
    }
    for z in zones {
        o.push_str(&format!("zone \"{}\" {{\n", z.origin));
        o.push_str("\ttype primary;\n");
        o.push_str(&format!("\tfile \"{}\";\n", z.file));
        o.push_str("\tmax-records-per-type 0;\n");
        o.push_str("\tixfr-from-differences yes;\n");
        if !s.allow_query.is_empty() {
            let mut acl: Vec<String> = s.allow_query.iter().map(|a| format!("{a};")).collect();
            if let Some(k) = key {
                acl.push(format!("key \"{k}\";"));
            }
            o.push_str(&format!("\tallow-query {{ {} }};\n", acl.join(" ")));
        }
        let transfer = match (key, s.allow_transfer.is_empty()) {
            (None, true) => "none;".to_string(),
            (None, false) => s
                .allow_transfer
                .iter()
                .map(|a| format!("{a};"))
                .collect::<Vec<_>>()
                .join(" "),
            (Some(k), true) => format!("key \"{k}\";"),
            // Both: the address AND the key (ACL elements are alternatives,
            // so the addresses are checked by a negated nested list).
            (Some(k), false) => format!(
                "!{{ {} any; }}; key \"{k}\";",
                s.allow_transfer
                    .iter()
                    .map(|a| format!("!{a};"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        };
        o.push_str(&format!("\tallow-transfer {{ {transfer} }};\n"));
        if s.notify.is_empty() {
            o.push_str("\tnotify no;\n");
        } else {
            o.push_str("\tnotify explicit;\n");
            let peers: Vec<String> = s
                .notify
                .iter()
                .map(|p| format!("{};", named_peer(p, key)))
                .collect();
            o.push_str(&format!("\talso-notify {{ {} }};\n", peers.join(" ")));
        }
        o.push_str("};\n");
    }
    o.into_bytes()
}

/// An `nsd.conf` fragment: one `zone:` per file with transfer ACLs and
/// NOTIFY targets (NSD 4.6 has no per-zone query ACL: restrict queries in
/// the network, or serve the zones only to secondaries).
pub fn nsd_conf(zones: &[ZoneFile], cfg: &ZoneConfig) -> Vec<u8> {
    let s = &cfg.server;
    let key = s.tsig_key.as_deref().unwrap_or("NOKEY");
    let mut o = String::from("# Generated by tl-zone.\n");
    if let Some(f) = &s.nsd_key_file {
        o.push_str(&format!("include: \"{f}\"\n"));
    }
    for z in zones {
        o.push_str("zone:\n");
        o.push_str(&format!("\tname: \"{}\"\n", z.origin));
        o.push_str(&format!("\tzonefile: \"{}\"\n", z.file));
        let xfr: Vec<String> = if s.allow_transfer.is_empty() {
            if s.tsig_key.is_some() {
                vec!["0.0.0.0/0".into(), "::/0".into()]
            } else {
                vec![]
            }
        } else {
            s.allow_transfer.clone()
        };
        for a in xfr {
            o.push_str(&format!("\tprovide-xfr: {a} {key}\n"));
        }
        for p in &s.notify {
            let port = p.port.map(|n| format!("@{n}")).unwrap_or_default();
            o.push_str(&format!("\tnotify: {}{port} {key}\n", p.addr));
        }
    }
    o.into_bytes()
}

/// The path a server should use for a zone file written at `path`:
/// `zone_dir/NAME` when configured, else the absolute path.
pub fn server_path(path: &Path, cfg: &ZoneConfig) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match &cfg.server.zone_dir {
        Some(d) => d.join(name).to_string_lossy().into_owned(),
        None => std::path::absolute(path)
            .unwrap_or_else(|_| path.to_path_buf())
            .to_string_lossy()
            .into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_content_keeps_file_and_serial() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("z.zone");
        let p = p.to_str().unwrap();
        let head = |s: u32| format!("@ SOA ns. h. {s} 1 2 3 4\n").into_bytes();
        let day = 1_795_737_600;
        let a = publish(p, head, &[b"x A 192.0.2.1\n"], SerialStyle::Date, day).unwrap();
        assert_eq!((a.changed, a.serial), (true, 2026112700));
        let m1 = fs::metadata(p).unwrap().modified().unwrap();
        let b = publish(p, head, &[b"x A 192.0.2.1\n"], SerialStyle::Date, day).unwrap();
        assert_eq!((b.changed, b.serial), (false, 2026112700));
        // a change at the same second, with the clock a day back: the
        // serial still grows and the file is newer
        let c = publish(
            p,
            head,
            &[b"x A 192.0.2.2\n"],
            SerialStyle::Date,
            day - 86400,
        )
        .unwrap();
        assert_eq!((c.changed, c.serial), (true, 2026112701));
        assert!(fs::metadata(p).unwrap().modified().unwrap() > m1);
        // a file without a serial is not replaced blindly
        fs::write(p, "garbage\n").unwrap();
        assert!(publish(p, head, &[b""], SerialStyle::Date, day).is_err());
    }
}
