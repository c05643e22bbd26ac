//! Customer profiles: the profile file ([`config`]), compilation with the
//! safety guards ([`compile`]), atomic publication with history
//! ([`publish`]) and the forensic look-up ([`query`]). `docs/profiles.md`
//! documents the file and the outputs.

pub mod basis;
pub mod compile;
pub mod config;
pub mod explain;
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
                .map_err(|e| format!("{a}: {}", crate::error::describe_io(&e)))?;
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
pub fn run(r: &Run) -> Result<crate::error::Verdict, String> {
    let mut profiles = Vec::new();
    for f in profile_files(&r.profiles)? {
        profiles.push(load(&f)?);
    }
    let mut names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
    names.sort();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("two profiles are named '{}'", w[0]));
    }
    // The geo tables build while the scores are read.
    let (country, asn, rows, builder) = std::thread::scope(|sc| {
        let tables = sc.spawn(|| {
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
            Ok::<_, String>((country, asn))
        });
        let read = read_scores(&r.scores);
        let tables = tables.join().expect("the geo thread panicked");
        let (rows, builder) = read?;
        let (country, asn) = tables?;
        Ok::<_, String>((country, asn, rows, builder))
    })?;
    if rows == 0 {
        return Err(format!(
            "{}: no scores at all (did every feed fail?); nothing published",
            r.scores
        ));
    }
    let (basis, feed_newest) = builder.finish();
    let inputs = Inputs::from_basis(basis, feed_newest, country.as_ref(), asn.as_ref(), r.now);

    // Errors a profile can have are found before anything is published.
    for p in &profiles {
        compile::check(p, &inputs)?;
    }
    // Every policy network once, before the basis is stored.
    for p in &profiles {
        for g in &p.geo {
            for (key, ..) in compile::policy_keys(g) {
                inputs.policy_set(&key);
            }
        }
    }
    let _lock = publish::lock(&r.out)?;
    // Profiles are independent: as many compile at once as there are
    // cores, each writing its version into its history, while the basis
    // is stored; then the versions are linked to the basis, synced once and
    // switched into force, in profile order.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(profiles.len())
        .max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<Result<Outcome, String>>>> = profiles
        .iter()
        .map(|_| std::sync::Mutex::new(None))
        .collect();
    let basis = std::thread::scope(|sc| {
        let inputs = &inputs;
        let basis = sc.spawn(move || {
            let sets = inputs.policy_sets();
            let bytes = inputs
                .basis
                .to_artifact(sets.iter().map(|(k, s)| (k, &**s)))
                .to_bytes();
            publish::store_basis(&r.out, &bytes, r.now)
        });
        for _ in 0..threads {
            sc.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(p) = profiles.get(i) else { break };
                let o = prepare(r, p, inputs);
                let failed = o.is_err();
                *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(o);
                if failed {
                    // Stop the others early: the run fails anyway.
                    next.store(usize::MAX / 2, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
        basis.join().expect("the basis thread panicked")
    })?;
    let mut status = crate::error::Verdict::Done;
    let mut stdout = String::new();
    let mut staged: Vec<(&str, u64, PathBuf)> = Vec::new();
    for (p, o) in profiles.iter().zip(results) {
        let Some(o) = o.into_inner().unwrap_or_else(|e| e.into_inner()) else {
            continue;
        };
        let o = o?;
        for m in &o.messages {
            eprintln!("tl-compile: {}: {m}", p.name);
        }
        match o.staged {
            Some((serial, tmp, summary)) => {
                publish::link_basis(&tmp, &basis)?;
                staged.push((&p.name, serial, tmp));
                stdout.push_str(&summary);
                stdout.push('\n');
            }
            None => status = crate::error::Verdict::No,
        }
    }
    // One sync for every file of every version, then the switches.
    publish::sync_fs(&r.out)?;
    for (name, serial, tmp) in &staged {
        publish::switch(&r.out, name, *serial, tmp)?;
    }
    publish::sync_fs(&r.out)?;
    for (name, ..) in &staged {
        publish::prune(&r.out, name, r.now, r.keep_days);
    }
    publish::prune_bases(&r.out);
    if !r.quiet {
        use std::io::Write;
        let _ = std::io::stdout().lock().write_all(stdout.as_bytes());
    }
    Ok(status)
}

/// Reads the scores into a basis builder. A large plain file is read as
/// two parts on two threads, cut at a line end outside quotes, and the
/// parts joined: the same basis, line numbers and first error as one read.
fn read_scores(name: &str) -> Result<(usize, basis::BasisBuilder), String> {
    use std::io::Read;
    let io = |e: std::io::Error| format!("{name}: {}", crate::error::describe_io(&e));
    let mut input = crate::files::input::open(name).map_err(io)?;
    let one = |reader: &mut dyn Read, offset: u64| {
        let mut b = basis::BasisBuilder::default();
        let rows = scores::read_each(name, reader, offset, |s| b.push(&s))?;
        Ok::<_, String>((rows, b))
    };
    if input.gzip || input.size.is_none_or(|s| s < 1 << 23) {
        return one(&mut input.reader, 0);
    }
    let mut bytes = Vec::new();
    input.reader.read_to_end(&mut bytes).map_err(io)?;
    let header = memchr::memchr(b'\n', &bytes).map_or(bytes.len(), |i| i + 1);
    let cut = memchr::memchr(b'\n', &bytes[bytes.len() / 2..]).map(|i| bytes.len() / 2 + i + 1);
    let quotes = |b: &[u8]| memchr::memchr_iter(b'"', b).count();
    let Some(cut) = cut.filter(|&c| c > header && quotes(&bytes[..c]) % 2 == 0) else {
        return one(&mut &bytes[..], 0);
    };
    // The second part reads the header again: its first row is line 2
    // there, line (lines of the first part) + 1 in the file.
    let offset = memchr::memchr_iter(b'\n', &bytes[..cut]).count() as u64 - 1;
    let (first, second) = std::thread::scope(|sc| {
        let second = sc.spawn(|| one(&mut bytes[..header].chain(&bytes[cut..]), offset));
        let first = one(&mut &bytes[..cut], 0);
        (first, second.join().expect("a scores thread panicked"))
    });
    let (rows, mut b) = first?;
    let (more, rest) = second?;
    b.append(rest);
    Ok((rows + more, b))
}

/// What compiling one profile came to.
struct Outcome {
    /// For stderr, in order: notes (unless quiet), holds.
    messages: Vec<String>,
    /// The staged version: serial, directory, summary; `None` when a guard
    /// held it back.
    staged: Option<(u64, PathBuf, String)>,
}

/// Compiles one profile and writes its version into its history unless a
/// guard holds it back (then the version in force stays).
fn prepare(r: &Run, p: &Profile, inputs: &Inputs) -> Result<Outcome, String> {
    let c = compile(p, inputs)?;
    let mut messages = Vec::new();
    if !r.quiet {
        messages.extend(c.notes.iter().cloned());
    }
    let prev = publish::current(&r.out, &p.name)?;
    let new_lines = (compile::lines(&c.block_in) + compile::lines(&c.block_out)) as u64;
    let mut holds = c.refusals.clone();
    holds.extend(publish::breaker(p, prev.as_ref(), new_lines));
    if !holds.is_empty() {
        messages.extend(holds);
        if !r.force {
            messages.push(
                "not published; the last version stays (--force publishes anyway)".to_string(),
            );
            return Ok(Outcome {
                messages,
                staged: None,
            });
        }
    }
    // Past the newest in history too, so that a removed link never
    // makes a run overwrite an old version.
    let serial =
        publish::next_serial(&r.out, &p.name).max(prev.as_ref().map_or(1, |v| v.meta.serial + 1));
    let (files, summary) = publish::render(p, &c, prev.as_ref(), serial, r.now);
    let tmp = publish::stage(&r.out, &p.name, &files)?;
    Ok(Outcome {
        messages,
        staged: Some((serial, tmp, summary)),
    })
}
