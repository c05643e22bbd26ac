//! Publishing a compiled profile: circuit breaker against the last
//! published version, then every output written into a fresh version
//! directory, synced, and switched into place with one rename.
//!
//! The directory's layout is [`super::layout`]'s. A reader that opens
//! `OUT/P/block-in.txt` gets a file of the version the link named when it
//! looked, never a mix of two runs. A run writes every version first, syncs
//! the file system once, then switches the links. Versions that are no
//! longer in force keep only [`layout::KEPT`] (the history `tl-query --at`
//! answers from) and are pruned by age; a basis no version links is
//! removed.

use super::compile::{lines, Compiled, Hold, Rules};
use super::config::Profile;
use super::layout::{self, OutDir};
use super::Error;
use crate::artifact::{Artifact, ArtifactWriter};
use crate::error::InputError;
use crate::set::count::human;
use crate::set::{IpSet, ListPrinter};
use serde::{Deserialize, Serialize};
use std::fs::{self, File};
use std::path::{Path, PathBuf};

/// The compiled list's artifact kind and version.
pub const KIND: [u8; 4] = *b"TLPL";
/// 2: rules and a basis instead of a provenance row per evidence entry.
pub const MAJOR: u16 = 2;

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

/// Reads a version's `compiled.tlc`.
pub fn read_version(path: &Path) -> Result<Version, InputError> {
    let a = Artifact::read(path, KIND, MAJOR)?;
    let e = |e: crate::artifact::ArtifactError| InputError::from(e.in_file(path));
    Ok(Version {
        meta: a.record(*b"meta").map_err(&e)?,
        rules: a.record(*b"rule").map_err(&e)?,
        block_in: a.ip_set(*b"bin").map_err(&e)?,
        block_out: a.ip_set(*b"bou").map_err(&e)?,
        allow: a.ip_set(*b"alw").map_err(&e)?,
    })
}

/// A version's metadata alone, without reading its lists.
pub fn read_meta(path: &Path) -> Result<Meta, Error> {
    Artifact::read_record(path, KIND, MAJOR, *b"meta").map_err(Error::Artifact)
}

/// The exclusive publication lock of an output directory; released when
/// dropped or when the process dies.
pub type Lock = crate::files::Lock;

pub fn lock(out: &OutDir) -> Result<Lock, Error> {
    fs::create_dir_all(out.root()).map_err(|e| Error::io(out.root(), e))?;
    let p = out.lock();
    crate::files::lock(&p)
        .map_err(|e| Error::io(&p, e))?
        .ok_or(Error::Locked(p))
}

/// The version in force for a profile, if any.
pub fn current(out: &OutDir, profile: &str) -> Result<Option<Version>, InputError> {
    let p = out.current_file(profile, layout::COMPILED);
    if !p.exists() {
        return Ok(None);
    }
    read_version(&p).map(Some)
}

