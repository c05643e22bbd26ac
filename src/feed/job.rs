//! One feed to ingest ([`Job`]) and ingesting it ([`run_job`]): where its
//! bytes come from (file, stdin, or HTTP with a cache that keeps the last
//! good copy) and which name, category and time its rows get.

use super::fetch::{self, Cache, CacheMeta, Response};
use super::{bytes_reader, health, parse, Collector, Columns, Error, FeedFormat, Location};
use super::{HeaderMeta, NotAFeed, ParseOptions, Parsed, Policy};
use crate::error::InputError;
use std::io::Read;
use std::time::Duration;

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
    /// The share of its entries the feed may lose since its last good copy
    /// (the run's when `None`).
    pub max_shrink: Option<f64>,
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
            max_shrink: None,
        }
    }

    /// The share of its entries it may lose since its last good copy.
    pub(super) fn max_shrink(&self, s: &Settings) -> f64 {
        self.max_shrink.unwrap_or(s.max_shrink)
    }

    fn parse_options(&self, s: &Settings) -> ParseOptions {
        ParseOptions {
            format: self.format,
            columns: self.columns.clone(),
            policy: s.policy,
            max_document: s.fetch.max_size,
            asn: s.asn.clone(),
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
    /// The share of its entries a feed may lose since its last good copy,
    /// for feeds that set none.
    pub max_shrink: f64,
    /// A feed that fails its health rules is used anyway (the reasons are
    /// warnings).
    pub lenient: bool,
    /// Expands AS numbers a feed lists (Spamhaus ASN-DROP).
    pub asn: Option<super::AsnNetworks>,
}

/// What ingesting one feed produced.
pub struct Outcome {
    pub name: String,
    pub category: String,
    pub confidence: f64,
    pub format: FeedFormat,
    /// The input, as messages name it (path, URL, `stdin`).
    pub source: String,
    /// The time rows without their own get.
    pub time: i64,
    pub collector: Collector,
    /// Why the rows are from a last good copy (or missing), when they are.
    pub stale: Option<String>,
    /// The feed held no entries at all (only comments).
    pub empty: bool,
    /// Why the copy read is failed by the health rules (a warning under
    /// `lenient`).
    pub health: Option<String>,
    /// Its rows are not to be used: it failed and there is no good copy.
    pub withheld: bool,
}

/// A feed as read: the parsed copy, the transport's time (file mtime, HTTP
/// Last-Modified or Date), why it is stale (from a last good copy) and why
/// it is failed, when it is.
struct ReadFeed {
    parsed: Parsed,
    time: Option<i64>,
    stale: Option<String>,
    health: Option<String>,
    withheld: bool,
}

impl ReadFeed {
    fn ok(parsed: Parsed, time: Option<i64>, stale: Option<String>) -> Self {
        ReadFeed {
            parsed,
            time,
            stale,
            health: None,
            withheld: false,
        }
    }
}

/// Nothing parsed: what an HTML page comes to.
fn nothing(name: &str, opts: &ParseOptions) -> Parsed {
    Parsed {
        format: opts.format.unwrap_or(FeedFormat::List),
        header: HeaderMeta::default(),
        collector: Collector::new(name, opts.policy),
    }
}

/// A file or stdin, parsed and checked (no last good copy here: the shrink
/// rule is applied by the ingest stage against its previous output file).
fn read_local(
    name: &str,
    parsed: Result<Parsed, Error>,
    time: Option<i64>,
    job: &Job,
    s: &Settings,
    opts: &ParseOptions,
) -> Result<ReadFeed, Error> {
    let (parsed, why) = match parsed {
        Err(Error::NotAFeed {
            why: NotAFeed::Html,
            ..
        }) => (nothing(name, opts), Some(NotAFeed::Html.to_string())),
        Err(e) => return Err(e),
        Ok(p) => {
            let why = health::check(&p.collector, None, job.max_shrink(s));
            (p, why)
        }
    };
    Ok(ReadFeed {
        withheld: why.is_some() && !s.lenient,
        health: why,
        ..ReadFeed::ok(parsed, time, None)
    })
}

/// Ingests one feed. A fetched feed that fails, or comes back empty or
/// unusable, falls back to the last good copy in the cache and is marked
/// stale; without one, a failure is an error.
pub fn run_job(job: &Job, s: &Settings) -> Result<Outcome, Error> {
    let opts = job.parse_options(s);
    let read = match &job.location {
        Location::Stdin => {
            let inp = crate::files::open("-").map_err(|e| InputError::io("stdin", &e))?;
            let parsed = parse("stdin", inp.reader, inp.gzip, &opts);
            read_local("stdin", parsed, None, job, s, &opts)?
        }
        Location::File(p) if super::is_misp_folder(std::path::Path::new(p)) => {
            let mtime = modified(&std::path::Path::new(p).join("manifest.json"));
            let parsed = super::misp::read_folder(p, &opts);
            read_local(p, parsed, mtime, job, s, &opts)?
        }
        Location::File(p) => {
            let (r, gz, mtime) = open_file(p)?;
            read_local(p, parse(p, r, gz, &opts), mtime, job, s, &opts)?
        }
        Location::Url(u) => Fetcher::new(job, u, s, &opts).run()?,
    };
    let ReadFeed {
        parsed,
        time: source_time,
        stale,
        health,
        withheld,
    } = read;
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
    let fetched_time = source_time.filter(|_| matches!(job.location, Location::Url(_)));
    let time = header
        .time
        .or(fetched_time)
        .or(s.now)
        .or(source_time)
        .unwrap_or(s.clock);
    Ok(Outcome {
        name,
        category,
        confidence: job.confidence.unwrap_or(1.0),
        format,
        source: job.location.display(),
        time,
        // An HTML page holds nothing either, but is failed, not empty.
        empty: collector.is_empty() && health.is_none(),
        collector,
        stale,
        health,
        withheld,
    })
}

/// An opened file: decompressed reader, whether it was gzip, its mtime.
type Opened = (Box<dyn Read + Send>, bool, Option<i64>);

fn open_file(path: &str) -> Result<Opened, Error> {
    let inp = crate::files::open(path).map_err(|e| InputError::io(path, &e))?;
    Ok((inp.reader, inp.gzip, modified(std::path::Path::new(path))))
}

/// A file's modification time, Unix seconds.
fn modified(path: &std::path::Path) -> Option<i64> {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
}

/// Fetching one feed URL through its cache slot.
struct Fetcher<'a> {
    job: &'a Job,
    url: &'a str,
    s: &'a Settings,
    opts: &'a ParseOptions,
    cache: Option<Cache>,
}

