//! Output to stdout or, with `-o FILE`, to a file replaced atomically
//! (temporary file in the same directory, fsync, rename), so a reader never
//! sees half a list. An error writing a file names it (`PATH: No space left
//! on device`); a file that is not finished is removed.

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
        let tmp = (tempfile::Builder::new().prefix(".tl-").tempfile_in(&dir))
            .map_err(|e| named(path, e))?;
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
                let finish = || -> io::Result<()> {
                    let tmp = tmp.into_inner().map_err(|e| e.into_error())?;
                    tmp.as_file().sync_all()?;
                    // A temporary file is private (0600); a published list
                    // keeps the mode of the file it replaces, or gets 0644.
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
                };
                finish().map_err(|e| named(&path, e))
            }
        }
    }
}

/// An I/O error on the file at `path`, which its message names; its kind
/// (a broken pipe, a full disk) is the original's.
#[derive(Debug)]
pub struct Named {
    pub path: PathBuf,
    pub source: io::Error,
}

impl std::fmt::Display for Named {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let reason = crate::error::describe_io(&self.source);
        write!(f, "{}: {reason}", self.path.display())
    }
}

impl std::error::Error for Named {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

fn named(path: &Path, source: io::Error) -> io::Error {
    if source.get_ref().is_some_and(|e| e.is::<Named>()) {
        return source;
    }
    let kind = source.kind();
    io::Error::new(
        kind,
        Named {
            path: path.to_path_buf(),
            source,
        },
    )
}

/// `e` without the file name [`Output`] put in it, for a caller that
/// names the file itself.
pub fn unnamed(e: io::Error) -> io::Error {
    if !e.get_ref().is_some_and(|i| i.is::<Named>()) {
        return e;
    }
    let kind = e.kind();
    match e.into_inner().map(|i| i.downcast::<Named>()) {
        Some(Ok(n)) => n.source,
        Some(Err(other)) => io::Error::new(kind, other),
        None => io::Error::from(kind),
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
            Output::File { tmp, path } => tmp.write(buf).map_err(|e| named(path, e)),
        }
    }

    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.write_all(buf),
            Output::File { tmp, path } => tmp.write_all(buf).map_err(|e| named(path, e)),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::File { tmp, path } => tmp.flush().map_err(|e| named(path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A link planted at an output path is replaced, never written
    /// through: the file it names stays as it was.
    #[test]
    fn a_link_at_the_path_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious\n").unwrap();
        fs::set_permissions(&victim, fs::Permissions::from_mode(0o600)).unwrap();
        let path = dir.path().join("list.txt");
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        crate::files::write_atomic(&path, &[b"192.0.2.1\n"]).unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious\n");
        let m = fs::symlink_metadata(&path).unwrap();
        assert!(m.file_type().is_file());
        assert_eq!(fs::read_to_string(&path).unwrap(), "192.0.2.1\n");
    }

    /// An error writing a file names it; `write_atomic`'s does not (its
    /// callers do); nothing temporary is left.
    #[test]
    fn errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing/list.txt");
        let e = Output::file(&path).err().unwrap();
        assert_eq!(
            e.to_string(),
            format!("{}: No such file or directory", path.display())
        );
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        let e = crate::files::write_atomic(&path, &[b"x"]).unwrap_err();
        assert!(!e.to_string().contains("list.txt"), "{e}");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
