//! Versioned binary files: scoring state, compiled lists, cached geo tables.
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! magic     8 bytes  "\x89TLART\r\n"   (the \r\n catches text-mode mangling)
//! kind      4 bytes  e.g. "SETS"
//! major     u16      readers refuse other majors
//! minor     u16      additions that old readers may ignore
//! count     u32      number of sections
//! header    u32      CRC-32 of the 20 bytes above
//! table     count × (tag 4 bytes, offset u64, length u64, crc u32)
//! payload   sections, each where its table row says
//! ```
//!
//! Every length is checked against the file size before anything is
//! allocated, and every section against its checksum before it is used, so a
//! truncated or foreign file gives a clear error, never a panic or a misread.
//! Structured sections are postcard; interval sets are raw little-endian
//! arrays of `(start, end)` pairs.

use crate::net::{Addr, Range};
use crate::set::{IntervalSet, IpSet};
use serde::{de::DeserializeOwned, Serialize};
use std::path::Path;

pub const MAGIC: [u8; 8] = *b"\x89TLART\r\n";
const HEADER: usize = 24;
const ROW: usize = 24;
/// More sections than this is not a file we wrote.
const MAX_SECTIONS: u32 = 1 << 20;

/// A four-byte tag naming a file kind or a section.
pub type Tag = [u8; 4];

fn tag_str(t: &Tag) -> String {
    t.iter()
        .map(|&c| {
            if c.is_ascii_graphic() {
                (c as char).to_string()
            } else {
                format!("\\x{c:02x}")
            }
        })
        .collect()
}

/// What is wrong with an artifact's bytes (the file is named by
/// [`FileError`], or by the caller).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArtifactError {
    #[error("not a threatlist binary file (bad magic)")]
    NotAnArtifact,
    #[error("file is truncated ({0} runs past the end)")]
    Truncated(&'static str),
    #[error("header checksum mismatch (corrupt file)")]
    HeaderChecksum,
    #[error(
        "file holds '{}' data where '{}' was expected",
        tag_str(found),
        tag_str(expected)
    )]
    WrongKind { expected: Tag, found: Tag },
    #[error(
        "'{}' file version {major}.{minor} is not supported (this build reads version {supported}.x)",
        tag_str(kind)
    )]
    UnsupportedVersion {
        kind: Tag,
        major: u16,
        minor: u16,
        supported: u16,
    },
    #[error("section table is inconsistent (corrupt file)")]
    BadSectionTable,
    #[error("section '{}' is missing", tag_str(.0))]
    MissingSection(Tag),
    #[error("section '{}' checksum mismatch (corrupt file)", tag_str(.0))]
    SectionChecksum(Tag),
    #[error("section '{}' is invalid: {}", tag_str(.0), .1)]
    BadSection(Tag, String),
}

impl ArtifactError {
    /// The same error, naming the file it is about.
    pub fn in_file(self, path: &Path) -> FileError {
        FileError::Invalid {
            file: path.display().to_string(),
            error: self,
        }
    }
}

/// An artifact file that could not be read or written: `FILE: reason`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// The file system refused (missing file, permissions, full disk).
    #[error("{file}: {reason}")]
    Io { file: String, reason: String },
    /// The file was read but is not a valid artifact of the kind asked for.
    #[error("{file}: {error}")]
    Invalid { file: String, error: ArtifactError },
}

/// A refused artifact is bad input to whoever reads it.
impl From<FileError> for crate::error::InputError {
    fn from(e: FileError) -> Self {
        match e {
            FileError::Io { file, reason } => crate::error::InputError::file(file, reason),
            FileError::Invalid { file, error } => {
                crate::error::InputError::file(file, error.to_string())
            }
        }
    }
}

impl FileError {
    /// An I/O error on `path`, without Rust's "(os error N)" suffix.
    pub fn io(path: &Path, e: &std::io::Error) -> Self {
        FileError::Io {
            file: path.display().to_string(),
            reason: crate::error::describe_io(e),
        }
    }
}

/// Assembles a file section by section.
pub struct ArtifactWriter {
    kind: Tag,
    major: u16,
    minor: u16,
    sections: Vec<(Tag, Vec<u8>)>,
}

impl ArtifactWriter {
    pub fn new(kind: Tag, major: u16, minor: u16) -> Self {
        ArtifactWriter {
            kind,
            major,
            minor,
            sections: Vec::new(),
        }
    }