impl<'a> Fetcher<'a> {
    fn new(job: &'a Job, url: &'a str, s: &'a Settings, opts: &'a ParseOptions) -> Self {
        let cache = s.fetch.cache_dir.as_ref().map(|d| {
            let name = job.name.clone().unwrap_or_else(|| job.location.stem());
            Cache::new(d, &name, url)
        });
        Fetcher {
            job,
            url,
            s,
            opts,
            cache,
        }
    }

    /// The cached copy while it is younger than `refresh`, else a
    /// (conditional) request.
    fn run(&self) -> Result<ReadFeed, Error> {
        let mut cached = self.cache.as_ref().and_then(Cache::load);
        let young = |(meta, _): &mut (CacheMeta, Vec<u8>)| {
            let age = self.s.clock - meta.fetched;
            self.job.refresh.is_some_and(|r| age < r.as_secs() as i64)
        };
        if let Some((meta, body)) = cached.take_if(young) {
            let parsed = self.parse_body(body)?;
            return Ok(ReadFeed::ok(parsed, meta.source_time, None));
        }
        let conditional = cached.as_ref().map(|(m, _)| m);
        match fetch::get(self.url, &self.s.fetch, conditional) {
            Err(e) => self.fallback(e),
            Ok(fetch::Fetch::NotModified) => self.not_modified(cached),
            Ok(fetch::Fetch::Body(resp)) => {
                let good = cached.and_then(|(m, _)| m.kept);
                self.fresh(resp, good)
            }
        }
    }

