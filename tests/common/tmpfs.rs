//! A small tmpfs mounted for a test, to fill a file system on purpose.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs mounted at a directory; unmounted when dropped.
pub struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (`4m`) at `dir` (created), or skips with a
    /// printed reason (`None`) where mounting is not permitted; under CI,
    /// which runs as root, that is a failure.
    pub fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        fs::create_dir_all(dir).expect("mount point");
        let root = unsafe { libc::geteuid() } == 0;
        if !super::require(root, "root (mounting a tmpfs)") {
            return None;
        }
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .expect("run mount");
        let mounted = out.status.success();
        if !mounted {
            eprintln!("mount: {}", String::from_utf8_lossy(&out.stderr));
        }
        super::require(mounted, "mount -t tmpfs").then(|| Tmpfs {
            dir: dir.to_path_buf(),
        })
    }

    /// Fills the file system with `fill` until `free` bytes are left (to
    /// its page size): filled completely, then cut back.
    pub fn fill(&self, free: u64) {
        let path = self.dir.join("fill");
        let mut f = fs::File::create(&path).expect("filler");
        let chunk = vec![0x55u8; 64 << 10];
        let mut len = 0u64;
        loop {
            match f.write(&chunk) {
                Ok(0) => break,
                Ok(n) => len += n as u64,
                Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => break,
                Err(e) => panic!("filling {}: {e}", path.display()),
            }
        }
        f.set_len(len.saturating_sub(free)).expect("cut the filler");
    }

    /// Removes the filler.
    pub fn empty(&self) {
        let _ = fs::remove_file(self.dir.join("fill"));
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}

/// The names under `dir` that a writer leaves while it works (temporary
/// files, staged versions, next links): none must stay after a run ends.
pub fn leftovers(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let temp = (name.starts_with(".tl-") && name != ".tl-update-settings")
                || name.starts_with(".tmp")
                || name.contains(".link-")
                || name.ends_with(".new")
                || name.ends_with(".tmp");
            if temp {
                found.push(e.path().display().to_string());
            }
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(e.path());
            }
        }
    }
    found.sort();
    found
}