    pub fn raw(&mut self, tag: Tag, bytes: Vec<u8>) -> &mut Self {
        self.sections.push((tag, bytes));
        self
    }

    /// A structured section, postcard-encoded.
    pub fn record<T: Serialize>(&mut self, tag: Tag, value: &T) -> &mut Self {
        let bytes = postcard::to_stdvec(value).expect("postcard encoding into a Vec cannot fail");
        self.raw(tag, bytes)
    }

    /// An interval set as raw little-endian `(start, end)` pairs.
    pub fn set<A: Addr>(&mut self, tag: Tag, set: &IntervalSet<A>) -> &mut Self {
        let width = (A::BITS / 8) as usize;
        let mut b = Vec::with_capacity(set.range_count() * 2 * width);
        for r in set.ranges() {
            b.extend_from_slice(&r.start.to_u128().to_le_bytes()[..width]);
            b.extend_from_slice(&r.end.to_u128().to_le_bytes()[..width]);
        }
        self.raw(tag, b)
    }

    /// Both families of a set, as sections `<prefix>4` and `<prefix>6`.
    pub fn ip_set(&mut self, prefix: [u8; 3], set: &IpSet) -> &mut Self {
        let [a, b, c] = prefix;
        self.set([a, b, c, b'4'], &set.v4);
        self.set([a, b, c, b'6'], &set.v6)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&self.kind);
        out.extend_from_slice(&self.major.to_le_bytes());
        out.extend_from_slice(&self.minor.to_le_bytes());
        out.extend_from_slice(&(self.sections.len() as u32).to_le_bytes());
        let crc = crc32fast::hash(&out[..20]);
        out.extend_from_slice(&crc.to_le_bytes());
        let mut offset = (HEADER + ROW * self.sections.len()) as u64;
        for (tag, bytes) in &self.sections {
            out.extend_from_slice(tag);
            out.extend_from_slice(&offset.to_le_bytes());
            out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
            out.extend_from_slice(&crc32fast::hash(bytes).to_le_bytes());
            offset += bytes.len() as u64;
        }
        for (_, bytes) in &self.sections {
            out.extend_from_slice(bytes);
        }
        out
    }

    /// Writes the file atomically.
    pub fn write_to(&self, path: &Path) -> std::io::Result<()> {
        crate::files::write_atomic(path, &[&self.to_bytes()])
    }
}

/// A file read into memory with its section table checked.
pub struct Artifact {
    pub kind: Tag,
    pub major: u16,
    pub minor: u16,
    bytes: Vec<u8>,
    table: Vec<(Tag, usize, usize, u32)>,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

/// Checks a file's header and reads its section table from `bytes` (the
/// file, or at least its header and table); sections must lie within
/// `file_len`. Returns the minor version and the table.
#[allow(clippy::type_complexity)]
fn parse_head(
    bytes: &[u8],
    kind: Tag,
    major: u16,
    file_len: u64,
) -> Result<(u16, Vec<(Tag, usize, usize, u32)>), ArtifactError> {
    if bytes.len() < MAGIC.len() || bytes[..8] != MAGIC {
        return Err(ArtifactError::NotAnArtifact);
    }
    if bytes.len() < HEADER {
        return Err(ArtifactError::Truncated("header"));
    }
    if crc32fast::hash(&bytes[..20]) != u32_at(bytes, 20) {
        return Err(ArtifactError::HeaderChecksum);
    }
    let found: Tag = bytes[8..12].try_into().unwrap();
    if found != kind {
        return Err(ArtifactError::WrongKind {
            expected: kind,
            found,
        });
    }
    let (fmajor, fminor) = (u16_at(bytes, 12), u16_at(bytes, 14));
    if fmajor != major {
        return Err(ArtifactError::UnsupportedVersion {
            kind,
            major: fmajor,
            minor: fminor,
            supported: major,
        });
    }
    let count = u32_at(bytes, 16);
    if count > MAX_SECTIONS {
        return Err(ArtifactError::BadSectionTable);
    }
    let table_end = HEADER + ROW * count as usize;
    if bytes.len() < table_end {
        return Err(ArtifactError::Truncated("section table"));
    }
    let mut table = Vec::with_capacity(count as usize);
    for i in 0..count as usize {
        let row = HEADER + ROW * i;
        let tag: Tag = bytes[row..row + 4].try_into().unwrap();
        let (off, len) = (u64_at(bytes, row + 4), u64_at(bytes, row + 12));
        let crc = u32_at(bytes, row + 20);
        let end = off.checked_add(len).ok_or(ArtifactError::BadSectionTable)?;
        if off < table_end as u64 {
            return Err(ArtifactError::BadSectionTable);
        }
        if end > file_len {
            return Err(ArtifactError::Truncated("a section"));
        }
        table.push((tag, off as usize, len as usize, crc));
    }
    Ok((fminor, table))
}

impl Artifact {
    /// Parses `bytes` as a file of `kind` whose major version is `major`.
    pub fn parse(bytes: Vec<u8>, kind: Tag, major: u16) -> Result<Artifact, ArtifactError> {
        let (fminor, table) = parse_head(&bytes, kind, major, bytes.len() as u64)?;
        Ok(Artifact {
            kind,
            major,
            minor: fminor,
            bytes,
            table,
        })
    }