    fn parse_body(&self, body: Vec<u8>) -> Result<Parsed, Error> {
        let (r, gz) = bytes_reader(body);
        parse(self.url, r, gz, self.opts)
    }

    /// The last good copy, marked stale with `why`, if it is young enough
    /// to use.
    fn fallback(&self, why: Error) -> Result<ReadFeed, Error> {
        let Some((meta, body)) = self.cache.as_ref().and_then(Cache::load) else {
            return Err(why);
        };
        let age = self.s.clock - meta.good;
        if self.job.max_age.is_some_and(|m| age > m.as_secs() as i64) {
            return Err(Error::TooOld {
                cause: Box::new(why),
                good: meta.good,
            });
        }
        let parsed = self.parse_body(body)?;
        let reason = format!(
            "{why}; using the last good copy from {}",
            crate::time::format(meta.good)
        );
        Ok(ReadFeed::ok(parsed, meta.source_time, Some(reason)))
    }

    /// A copy that failed the health rules (`parsed`, nothing for an HTML
    /// page): the last good copy when there is one young enough, else the
    /// copy withheld. Under `lenient` the copy is used (but not stored).
    fn failed(&self, parsed: Parsed, time: Option<i64>, why: String) -> ReadFeed {
        let bad = |withheld| ReadFeed {
            health: Some(why.clone()),
            withheld,
            ..ReadFeed::ok(parsed, time, None)
        };
        if self.s.lenient {
            return bad(false);
        }
        match self.fallback(Error::input(self.url, why.clone())) {
            Ok(good) => ReadFeed {
                health: Some(why),
                ..good
            },
            Err(_) => bad(true),
        }
    }

    /// 304: the cached copy is current.
    fn not_modified(&self, cached: Option<(CacheMeta, Vec<u8>)>) -> Result<ReadFeed, Error> {
        let Some((mut meta, body)) = cached else {
            return self.fallback(Error::Fetch {
                url: self.url.to_string(),
                reason: "304 Not Modified without a cached copy".into(),
            });
        };
        meta.fetched = self.s.clock;
        if let Some(c) = &self.cache {
            c.touch(&meta);
        }
        let parsed = self.parse_body(body)?;
        Ok(ReadFeed::ok(parsed, meta.source_time, None))
    }

    /// A new body: stored as the last good copy when it parses, holds
    /// entries and passes the health rules (`good`: the size of the last
    /// good copy); otherwise the last good copy is used if there is one.
    fn fresh(&self, resp: Response, good: Option<u64>) -> Result<ReadFeed, Error> {
        let parsed = match self.parse_body(resp.body.clone()) {
            Err(Error::NotAFeed {
                why: NotAFeed::Html,
                ..
            }) => {
                let why = NotAFeed::Html.to_string();
                return Ok(self.failed(nothing(self.url, self.opts), resp.time, why));
            }
            Err(e) => return self.fallback(e),
            Ok(p) => p,
        };
        if parsed.collector.is_empty() {
            let why = Error::input(self.url, "the feed holds no entries (only comments)");
            return self
                .fallback(why)
                .or(Ok(ReadFeed::ok(parsed, resp.time, None)));
        }
        let max_shrink = self.job.max_shrink(self.s);
        if let Some(why) = health::check(&parsed.collector, good, max_shrink) {
            return Ok(self.failed(parsed, resp.time, why));
        }
        if let Some(c) = &self.cache {
            let meta = CacheMeta {
                url: self.url.to_string(),
                etag: resp.etag,
                last_modified: resp.last_modified,
                fetched: self.s.clock,
                good: self.s.clock,
                source_time: resp.time,
                kept: Some(parsed.collector.kept()),
            };
            c.store(&meta, &resp.body).map_err(|e| Error::Cache {
                url: self.url.to_string(),
                reason: crate::error::describe_io(&e),
            })?;
        }
        Ok(ReadFeed::ok(parsed, resp.time, None))
    }
}