/// Why the circuit breaker holds the new list back, if it does.
pub fn breaker(p: &Profile, prev: Option<&Version>, new_lines: u64) -> Option<Hold> {
    let old = prev?.meta.lines;
    if old == 0 {
        return None;
    }
    let change = (new_lines as f64 - old as f64) / old as f64 * 100.0;
    let message = if -change > p.guards.max_shrink {
        format!(
            "the list would shrink by {:.1} % ({old} → {new_lines} entries; bound {} %)",
            -change, p.guards.max_shrink
        )
    } else if change > p.guards.max_grow {
        format!(
            "the list would grow by {:.1} % ({old} → {new_lines} entries; bound {} %)",
            change, p.guards.max_grow
        )
    } else {
        return None;
    };
    Some(Hold::new(super::compile::Guard::CircuitBreaker, message))
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

/// The files of one version, by name, and its summary line; `digest` is
/// the version's [`super::explain::digest`].
pub fn render(
    p: &Profile,
    c: &Compiled,
    prev: Option<&Version>,
    serial: u64,
    now: i64,
    digest: u32,
) -> (Vec<(&'static str, Vec<u8>)>, String) {
    let names = |v: &[String]| -> Vec<u8> {
        v.iter()
            .flat_map(|d| format!("{d}\n").into_bytes())
            .collect()
    };
    let mut files: Vec<(&'static str, Vec<u8>)> = vec![
        (layout::BLOCK_IN, list_bytes(&c.block_in)),
        (layout::BLOCK_OUT, list_bytes(&c.block_out)),
        (layout::ALLOW, list_bytes(&c.allow)),
        (layout::DOMAINS, names(&c.domains)),
        (layout::ALLOW_DOMAINS, names(&c.allow_domains)),
    ];
    if let Some(formats) = formats_bytes(p) {
        files.push((layout::FORMATS, formats));
    }
    files.push((layout::PROVENANCE, provenance_bytes(c)));
    files.push((layout::COMPILED, compiled_bytes(p, c, serial, now)));
    files.push((layout::EVIDENCE, format!("{digest:08x}\n").into_bytes()));
    let (diff, added, removed) = diff_bytes(c, prev);
    files.push((layout::DIFF, diff));
    // Each list's size with the families apart; +added/-removed are the
    // lines of the lists (entries and domains) against the version before.
    let summary = format!(
        "{}: serial {serial}: block-in {}; block-out {}; allow {}; domains {}; lines +{added} -{removed} since the last version; left out {}",
        p.name,
        human(&c.block_in),
        human(&c.block_out),
        human(&c.allow),
        c.domains.len(),
        c.left_out,
    );
    files.push((layout::SUMMARY, format!("{summary}\n").into_bytes()));
    (files, summary)
}

/// `formats.txt`, when the profile names formats: `tl-zone` publishes the
/// profile in those.
fn formats_bytes(p: &Profile) -> Option<Vec<u8>> {
    (!p.formats.is_empty()).then(|| layout::formats_text(&p.formats))
}

/// Whether a compiled profile says what the version in force `prev` says:
/// the same lists, domains, rules and formats, and the same evidence
/// `digest` ([`super::explain::digest`]). A version without the digest
/// (written by an older build) or whose files cannot be read never is.
pub fn unchanged(out: &OutDir, p: &Profile, c: &Compiled, prev: &Version, digest: u32) -> bool {
    let read = |file: &str| match fs::read(out.current_file(&p.name, file)) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(_) => Err(()),
    };
    let same_digest = || {
        let Ok(Some(b)) = read(layout::EVIDENCE) else {
            return false;
        };
        let text = String::from_utf8_lossy(&b);
        let hex = text.trim_end_matches('\n');
        hex.len() == 8
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
            && u32::from_str_radix(hex, 16) == Ok(digest)
    };
    c.block_in == prev.block_in
        && c.block_out == prev.block_out
        && c.allow == prev.allow
        && c.domains == prev.meta.domains
        && c.allow_domains == prev.meta.allow_domains
        && c.rules == prev.rules
        && read(layout::FORMATS) == Ok(formats_bytes(p))
        && same_digest()
}

/// `provenance.csv`: the profile's own rows.
fn provenance_bytes(c: &Compiled) -> Vec<u8> {
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
    prov
}

/// `compiled.tlc`: the version's metadata, rules and lists.
fn compiled_bytes(p: &Profile, c: &Compiled, serial: u64, now: i64) -> Vec<u8> {
    let meta = Meta {
        profile: p.name.clone(),
        serial,
        time: now,
        lines: (lines(&c.block_in) + lines(&c.block_out)) as u64,
        domains: c.domains.clone(),
        allow_domains: c.allow_domains.clone(),
    };
    let mut w = ArtifactWriter::new(KIND, MAJOR, 0);
    w.record(*b"meta", &meta)
        .record(*b"rule", &c.rules)
        .ip_set(*b"bin", &c.block_in)
        .ip_set(*b"bou", &c.block_out)
        .ip_set(*b"alw", &c.allow);
    w.to_bytes()
}

/// `diff.txt` against the version in force, with the lines added and
/// removed.
fn diff_bytes(c: &Compiled, prev: Option<&Version>) -> (Vec<u8>, usize, usize) {
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
    (diff, added, removed)
}

/// Flushes everything written to the file system holding `dir`.
pub fn sync_fs(dir: &Path) -> Result<(), Error> {
    use std::os::unix::io::AsRawFd;
    let f = File::open(dir).map_err(|e| Error::io(dir, e))?;
    // SAFETY: syncfs on a descriptor this function owns.
    if unsafe { libc::syncfs(f.as_raw_fd()) } != 0 {
        return Err(Error::io(dir, std::io::Error::last_os_error()));
    }
    Ok(())
}

/// Stores a run's basis under `OUT/.basis/` (once: the name is its time
/// and checksum) and returns its path.
pub fn store_basis(out: &OutDir, bytes: &[u8], now: i64) -> Result<PathBuf, Error> {
    fs::create_dir_all(out.bases()).map_err(|e| Error::io(out.bases(), e))?;
    let path = out.basis(now, crc32fast::hash(bytes));
    // The same name is the same content (an earlier run at the same time
    // of the same scores), unless a crash left it short.
    if fs::metadata(&path).map_or(true, |m| m.len() != bytes.len() as u64) {
        let tmp = out.basis_staging();
        let write = || -> std::io::Result<()> {
            let mut f = File::create(&tmp)?;
            std::io::Write::write_all(&mut f, bytes)?;
            f.sync_all()
        };
        write().map_err(|e| Error::io(&tmp, e))?;
        fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
    }
    Ok(path)
}

/// The serial after every version a profile has had.
pub fn next_serial(out: &OutDir, profile: &str) -> u64 {
    fs::read_dir(out.history(profile))
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
    out: &OutDir,
    profile: &str,
    files: &[(&'static str, Vec<u8>)],
) -> Result<PathBuf, Error> {
    let hist = out.history(profile);
    fs::create_dir_all(&hist).map_err(|e| Error::io(&hist, e))?;
    remove_leftovers(out, profile);
    let tmp = out.staging(profile);
    fs::create_dir(&tmp).map_err(|e| Error::io(&tmp, e))?;
    for (name, bytes) in files {
        let p = tmp.join(name);
        fs::write(&p, bytes).map_err(|e| Error::io(&p, e))?;
    }
    Ok(tmp)
}

/// Links the run's basis into a staged version.
pub fn link_basis(tmp: &Path, basis: &Path) -> Result<(), Error> {
    let link = tmp.join(layout::BASIS);
    fs::hard_link(basis, &link).map_err(|e| Error::io(&link, e))
}

/// Makes a staged version `serial` and switches `OUT/P` to it.
pub fn switch(out: &OutDir, profile: &str, serial: u64, tmp: &Path) -> Result<(), Error> {
    let dest = out.version(profile, serial);
    if dest.exists() {
        fs::remove_dir_all(&dest).map_err(|e| Error::io(&dest, e))?;
    }
    fs::rename(tmp, &dest).map_err(|e| Error::io(&dest, e))?;
    let link = out.current(profile);
    if let Ok(m) = fs::symlink_metadata(&link) {
        if !m.file_type().is_symlink() {
            return Err(Error::NotOurLink(link));
        }
    }
    let previous = fs::read_link(&link).ok();
    let tmp_link = out.next_link(profile);
    let _ = fs::remove_file(&tmp_link);
    let target = OutDir::version_target(profile, Some(serial));
    std::os::unix::fs::symlink(&target, &tmp_link).map_err(|e| Error::io(&tmp_link, e))?;
    fs::rename(&tmp_link, &link).map_err(|e| Error::io(&link, e))?;

    // The version no longer in force keeps what history needs.
    if let Some(prev) = previous.filter(|p| *p != target) {
        let dir = out.root().join(prev);
        if let Ok(rd) = fs::read_dir(&dir) {
            for f in rd.flatten() {
                if !layout::KEPT.iter().any(|k| f.file_name() == *k) {
                    let _ = fs::remove_file(f.path());
                }
            }
        }
    }
    Ok(())
}

/// Removes the bases no version links any more, and bases a run that died
/// left half written. Call with the lock held.
pub fn prune_bases(out: &OutDir) {
    use std::os::unix::fs::MetadataExt;
    let Ok(rd) = fs::read_dir(out.bases()) else {
        return;
    };
    for d in rd.flatten() {
        let staging = OutDir::is_staging(&d.file_name().to_string_lossy());
        if d.metadata()
            .is_ok_and(|m| m.is_file() && (m.nlink() == 1 || staging))
        {
            let _ = fs::remove_file(d.path());
        }
    }
}

/// Removes what this run wrote for `profile` and did not put in force (a
/// staged version, a next link), after a failure: a full disk leaves no
/// half-written version behind. Call with the lock held.
pub fn discard(out: &OutDir, profile: &str) {
    let _ = fs::remove_dir_all(out.staging(profile));
    let _ = fs::remove_file(out.next_link(profile));
    let _ = fs::remove_file(out.basis_staging());
}

/// Removes the versions and next links a run that died left half written
/// for a profile (never in force). Call with the lock held.
fn remove_leftovers(out: &OutDir, profile: &str) {
    if let Ok(rd) = fs::read_dir(out.history(profile)) {
        for d in rd.flatten() {
            if OutDir::is_staging(&d.file_name().to_string_lossy()) {
                let _ = fs::remove_dir_all(d.path());
            }
        }
    }
    if let Ok(rd) = fs::read_dir(out.root()) {
        for d in rd.flatten() {
            if OutDir::is_next_link(&d.file_name().to_string_lossy(), profile) {
                let _ = fs::remove_file(d.path());
            }
        }
    }
}

/// Removes history versions older than `keep_days` (never the one in
/// force) and what a run that died left; call with the lock held, after
/// the run's versions are switched.
pub fn prune(out: &OutDir, profile: &str, now: i64, keep_days: u64) {
    remove_leftovers(out, profile);
    let current = fs::read_link(out.current(profile)).ok();
    let Ok(rd) = fs::read_dir(out.history(profile)) else {
        return;
    };
    for d in rd.flatten() {
        let rel = OutDir::version_target(profile, None).join(d.file_name());
        if Some(&rel) == current.as_ref() {
            continue;
        }
        if let Ok(m) = read_meta(&d.path().join(layout::COMPILED)) {
            if now - m.time > keep_days as i64 * 86_400 {
                let _ = fs::remove_dir_all(d.path());
            }
        }
    }
}

/// Every version of a profile in the history, oldest first.
pub fn history(out: &OutDir, profile: &str) -> Vec<(PathBuf, Meta)> {
    let mut v: Vec<(PathBuf, Meta)> = fs::read_dir(out.history(profile))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|d| {
            let p = d.path();
            let m = read_meta(&p.join(layout::COMPILED)).ok()?;
            Some((p, m))
        })
        .collect();
    v.sort_by_key(|(_, m)| (m.time, m.serial));
    v
}
