//! Threat feeds into indicator records: formats and their detection,
//! validation of what a feed says, fetching with a cache, configuration.
//!
//! One feed is read by [`parse`] into a [`Collector`]; [`run_job`] adds
//! where the bytes come from (file, stdin, or HTTP with a cache that keeps
//! the last good copy) and which names and times the rows get.

mod collect;
pub mod config;
pub mod fetch;
mod format;
mod header;
mod json;
mod lines;
pub mod validate;

pub use collect::{Collector, Counts, Meta, Policy, Rejection, RowContext, Rows};
pub use format::{check_text, detect, FeedFormat, NotAFeed};
pub use header::{is_name, HeaderMeta};
pub use lines::Columns;

use crate::error::quote;
use crate::files::input::Lines;
use std::fmt;
use std::io::{self, Read};
use std::time::Duration;

/// Why a feed could not be read. The message names the input (and line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedError {
    pub message: String,
}

impl FeedError {
    pub fn new(message: impl Into<String>) -> Self {
        FeedError {
            message: message.into(),
        }
    }

    /// `SOURCE:LINE: reason: 'text'`.
    pub fn at_line(source: &str, line: u64, reason: &str, text: &[u8]) -> Self {
        FeedError::new(format!("{source}:{line}: {reason}: {}", quote(text)))
    }

    /// `SOURCE: reason`.
    pub fn format(source: &str, reason: &str) -> Self {
        FeedError::new(format!("{source}: {reason}"))
    }
}

impl fmt::Display for FeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FeedError {}

/// How one feed is read.
#[derive(Clone, Debug, Default)]
pub struct ParseOptions {
    /// Forced format; detected when `None`.
    pub format: Option<FeedFormat>,
    pub columns: Columns,
    pub policy: Policy,
    /// Largest whole document (JSON, STIX) held in memory, in bytes.
    pub max_document: u64,
}

/// A parsed feed.
pub struct Parsed {
    pub format: FeedFormat,
    pub header: HeaderMeta,
    pub collector: Collector,
}

/// Bytes examined to detect the format.
const SAMPLE: usize = 64 << 10;

fn read_error(source: &str, gzip: bool, e: &io::Error) -> FeedError {
    let what = crate::error::describe_io(e);
    if gzip {
        FeedError::format(source, &format!("truncated or corrupt gzip data ({what})"))
    } else {
        FeedError::format(source, &format!("read error: {what}"))
    }
}

