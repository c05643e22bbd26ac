//! Threat feeds into indicator records: formats and their detection,
//! validation of what a feed says, fetching with a cache, configuration,
//! and the ingest stage.
//!
//! One feed is read by [`parse`] into a [`Collector`]; [`run_job`] adds
//! where the bytes come from (file, stdin, or HTTP with a cache that keeps
//! the last good copy) and which names and times the rows get; [`ingest`]
//! runs every job of an [`IngestPlan`], merges the inputs of each feed,
//! writes the rows and returns an [`IngestReport`].

mod collect;
pub mod config;
mod error;
pub mod fetch;
mod format;
mod header;
mod health;
mod ingest;
mod job;
mod json;
mod lines;
mod misp;
pub mod validate;

pub use collect::{Collector, Counts, Meta, Policy, RowContext, Rows};
pub use error::Error;
pub use format::{check_text, detect, FeedFormat, NotAFeed};
pub use header::{is_name, HeaderMeta};
pub use ingest::{
    ingest, Destination, FailedFeed, FeedReport, IngestPlan, IngestReport, PlanBuilder,
    RefusedLine, Renamed,
};
pub use job::{run_job, Job, Outcome, Settings};
pub use lines::Columns;
pub use misp::is_feed_folder as is_misp_folder;

use crate::error::InputError;
use crate::files::input::Lines;
use std::io::{self, Read};
use std::sync::Arc;

/// The networks of an AS number, for feeds that list ASes (Spamhaus
/// ASN-DROP): `None` when the AS is unknown. The feed layer reads no
/// geo databases (it is below `geo`); the caller (`tl-ingest --asn-db`,
/// `tl-update` with an ASN database) hands the look-up
/// `geo::asn_networks` makes down as this.
#[derive(Clone)]
pub struct AsnNetworks(pub Arc<dyn Fn(u32) -> Option<Vec<crate::net::Entry>> + Send + Sync>);

impl std::fmt::Debug for AsnNetworks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AsnNetworks(..)")
    }
}

/// How one feed is read.
#[derive(Clone, Debug, Default)]
pub struct ParseOptions {
    /// Forced format; detected when `None`.
    pub format: Option<FeedFormat>,
    pub columns: Columns,
    pub policy: Policy,
    /// Largest whole document (JSON, STIX) held in memory, in bytes.
    pub max_document: u64,
    /// Expands listed AS numbers into their networks.
    pub asn: Option<AsnNetworks>,
}

/// A parsed feed.
pub struct Parsed {
    pub format: FeedFormat,
    pub header: HeaderMeta,
    pub collector: Collector,
}

/// Bytes examined to detect the format.
const SAMPLE: usize = 64 << 10;

fn read_error(source: &str, gzip: bool, e: &io::Error) -> Error {
    let what = crate::error::describe_io(e);
    if gzip {
        Error::input(source, format!("truncated or corrupt gzip data ({what})"))
    } else {
        Error::input(source, format!("read error: {what}"))
    }
}

/// Reads one feed from `reader` (already decompressed; `gzip` only words
/// the errors). `name` is used in messages and as a detection hint. A zip
/// archive holding one file is read as that file.
pub fn parse(
    name: &str,
    mut reader: Box<dyn Read + Send>,
    gzip: bool,
    opts: &ParseOptions,
) -> Result<Parsed, Error> {
    let sample = read_sample(name, &mut reader, gzip)?;
    if sample.starts_with(ZIP_MAGIC) {
        return parse_zip(name, sample, reader, opts);
    }
    parse_text(name, name, sample, reader, gzip, opts)
}

/// The first [`SAMPLE`] bytes.
fn read_sample(name: &str, reader: &mut impl Read, gzip: bool) -> Result<Vec<u8>, Error> {
    let mut sample = Vec::with_capacity(SAMPLE);
    reader
        .take(SAMPLE as u64)
        .read_to_end(&mut sample)
        .map_err(|e| read_error(name, gzip, &e))?;
    Ok(sample)
}

