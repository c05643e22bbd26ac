//! Publishing a compiled profile: circuit breaker against the last
//! published version, then every output written into a fresh version
//! directory, synced, and switched into place with one rename.
//!
//! Layout under the output directory `OUT`:
//!
//! ```text
//! OUT/.lock                         held while a run publishes (flock)
//! OUT/.history/P/SERIAL/            one directory per published version
//! OUT/P -> .history/P/SERIAL        symbolic link to the version in force
//! OUT/.basis/TIME-CRC.tlb           a run's shared evidence (basis.rs),
//!                                   hard-linked into each version as
//!                                   basis.tlb
//! ```
//!
//! A reader that opens `OUT/P/block-in.txt` gets a file of the version the
//! link named when it looked, never a mix of two runs. A run writes every
//! version first, syncs the file system once, then switches the links.
//! Versions that are no longer in force keep only `compiled.tlc`,
//! `provenance.csv` and `basis.tlb` (the history `tl-query --at` answers
//! from) and are pruned by age; a basis no version links is removed.

use super::basis;
use super::compile::{lines, Compiled, Rules};
use super::config::Profile;
use crate::artifact::{Artifact, ArtifactWriter};
use crate::set::{IpSet, ListPrinter};
use serde::{Deserialize, Serialize};
use std::fs::{self, File};
use std::path::{Path, PathBuf};

/// The compiled list's artifact kind and version.
pub const KIND: [u8; 4] = *b"TLPL";
/// 2: rules and a basis instead of a provenance row per evidence entry.
pub const MAJOR: u16 = 2;
pub const COMPILED: &str = "compiled.tlc";

/// What a compiled list says about itself.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Meta {
    pub profile: String,
    pub serial: u64,
    /// Unix seconds of the run (`--now`).
    pub time: i64,
    /// Lines of block-in plus block-out: what the circuit breaker compares.
    pub lines: u64,
    pub domains: Vec<String>,
    pub allow_domains: Vec<String>,
}

/// A compiled list read back.
pub struct Version {
    pub meta: Meta,
    pub rules: Rules,
    pub block_in: IpSet,
    pub block_out: IpSet,
    pub allow: IpSet,
}

pub fn read_version(path: &Path) -> Result<Version, String> {
    let a = Artifact::read(path, KIND, MAJOR).map_err(|e| e.to_string())?;
    let e = |e: crate::artifact::ArtifactError| format!("{}: {e}", path.display());
    Ok(Version {
        meta: a.record(*b"meta").map_err(e)?,
        rules: a.record(*b"rule").map_err(e)?,
        block_in: a.ip_set(*b"bin").map_err(e)?,
        block_out: a.ip_set(*b"bou").map_err(e)?,
        allow: a.ip_set(*b"alw").map_err(e)?,
    })
}

/// A version's metadata alone, without reading its lists.
pub fn read_meta(path: &Path) -> Result<Meta, String> {
    Artifact::read_record(path, KIND, MAJOR, *b"meta").map_err(|e| e.to_string())
}

/// The exclusive publication lock of an output directory; released when
/// dropped or when the process dies.
pub struct Lock(#[allow(dead_code)] File);

pub fn lock(out: &Path) -> Result<Lock, String> {
    use std::os::unix::io::AsRawFd;
    fs::create_dir_all(out).map_err(|e| format!("{}: {}", out.display(), io(&e)))?;
    let p = out.join(".lock");
    let f = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&p)
        .map_err(|e| format!("{}: {}", p.display(), io(&e)))?;
    // SAFETY: flock on a descriptor this function owns.
    let r = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if r != 0 {
        return Err(format!(
            "{}: another run is publishing into this directory",
            p.display()
        ));
    }
    Ok(Lock(f))
}

fn io(e: &std::io::Error) -> String {
    crate::error::describe_io(e)
}

/// The version in force for a profile, if any.
pub fn current(out: &Path, profile: &str) -> Result<Option<Version>, String> {
    let p = out.join(profile).join(COMPILED);
    if !p.exists() {
        return Ok(None);
    }
    read_version(&p).map(Some)
}

