//! Customer profiles: the profile file ([`config`]), compilation with the
//! safety guards ([`compile`]), atomic publication with history
//! ([`publish`]) and the forensic look-up ([`query`]). `docs/profiles.md`
//! documents the file and the outputs.

pub mod compile;
pub mod config;
pub mod publish;
pub mod query;
pub mod scores;

pub use compile::{compile, Compiled, Inputs};
pub use config::{load, Profile};

use crate::geo::{check_records, check_type, Database, GeoTable, Need};
use std::path::{Path, PathBuf};

/// One `tl-compile` run.
pub struct Run {
    pub scores: String,
    /// Profile files, and directories whose `*.toml` files are profiles.
    pub profiles: Vec<String>,
    pub geo_db: Option<String>,
    pub asn_db: Option<String>,
    pub out: PathBuf,
    /// Publish even when the circuit breaker or a canary would hold back.
    pub force: bool,
    /// Unix seconds of the run.
    pub now: i64,
    pub keep_days: u64,
    pub quiet: bool,
}

fn profile_files(args: &[String]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for a in args {
        let p = Path::new(a);
        if p.is_dir() {
            let rd = std::fs::read_dir(p)
                .map_err(|e| format!("{a}: {}", crate::cli::describe_io(&e)))?;
            let mut v: Vec<PathBuf> = rd
                .flatten()
                .map(|d| d.path())
                .filter(|f| f.extension().is_some_and(|x| x == "toml"))
                .collect();
            v.sort();
            if v.is_empty() {
                return Err(format!("{a}: no profiles (*.toml) in this directory"));
            }
            out.extend(v);
        } else {
            out.push(p.to_path_buf());
        }
    }
    Ok(out)
}

fn table(path: &str, need: Need) -> Result<GeoTable, String> {
    let db = Database::open(Path::new(path)).map_err(|e| e.to_string())?;
    check_type(&db, need).map_err(|e| e.to_string())?;
    let t = GeoTable::build(&db).map_err(|e| e.to_string())?;
    check_records(&db, &t, need).map_err(|e| e.to_string())?;
    Ok(t)
}

/// Compiles and publishes every profile. Exit status: 0 all published,
/// 1 some held back by a guard (and not forced), errors are `Err`.
pub fn run(r: &Run) -> Result<u8, String> {
    let mut profiles = Vec::new();
    for f in profile_files(&r.profiles)? {
        profiles.push(load(&f)?);
    }
    let mut names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
    names.sort();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("two profiles are named '{}'", w[0]));
    }
    let input = crate::cli::input::open(&r.scores)
        .map_err(|e| format!("{}: {}", r.scores, crate::cli::describe_io(&e)))?;
    let scores = scores::read(&r.scores, input.reader)?;
    if scores.is_empty() {
        return Err(format!(
            "{}: no scores at all (did every feed fail?); nothing published",
            r.scores
        ));
    }
    let country = r
        .geo_db
        .as_deref()
        .map(|p| table(p, Need::Country))
        .transpose()?;
    let asn = r
        .asn_db
        .as_deref()
        .map(|p| table(p, Need::Asn))
        .transpose()?;
    let inputs = Inputs::new(&scores, country.as_ref(), asn.as_ref(), r.now);

    // Errors a profile can have are found before anything is published.
    for p in &profiles {
        compile::check(p, &inputs)?;
    }
    let _lock = publish::lock(&r.out)?;
    let mut status = crate::cli::EXIT_OK;
    let mut stdout = String::new();
    // Profiles are independent: compile as many at once as there are
    // cores, then publish them in profile order (memory: one batch).
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(profiles.len())
        .max(1);
    for batch in profiles.chunks(threads) {
        let compiled: Vec<Result<Compiled, String>> = std::thread::scope(|sc| {
            let workers: Vec<_> = batch
                .iter()
                .map(|p| {
                    let inputs = &inputs;
                    sc.spawn(move || compile(p, inputs))
                })
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().expect("a compile thread panicked"))
                .collect()
        });
        for (p, c) in batch.iter().zip(compiled) {
            let c = c?;
            if publish_one(r, p, &c, &mut stdout)? {
                status = crate::cli::EXIT_NO;
            }
        }
    }
    if !r.quiet {
        use std::io::Write;
        let _ = std::io::stdout().lock().write_all(stdout.as_bytes());
    }
    Ok(status)
}

/// Publishes one compiled profile unless a guard holds it back (then
/// returns true and the version in force stays).
fn publish_one(r: &Run, p: &Profile, c: &Compiled, stdout: &mut String) -> Result<bool, String> {
    for n in &c.notes {
        if !r.quiet {
            eprintln!("tl-compile: {}: {n}", p.name);
        }
    }
    let prev = publish::current(&r.out, &p.name)?;
    let new_lines = (compile::lines(&c.block_in) + compile::lines(&c.block_out)) as u64;
    let mut holds = c.refusals.clone();
    holds.extend(publish::breaker(p, prev.as_ref(), new_lines));
    if !holds.is_empty() {
        for h in &holds {
            eprintln!("tl-compile: {}: {h}", p.name);
        }
        if !r.force {
            eprintln!(
                "tl-compile: {}: not published; the last version stays (--force publishes anyway)",
                p.name
            );
            return Ok(true);
        }
    }
    // Past the newest in history too, so that a removed link never
    // makes a run overwrite an old version.
    let newest = publish::history(&r.out, &p.name)
        .iter()
        .map(|(_, m)| m.serial)
        .max();
    let serial = prev
        .as_ref()
        .map(|v| v.meta.serial)
        .max(newest)
        .map_or(1, |s| s + 1);
    let (files, summary) = publish::render(p, c, prev.as_ref(), serial, r.now);
    publish::publish(&r.out, &p.name, serial, &files)?;
    publish::prune(&r.out, &p.name, r.now, r.keep_days);
    stdout.push_str(&summary);
    stdout.push('\n');
    Ok(false)
}
