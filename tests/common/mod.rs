//! Running the real binaries in a scratch directory (after xsv's Workdir).
#![allow(dead_code)]

pub mod dns;
pub mod http;
pub mod logs;
pub mod netns;
pub mod tmpfs;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Workdir {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Standard output as bytes, for binary output.
    pub raw: Vec<u8>,
}

impl Workdir {
    pub fn new() -> Self {
        Workdir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> &Self {
        std::fs::write(self.path(name), content).expect("write fixture");
        self
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).expect("read output")
    }

    /// Runs a binary of this package here, with `stdin` as its input.
    pub fn run(&self, bin: &str, args: &[&str], stdin: &[u8]) -> Run {
        run_in(self.dir.path(), bin_path(bin), args, stdin)
    }
}

/// `r`, after asserting that it exited 0 (else its exit and output).
pub fn ok(what: &str, r: Run) -> Run {
    assert!(
        r.code == 0,
        "{what}: exit {}\n{}\n{}",
        r.code,
        r.stdout,
        r.stderr
    );
    r
}

/// A binary of this package, built by cargo beside the test executable
/// (`target/<profile>/deps/<test>` → `target/<profile>/<bin>`).
pub fn bin_path(bin: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let path = dir.join(bin);
    assert!(path.exists(), "{} is not built", path.display());
    path
}

pub fn run_in(dir: &Path, exe: impl AsRef<std::ffi::OsStr>, args: &[&str], stdin: &[u8]) -> Run {
    use std::io::Write;
    let mut child = Command::new(exe)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut sin = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = sin.write_all(&data);
    });
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("wait");
    writer.join().unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        raw: stdout,
    }
}

/// Whether tests run under CI, where every tool `.ci/run` installs must exist.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Skips (returns false) with a printed reason when `what` is missing, but
/// fails under CI, where `.ci/run` provides it.
pub fn require(available: bool, what: &str) -> bool {
    if !available {
        if under_ci() {
            panic!("{what} is missing under CI; .ci/run must provide it");
        }
        eprintln!("SKIP: {what} is not available here");
    }
    available
}

pub fn have_program(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `../shared/data` beside the repository, if present.
pub fn shared_data() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    // Missing under CI is a failure (CI clones beside ../shared), else a
    // printed skip.
    require(p.is_dir(), "../shared/data").then_some(p)
}

/// Compares `got` with the golden file `tests/golden/REL`, or rewrites it
/// under `TL_UPDATE_GOLDEN=1`.
pub fn golden_file(rel: &str, got: &[u8]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(rel);
    if std::env::var_os("TL_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("golden dir")).expect("golden dir");
        std::fs::write(&path, got).expect("write golden file");
        return;
    }
    let want = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (TL_UPDATE_GOLDEN=1 writes it)", path.display()));
    assert!(
        got == want.as_slice(),
        "{} differs (TL_UPDATE_GOLDEN=1 rewrites it); got:\n{}",
        path.display(),
        String::from_utf8_lossy(got)
    );
}