/// Why the circuit breaker holds the new list back, if it does.
pub fn breaker(p: &Profile, prev: Option<&Version>, new_lines: u64) -> Option<String> {
    let old = prev?.meta.lines;
    if old == 0 {
        return None;
    }
    let change = (new_lines as f64 - old as f64) / old as f64 * 100.0;
    if -change > p.guards.max_shrink {
        Some(format!(
            "the list would shrink by {:.1} % ({old} → {new_lines} entries; bound {} %)",
            -change, p.guards.max_shrink
        ))
    } else if change > p.guards.max_grow {
        Some(format!(
            "the list would grow by {:.1} % ({old} → {new_lines} entries; bound {} %)",
            change, p.guards.max_grow
        ))
    } else {
        None
    }
}

fn list_bytes(set: &IpSet) -> Vec<u8> {
    let mut b = Vec::new();
    ListPrinter::default()
        .print(set, &mut b)
        .expect("writing to a Vec cannot fail");
    b
}

/// Appends `+LIST CIDR` / `-LIST CIDR` lines; returns (added, removed).
fn diff_lines(out: &mut Vec<u8>, list: &str, new: &IpSet, old: &IpSet) -> (usize, usize) {
    let mut one = |sign: u8, set: IpSet| {
        let bytes = list_bytes(&set);
        let mut n = 0;
        for l in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            out.push(sign);
            out.extend_from_slice(list.as_bytes());
            out.push(b' ');
            out.extend_from_slice(l);
            out.push(b'\n');
            n += 1;
        }
        n
    };
    (
        one(b'+', new.difference(old)),
        one(b'-', old.difference(new)),
    )
}

fn diff_names(out: &mut Vec<u8>, list: &str, new: &[String], old: &[String]) -> (usize, usize) {
    let (mut added, mut removed) = (0, 0);
    for d in new.iter().filter(|d| !old.contains(d)) {
        out.extend_from_slice(format!("+{list} {d}\n").as_bytes());
        added += 1;
    }
    for d in old.iter().filter(|d| !new.contains(d)) {
        out.extend_from_slice(format!("-{list} {d}\n").as_bytes());
        removed += 1;
    }
    (added, removed)
}

