//! The feed configuration file (TOML). Unknown keys are errors, reported
//! with the file and line.
//!
//! ```toml
//! [defaults]
//! cache_dir = "/var/cache/threatlist"   # relative to this file
//! timeout = "30s"
//!
//! [[feed]]
//! name = "spamhaus-drop"
//! url = "https://www.spamhaus.org/drop/drop.txt"
//! category = "hijacked"
//! confidence = 0.9
//! refresh = "12h"
//! max_age = "7d"
//! ```

use super::{is_name, Columns, Error, FeedFormat, Job, Location};
use crate::error::InputError;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    defaults: RawDefaults,
    #[serde(default, rename = "feed")]
    feeds: Vec<RawFeed>,
}

/// `[defaults]` as written (also tl-update's `[feed_defaults]`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDefaults {
    cache_dir: Option<String>,
    timeout: Option<String>,
    retries: Option<u32>,
    max_size: Option<u64>,
    max_prefix: Option<u32>,
    max_prefix6: Option<u32>,
    allow_special: Option<bool>,
    max_shrink: Option<f64>,
}

/// One `[[feed]]` as written (also in tl-update's configuration).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFeed {
    name: String,
    url: Option<String>,
    path: Option<String>,
    format: Option<String>,
    category: Option<String>,
    #[serde(alias = "weight")]
    confidence: Option<f64>,
    refresh: Option<String>,
    max_age: Option<String>,
    column: Option<String>,
    field: Option<String>,
    max_shrink: Option<f64>,
}

/// Settings from `[defaults]` (command-line flags override them).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Defaults {
    pub cache_dir: Option<PathBuf>,
    pub timeout: Option<Duration>,
    pub retries: Option<u32>,
    pub max_size: Option<u64>,
    pub max_prefix: Option<u32>,
    pub max_prefix6: Option<u32>,
    pub allow_special: Option<bool>,
    /// The share of its entries a feed may lose since its last good copy.
    pub max_shrink: Option<f64>,
}

/// A parsed configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub defaults: Defaults,
    pub jobs: Vec<Job>,
}

pub use crate::time::parse_duration;

/// A size in bytes: `1048576`, `512K`, `256M`, `1G` (powers of 1024).
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, 'K' | 'k')) => (&s[..i], 1u64 << 10),
        Some((i, 'M' | 'm')) => (&s[..i], 1 << 20),
        Some((i, 'G' | 'g')) => (&s[..i], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>().ok()?.checked_mul(mult)
}

/// Reads the configuration at `path`; errors read `FILE:LINE: reason`.
pub fn load(path: &str) -> Result<Config, Error> {
    parse(&crate::files::read_text(path)?, path)
}

/// Parses configuration text; `path` names it in errors and anchors
/// relative paths.
pub fn parse(text: &str, path: &str) -> Result<Config, Error> {
    let raw: RawConfig = crate::files::parse_toml(text, path)?;
    from_raw(text, path, raw.defaults, raw.feeds)
}

/// Checks the defaults and feeds deserialised from `text` (a feed
/// configuration, or another file holding `[[feed]]` tables).
pub(crate) fn from_raw(
    text: &str,
    path: &str,
    defaults: RawDefaults,
    feeds: Vec<RawFeed>,
) -> Result<Config, Error> {
    let file = ConfigFile {
        path,
        base: Path::new(path).parent().unwrap_or(Path::new("")),
    };
    // Where each [[feed]] starts, for messages about its values.
    let starts: Vec<u64> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[feed]]"))
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let defaults = file.defaults(defaults)?;
    let mut jobs = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for (i, f) in feeds.into_iter().enumerate() {
        let line = starts.get(i).copied().unwrap_or(1);
        if !is_name(&f.name) {
            let reason = "name must be letters, digits, '.', '_' or '-'";
            return Err(feed_error(path, line, &f, reason));
        }
        if !names.insert(f.name.clone()) {
            return Err(feed_error(
                path,
                line,
                &f,
                "a feed of this name is already listed",
            ));
        }
        jobs.push(file.job(f, line)?);
    }
    if jobs.is_empty() {
        return Err(Error::input(path, "no [[feed]] listed"));
    }
    Ok(Config { defaults, jobs })
}

/// `FILE:LINE: feed 'NAME': reason`.
fn feed_error(path: &str, line: u64, f: &RawFeed, reason: impl std::fmt::Display) -> Error {
    InputError::line(path, line, format!("feed '{}': {reason}", f.name)).into()
}