/// A text feed whose first bytes are `sample` and the rest in `reader`;
/// `hint` is the file name detection may look at.
fn parse_text(
    name: &str,
    hint: &str,
    mut sample: Vec<u8>,
    reader: impl Read,
    gzip: bool,
    opts: &ParseOptions,
) -> Result<Parsed, Error> {
    if sample.starts_with(UTF8_BOM) {
        sample.drain(..UTF8_BOM.len());
    }
    check_text(&sample).map_err(|why| Error::NotAFeed {
        file: name.to_string(),
        why,
    })?;
    let format = opts.format.unwrap_or_else(|| detect(&sample, hint));
    let mut collector = Collector::new(name, opts.policy);
    let rest = io::Cursor::new(sample).chain(reader);
    let mut header = if format.is_document() {
        parse_document(&mut collector, format, rest, gzip, opts)?;
        HeaderMeta::default()
    } else {
        parse_lines(&mut collector, format, rest, gzip, opts)?
    };
    if header.category.is_none() {
        header.category = format.category().map(str::to_string);
    }
    Ok(Parsed {
        format,
        header,
        collector,
    })
}

const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";
/// A zip archive's first local file header.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// A zip archive (read whole, up to `max_document` bytes) holding one feed
/// file: that file is the feed. An archive of several files is refused,
/// since one feed is one list; directories and macOS's `__MACOSX/` copies
/// do not count.
fn parse_zip(
    name: &str,
    sample: Vec<u8>,
    reader: impl Read,
    opts: &ParseOptions,
) -> Result<Parsed, Error> {
    let mut data = sample;
    let room = opts.max_document.saturating_add(1);
    reader
        .take(room.saturating_sub(data.len() as u64))
        .read_to_end(&mut data)
        .map_err(|e| read_error(name, false, &e))?;
    if data.len() as u64 > opts.max_document {
        let reason = format!(
            "zip archive larger than {} bytes (--max-size)",
            opts.max_document
        );
        return Err(Error::input(name, reason));
    }
    let corrupt =
        |e: zip::result::ZipError| Error::input(name, format!("unreadable zip archive ({e})"));
    let mut archive = zip::ZipArchive::new(io::Cursor::new(data)).map_err(corrupt)?;
    let files: Vec<usize> = (0..archive.len())
        .filter(|&i| {
            archive
                .by_index_raw(i)
                .is_ok_and(|f| f.is_file() && !f.name().starts_with("__MACOSX/"))
        })
        .collect();
    let index = match files[..] {
        [i] => i,
        [] => return Err(Error::input(name, "a zip archive without a file")),
        _ => {
            let reason = format!(
                "a zip archive of {} files; a zip is read when it holds one feed file \
                 (unpack it and ingest the files)",
                files.len()
            );
            return Err(Error::input(name, reason));
        }
    };
    let mut member = archive.by_index(index).map_err(corrupt)?;
    let hint = member.name().to_string();
    let sample = read_sample(name, &mut member, false)?;
    if sample.starts_with(ZIP_MAGIC) {
        return Err(Error::input(name, "a zip archive inside a zip archive"));
    }
    parse_text(name, &hint, sample, member, false, opts)
}

/// A whole JSON document (STIX, MISP), up to `max_document` bytes.
fn parse_document(
    c: &mut Collector,
    format: FeedFormat,
    rest: impl Read,
    gzip: bool,
    opts: &ParseOptions,
) -> Result<(), Error> {
    let data = read_document(&c.source.clone(), rest, gzip, opts.max_document)?;
    match format {
        FeedFormat::Stix => json::stix(c, &data),
        FeedFormat::Misp => misp::events(c, &data),
        _ => json::document(c, &data, opts.columns.field.as_deref()),
    }
}

