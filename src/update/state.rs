//! The state directory: what carries evidence from one run to the next.
//!
//! ```text
//! STATE/lock                    held (flock) for the whole run
//! STATE/feeds/cache/            feeds fetched over HTTP: last good copy, ETag
//! STATE/feeds/indicators/F.csv  each feed's rows as last read
//! STATE/geo/*.mmdb              databases built from the configured CSV
//! STATE/events/                 spool: sensor events waiting to be scored
//! STATE/runs/NNNNNN/            one run: state.tls, scores.csv, ledger.json
//! STATE/current                 link to the run in force
//! ```
//!
//! A run reads `current`, writes a new run directory, and switches
//! `current` to it in one rename; a run that stops before the switch
//! leaves the state as it was, so no evidence is ever counted twice.

use crate::files::{self, Lock};
use crate::logs::tally::SensorEvent;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Runs kept in `STATE/runs` (the one in force among them).
pub const KEEP_RUNS: usize = 30;

/// The files of one run directory.
pub const STATE_FILE: &str = "state.tls";
pub const SCORES_FILE: &str = "scores.csv";
pub const LEDGER_FILE: &str = "ledger.json";

/// The state directory's paths.
#[derive(Clone, Debug)]
pub struct StateDir {
    root: PathBuf,
}

impl StateDir {
    pub fn new(root: &Path) -> Self {
        StateDir {
            root: root.to_path_buf(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn lock_file(&self) -> PathBuf {
        self.root.join("lock")
    }

    pub fn feed_cache(&self) -> PathBuf {
        self.root.join("feeds/cache")
    }

    pub fn indicators(&self) -> PathBuf {
        self.root.join("feeds/indicators")
    }

    /// A feed's rows as last read.
    pub fn indicator_file(&self, feed: &str) -> PathBuf {
        self.indicators().join(format!("{feed}.csv"))
    }

    pub fn geo(&self) -> PathBuf {
        self.root.join("geo")
    }

    pub fn spool(&self) -> PathBuf {
        self.root.join("events")
    }

    pub fn runs(&self) -> PathBuf {
        self.root.join("runs")
    }

    pub fn current(&self) -> PathBuf {
        self.root.join("current")
    }

    /// The spool file of sensor events drawn from logs by `run`.
    pub fn spool_file(&self, run: &Path) -> PathBuf {
        let n = run.file_name().unwrap_or_default().to_string_lossy();
        self.spool().join(format!("logs-{n}.csv"))
    }

    /// Removes spool files of runs that were never put in force (numbered
    /// after `in_force`): their events are drawn again by the next run.
    pub fn drop_orphans(&self, in_force: Option<u64>) -> io::Result<()> {
        let rd = match fs::read_dir(self.spool()) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        for e in rd.flatten() {
            let name = e.file_name();
            let n = (name.to_str()).and_then(|n| {
                n.strip_prefix("logs-")?
                    .strip_suffix(".csv")?
                    .parse::<u64>()
                    .ok()
            });
            if n.is_some_and(|n| in_force.is_none_or(|f| n > f)) {
                fs::remove_file(e.path())?;
            }
        }
        Ok(())
    }

    /// Takes the run lock; `None` when another run holds it.
    pub fn lock(&self) -> io::Result<Option<Lock>> {
        fs::create_dir_all(&self.root)?;
        files::lock(&self.lock_file())
    }

    /// The run in force: its directory and ledger, if there is one.
    pub fn current_run(&self) -> io::Result<Option<(PathBuf, Ledger)>> {
        let link = self.current();
        let target = match fs::read_link(&link) {
            Ok(t) => self.root.join(t),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let text = fs::read(target.join(LEDGER_FILE))?;
        let ledger = serde_json::from_slice(&text).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {e}", target.join(LEDGER_FILE).display()),
            )
        })?;
        Ok(Some((target, ledger)))
    }

    /// A new, empty run directory, numbered after every one there is.
    pub fn new_run(&self) -> io::Result<PathBuf> {
        let runs = self.runs();
        fs::create_dir_all(&runs)?;
        let next = run_numbers(&runs)?.last().map_or(1, |n| n + 1);
        let dir = runs.join(format!("{next:06}"));
        // A directory left by a run that stopped before its switch.
        if dir.exists() {
            fs::remove_dir_all(&dir)?;
        }
        fs::create_dir(&dir)?;
        Ok(dir)
    }

    /// Writes the ledger into `run`, syncs the run and puts it in force with
    /// one rename of the `current` link; then prunes old runs.
    pub fn switch(&self, run: &Path, ledger: &Ledger) -> io::Result<()> {
        let json = serde_json::to_vec_pretty(ledger).map_err(io::Error::other)?;
        files::write_atomic(&run.join(LEDGER_FILE), &[&json, b"\n"])?;
        for f in [STATE_FILE, SCORES_FILE] {
            let p = run.join(f);
            if p.exists() {
                fs::File::open(&p)?.sync_all()?;
            }
        }
        let name = run
            .file_name()
            .ok_or_else(|| io::Error::other("a run directory without a name"))?;
        let tmp = self.root.join("current.new");
        let _ = fs::remove_file(&tmp);
        std::os::unix::fs::symlink(Path::new("runs").join(name), &tmp)?;
        fs::rename(&tmp, self.current())?;
        fs::File::open(&self.root)?.sync_all()?;
        self.prune(run_number(run).unwrap_or(0))
    }

    /// Removes all but the newest [`KEEP_RUNS`] runs (never `keep`).
    fn prune(&self, keep: u64) -> io::Result<()> {
        let numbers = run_numbers(&self.runs())?;
        let old = numbers.len().saturating_sub(KEEP_RUNS);
        for n in numbers.into_iter().take(old).filter(|n| *n != keep) {
            fs::remove_dir_all(self.runs().join(format!("{n:06}")))?;
        }
        Ok(())
    }
}

/// The number of a run directory.
pub fn run_number(run: &Path) -> Option<u64> {
    run.file_name()?.to_str()?.parse().ok()
}

/// The numbers of the run directories, ascending.
fn run_numbers(runs: &Path) -> io::Result<Vec<u64>> {
    let mut v: Vec<u64> = match fs::read_dir(runs) {
        Ok(rd) => rd
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse().ok())
            .collect(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    v.sort_unstable();
    Ok(v)
}

/// What the state has taken in so far, so that each run adds only what is
/// new.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ledger {
    /// The time the state was scored at.
    pub time: Option<i64>,
    /// Per feed: the snapshot last added and its health.
    #[serde(default)]
    pub feeds: BTreeMap<String, FeedMark>,
    /// Per event file (absolute path): the content consumed.
    #[serde(default)]
    pub events: BTreeMap<String, FileMark>,
    /// Sensor events already drawn from the logs.
    #[serde(default)]
    pub logs: LogsMark,
}

/// One feed's history across runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedMark {
    /// CRC-32 of the indicators file last added to the state.
    pub crc: Option<u32>,
    /// The feed's time when it was last read.
    pub last_ok: Option<i64>,
    /// Runs in a row in which it could not be read.
    pub failures: u32,
}

