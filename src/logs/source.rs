//! Log files as streams of line blocks: rotated sets put in time order
//! (`log.2.gz`, `log.1`, `log`), gzip read transparently, a truncated gzip
//! reported with the lines before it kept, and blocks cut at line ends so
//! that workers can parse them in parallel in constant memory.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Bytes per block handed to a worker.
pub const BLOCK: usize = 1 << 20;

/// The rotation key of a file name: its base (`kern.log` for
/// `kern.log.2.gz`) and its age (larger is newer; the live file is newest).
fn rotation(path: &Path) -> (PathBuf, i64) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".gz").unwrap_or(&name);
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    // `log.N`: the higher N, the older.
    if let Some((base, n)) = stem.rsplit_once('.') {
        if !n.is_empty() && n.len() <= 4 && n.bytes().all(|b| b.is_ascii_digit()) {
            let n: i64 = n.parse().unwrap_or(0);
            return (dir.join(base), -n - 1);
        }
    }
    // `log-YYYYMMDD`: the later the date, the newer (and older than `log`).
    if let Some((base, d)) = stem.rsplit_once('-') {
        if d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()) {
            let d: i64 = d.parse().unwrap_or(0);
            return (dir.join(base), d - 1_000_000_000);
        }
    }
    (dir.join(stem), 0)
}

/// Orders files so that each rotated set reads oldest first, the sets in
/// the order their first file was given.
pub fn order<T>(items: Vec<T>, path: impl Fn(&T) -> &Path) -> Vec<T> {
    let mut bases: Vec<PathBuf> = Vec::new();
    let mut keyed: Vec<(usize, i64, usize, T)> = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let (base, age) = rotation(path(&item));
        let set = match bases.iter().position(|b| *b == base) {
            Some(s) => s,
            None => {
                bases.push(base);
                bases.len() - 1
            }
        };
        keyed.push((set, age, i, item));
    }
    keyed.sort_by_key(|(set, age, i, _)| (*set, *age, *i));
    keyed.into_iter().map(|(_, _, _, t)| t).collect()
}

/// A run of whole lines of one file.
pub struct Block {
    /// The lines, each ended by `\n` (the file's last line may lack it).
    pub data: Vec<u8>,
    /// The number of the block's first line in its file (from 1).
    pub first_line: u64,
    /// Lines in the block.
    pub lines: u64,
}

/// What a reader ends with.
#[derive(Debug, Default)]
pub struct Ending {
    /// The stream broke off (a truncated gzip, a read error): what was read
    /// before it was delivered.
    pub broken: Option<String>,
    /// Lines longer than a block, skipped unread.
    pub long_lines: Vec<u64>,
    pub bytes: u64,
}

/// Cuts a stream into blocks of whole lines.
pub struct Blocks<R> {
    inner: R,
    carry: Vec<u8>,
    next_line: u64,
    done: bool,
    /// Inside a line longer than a block, being skipped.
    skipping: bool,
    pub ending: Ending,
}

impl<R: Read> Blocks<R> {
    pub fn new(inner: R) -> Self {
        Blocks {
            inner,
            carry: Vec::new(),
            next_line: 1,
            done: false,
            skipping: false,
            ending: Ending::default(),
        }
    }

    /// The next block, reusing `buf`'s allocation; `None` at the end.
    pub fn next_block(&mut self, mut buf: Vec<u8>) -> Option<Block> {
        loop {
            if self.done {
                if self.carry.is_empty() {
                    return None;
                }
                buf.clear();
                std::mem::swap(&mut buf, &mut self.carry);
                return Some(self.block(buf, 1));
            }
            // A recycled buffer is nearly full length already: only what
            // it lacks is zeroed.
            let start = self.carry.len();
            let want = BLOCK.max(start + 1);
            if buf.len() < want {
                buf.resize(want, 0);
            } else {
                buf.truncate(want);
            }
            buf[..start].copy_from_slice(&self.carry);
            self.carry.clear();
            let mut filled = start;
            while filled < buf.len() {
                match self.inner.read(&mut buf[filled..]) {
                    Ok(0) => {
                        self.done = true;
                        break;
                    }
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        self.ending.broken = Some(crate::error::describe_io(&e));
                        self.done = true;
                        break;
                    }
                }
            }
            self.ending.bytes += (filled - start) as u64;
            buf.truncate(filled);
            if self.skipping {
                match memchr::memchr(b'\n', &buf) {
                    Some(i) => {
                        self.skipping = false;
                        self.ending.long_lines.push(self.next_line);
                        self.next_line += 1;
                        buf.drain(..=i);
                    }
                    None => {
                        if self.done {
                            self.ending.long_lines.push(self.next_line);
                            self.next_line += 1;
                            buf.clear();
                            return None;
                        }
                        continue;
                    }
                }
            }
            if self.done {
                if buf.is_empty() {
                    return None;
                }
                let lines = count_lines(&buf);
                return Some(self.block(buf, lines));
            }
            match memchr::memrchr(b'\n', &buf) {
                Some(i) => {
                    self.carry.extend_from_slice(&buf[i + 1..]);
                    buf.truncate(i + 1);
                    let lines = count_lines(&buf);
                    return Some(self.block(buf, lines));
                }
                None => {
                    // A line longer than a block: skip to its end.
                    self.skipping = true;
                }
            }
        }
    }

    fn block(&mut self, data: Vec<u8>, lines: u64) -> Block {
        let b = Block {
            data,
            first_line: self.next_line,
            lines,
        };
        self.next_line += lines;
        b
    }
}