/// The files of one version, by name.
pub fn render(
    p: &Profile,
    c: &Compiled,
    prev: Option<&Version>,
    serial: u64,
    now: i64,
) -> (Vec<(&'static str, Vec<u8>)>, String) {
    let mut files: Vec<(&'static str, Vec<u8>)> = Vec::new();
    let names = |v: &[String]| -> Vec<u8> {
        v.iter()
            .flat_map(|d| format!("{d}\n").into_bytes())
            .collect()
    };
    files.push(("block-in.txt", list_bytes(&c.block_in)));
    files.push(("block-out.txt", list_bytes(&c.block_out)));
    files.push(("allow.txt", list_bytes(&c.allow)));
    files.push(("domains.txt", names(&c.domains)));
    files.push(("allow-domains.txt", names(&c.allow_domains)));
    if !p.formats.is_empty() {
        // tl-zone publishes a profile in the formats it names here.
        files.push(("formats.txt", names(&p.formats)));
    }
    let mut prov = b"entry,list,reason,detail\n".to_vec();
    for r in &c.provenance {
        for (i, f) in [&r.entry, &r.list, &r.reason, &r.detail]
            .into_iter()
            .enumerate()
        {
            if i > 0 {
                prov.push(b',');
            }
            crate::record::push_field(&mut prov, f);
        }
        prov.push(b'\n');
    }
    files.push(("provenance.csv", prov));

    let new_lines = (lines(&c.block_in) + lines(&c.block_out)) as u64;
    let meta = Meta {
        profile: p.name.clone(),
        serial,
        time: now,
        lines: new_lines,
        domains: c.domains.clone(),
        allow_domains: c.allow_domains.clone(),
    };
    let mut w = ArtifactWriter::new(KIND, MAJOR, 0);
    w.record(*b"meta", &meta)
        .record(*b"rule", &c.rules)
        .ip_set(*b"bin", &c.block_in)
        .ip_set(*b"bou", &c.block_out)
        .ip_set(*b"alw", &c.allow);
    files.push((COMPILED, w.to_bytes()));

    let empty = IpSet::default();
    let mut diff = Vec::new();
    let (oi, oo, oa) = match prev {
        Some(v) => (&v.block_in, &v.block_out, &v.allow),
        None => (&empty, &empty, &empty),
    };
    let none: Vec<String> = Vec::new();
    let counts = [
        diff_lines(&mut diff, "block-in", &c.block_in, oi),
        diff_lines(&mut diff, "block-out", &c.block_out, oo),
        diff_lines(&mut diff, "allow", &c.allow, oa),
        diff_names(
            &mut diff,
            "domains",
            &c.domains,
            prev.map_or(&none, |v| &v.meta.domains),
        ),
    ];
    let added: usize = counts.iter().map(|c| c.0).sum();
    let removed: usize = counts.iter().map(|c| c.1).sum();
    files.push(("diff.txt", diff));

    let summary = format!(
        "{}: serial {serial}, block-in {} ({} addresses), block-out {} ({} addresses), allow {}, domains {}, +{added} -{removed}, left out {}",
        p.name,
        lines(&c.block_in),
        count(&c.block_in),
        lines(&c.block_out),
        count(&c.block_out),
        lines(&c.allow),
        c.domains.len(),
        c.left_out,
    );
    files.push(("summary.txt", format!("{summary}\n").into_bytes()));
    (files, summary)
}

fn count(s: &IpSet) -> String {
    let n = s.v4.count().as_u128().unwrap_or(u128::MAX);
    let m = s.v6.count().as_u128().unwrap_or(u128::MAX);
    n.saturating_add(m).to_string()
}

/// Test hook: with `TL_COMPILE_STALL=1` a run stops for a minute after the
/// first file of a version is written, so a test can kill it mid-write.
fn stall() {
    if std::env::var_os("TL_COMPILE_STALL").is_some_and(|v| v == "1") {
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

/// Flushes everything written to the file system holding `dir`.
pub fn sync_fs(dir: &Path) -> Result<(), String> {
    use std::os::unix::io::AsRawFd;
    let f = File::open(dir).map_err(|e| format!("{}: {}", dir.display(), io(&e)))?;
    // SAFETY: syncfs on a descriptor this function owns.
    if unsafe { libc::syncfs(f.as_raw_fd()) } != 0 {
        let e = std::io::Error::last_os_error();
        return Err(format!("{}: {}", dir.display(), io(&e)));
    }
    Ok(())
}

/// Stores a run's basis under `OUT/.basis/` (once: the name is its time
/// and checksum) and returns its path.
pub fn store_basis(out: &Path, bytes: &[u8], now: i64) -> Result<PathBuf, String> {
    let err = |p: &Path, e: std::io::Error| format!("{}: {}", p.display(), io(&e));
    let dir = out.join(".basis");
    fs::create_dir_all(&dir).map_err(|e| err(&dir, e))?;
    let stamp = crate::time::format(now).replace([':', '-'], "");
    let path = dir.join(format!("{stamp}-{:08x}.tlb", crc32fast::hash(bytes)));
    // The same name is the same content (an earlier run at the same time
    // of the same scores), unless a crash left it short.
    if fs::metadata(&path).map_or(true, |m| m.len() != bytes.len() as u64) {
        let tmp = dir.join(format!(".tmp-{}", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = File::create(&tmp)?;
            std::io::Write::write_all(&mut f, bytes)?;
            f.sync_all()
        };
        write().map_err(|e| err(&tmp, e))?;
        fs::rename(&tmp, &path).map_err(|e| err(&path, e))?;
    }
    Ok(path)
}

/// The serial after every version a profile has had.
pub fn next_serial(out: &Path, profile: &str) -> u64 {
    let hist = out.join(".history").join(profile);
    fs::read_dir(&hist)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|d| d.file_name().to_str()?.parse::<u64>().ok())
        .max()
        .map_or(1, |s| s + 1)
}

/// Writes a version's files into a temporary directory of the profile's
/// history; nothing is in force yet. Call with the lock held; then
/// [`link_basis`], [`sync_fs`] and [`switch`].
pub fn stage(
    out: &Path,
    profile: &str,
    files: &[(&'static str, Vec<u8>)],
) -> Result<PathBuf, String> {
    let err = |p: &Path, e: std::io::Error| format!("{}: {}", p.display(), io(&e));
    let hist = out.join(".history").join(profile);
    fs::create_dir_all(&hist).map_err(|e| err(&hist, e))?;
    // Leftovers of a run that died are never in force: remove them.
    if let Ok(rd) = fs::read_dir(&hist) {
        for d in rd.flatten() {
            if d.file_name().to_string_lossy().starts_with(".tmp") {
                let _ = fs::remove_dir_all(d.path());
            }
        }
    }
    let tmp = hist.join(format!(".tmp-{}", std::process::id()));
    fs::create_dir(&tmp).map_err(|e| err(&tmp, e))?;
    for (i, (name, bytes)) in files.iter().enumerate() {
        let p = tmp.join(name);
        fs::write(&p, bytes).map_err(|e| err(&p, e))?;
        if i == 0 {
            stall();
        }
    }
    Ok(tmp)
}

/// Links the run's basis into a staged version.
pub fn link_basis(tmp: &Path, basis: &Path) -> Result<(), String> {
    let link = tmp.join(basis::FILE);
    fs::hard_link(basis, &link).map_err(|e| format!("{}: {}", link.display(), io(&e)))
}

/// Makes a staged version `serial` and switches `OUT/P` to it.
pub fn switch(out: &Path, profile: &str, serial: u64, tmp: &Path) -> Result<(), String> {
    let err = |p: &Path, e: std::io::Error| format!("{}: {}", p.display(), io(&e));
    let hist = out.join(".history").join(profile);
    let dest = hist.join(serial.to_string());
    if dest.exists() {
        fs::remove_dir_all(&dest).map_err(|e| err(&dest, e))?;
    }
    fs::rename(tmp, &dest).map_err(|e| err(&dest, e))?;
    let link = out.join(profile);
    if let Ok(m) = fs::symlink_metadata(&link) {
        if !m.file_type().is_symlink() {
            return Err(format!(
                "{}: not a link tl-compile made; move it away to publish here",
                link.display()
            ));
        }
    }
    let previous = fs::read_link(&link).ok();
    let tmp_link = out.join(format!(".{profile}.link-{}", std::process::id()));
    let _ = fs::remove_file(&tmp_link);
    let target: PathBuf = Path::new(".history").join(profile).join(serial.to_string());
    std::os::unix::fs::symlink(&target, &tmp_link).map_err(|e| err(&tmp_link, e))?;
    fs::rename(&tmp_link, &link).map_err(|e| err(&link, e))?;

    // The version no longer in force keeps what history needs.
    if let Some(prev) = previous.filter(|p| *p != target) {
        let dir = out.join(prev);
        if let Ok(rd) = fs::read_dir(&dir) {
            for f in rd.flatten() {
                let n = f.file_name();
                if n != COMPILED && n != "provenance.csv" && n != basis::FILE {
                    let _ = fs::remove_file(f.path());
                }
            }
        }
    }
    Ok(())
}

/// Removes the bases no version links any more.
pub fn prune_bases(out: &Path) {
    use std::os::unix::fs::MetadataExt;
    let Ok(rd) = fs::read_dir(out.join(".basis")) else {
        return;
    };
    for d in rd.flatten() {
        if d.metadata().is_ok_and(|m| m.is_file() && m.nlink() == 1) {
            let _ = fs::remove_file(d.path());
        }
    }
}

/// Removes history versions older than `keep_days` (never the one in force).
pub fn prune(out: &Path, profile: &str, now: i64, keep_days: u64) {
    let hist = out.join(".history").join(profile);
    let current = fs::read_link(out.join(profile)).ok();
    let Ok(rd) = fs::read_dir(&hist) else { return };
    for d in rd.flatten() {
        let rel = Path::new(".history").join(profile).join(d.file_name());
        if Some(&rel) == current.as_ref() {
            continue;
        }
        if let Ok(m) = read_meta(&d.path().join(COMPILED)) {
            if now - m.time > keep_days as i64 * 86_400 {
                let _ = fs::remove_dir_all(d.path());
            }
        }
    }
}

/// Every version of a profile in the history, oldest first.
pub fn history(out: &Path, profile: &str) -> Vec<(PathBuf, Meta)> {
    let hist = out.join(".history").join(profile);
    let mut v: Vec<(PathBuf, Meta)> = fs::read_dir(&hist)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|d| {
            let p = d.path();
            let m = read_meta(&p.join(COMPILED)).ok()?;
            Some((p, m))
        })
        .collect();
    v.sort_by_key(|(_, m)| (m.time, m.serial));
    v
}