    /// One record of a file, reading only its header, section table and
    /// that section (e.g. a version's metadata out of a large file).
    pub fn read_record<T: DeserializeOwned>(
        path: &Path,
        kind: Tag,
        major: u16,
        tag: Tag,
    ) -> Result<T, FileError> {
        use std::io::{Read, Seek, SeekFrom};
        let io = |e: std::io::Error| FileError::io(path, &e);
        let invalid = |e: ArtifactError| e.in_file(path);
        let mut f = std::fs::File::open(path).map_err(io)?;
        let size = f.metadata().map_err(io)?.len();
        // The header, then the table it announces (as far as the file goes:
        // parse_head reports what is missing).
        let mut head = Vec::new();
        (&mut f)
            .take(HEADER as u64)
            .read_to_end(&mut head)
            .map_err(io)?;
        if head.len() == HEADER && head[..8] == MAGIC {
            let count = u32_at(&head, 16).min(MAX_SECTIONS + 1) as u64;
            (&mut f)
                .take(ROW as u64 * count)
                .read_to_end(&mut head)
                .map_err(io)?;
        }
        let (_, table) = parse_head(&head, kind, major, size).map_err(invalid)?;
        let &(_, off, len, crc) = table
            .iter()
            .find(|t| t.0 == tag)
            .ok_or_else(|| invalid(ArtifactError::MissingSection(tag)))?;
        let mut b = vec![0u8; len];
        f.seek(SeekFrom::Start(off as u64)).map_err(io)?;
        f.read_exact(&mut b).map_err(io)?;
        if crc32fast::hash(&b) != crc {
            return Err(invalid(ArtifactError::SectionChecksum(tag)));
        }
        postcard::from_bytes(&b).map_err(|e| invalid(ArtifactError::BadSection(tag, e.to_string())))
    }

    /// Reads and parses a file; errors name the file.
    pub fn read(path: &Path, kind: Tag, major: u16) -> Result<Artifact, FileError> {
        let bytes = std::fs::read(path).map_err(|e| FileError::io(path, &e))?;
        Artifact::parse(bytes, kind, major).map_err(|e| e.in_file(path))
    }

    pub fn has(&self, tag: Tag) -> bool {
        self.table.iter().any(|t| t.0 == tag)
    }

    /// A section's bytes, checksum verified.
    pub fn raw(&self, tag: Tag) -> Result<&[u8], ArtifactError> {
        let &(_, off, len, crc) = self
            .table
            .iter()
            .find(|t| t.0 == tag)
            .ok_or(ArtifactError::MissingSection(tag))?;
        let b = &self.bytes[off..off + len];
        if crc32fast::hash(b) != crc {
            return Err(ArtifactError::SectionChecksum(tag));
        }
        Ok(b)
    }

    pub fn record<T: DeserializeOwned>(&self, tag: Tag) -> Result<T, ArtifactError> {
        postcard::from_bytes(self.raw(tag)?)
            .map_err(|e| ArtifactError::BadSection(tag, e.to_string()))
    }

    /// An interval set, checked to be sorted, disjoint and non-adjacent.
    pub fn set<A: Addr>(&self, tag: Tag) -> Result<IntervalSet<A>, ArtifactError> {
        let b = self.raw(tag)?;
        let width = (A::BITS / 8) as usize;
        if b.len() % (2 * width) != 0 {
            return Err(ArtifactError::BadSection(
                tag,
                "length is not a whole number of ranges".into(),
            ));
        }
        let read = |c: &[u8]| {
            let mut buf = [0u8; 16];
            buf[..width].copy_from_slice(c);
            A::from_u128(u128::from_le_bytes(buf))
        };
        let ranges: Vec<Range<A>> = b
            .chunks_exact(2 * width)
            .map(|c| Range {
                start: read(&c[..width]),
                end: read(&c[width..]),
            })
            .collect();
        IntervalSet::from_canonical(ranges).ok_or_else(|| {
            ArtifactError::BadSection(tag, "ranges are not sorted and disjoint".into())
        })
    }