/// An event file as consumed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileMark {
    pub size: u64,
    pub crc: u32,
}

impl FileMark {
    /// The mark of a file's content, read in blocks (event files can be
    /// large).
    pub fn read(path: &Path) -> io::Result<Self> {
        use std::io::Read;
        let mut f = fs::File::open(path)?;
        let mut h = crc32fast::Hasher::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut size = 0u64;
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            size += n as u64;
        }
        Ok(FileMark {
            size,
            crc: h.finalize(),
        })
    }
}

/// The sensor events drawn from logs: hours before `settled` are done;
/// for the hours since, the counts already emitted, so that a log read
/// again (or grown) adds only its new lines.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsMark {
    pub settled: i64,
    #[serde(default)]
    pub recent: Vec<Emitted>,
}

/// One hour's events of a source, port and protocol, as emitted.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Emitted {
    pub hour: i64,
    pub source: String,
    pub port: u16,
    pub proto: String,
    pub count: u64,
}

/// Hours a log may still grow after its newest event's hour.
const LOG_LAG: i64 = 2 * 3600;

impl LogsMark {
    /// The part of `events` (hourly, from one analysis of every log) not
    /// emitted before, and the mark after emitting it.
    pub fn take_new(&self, events: &[SensorEvent]) -> (Vec<SensorEvent>, LogsMark) {
        let key = |e: &SensorEvent| (e.time, e.source.to_string(), e.port, e.proto.clone());
        let before: BTreeMap<_, u64> = (self.recent.iter())
            .map(|r| ((r.hour, r.source.clone(), r.port, r.proto.clone()), r.count))
            .collect();
        let newest = events.iter().map(|e| e.time).max();
        let settled = newest.map_or(self.settled, |t| self.settled.max(t - LOG_LAG));
        let mut new = Vec::new();
        let mut recent = Vec::new();
        for e in events.iter().filter(|e| e.time >= self.settled) {
            let k = key(e);
            let done = before.get(&k).copied().unwrap_or(0);
            if e.count > done {
                new.push(SensorEvent {
                    count: e.count - done,
                    ..e.clone()
                });
            }
            if e.time >= settled {
                recent.push(Emitted {
                    hour: k.0,
                    source: k.1,
                    port: k.2,
                    proto: k.3,
                    count: e.count.max(done),
                });
            }
        }
        // Hours still open that this reading did not see keep their counts.
        for r in &self.recent {
            let seen = events
                .iter()
                .any(|e| key(e) == (r.hour, r.source.clone(), r.port, r.proto.clone()));
            if r.hour >= settled && !seen {
                recent.push(r.clone());
            }
        }
        recent.sort();
        (new, LogsMark { settled, recent })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(time: i64, source: &str, count: u64) -> SensorEvent {
        SensorEvent {
            time,
            source: source.parse().unwrap(),
            port: 22,
            proto: "tcp".into(),
            count,
        }
    }

    #[test]
    fn a_log_read_again_adds_only_new_lines() {
        let h = 1_790_000_000 / 3600 * 3600;
        let m = LogsMark::default();
        let (new, m) = m.take_new(&[ev(h, "192.0.2.1", 3), ev(h + 3600, "192.0.2.1", 1)]);
        assert_eq!(new.iter().map(|e| e.count).sum::<u64>(), 4);
        // The same log: nothing; the log grown by two lines in the last
        // hour: those two.
        let (new, m2) = m.take_new(&[ev(h, "192.0.2.1", 3), ev(h + 3600, "192.0.2.1", 1)]);
        assert!(new.is_empty());
        assert_eq!(m2, m);
        let (new, _) = m.take_new(&[ev(h, "192.0.2.1", 3), ev(h + 3600, "192.0.2.1", 3)]);
        assert_eq!(new, vec![ev(h + 3600, "192.0.2.1", 2)]);
        // Much later: old hours are settled and never emitted again.
        let late = h + 10 * 3600;
        let (new, m3) = m.take_new(&[ev(h, "192.0.2.1", 9), ev(late, "192.0.2.9", 1)]);
        assert_eq!(new, vec![ev(h, "192.0.2.1", 6), ev(late, "192.0.2.9", 1)]);
        assert_eq!(m3.settled, late - LOG_LAG);
        let (new, _) = m3.take_new(&[ev(h, "192.0.2.1", 12), ev(late, "192.0.2.9", 1)]);
        assert!(new.is_empty());
    }

    #[test]
    fn runs_are_numbered_switched_and_pruned() {
        let tmp = tempfile::tempdir().unwrap();
        let s = StateDir::new(tmp.path());
        assert!(s.current_run().unwrap().is_none());
        let lock = s.lock().unwrap().unwrap();
        assert!(s.lock().unwrap().is_none(), "a second lock while held");
        drop(lock);
        let mut last = PathBuf::new();
        for i in 1..=KEEP_RUNS + 3 {
            last = s.new_run().unwrap();
            assert!(last.ends_with(format!("{i:06}")));
            let ledger = Ledger {
                time: Some(i as i64),
                ..Ledger::default()
            };
            s.switch(&last, &ledger).unwrap();
            let (dir, read) = s.current_run().unwrap().unwrap();
            assert_eq!((dir, read), (last.clone(), ledger));
        }
        assert_eq!(run_numbers(&s.runs()).unwrap().len(), KEEP_RUNS);
        // A run that stopped before its switch changes nothing, and its
        // spooled events are dropped (the next run draws them again).
        let stopped = s.new_run().unwrap();
        assert_ne!(stopped, last);
        assert_eq!(s.current_run().unwrap().unwrap().0, last);
        fs::create_dir_all(s.spool()).unwrap();
        for run in [&last, &stopped] {
            fs::write(s.spool_file(run), "").unwrap();
        }
        fs::write(s.spool().join("sensors.csv"), "").unwrap();
        s.drop_orphans(run_number(&last)).unwrap();
        assert!(s.spool_file(&last).exists() && s.spool().join("sensors.csv").exists());
        assert!(!s.spool_file(&stopped).exists());
    }
}
