//! HTTP(S) fetching with timeouts, a size cap, retries with backoff, and a
//! cache directory that makes requests conditional (ETag,
//! If-Modified-Since) and keeps the last good copy of every feed.

use super::Error;
use crate::files::write_atomic;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How feeds are fetched.
#[derive(Clone, Debug)]
pub struct FetchSettings {
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Retries after the first attempt (for network errors, 5xx and 429).
    pub retries: u32,
    /// Wait before the first retry; doubled for each further one.
    pub backoff: Duration,
    /// Largest body accepted (after content decoding), in bytes.
    pub max_size: u64,
    pub cache_dir: Option<PathBuf>,
}

impl Default for FetchSettings {
    fn default() -> Self {
        FetchSettings {
            timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_secs(1),
            max_size: 256 << 20,
            cache_dir: None,
        }
    }
}

/// What a fetch returned.
pub enum Fetch {
    Body(Response),
    /// 304: the cached copy is current.
    NotModified,
}

pub struct Response {
    pub body: Vec<u8>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The document's time: Last-Modified, else the server's Date.
    pub time: Option<i64>,
}

/// What the cache remembers about a feed's last good copy.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CacheMeta {
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Last time the server confirmed or replaced the copy (Unix seconds).
    pub fetched: i64,
    /// When the copy was stored.
    pub good: i64,
    /// The copy's own time (Last-Modified or Date).
    pub source_time: Option<i64>,
    /// Its size as the health rules count it ([`super::Collector::kept`]);
    /// absent in copies stored before it was recorded.
    #[serde(default)]
    pub kept: Option<u64>,
}

/// Errors worth another attempt.
enum Attempt {
    Retry(String),
    Fatal(String),
}

fn header(resp: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(256).collect())
}

fn once(
    agent: &ureq::Agent,
    url: &str,
    s: &FetchSettings,
    cond: Option<&CacheMeta>,
) -> Result<Fetch, Attempt> {
    let mut req = agent.get(url);
    if let Some(c) = cond {
        if let Some(e) = &c.etag {
            req = req.header("If-None-Match", e);
        }
        if let Some(m) = &c.last_modified {
            req = req.header("If-Modified-Since", m);
        }
    }
    let resp = req.call().map_err(|e| match e {
        ureq::Error::Timeout(_) => Attempt::Retry("timed out".into()),
        ureq::Error::Io(e) => Attempt::Retry(crate::error::describe_io(&e)),
        ureq::Error::HostNotFound => Attempt::Fatal("host not found".into()),
        ureq::Error::ConnectionFailed => Attempt::Retry("connection failed".into()),
        other => Attempt::Fatal(other.to_string()),
    })?;
    let status = resp.status().as_u16();
    if status == 304 && cond.is_some() {
        return Ok(Fetch::NotModified);
    }
    if status == 429 || status >= 500 {
        return Err(Attempt::Retry(format!("HTTP {status}")));
    }
    if status != 200 {
        return Err(Attempt::Fatal(format!("HTTP {status}")));
    }
    let etag = header(&resp, "etag");
    let last_modified = header(&resp, "last-modified");
    let time = last_modified
        .as_deref()
        .or(header(&resp, "date").as_deref())
        .and_then(crate::time::feed::parse);
    let mut body = Vec::new();
    resp.into_body()
        .into_reader()
        .take(s.max_size + 1)
        .read_to_end(&mut body)
        .map_err(|e| {
            let m = crate::error::describe_io(&e);
            if m.contains("timed out") || m.contains("Timeout") {
                Attempt::Retry(format!("body: {m}"))
            } else {
                Attempt::Fatal(format!("body: {m}"))
            }
        })?;
    if body.len() as u64 > s.max_size {
        return Err(Attempt::Fatal(format!(
            "response larger than {} bytes (--max-size)",
            s.max_size
        )));
    }
    Ok(Fetch::Body(Response {
        body,
        etag,
        last_modified,
        time,
    }))
}

/// GETs `url`, conditionally when a cached copy's validators are given.
pub fn get(url: &str, s: &FetchSettings, cond: Option<&CacheMeta>) -> Result<Fetch, Error> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(s.timeout))
        .http_status_as_error(false)
        .max_redirects(5)
        .user_agent(concat!("threatlist/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut wait = s.backoff;
    let mut last = String::new();
    let failed = |reason| Error::Fetch {
        url: url.to_string(),
        reason,
    };
    for attempt in 0..=s.retries {
        if attempt > 0 {
            std::thread::sleep(wait);
            wait = wait.saturating_mul(2);
        }
        match once(&agent, url, s, cond) {
            Ok(f) => return Ok(f),
            Err(Attempt::Fatal(e)) => return Err(failed(e)),
            Err(Attempt::Retry(e)) => last = e,
        }
    }
    let n = s.retries + 1;
    let attempts = if n == 1 { "attempt" } else { "attempts" };
    Err(failed(format!("{last} (after {n} {attempts})")))
}

/// One feed's slot in the cache directory: `KEY.body` and `KEY.meta.json`.
pub struct Cache {
    body: PathBuf,
    meta: PathBuf,
    dir: PathBuf,
    url: String,
}

impl Cache {
    /// The slot for feed `name` at `url` (the URL's checksum keeps two feeds
    /// of one name apart).
    pub fn new(dir: &Path, name: &str, url: &str) -> Cache {
        let key = format!(
            "{}-{:08x}",
            super::sanitize_name(name),
            crc32fast::hash(url.as_bytes())
        );
        Cache {
            body: dir.join(format!("{key}.body")),
            meta: dir.join(format!("{key}.meta.json")),
            dir: dir.to_path_buf(),
            url: url.to_string(),
        }
    }

    /// The last good copy and what is known about it.
    pub fn load(&self) -> Option<(CacheMeta, Vec<u8>)> {
        let meta: CacheMeta = serde_json::from_slice(&std::fs::read(&self.meta).ok()?).ok()?;
        if meta.url != self.url {
            return None;
        }
        let body = std::fs::read(&self.body).ok()?;
        Some((meta, body))
    }

    /// Stores a new good copy (body first, so a crash leaves the old pair
    /// or a body newer than its validators, never validators for a body
    /// that is not there).
    pub fn store(&self, meta: &CacheMeta, body: &[u8]) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        write_atomic(&self.body, &[body])?;
        self.write_meta(meta)
    }

    /// Records that the server confirmed the copy (304).
    pub fn touch(&self, meta: &CacheMeta) {
        // Best effort: a copy not marked confirmed is only fetched again.
        let _ = self.write_meta(meta);
    }

    fn write_meta(&self, meta: &CacheMeta) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(meta).unwrap_or_default();
        write_atomic(&self.meta, &[&json])
    }
}