/// The file being read: its name for messages, its directory for
/// relative paths.
struct ConfigFile<'a> {
    path: &'a str,
    base: &'a Path,
}

impl ConfigFile<'_> {
    fn rel(&self, p: &str) -> PathBuf {
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base.join(p)
        }
    }

    fn duration(
        &self,
        v: &Option<String>,
        what: &str,
        line: u64,
    ) -> Result<Option<Duration>, Error> {
        let Some(v) = v.as_deref() else {
            return Ok(None);
        };
        let reason = format!("{what}: not a duration like '30m', '12h', '7d'");
        match parse_duration(v) {
            Some(d) => Ok(Some(d)),
            None => Err(InputError::text(self.path, line, reason, v).into()),
        }
    }

    /// A share between 0 and 1.
    fn share(&self, v: Option<f64>, what: &str, line: u64) -> Result<Option<f64>, Error> {
        match v {
            Some(x) if !(0.0..=1.0).contains(&x) => {
                let reason = format!("{what} must be a share between 0 and 1: {x}");
                Err(InputError::line(self.path, line, reason).into())
            }
            v => Ok(v),
        }
    }

    fn defaults(&self, d: RawDefaults) -> Result<Defaults, Error> {
        Ok(Defaults {
            cache_dir: d.cache_dir.as_deref().map(|p| self.rel(p)),
            timeout: self.duration(&d.timeout, "timeout", 1)?,
            retries: d.retries,
            max_size: d.max_size,
            max_prefix: d.max_prefix,
            max_prefix6: d.max_prefix6,
            allow_special: d.allow_special,
            max_shrink: self.share(d.max_shrink, "max_shrink", 1)?,
        })
    }

    /// One `[[feed]]` (its name already checked), starting at `line`.
    fn job(&self, f: RawFeed, line: u64) -> Result<Job, Error> {
        let err = |reason: String| feed_error(self.path, line, &f, reason);
        let location = match (&f.url, &f.path) {
            (Some(u), None) => match Location::from_arg(u) {
                Location::Url(u) => Location::Url(u),
                _ => {
                    return Err(err(format!(
                        "url must start with http:// or https://: '{u}'"
                    )))
                }
            },
            (None, Some(p)) => Location::File(self.rel(p).to_string_lossy().into_owned()),
            _ => return Err(err("give exactly one of 'url' and 'path'".into())),
        };
        let format = match &f.format {
            Some(name) => Some(
                FeedFormat::from_name(name)
                    .ok_or_else(|| err(format!("unknown format '{name}'")))?,
            ),
            None => None,
        };
        if let Some(c) = f.category.as_deref().filter(|c| !is_name(c)) {
            return Err(err(format!(
                "category must be letters, digits, '.', '_' or '-': '{c}'"
            )));
        }
        if let Some(c) = f.confidence.filter(|c| !(0.0..=1.0).contains(c)) {
            return Err(err(format!("confidence must be between 0 and 1: {c}")));
        }
        if let Some(x) = f.max_shrink.filter(|x| !(0.0..=1.0).contains(x)) {
            return Err(err(format!(
                "max_shrink must be a share between 0 and 1: {x}"
            )));
        }
        Ok(Job {
            max_shrink: f.max_shrink,
            refresh: self.duration(&f.refresh, "refresh", line)?,
            max_age: self.duration(&f.max_age, "max_age", line)?,
            location,
            name: Some(f.name),
            category: f.category,
            confidence: f.confidence,
            format,
            columns: Columns {
                column: f.column,
                field: f.field,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_name_the_line() {
        let e = parse(
            "[[feed]]\nname = \"a\"\npath = \"a.txt\"\ncolour = \"red\"\n",
            "f.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("f.toml:4: unknown field `colour`"), "{e}");
        let e = parse("[defaults]\nspeed = 1\n", "f.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("f.toml:2:"), "{e}");
    }

    #[test]
    fn feeds() {
        let c = parse(
            "[[feed]]\nname = \"drop\"\nurl = \"https://x.example/drop.txt\"\nweight = 0.5\nrefresh = \"12h\"\n",
            "dir/f.toml",
        )
        .unwrap();
        assert_eq!(c.jobs[0].confidence, Some(0.5));
        assert_eq!(c.jobs[0].refresh, Some(Duration::from_secs(43200)));
        let e = parse("[[feed]]\nname = \"a\"\n", "f.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("f.toml:1: feed 'a': give exactly one"), "{e}");
    }
}
