//! `--dry-run`: the whole run on a mirror of the directories it writes,
//! every file a hard link to the original (a copy across file systems).
//! Every stage replaces a file by renaming a new one over it, never by
//! writing into it, so the originals stay exactly as they were; the
//! mirror is removed when the run is done.

use super::config::Config;
use super::report::UpdateReport;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Names in the state directory a mirror leaves out.
const MIRROR_PREFIX: &str = ".tl-update-dry-run.";

pub struct Mirror {
    // Removed with the mirror.
    _dir: tempfile::TempDir,
    /// Each directory the run writes (none inside another), as the
    /// configuration names it and absolute, and its mirror.
    roots: Vec<(PathBuf, PathBuf, PathBuf)>,
    config: Config,
}

impl Mirror {
    pub fn new(real: &Config) -> io::Result<Mirror> {
        fs::create_dir_all(&real.state_dir)?;
        let dir = tempfile::Builder::new()
            .prefix(MIRROR_PREFIX)
            .tempdir_in(&real.state_dir)?;
        let named = [
            &real.state_dir,
            &real.out_dir,
            &real.zone_dir,
            &real.rules_dir,
        ];
        let candidates: Vec<PathBuf> = named
            .iter()
            .map(|p| absolute(p))
            .collect::<io::Result<_>>()?;
        let mut roots: Vec<(PathBuf, PathBuf, PathBuf)> = Vec::new();
        for (i, c) in candidates.iter().enumerate() {
            let inside_other = candidates.iter().any(|o| o != c && c.starts_with(o));
            if inside_other || roots.iter().any(|(_, r, _)| r == c) {
                continue;
            }
            let m = dir.path().join(i.to_string());
            link_tree(c, &m)?;
            roots.push((named[i].clone(), c.clone(), m));
        }
        let mut m = Mirror {
            _dir: dir,
            roots,
            config: real.clone(),
        };
        m.config = m.remap_config(real)?;
        Ok(m)
    }

    /// The configuration with every written path inside the mirror.
    pub fn config(&self) -> Config {
        self.config.clone()
    }

    fn remap(&self, p: &Path) -> Option<PathBuf> {
        let p = absolute(p).ok()?;
        self.roots
            .iter()
            .find_map(|(_, real, m)| p.strip_prefix(real).ok().map(|rest| m.join(rest)))
    }

    fn remap_config(&self, real: &Config) -> io::Result<Config> {
        let inside = |p: &Path| {
            self.remap(p)
                .ok_or_else(|| io::Error::other(format!("{} is not mirrored", p.display())))
        };
        let mut c = real.clone();
        c.state_dir = inside(&real.state_dir)?;
        c.out_dir = inside(&real.out_dir)?;
        c.zone_dir = inside(&real.zone_dir)?;
        c.rules_dir = inside(&real.rules_dir)?;
        // Files written elsewhere are not written at all.
        for f in [&mut c.zone.named_conf, &mut c.zone.nsd_conf] {
            if let Some(p) = f.as_ref().filter(|p| p.is_absolute()) {
                *f = self.remap(p);
            }
        }
        if let Some(l) = &mut c.logs {
            l.html = l.html.as_deref().and_then(|p| self.remap(p));
        }
        Ok(c)
    }

    /// Names the real paths, as the configuration does, in a report made
    /// on the mirror.
    pub fn restore_paths(&self, report: &mut UpdateReport) {
        report.map_paths(&|s: &str| {
            for (named, _, m) in &self.roots {
                if let Ok(rest) = Path::new(s).strip_prefix(m) {
                    return named.join(rest).to_string_lossy().into_owned();
                }
            }
            s.to_string()
        });
    }
}

/// Removes mirrors a killed dry run left in the state directory (call
/// with the run lock held: then no dry run is using one).
pub fn remove_leftovers(state_dir: &Path) -> io::Result<()> {
    let rd = match fs::read_dir(state_dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for e in rd.flatten() {
        if e.file_name().to_string_lossy().starts_with(MIRROR_PREFIX) {
            fs::remove_dir_all(e.path())?;
        }
    }
    Ok(())
}

/// `p` made absolute and lexically clean, without touching the file
/// system (it may not exist yet).
fn absolute(p: &Path) -> io::Result<PathBuf> {
    if p.is_absolute() {
        Ok(crate::files::clean_path(p))
    } else {
        Ok(crate::files::clean_path(&std::env::current_dir()?.join(p)))
    }
}

/// Mirrors `src` into `dst`: directories made, files hard-linked (copied
/// when that fails), links copied. The state's lock, earlier mirrors and
/// runs not in force are left out.
fn link_tree(src: &Path, dst: &Path) -> io::Result<()> {
    fs::create_dir_all(dst)?;
    if !src.is_dir() {
        return Ok(());
    }
    let current_run = fs::read_link(src.join("current")).ok();
    for e in fs::read_dir(src)? {
        let e = e?;
        let name = e.file_name();
        let n = name.to_string_lossy();
        if n == "lock" || n.starts_with(MIRROR_PREFIX) {
            continue;
        }
        let (from, to) = (e.path(), dst.join(&name));
        let t = e.file_type()?;
        if t.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(&from)?, &to)?;
        } else if t.is_dir() {
            if n == "runs" {
                fs::create_dir_all(&to)?;
                if let Some(run) = current_run.as_ref().and_then(|r| r.file_name()) {
                    link_tree(&from.join(run), &to.join(run))?;
                }
                continue;
            }
            link_tree(&from, &to)?;
        } else if fs::hard_link(&from, &to).is_err() {
            fs::copy(&from, &to)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_cleaned_without_the_file_system() {
        assert_eq!(
            absolute(Path::new("/a/b/../c/./d")).unwrap(),
            Path::new("/a/c/d")
        );
    }

    #[test]
    fn a_mirror_links_files_and_leaves_the_lock_and_old_runs_out() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("state");
        fs::create_dir_all(src.join("runs/000001")).unwrap();
        fs::create_dir_all(src.join("runs/000002")).unwrap();
        fs::write(src.join("runs/000002/state.tls"), "s").unwrap();
        fs::write(src.join("lock"), "").unwrap();
        std::os::unix::fs::symlink("runs/000002", src.join("current")).unwrap();
        let dst = tmp.path().join("m");
        link_tree(&src, &dst).unwrap();
        assert!(!dst.join("lock").exists());
        assert!(!dst.join("runs/000001").exists());
        assert_eq!(fs::read(dst.join("current/state.tls")).unwrap(), b"s");
        // A replacement by rename in the mirror leaves the original.
        fs::write(dst.join("new"), "t").unwrap();
        fs::rename(dst.join("new"), dst.join("runs/000002/state.tls")).unwrap();
        assert_eq!(fs::read(src.join("runs/000002/state.tls")).unwrap(), b"s");
        // A mirror a killed dry run left is removed by the next run.
        fs::create_dir_all(src.join(format!("{MIRROR_PREFIX}x/0"))).unwrap();
        remove_leftovers(&src).unwrap();
        assert!(!src.join(format!("{MIRROR_PREFIX}x")).exists());
        assert!(src.join("current").exists());
    }
}
