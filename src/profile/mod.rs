//! Customer profiles: the profile file ([`config`]), compilation with the
//! safety guards ([`compile`]), atomic publication with history
//! ([`publish`]) into the directory [`layout`] describes, and the forensic
//! look-up ([`query`]). `docs/profiles.md` documents the file and the
//! outputs.
//!
//! The stage: [`compile()`](fn@compile) takes a [`CompilePlan`] and returns
//! a [`CompileReport`]: per profile, published or held back by a guard.

pub mod basis;
pub mod compile;
pub mod config;
mod error;
pub mod explain;
pub mod layout;
pub mod publish;
pub mod query;
pub mod scores;

pub use compile::{Compiled, Guard, Hold, Inputs};
pub use config::{load, Profile};
pub use error::Error;
pub use layout::Format;

use crate::error::{InputError, Verdict};
use crate::geo::{check_records, check_type, Database, GeoTable, Need};
use layout::OutDir;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What one `tl-compile` run is asked to do.
pub struct CompilePlan {
    /// The scores CSV (`-`: stdin).
    pub scores: String,
    /// Profile files, and directories whose `*.toml` files are profiles.
    pub profiles: Vec<String>,
    pub geo_db: Option<String>,
    pub asn_db: Option<String>,
    /// The output directory ([`layout`]).
    pub out: PathBuf,
    /// Publish even when a guard would hold a version back.
    pub force: bool,
    /// Unix seconds of the run.
    pub now: i64,
    /// Days of history kept per profile.
    pub keep_days: u64,
    /// Keep the version in force of a profile whose new version says the
    /// same ([`Outcome::Unchanged`]) instead of publishing it again under
    /// a new serial. `tl-compile` publishes every run (false); `tl-update`
    /// keeps (true), so that a run without new data changes nothing.
    pub keep_unchanged: bool,
}

/// What a run did.
#[derive(Debug)]
pub struct CompileReport {
    /// Per profile, in the order the profiles were given.
    pub profiles: Vec<ProfileReport>,
    /// Rows read from the scores.
    pub scores: usize,
}

/// What became of one profile.
#[derive(Debug)]
pub struct ProfileReport {
    pub name: String,
    /// Things the operator should know: refused entries, expired allow
    /// entries, what capacity left out or merged.
    pub notes: Vec<String>,
    /// What the guards found. Unless the run was forced, any hold keeps the
    /// version in force.
    pub holds: Vec<Hold>,
    pub outcome: Outcome,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A new version is in force.
    Published {
        serial: u64,
        /// One line: serial, lines and addresses per list, changes.
        summary: String,
    },
    /// A guard held the new version back; the last version stays.
    HeldBack,
    /// The new version says what the version in force says (the plan's
    /// `keep_unchanged`): nothing was published, `serial` stays in force.
    Unchanged { serial: u64 },
}

impl Outcome {
    /// The serial the run left in force; none when a guard held the
    /// profile back (the version in force, if any, is [`publish::current`]).
    pub fn serial(&self) -> Option<u64> {
        match self {
            Outcome::Published { serial, .. } | Outcome::Unchanged { serial } => Some(*serial),
            Outcome::HeldBack => None,
        }
    }
}

impl CompileReport {
    /// The profiles a guard held back.
    pub fn held_back(&self) -> usize {
        (self.profiles.iter())
            .filter(|p| p.outcome == Outcome::HeldBack)
            .count()
    }

    /// Done when every profile was published or kept unchanged, No when a
    /// guard held one back.
    pub fn verdict(&self) -> Verdict {
        if self.held_back() > 0 {
            Verdict::No
        } else {
            Verdict::Done
        }
    }
}