/// All of a document, refused when larger than `max` bytes.
fn read_document(name: &str, rest: impl Read, gzip: bool, max: u64) -> Result<Vec<u8>, Error> {
    let mut data = Vec::new();
    rest.take(max.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(|e| read_error(name, gzip, &e))?;
    if data.len() as u64 > max {
        let reason = format!("JSON document larger than {max} bytes (--max-size)");
        return Err(Error::input(name, reason));
    }
    Ok(data)
}

/// A line-based feed, line by line; returns what its header said.
fn parse_lines(
    c: &mut Collector,
    format: FeedFormat,
    rest: impl Read,
    gzip: bool,
    opts: &ParseOptions,
) -> Result<HeaderMeta, Error> {
    let name = c.source.clone();
    let mut lines = Lines::new(rest);
    let mut parser = lines::LineParser::new(format, opts.columns.clone());
    let mut json_header = HeaderMeta::default();
    let json_lines = matches!(format, FeedFormat::Jsonl | FeedFormat::SpamhausJson);
    let field = opts.columns.field.as_deref();
    while let Some((n, line)) = lines.next_line().map_err(|e| read_error(&name, gzip, &e))? {
        let line = line.map_err(|head| {
            let reason = format!("line longer than {} bytes", Lines::<&[u8]>::MAX_LINE);
            InputError::text(&name, n, reason, head)
        })?;
        if json_lines {
            let spamhaus = format == FeedFormat::SpamhausJson;
            let asn = opts.asn.as_ref();
            json::line(c, &mut json_header, n, line, field, spamhaus, asn)?;
        } else {
            parser.line(c, n, line)?;
        }
    }
    if json_lines {
        return Ok(json_header);
    }
    parser.finish(c)?;
    Ok(parser.header)
}

/// Where a feed's bytes come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    Stdin,
    File(String),
    Url(String),
}

impl Location {
    /// `-` is stdin, `http://` and `https://` are URLs, the rest files.
    pub fn from_arg(arg: &str) -> Location {
        let lower = arg.to_ascii_lowercase();
        if arg == "-" {
            Location::Stdin
        } else if lower.starts_with("http://") || lower.starts_with("https://") {
            Location::Url(arg.to_string())
        } else {
            Location::File(arg.to_string())
        }
    }

    /// How messages name it.
    pub fn display(&self) -> String {
        match self {
            Location::Stdin => "stdin".into(),
            Location::File(p) => p.clone(),
            Location::Url(u) => u.clone(),
        }
    }

    /// The default feed name: the file's stem (`drop.txt.gz` → `drop`),
    /// the last path segment of a URL, `stdin`.
    pub fn stem(&self) -> String {
        let base = match self {
            Location::Stdin => return "stdin".into(),
            Location::File(p) => std::path::Path::new(p)
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            Location::Url(u) => {
                let path = u.split(['?', '#']).next().unwrap_or(u);
                let after = path.split_once("://").map_or(path, |x| x.1);
                let seg = after
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or(after);
                seg.to_string()
            }
        };
        let stem = base
            .strip_suffix(".gz")
            .or_else(|| base.strip_suffix(".zip"))
            .unwrap_or(&base);
        let stem = match stem.rfind('.') {
            Some(i) if i > 0 => &stem[..i],
            _ => stem,
        };
        sanitize_name(stem)
    }
}

/// A feed name safe for file names and CSV: other characters become `-`.
pub fn sanitize_name(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    let out = out.trim_start_matches('.').to_string();
    if out.is_empty() {
        "feed".into()
    } else {
        out
    }
}

/// Decompresses gzip data (by its magic bytes) held in memory.
pub fn bytes_reader(data: Vec<u8>) -> (Box<dyn Read + Send>, bool) {
    if data.starts_with(&[0x1f, 0x8b]) {
        (
            Box::new(flate2::read::MultiGzDecoder::new(io::Cursor::new(data))),
            true,
        )
    } else {
        (Box::new(io::Cursor::new(data)), false)
    }
}
