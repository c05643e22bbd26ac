//! Output to stdout or, with `-o FILE`, to a file replaced atomically
//! (temporary file in the same directory, fsync, rename), so a reader never
//! sees half a list.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

const BUF: usize = 1 << 17;

pub enum Output {
    Stdout(BufWriter<io::StdoutLock<'static>>),
    File {
        tmp: BufWriter<NamedTempFile>,
        path: PathBuf,
    },
}

impl Output {
    /// Stdout for `None` or `-`, else an atomic file at `path`.
    pub fn create(path: Option<&str>) -> io::Result<Output> {
        match path {
            None | Some("-") => Ok(Output::stdout()),
            Some(p) => Output::file(Path::new(p)),
        }
    }

    /// A file at `path`, replaced atomically by [`Output::finish`].
    pub fn file(path: &Path) -> io::Result<Output> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let tmp = tempfile::Builder::new().prefix(".tl-").tempfile_in(&dir)?;
        Ok(Output::File {
            tmp: BufWriter::with_capacity(BUF, tmp),
            path: path.to_path_buf(),
        })
    }

    pub fn stdout() -> Output {
        Output::Stdout(BufWriter::with_capacity(BUF, io::stdout().lock()))
    }

    /// Flushes and, for a file, syncs and renames it into place.
    pub fn finish(self) -> io::Result<()> {
        match self {
            Output::Stdout(mut w) => w.flush(),
            Output::File { tmp, path } => {
                let tmp = tmp.into_inner().map_err(|e| e.into_error())?;
                tmp.as_file().sync_all()?;
                // A temporary file is private (0600); a published list keeps
                // the mode of the file it replaces, or gets 0644.
                let perm = match fs::metadata(&path) {
                    Ok(m) => m.permissions(),
                    Err(_) => {
                        use std::os::unix::fs::PermissionsExt;
                        fs::Permissions::from_mode(0o644)
                    }
                };
                fs::set_permissions(tmp.path(), perm)?;
                tmp.persist(&path).map_err(|e| e.error)?;
                sync_dir(&path);
                Ok(())
            }
        }
    }
}

fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

impl Write for Output {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(w) => w.write(buf),
            Output::File { tmp, .. } => tmp.write(buf),
        }
    }

    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.write_all(buf),
            Output::File { tmp, .. } => tmp.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::File { tmp, .. } => tmp.flush(),
        }
    }
}