    pub fn ip_set(&self, prefix: [u8; 3]) -> Result<IpSet, ArtifactError> {
        let [a, b, c] = prefix;
        Ok(IpSet {
            v4: self.set([a, b, c, b'4'])?,
            v6: self.set([a, b, c, b'6'])?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::parse_entry;
    use proptest::prelude::*;

    fn sample() -> Vec<u8> {
        let set = IpSet::from_entries(
            ["10.0.0.0/8", "1.2.3.4", "2001:db8::/32"]
                .iter()
                .map(|s| parse_entry(s.as_bytes()).unwrap()),
        );
        let mut w = ArtifactWriter::new(*b"TEST", 1, 3);
        w.record(*b"META", &("hello".to_string(), 42u64));
        w.ip_set(*b"BLK", &set);
        w.to_bytes()
    }

    #[test]
    fn round_trip() {
        let a = Artifact::parse(sample(), *b"TEST", 1).unwrap();
        assert_eq!(a.minor, 3);
        let (s, n): (String, u64) = a.record(*b"META").unwrap();
        assert_eq!((s.as_str(), n), ("hello", 42));
        let set = a.ip_set(*b"BLK").unwrap();
        assert_eq!(set.v4.range_count(), 2);
        assert_eq!(set.v6.range_count(), 1);
        assert_eq!(
            a.raw(*b"NOPE").unwrap_err(),
            ArtifactError::MissingSection(*b"NOPE")
        );
    }

    #[test]
    fn refusals() {
        let b = sample();
        assert_eq!(
            Artifact::parse(b"hello".to_vec(), *b"TEST", 1).err(),
            Some(ArtifactError::NotAnArtifact)
        );
        assert!(matches!(
            Artifact::parse(b.clone(), *b"TEST", 2).err(),
            Some(ArtifactError::UnsupportedVersion { major: 1, .. })
        ));
        assert!(matches!(
            Artifact::parse(b.clone(), *b"SETS", 1).err(),
            Some(ArtifactError::WrongKind { .. })
        ));
        assert_eq!(
            Artifact::parse(b[..b.len() - 1].to_vec(), *b"TEST", 1).err(),
            Some(ArtifactError::Truncated("a section"))
        );
        let mut bad = b.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        let a = Artifact::parse(bad, *b"TEST", 1).unwrap();
        assert!(a.ip_set(*b"BLK").is_err());
    }

    #[test]
    fn one_record_without_the_rest() {
        let dir = std::env::temp_dir().join(format!("tl-artifact-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.bin");
        let b = sample();
        std::fs::write(&path, &b).unwrap();
        let whole: (String, u64) = Artifact::parse(b.clone(), *b"TEST", 1)
            .unwrap()
            .record(*b"META")
            .unwrap();
        let one: (String, u64) = Artifact::read_record(&path, *b"TEST", 1, *b"META").unwrap();
        assert_eq!(one, whole);
        let err = |bytes: &[u8]| {
            std::fs::write(&path, bytes).unwrap();
            Artifact::read_record::<(String, u64)>(&path, *b"TEST", 1, *b"META")
                .unwrap_err()
                .to_string()
        };
        assert!(err(&b[..b.len() - 1]).ends_with("file is truncated (a section runs past the end)"));
        assert!(err(&b[..10]).contains("header"));
        assert!(
            err(b"hello").contains("not a threatlist"),
            "{}",
            err(b"hello")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    proptest! {
        #[test]
        fn bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), flip in 0usize..400) {
            let _ = Artifact::parse(bytes, *b"TEST", 1).map(|a| (a.ip_set(*b"BLK"), a.record::<(String, u64)>(*b"META")));
            let mut b = sample();
            if flip < b.len() { b[flip] = b[flip].wrapping_add(1); }
            if let Ok(a) = Artifact::parse(b, *b"TEST", 1) {
                let _ = a.ip_set(*b"BLK");
                let _ = a.record::<(String, u64)>(*b"META");
            }
        }
    }
}