/// Compiles and publishes every profile: profiles and inputs read and
/// checked (errors here publish nothing), every profile compiled and its
/// version written into its history while the run's basis is stored, then
/// the versions switched into force together.
pub fn compile(plan: &CompilePlan) -> Result<CompileReport, Error> {
    let profiles = load_profiles(&plan.profiles)?;
    let read = read_inputs(plan)?;
    let inputs = Inputs::from_basis(
        read.basis,
        read.feed_newest,
        read.country.as_ref(),
        read.asn.as_ref(),
        plan.now,
    );
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
    let out = OutDir::new(&plan.out);
    let _lock = publish::lock(&out)?;
    let run = stage_all(plan, &out, &profiles, &inputs).and_then(|(staged, basis)| {
        switch_all(plan, &out, &staged, basis.as_deref())?;
        Ok(staged)
    });
    let staged = run.inspect_err(|_| {
        // What was written and not put in force goes (a full disk).
        for p in &profiles {
            publish::discard(&out, &p.name);
        }
    })?;
    Ok(CompileReport {
        profiles: staged.into_iter().map(|(r, _)| r).collect(),
        scores: read.rows,
    })
}

/// Every profile of the plan, each name once.
pub fn load_profiles(args: &[String]) -> Result<Vec<Profile>, Error> {
    let mut profiles = Vec::new();
    for f in profile_files(args)? {
        profiles.push(load(&f)?);
    }
    let mut names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
    names.sort();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(Error::DuplicateName(w[0].to_string()));
    }
    Ok(profiles)
}

/// The profile files: files as given, directories' `*.toml` by name.
fn profile_files(args: &[String]) -> Result<Vec<PathBuf>, InputError> {
    let mut out = Vec::new();
    for a in args {
        let p = Path::new(a);
        if !p.is_dir() {
            out.push(p.to_path_buf());
            continue;
        }
        let rd = std::fs::read_dir(p).map_err(|e| InputError::io(a, &e))?;
        let mut v: Vec<PathBuf> = rd
            .flatten()
            .map(|d| d.path())
            .filter(|f| f.extension().is_some_and(|x| x == "toml"))
            .collect();
        v.sort();
        if v.is_empty() {
            return Err(InputError::file(
                a,
                "no profiles (*.toml) in this directory",
            ));
        }
        out.extend(v);
    }
    Ok(out)
}

/// The run's inputs as read.
struct Read {
    country: Option<GeoTable>,
    asn: Option<GeoTable>,
    rows: usize,
    basis: basis::Basis,
    feed_newest: HashMap<String, i64>,
}

/// Reads the scores while the geo tables build; no scores is an error.
fn read_inputs(plan: &CompilePlan) -> Result<Read, Error> {
    let (country, asn, rows, builder) = std::thread::scope(|sc| {
        let tables = sc.spawn(|| {
            let table =
                |db: &Option<String>, need| db.as_deref().map(|p| table(p, need)).transpose();
            Ok::<_, Error>((
                table(&plan.geo_db, Need::Country)?,
                table(&plan.asn_db, Need::Asn)?,
            ))
        });
        let read = read_scores(&plan.scores);
        let tables = tables.join().expect("the geo thread panicked");
        let (rows, builder) = read?;
        let (country, asn) = tables?;
        Ok::<_, Error>((country, asn, rows, builder))
    })?;
    let (basis, feed_newest) = builder.finish();
    Ok(Read {
        country,
        asn,
        rows,
        basis,
        feed_newest,
    })
}

/// A country or ASN table from a database, checked for what it must hold.
fn table(path: &str, need: Need) -> Result<GeoTable, Error> {
    let db = Database::open(Path::new(path))?;
    check_type(&db, need)?;
    let t = GeoTable::build(&db)?;
    check_records(&db, &t, need)?;
    Ok(t)
}