/// Lines in a run of bytes (a last line without `\n` counts).
pub fn count_lines(data: &[u8]) -> u64 {
    let n = memchr::memchr_iter(b'\n', data).count() as u64;
    n + u64::from(!data.is_empty() && data.last() != Some(&b'\n'))
}

/// The lines of a block, each without its line end.
pub fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let empty = data.is_empty();
    let data = data.strip_suffix(b"\n").unwrap_or(data);
    data.split(|b| *b == b'\n')
        .filter(move |_| !empty)
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
}

/// [`lines`] of a block known to be UTF-8.
pub fn str_lines(text: &str) -> impl Iterator<Item = &str> {
    let empty = text.is_empty();
    let text = text.strip_suffix('\n').unwrap_or(text);
    text.split('\n')
        .filter(move |_| !empty)
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotated_sets_read_oldest_first() {
        let files = vec![
            "/v/kern.log",
            "/v/kern.log.1",
            "/v/kern.log.10.gz",
            "/v/kern.log.2.gz",
            "/v/other.log",
            "/v/syslog-20261201.gz",
            "/v/syslog",
            "/v/syslog-20261130",
        ];
        let got = order(files, |p| Path::new(p));
        assert_eq!(
            got,
            vec![
                "/v/kern.log.10.gz",
                "/v/kern.log.2.gz",
                "/v/kern.log.1",
                "/v/kern.log",
                "/v/other.log",
                "/v/syslog-20261130",
                "/v/syslog-20261201.gz",
                "/v/syslog",
            ]
        );
    }

    fn all(data: &[u8]) -> (Vec<(u64, u64, Vec<u8>)>, Ending) {
        let mut b = Blocks::new(data);
        let mut out = Vec::new();
        while let Some(x) = b.next_block(Vec::new()) {
            out.push((x.first_line, x.lines, x.data));
        }
        (out, b.ending)
    }

    #[test]
    fn blocks_keep_whole_lines_and_count_them() {
        let mut data = Vec::new();
        for i in 0..300_000u32 {
            data.extend_from_slice(format!("line {i}\n").as_bytes());
        }
        data.extend_from_slice(b"last without end");
        let (blocks, end) = all(&data);
        assert!(blocks.len() > 1);
        let mut next = 1;
        let mut joined = Vec::new();
        for (first, lines, d) in &blocks {
            assert_eq!(*first, next);
            assert_eq!(*lines, count_lines(d));
            next += lines;
            joined.extend_from_slice(d);
        }
        assert_eq!(joined, data);
        assert_eq!(next, 300_002);
        assert_eq!(end.bytes, data.len() as u64);
        assert!(end.broken.is_none());
    }

    #[test]
    fn a_line_longer_than_a_block_is_skipped_and_numbered() {
        let mut data = b"a\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', BLOCK * 2 + 5));
        data.extend_from_slice(b"\nb\n");
        let (blocks, end) = all(&data);
        assert_eq!(end.long_lines, vec![2]);
        let text: Vec<(u64, Vec<u8>)> = blocks.into_iter().map(|(f, _, d)| (f, d)).collect();
        assert_eq!(text, vec![(1, b"a\n".to_vec()), (3, b"b\n".to_vec())]);
    }

    #[test]
    fn lines_split_without_ends() {
        let got: Vec<&[u8]> = lines(b"a\r\nb\n\nc").collect();
        assert_eq!(got, vec![&b"a"[..], b"b", b"", b"c"]);
        assert_eq!(lines(b"").count(), 0);
        assert_eq!(lines(b"\n").collect::<Vec<_>>(), vec![&b""[..]]);
        for text in ["a\r\nb\n\nc", "", "\n", "x\n"] {
            let s: Vec<&[u8]> = str_lines(text).map(str::as_bytes).collect();
            assert_eq!(s, lines(text.as_bytes()).collect::<Vec<_>>());
        }
    }
}