/// Reads one feed from `reader` (already decompressed; `gzip` only words
/// the errors). `name` is used in messages and as a detection hint.
pub fn parse(
    name: &str,
    mut reader: Box<dyn Read + Send>,
    gzip: bool,
    opts: &ParseOptions,
) -> Result<Parsed, FeedError> {
    let mut sample = Vec::with_capacity(SAMPLE);
    (&mut reader)
        .take(SAMPLE as u64)
        .read_to_end(&mut sample)
        .map_err(|e| read_error(name, gzip, &e))?;
    check_text(&sample).map_err(|e| FeedError::format(name, &e.to_string()))?;
    let format = opts.format.unwrap_or_else(|| detect(&sample, name));
    let mut c = Collector::new(name, opts.policy);
    let rest = io::Cursor::new(sample).chain(reader);
    let mut header = HeaderMeta::default();
    if format.is_document() {
        let mut data = Vec::new();
        rest.take(opts.max_document.saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|e| read_error(name, gzip, &e))?;
        if data.len() as u64 > opts.max_document {
            return Err(FeedError::format(
                name,
                &format!(
                    "JSON document larger than {} bytes (--max-size)",
                    opts.max_document
                ),
            ));
        }
        match format {
            FeedFormat::Stix => json::stix(&mut c, &data)?,
            _ => json::document(&mut c, &data, opts.columns.field.as_deref())?,
        }
        return Ok(Parsed {
            format,
            header,
            collector: c,
        });
    }
    let mut lines = Lines::new(rest);
    let mut parser = lines::LineParser::new(format, opts.columns.clone());
    let json_lines = matches!(format, FeedFormat::Jsonl | FeedFormat::SpamhausJson);
    loop {
        let (n, line) = match lines.next_line() {
            Ok(Some(x)) => x,
            Ok(None) => break,
            Err(e) => return Err(read_error(name, gzip, &e)),
        };
        let line = match line {
            Ok(l) => l,
            Err(head) => {
                return Err(FeedError::at_line(
                    name,
                    n,
                    &format!("line longer than {} bytes", Lines::<&[u8]>::MAX_LINE),
                    head,
                ))
            }
        };
        if json_lines {
            json::line(
                &mut c,
                &mut header,
                n,
                line,
                opts.columns.field.as_deref(),
                format == FeedFormat::SpamhausJson,
            )?;
        } else {
            parser.line(&mut c, n, line)?;
        }
    }
    if !json_lines {
        header = parser.header;
    }
    Ok(Parsed {
        format,
        header,
        collector: c,
    })
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
        let stem = base.strip_suffix(".gz").unwrap_or(&base);
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

/// One feed to ingest: where from, and what the user said about it.
#[derive(Clone, Debug)]
pub struct Job {
    pub location: Location,
    /// The feed name given by the user (command line or configuration).
    pub name: Option<String>,
    pub category: Option<String>,
    pub confidence: Option<f64>,
    pub format: Option<FeedFormat>,
    pub columns: Columns,
    /// Don't fetch again while the cached copy is younger than this.
    pub refresh: Option<Duration>,
    /// Never use a last good copy older than this.
    pub max_age: Option<Duration>,
}

impl Job {
    pub fn new(location: Location) -> Self {
        Job {
            location,
            name: None,
            category: None,
            confidence: None,
            format: None,
            columns: Columns::default(),
            refresh: None,
            max_age: None,
        }
    }
}

/// Settings shared by every feed of a run.
#[derive(Clone, Debug)]
pub struct Settings {
    pub policy: Policy,
    pub fetch: fetch::FetchSettings,
    /// The explicit `--now`, used for feeds that carry no time of their own.
    pub now: Option<i64>,
    /// The clock, for cache ages (`--now` when given).
    pub clock: i64,
}

/// What ingesting one feed produced.
pub struct Outcome {
    pub name: String,
    pub category: String,
    pub confidence: f64,
    pub format: Option<FeedFormat>,
    pub source: String,
    /// The time rows without their own get.
    pub time: i64,
    pub collector: Collector,
    /// Why the rows are from a last good copy (or missing), when they are.
    pub stale: Option<String>,
    /// The feed held no entries at all (only comments).
    pub empty: bool,
}

/// An opened file: decompressed reader, whether it was gzip, its mtime.
type Opened = (Box<dyn Read + Send>, bool, Option<i64>);

fn open_file(path: &str) -> Result<Opened, FeedError> {
    let inp = crate::files::input::open(path)
        .map_err(|e| FeedError::format(path, &crate::error::describe_io(&e)))?;
    let mtime = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64);
    Ok((inp.reader, inp.gzip, mtime))
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

fn parse_options(job: &Job, s: &Settings) -> ParseOptions {
    ParseOptions {
        format: job.format,
        columns: job.columns.clone(),
        policy: s.policy,
        max_document: s.fetch.max_size,
    }
}

/// Ingests one feed. A fetched feed that fails, or comes back empty or
/// unusable, falls back to the last good copy in the cache and is marked
/// stale; without one, a failure is an error.
pub fn run_job(job: &Job, s: &Settings) -> Result<Outcome, FeedError> {
    let source = job.location.display();
    let opts = parse_options(job, s);
    let (parsed, source_time, stale) = match &job.location {
        Location::Stdin => {
            let inp = crate::files::input::open("-")
                .map_err(|e| FeedError::format("stdin", &crate::error::describe_io(&e)))?;
            (parse("stdin", inp.reader, inp.gzip, &opts)?, None, None)
        }
        Location::File(p) => {
            let (r, gz, mtime) = open_file(p)?;
            (parse(p, r, gz, &opts)?, mtime, None)
        }
        Location::Url(u) => fetch_and_parse(job, u, s, &opts)?,
    };
    let Parsed {
        format,
        header,
        collector,
    } = parsed;
    let name = job
        .name
        .clone()
        .or_else(|| header.feed_name().map(str::to_string))
        .unwrap_or_else(|| job.location.stem());
    let category = job
        .category
        .clone()
        .or_else(|| header.category.clone())
        .unwrap_or_default();
    // The feed's own time first, then the transport's, then --now.
    let time = header
        .time
        .or(if matches!(job.location, Location::Url(_)) {
            source_time
        } else {
            None
        })
        .or(s.now)
        .or(source_time)
        .unwrap_or(s.clock);
    let empty = collector.is_empty();
    Ok(Outcome {
        name,
        category,
        confidence: job.confidence.unwrap_or(1.0),
        format: Some(format),
        source,
        time,
        collector,
        stale,
        empty,
    })
}

type Fetched = (Parsed, Option<i64>, Option<String>);

fn fetch_and_parse(
    job: &Job,
    url: &str,
    s: &Settings,
    opts: &ParseOptions,
) -> Result<Fetched, FeedError> {
    let cache = s.fetch.cache_dir.as_ref().map(|d| {
        fetch::Cache::new(
            d,
            &job.name.clone().unwrap_or_else(|| job.location.stem()),
            url,
        )
    });
    let cached = cache.as_ref().and_then(|c| c.load());
    let parse_body = |body: Vec<u8>| {
        let (r, gz) = bytes_reader(body);
        parse(url, r, gz, opts)
    };
    // The last good copy, if it is young enough to use.
    let fallback = |why: String| -> Result<Fetched, FeedError> {
        let Some((meta, body)) = cache.as_ref().and_then(|c| c.load()) else {
            return Err(FeedError::new(why));
        };
        let age = s.clock - meta.good;
        if job.max_age.is_some_and(|m| age > m.as_secs() as i64) {
            return Err(FeedError::new(format!(
                "{why}; the last good copy ({}) is older than the maximum age",
                crate::time::format(meta.good)
            )));
        }
        let parsed = parse_body(body)?;
        let reason = format!(
            "{why}; using the last good copy from {}",
            crate::time::format(meta.good)
        );
        Ok((parsed, meta.source_time, Some(reason)))
    };
    if let (Some(refresh), Some((meta, _))) = (job.refresh, &cached) {
        if s.clock - meta.fetched < refresh.as_secs() as i64 {
            let (meta, body) = cached.clone().unwrap_or_default();
            return Ok((parse_body(body)?, meta.source_time, None));
        }
    }
    let conditional = cached.as_ref().map(|(m, _)| m);
    match fetch::get(url, &s.fetch, conditional) {
        Err(e) => fallback(format!("{url}: {e}")),
        Ok(fetch::Fetch::NotModified) => {
            let Some((mut meta, body)) = cached else {
                return fallback(format!("{url}: 304 Not Modified without a cached copy"));
            };
            meta.fetched = s.clock;
            if let Some(c) = &cache {
                c.touch(&meta);
            }
            Ok((parse_body(body)?, meta.source_time, None))
        }
        Ok(fetch::Fetch::Body(resp)) => {
            let body = resp.body.clone();
            match parse_body(resp.body) {
                Err(e) => fallback(e.message),
                Ok(p) if p.collector.is_empty() => {
                    fallback(format!("{url}: the feed holds no entries (only comments)"))
                        .or(Ok((p, resp.time, None)))
                }
                Ok(p) => {
                    if let Some(c) = &cache {
                        let meta = fetch::CacheMeta {
                            url: url.to_string(),
                            etag: resp.etag,
                            last_modified: resp.last_modified,
                            fetched: s.clock,
                            good: s.clock,
                            source_time: resp.time,
                        };
                        c.store(&meta, &body)
                            .map_err(|e| FeedError::format(url, &format!("cache: {e}")))?;
                    }
                    Ok((p, resp.time, None))
                }
            }
        }
    }
}