/// Reads the scores into a basis builder. A large plain file is read as
/// two parts on two threads, cut at a line end outside quotes, and the
/// parts joined: the same basis, line numbers and first error as one read.
fn read_scores(name: &str) -> Result<(usize, basis::BasisBuilder), InputError> {
    use std::io::Read;
    let io = |e: std::io::Error| InputError::io(name, &e);
    let mut input = crate::files::input::open(name).map_err(io)?;
    let one = |reader: &mut dyn Read, offset: u64| {
        let mut b = basis::BasisBuilder::default();
        let rows = scores::read_each(name, reader, offset, |s| b.push(&s))?;
        Ok::<_, InputError>((rows, b))
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

/// A profile's report and, when published, its staged version.
type Staged = (ProfileReport, Option<PathBuf>);

/// Profiles are independent: they compile on the worker pool, each
/// writing its version into its history, while the basis is serialized
/// (and, unless the plan keeps unchanged versions, stored) on its own
/// thread. Returns the staged versions and the stored basis's path: none
/// when no version was staged and the plan keeps unchanged versions, so
/// that a run without changes writes nothing.
fn stage_all(
    plan: &CompilePlan,
    out: &OutDir,
    profiles: &[Profile],
    inputs: &Inputs,
) -> Result<(Vec<Staged>, Option<PathBuf>), Error> {
    std::thread::scope(|sc| {
        let basis = sc.spawn(|| {
            let sets = inputs.policy_sets();
            let bytes = inputs
                .basis
                .to_artifact(sets.iter().map(|(k, s)| (k, &**s)))
                .to_bytes();
            if plan.keep_unchanged {
                return Ok((bytes, None));
            }
            let path = publish::store_basis(out, &bytes, plan.now)?;
            Ok::<_, Error>((Vec::new(), Some(path)))
        });
        let staged = crate::pool::try_map(profiles, |p| stage(plan, out, p, inputs));
        let (bytes, stored) = basis.join().expect("the basis thread panicked")?;
        let staged = staged?;
        let basis = match stored {
            None if staged.iter().any(|(_, tmp)| tmp.is_some()) => {
                Some(publish::store_basis(out, &bytes, plan.now)?)
            }
            stored => stored,
        };
        Ok((staged, basis))
    })
}

/// Compiles one profile and writes its version into its history unless a
/// guard holds it back (then the version in force stays).
fn stage(plan: &CompilePlan, out: &OutDir, p: &Profile, inputs: &Inputs) -> Result<Staged, Error> {
    let c = compile::compile(p, inputs)?;
    let prev = publish::current(out, &p.name)?;
    let new_lines = (compile::lines(&c.block_in) + compile::lines(&c.block_out)) as u64;
    let mut holds = c.refusals.clone();
    if inputs.basis.items.is_empty() && inputs.basis.domains.is_empty() && compile::uses_evidence(p)
    {
        holds.push(Hold::new(
            Guard::NoScores,
            format!(
                "the scores ({}) hold no rows (did every feed fail?), and this profile lists \
                 evidence: its lists would lose all of it",
                plan.scores
            ),
        ));
    }
    holds.extend(publish::breaker(p, prev.as_ref(), new_lines));
    let mut report = ProfileReport {
        name: p.name.clone(),
        notes: c.notes.clone(),
        holds,
        outcome: Outcome::HeldBack,
    };
    if !report.holds.is_empty() && !plan.force {
        return Ok((report, None));
    }
    let digest = explain::digest(
        &inputs.basis,
        &inputs.ranking,
        &c.rules,
        [&c.block_in, &c.block_out],
        &c.provenance,
        &|key| inputs.policy_set(key),
    );
    if let Some(v) = prev.as_ref().filter(|_| plan.keep_unchanged) {
        if publish::unchanged(out, p, &c, v, digest) {
            report.outcome = Outcome::Unchanged {
                serial: v.meta.serial,
            };
            return Ok((report, None));
        }
    }
    // Past the newest in history too, so that a removed link never
    // makes a run overwrite an old version.
    let serial =
        publish::next_serial(out, &p.name).max(prev.as_ref().map_or(1, |v| v.meta.serial + 1));
    let (files, summary) = publish::render(p, &c, prev.as_ref(), serial, plan.now, digest);
    let tmp = publish::stage(out, &p.name, &files)?;
    report.outcome = Outcome::Published { serial, summary };
    Ok((report, Some(tmp)))
}

/// Links the basis into every staged version, syncs the file system once,
/// switches the versions into force in profile order, syncs again and
/// prunes what is too old (also of the profiles kept unchanged) or no
/// longer linked. With nothing staged, nothing is synced.
fn switch_all(
    plan: &CompilePlan,
    out: &OutDir,
    staged: &[Staged],
    basis: Option<&Path>,
) -> Result<(), Error> {
    let versions: Vec<(&str, u64, &Path)> = (staged.iter())
        .filter_map(|(r, tmp)| match (&r.outcome, tmp) {
            (Outcome::Published { serial, .. }, Some(tmp)) => {
                Some((r.name.as_str(), *serial, tmp.as_path()))
            }
            _ => None,
        })
        .collect();
    // stage_all stored a basis when it staged a version.
    if let Some(basis) = basis.filter(|_| !versions.is_empty()) {
        for (_, _, tmp) in &versions {
            publish::link_basis(tmp, basis)?;
        }
        publish::sync_fs(out.root())?;
        for (name, serial, tmp) in &versions {
            publish::switch(out, name, *serial, tmp)?;
        }
        publish::sync_fs(out.root())?;
    }
    for (r, _) in staged {
        match r.outcome {
            Outcome::Published { .. } | Outcome::Unchanged { .. } => {
                publish::prune(out, &r.name, plan.now, plan.keep_days)
            }
            Outcome::HeldBack => {}
        }
    }
    publish::prune_bases(out);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "indicator,type,score,categories,feeds,first_seen,last_seen,hits,sensors\n";

    /// Two profiles on the same scores; `guarded` has a canary the
    /// evidence lists, so a guard holds it back and `open` is published.
    #[test]
    fn the_report_says_what_was_published_and_what_a_guard_held_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = |f: &str| dir.path().join(f);
        let row = "20.0.0.5,ip,3.000,scanner,f,2026-11-27T00:00:00Z,2026-11-27T00:00:00Z,1,0\n";
        std::fs::write(path("scores.csv"), format!("{HEADER}{row}")).unwrap();
        let evidence = "[evidence]\nmin_score = 1\ndirection = \"inbound\"\n";
        std::fs::write(path("open.toml"), format!("name = \"open\"\n{evidence}")).unwrap();
        std::fs::write(
            path("guarded.toml"),
            format!("name = \"guarded\"\n{evidence}[guards]\ncanaries = [\"20.0.0.5\"]\n"),
        )
        .unwrap();
        let text = |p: PathBuf| p.to_string_lossy().into_owned();
        let mut plan = CompilePlan {
            scores: text(path("scores.csv")),
            profiles: vec![text(path("open.toml")), text(path("guarded.toml"))],
            geo_db: None,
            asn_db: None,
            out: path("out"),
            force: false,
            now: crate::time::parse_arg("2026-11-27T14:00:00Z").unwrap(),
            keep_days: 400,
            keep_unchanged: false,
        };
        let report = compile(&plan).unwrap();
        assert_eq!(report.scores, 1);
        assert_eq!(report.verdict(), Verdict::No);
        assert_eq!(report.held_back(), 1);
        let [open, guarded] = &report.profiles[..] else {
            panic!("{report:?}")
        };
        assert_eq!(open.name, "open");
        assert!(open.holds.is_empty() && open.notes.is_empty());
        assert_eq!(
            open.outcome,
            Outcome::Published {
                serial: 1,
                summary: "open: serial 1: block-in 1 prefix · 1 IPv4 address; block-out 0 \
                          prefixes; allow 0 prefixes; domains 0; lines +1 -0 since the last \
                          version; left out 0"
                    .into()
            }
        );
        assert_eq!(guarded.name, "guarded");
        assert_eq!(guarded.outcome, Outcome::HeldBack);
        assert_eq!(
            guarded.holds,
            [Hold::new(
                Guard::Canary,
                format!(
                    "canary 20.0.0.5 ({}:6) would be on block-in: entry 20.0.0.5 \
                     (feed f, category scanner, score 3.000); to keep it off the lists, \
                     allow it in the profile ([[allow]] entries = [\"20.0.0.5\"])",
                    path("guarded.toml").display()
                )
            )]
        );
        let out = OutDir::new(&plan.out);
        assert!(out.current_file("open", layout::BLOCK_IN).is_file());
        assert!(!out.current("guarded").exists());

        // Forced, the held-back profile is published, its hold still said.
        plan.force = true;
        let report = compile(&plan).unwrap();
        assert_eq!(report.verdict(), Verdict::Done);
        let guarded = &report.profiles[1];
        assert_eq!(guarded.holds.len(), 1);
        assert!(matches!(
            guarded.outcome,
            Outcome::Published { serial: 1, .. }
        ));
        assert!(out.current_file("guarded", layout::BLOCK_IN).is_file());
    }

    /// Every path under `dir` with what it is: a link's target, a file's
    /// size, and every modification time (a directory's changes when a
    /// name is added or removed in it).
    fn listing(dir: &Path) -> Vec<(PathBuf, String, std::time::SystemTime)> {
        let mut out = Vec::new();
        let mut todo = vec![dir.to_path_buf()];
        while let Some(d) = todo.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let m = std::fs::symlink_metadata(e.path()).unwrap();
                let what = if m.is_symlink() {
                    format!("-> {}", std::fs::read_link(e.path()).unwrap().display())
                } else if m.is_dir() {
                    todo.push(e.path());
                    "dir".into()
                } else {
                    format!("{} bytes", m.len())
                };
                out.push((e.path(), what, m.modified().unwrap()));
            }
        }
        out.push((
            dir.into(),
            "dir".into(),
            dir.metadata().unwrap().modified().unwrap(),
        ));
        out.sort();
        out
    }

    /// A run that keeps unchanged versions publishes one only when the
    /// lists, rules, formats or the names of the listed evidence change;
    /// a changed score alone changes nothing on disk.
    #[test]
    fn a_run_without_changes_keeps_the_version_in_force() {
        let dir = tempfile::tempdir().unwrap();
        let path = |f: &str| dir.path().join(f);
        let scores = |rows: &[(&str, &str, &str)]| {
            let mut t = HEADER.to_string();
            for (ip, score, cat) in rows {
                t.push_str(&format!(
                    "{ip},ip,{score},{cat},f,2026-11-27T00:00:00Z,2026-11-27T00:00:00Z,1,0\n"
                ));
            }
            std::fs::write(path("scores.csv"), t).unwrap();
        };
        let profile = |name: &str, extra: &str| {
            std::fs::write(
                path(&format!("{name}.toml")),
                format!(
                    "name = \"{name}\"\n{extra}[evidence]\nmin_score = 1\ndirection = \"inbound\"\n"
                ),
            )
            .unwrap();
        };
        profile("p", "");
        // Held back on every run: the guard comes first.
        std::fs::write(
            path("g.toml"),
            "name = \"g\"\n[evidence]\nmin_score = 1\n[guards]\ncanaries = [\"20.0.0.5\"]\n",
        )
        .unwrap();
        scores(&[
            ("20.0.0.5", "3.000", "scanner"),
            ("20.0.0.9", "2.000", "scanner"),
        ]);
        let text = |p: PathBuf| p.to_string_lossy().into_owned();
        let now = crate::time::parse_arg("2026-11-27T14:00:00Z").unwrap();
        let mut plan = CompilePlan {
            scores: text(path("scores.csv")),
            profiles: vec![text(path("p.toml")), text(path("g.toml"))],
            geo_db: None,
            asn_db: None,
            out: path("out"),
            force: false,
            now,
            keep_days: 400,
            keep_unchanged: true,
        };
        let outcomes = |plan: &CompilePlan| -> Vec<Outcome> {
            let r = compile(plan).unwrap();
            assert_eq!(r.held_back(), 1);
            r.profiles.into_iter().map(|p| p.outcome).collect()
        };
        let serial_of = |o: &[Outcome]| o[0].serial().unwrap();
        let first = outcomes(&plan);
        assert_eq!(serial_of(&first), 1);
        assert_eq!(first[1], Outcome::HeldBack);
        let out = OutDir::new(&plan.out);
        assert_eq!(
            std::fs::read_to_string(out.current_file("p", layout::EVIDENCE))
                .unwrap()
                .len(),
            9
        );

        // An hour later the scores decayed: nothing is written, not even
        // the run's basis, and the verdict is Done but for the guard.
        scores(&[
            ("20.0.0.5", "2.900", "scanner"),
            ("20.0.0.9", "1.900", "scanner"),
        ]);
        plan.now = now + 3600;
        let before = listing(&plan.out);
        let again = outcomes(&plan);
        assert_eq!(again[0], Outcome::Unchanged { serial: 1 });
        assert_eq!(again[1], Outcome::HeldBack);
        assert_eq!(listing(&plan.out), before);
        let report = CompileReport {
            profiles: vec![ProfileReport {
                name: "p".into(),
                notes: Vec::new(),
                holds: Vec::new(),
                outcome: again[0].clone(),
            }],
            scores: 2,
        };
        assert_eq!(report.verdict(), Verdict::Done);

        // The same entries in another category: a zone classes them
        // apart, so it is a new version.
        scores(&[
            ("20.0.0.5", "2.900", "malware"),
            ("20.0.0.9", "1.900", "scanner"),
        ]);
        assert_eq!(serial_of(&outcomes(&plan)), 2);
        assert_eq!(outcomes(&plan)[0], Outcome::Unchanged { serial: 2 });

        // Another format, or another rule with the same lists: new too.
        profile("p", "formats = [\"apl\"]\n");
        assert_eq!(serial_of(&outcomes(&plan)), 3);
        profile("p", "formats = [\"apl\"]\n[guards]\nmax_grow = 500.0\n");
        assert_eq!(outcomes(&plan)[0], Outcome::Unchanged { serial: 3 });
        std::fs::write(
            path("p.toml"),
            "name = \"p\"\nformats = [\"apl\"]\n[evidence]\nmin_score = 1.5\ndirection = \"inbound\"\n",
        )
        .unwrap();
        assert_eq!(serial_of(&outcomes(&plan)), 4);
        assert_eq!(outcomes(&plan)[0], Outcome::Unchanged { serial: 4 });

        // A version without a digest (an older build's) counts as changed.
        std::fs::remove_file(out.current_file("p", layout::EVIDENCE)).unwrap();
        assert_eq!(serial_of(&outcomes(&plan)), 5);

        // Without keep_unchanged every run publishes, as tl-compile does.
        plan.keep_unchanged = false;
        assert!(matches!(
            outcomes(&plan)[0],
            Outcome::Published { serial: 6, .. }
        ));

        // An unchanged run still prunes the history by age, never the
        // version in force.
        plan.keep_unchanged = true;
        plan.now = now + 401 * 86_400;
        let dead = out.history("p").join(".tmp-1");
        std::fs::create_dir(&dead).unwrap();
        assert_eq!(outcomes(&plan)[0], Outcome::Unchanged { serial: 6 });
        assert!(!dead.exists(), "what a run that died left is removed");
        let left: Vec<u64> = publish::history(&out, "p")
            .iter()
            .map(|(_, m)| m.serial)
            .collect();
        assert_eq!(left, [6]);
        assert_eq!(
            std::fs::read_dir(out.bases()).unwrap().count(),
            1,
            "only the basis of the version in force"
        );
    }
}
