//! Opening inputs (`-` is stdin, gzip is read transparently) and reading
//! lines without a copy per line.

use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// An opened input with the name errors should use for it.
pub struct Input {
    pub name: String,
    pub reader: Box<dyn Read + Send>,
    /// Size in bytes when known (regular files), for progress reporting.
    pub size: Option<u64>,
    /// Whether the data was gzip-compressed (so read errors can say so).
    pub gzip: bool,
}

/// Opens `path`, or stdin for `-`. Gzip data (by its magic bytes) is
/// decompressed on the fly.
pub fn open(path: &str) -> io::Result<Input> {
    let (raw, size, name): (Box<dyn Read + Send>, _, _) = if path == "-" {
        (Box::new(io::stdin()), None, "stdin".to_string())
    } else {
        let f = File::open(Path::new(path))?;
        let meta = f.metadata()?;
        if meta.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "is a directory",
            ));
        }
        (Box::new(f), Some(meta.len()), path.to_string())
    };
    let mut buf = BufReader::with_capacity(1 << 16, raw);
    let is_gzip = buf.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    let reader: Box<dyn Read + Send> = if is_gzip {
        Box::new(MultiGzDecoder::new(buf))
    } else {
        Box::new(buf)
    };
    Ok(Input {
        name,
        reader,
        size,
        gzip: is_gzip,
    })
}

/// A line reader over any `Read` that hands out slices of its buffer.
///
/// Lines end at `\n`; a final line without one still counts. A line longer
/// than [`Lines::MAX_LINE`] is returned as `Err(first bytes)` and skipped to
/// its end, so no input makes the reader allocate without bound.
pub struct Lines<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    line: u64,
    /// The start of the last over-long line.
    head: Vec<u8>,
}

impl<R: Read> Lines<R> {
    pub const MAX_LINE: usize = 1 << 16;
    const BUF: usize = 1 << 20;

    pub fn new(inner: R) -> Self {
        Lines {
            inner,
            buf: vec![0; Self::BUF],
            start: 0,
            end: 0,
            eof: false,
            line: 0,
            head: Vec::new(),
        }
    }

    /// Moves the unread tail to the front and reads more; false at end of input.
    fn refill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// The next line without its `\n` and its number (1-based); `Err`
    /// holds the start of an over-long line; `None` at end of input.
    #[allow(clippy::type_complexity)]
    pub fn next_line(&mut self) -> io::Result<Option<(u64, Result<&[u8], &[u8]>)>> {
        let mut scanned = 0;
        loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf[self.start + scanned..self.end]) {
                let (s, e) = (self.start, self.start + scanned + i);
                self.start = e + 1;
                self.line += 1;
                return Ok(Some((self.line, Ok(&self.buf[s..e]))));
            }
            scanned = self.end - self.start;
            if scanned > Self::MAX_LINE {
                return self.skip_long_line().map(Some);
            }
            if !self.refill()? {
                if self.start == self.end {
                    return Ok(None);
                }
                let (s, e) = (self.start, self.end);
                self.start = e;
                self.line += 1;
                return Ok(Some((self.line, Ok(&self.buf[s..e]))));
            }
        }
    }

    #[allow(clippy::type_complexity)]
    fn skip_long_line(&mut self) -> io::Result<(u64, Result<&[u8], &[u8]>)> {
        const SHOWN: usize = 80;
        self.head.clear();
        self.head
            .extend_from_slice(&self.buf[self.start..self.start + SHOWN]);
        self.line += 1;
        loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf[self.start..self.end]) {
                self.start += i + 1;
                break;
            }
            self.start = self.end;
            if !self.refill()? {
                break;
            }
        }
        Ok((self.line, Err(&self.head)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(data: &[u8]) -> Vec<Result<Vec<u8>, usize>> {
        let mut l = Lines::new(data);
        let mut out = Vec::new();
        while let Some((_, x)) = l.next_line().unwrap() {
            out.push(x.map(|s| s.to_vec()).map_err(|s| s.len()));
        }
        out
    }

    #[test]
    fn lines() {
        assert_eq!(
            collect(b"a\nbb\n\nc"),
            vec![
                Ok(b"a".to_vec()),
                Ok(b"bb".to_vec()),
                Ok(vec![]),
                Ok(b"c".to_vec())
            ]
        );
        assert!(collect(b"").is_empty());
    }

    #[test]
    fn long_line_is_bounded() {
        let mut data = vec![b'x'; 10 << 20];
        data.extend_from_slice(b"\n1.2.3.4\n");
        let got = collect(&data);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], Err(80));
        assert_eq!(got[1], Ok(b"1.2.3.4".to_vec()));
    }
}
