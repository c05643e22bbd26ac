//! The `tl-update` configuration (TOML, documented in `docs/config.md`):
//! what every stage of a run needs, in one file. Unknown keys are errors
//! that name the file and line; relative paths are taken from the file's
//! directory.

use crate::error::InputError;
use crate::feed::config::{self as feed_config, RawDefaults, RawFeed};
use crate::firewall::render::Options as RenderOptions;
use crate::net::Entry;
use crate::profile::layout::Format;
use crate::score::{category, Params, Rollup};
use crate::set::IpSet;
use crate::zone::serial::SerialStyle;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    now: Option<String>,
    state_dir: String,
    out_dir: String,
    zone_dir: String,
    rules_dir: Option<String>,
    keep_days: Option<u64>,
    feeds: Option<String>,
    feed_defaults: Option<RawDefaults>,
    #[serde(default)]
    feed: Vec<RawFeed>,
    #[serde(default)]
    events: Vec<String>,
    profiles: Vec<String>,
    #[serde(default)]
    score: RawScore,
    #[serde(default)]
    geo: RawGeo,
    zone: RawZone,
    #[serde(default)]
    firewall: RawFirewall,
    logs: Option<RawLogs>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScore {
    enter: Option<f64>,
    leave: Option<f64>,
    #[serde(default)]
    rollup: bool,
    rollup_prefix: Option<u8>,
    rollup_prefix6: Option<u8>,
    #[serde(default)]
    categories: Vec<String>,
    top: Option<usize>,
    #[serde(default)]
    strict: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGeo {
    country_db: Option<String>,
    country_csv: Option<Vec<String>>,
    asn_db: Option<String>,
    asn_csv: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawZone {
    origin: String,
    config: Option<String>,
    #[serde(default)]
    formats: Vec<String>,
    serial_style: Option<String>,
    reload: Option<String>,
    named_conf: Option<String>,
    nsd_conf: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFirewall {
    name: Option<String>,
    log_prefix: Option<String>,
    log_in_prefix: Option<String>,
    #[serde(default)]
    nameservers: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLogs {
    inputs: Vec<String>,
    profile: String,
    #[serde(default)]
    inside: Vec<String>,
    timezone: Option<String>,
    html: Option<String>,
    sensor: Option<String>,
}

/// A geo database: a file, or CSV sources `tl-update` builds it from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GeoSource {
    Db(PathBuf),
    Csv(Vec<PathBuf>),
}

/// The scoring settings.
#[derive(Clone, Debug)]
pub struct ScoreConfig {
    pub params: Params,
    pub top: Option<usize>,
    pub strict: bool,
}

/// The zone settings; `None` takes the zone configuration's value.
#[derive(Clone, Debug)]
pub struct ZoneConfig {
    pub origin: String,
    pub config: Option<PathBuf>,
    pub formats: Vec<Format>,
    pub serial_style: Option<SerialStyle>,
    pub reload: Option<String>,
    pub named_conf: Option<PathBuf>,
    pub nsd_conf: Option<PathBuf>,
}

/// How firewall rules are rendered for profiles that ask for them.
#[derive(Clone, Debug)]
pub struct FirewallConfig {
    pub options: RenderOptions,
    pub nameservers: Vec<Entry>,
}

/// The logs step.
#[derive(Clone, Debug)]
pub struct LogsConfig {
    /// Log files, and directories whose files are all read.
    pub inputs: Vec<PathBuf>,
    /// The profile whose lists the logs are matched against.
    pub profile: String,
    pub inside: Option<IpSet>,
    pub zone: jiff::tz::TimeZone,
    pub html: Option<PathBuf>,
    /// The sensor name of the events the logs give.
    pub sensor: String,
}

/// A checked configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    pub now: Option<i64>,
    pub state_dir: PathBuf,
    pub out_dir: PathBuf,
    pub zone_dir: PathBuf,
    pub rules_dir: PathBuf,
    pub keep_days: u64,
    pub feeds: feed_config::Config,
    /// Sensor event files, and directories whose `*.csv` files are read.
    pub events: Vec<PathBuf>,
    /// Profile files, and directories of them.
    pub profiles: Vec<PathBuf>,
    pub score: ScoreConfig,
    pub country: Option<GeoSource>,
    pub asn: Option<GeoSource>,
    pub zone: ZoneConfig,
    pub firewall: FirewallConfig,
    pub logs: Option<LogsConfig>,
}

/// Reads and checks the configuration at `path`.
pub fn load(path: &Path) -> Result<Config, InputError> {
    let name = path.to_string_lossy();
    let text = crate::files::read_text(&name)?;
    parse(&text, path)
}

/// Parses configuration text; `path` names it in errors and anchors
/// relative paths.
pub fn parse(text: &str, path: &Path) -> Result<Config, InputError> {
    let name = path.to_string_lossy().into_owned();
    let raw: Raw = crate::files::parse_toml(text, &name)?;
    let f = File {
        name: &name,
        text,
        base: path.parent().unwrap_or(Path::new("")),
    };
    let feeds = match (&raw.feeds, raw.feed.is_empty()) {
        (Some(p), true) if raw.feed_defaults.is_none() => {
            feed_config::load(&f.rel(p).to_string_lossy()).map_err(|e| f.feed_error(e))?
        }
        (None, false) => {
            feed_config::from_raw(text, &name, raw.feed_defaults.unwrap_or_default(), raw.feed)
                .map_err(|e| f.feed_error(e))?
        }
        _ => {
            return Err(f.at(
                "feeds",
                "give either 'feeds' (a feed configuration file) or [[feed]] tables (with an optional [feed_defaults])",
            ))
        }
    };
    let state_dir = f.rel(&raw.state_dir);
    let rules_dir = raw
        .rules_dir
        .as_deref()
        .map_or_else(|| state_dir.join("rules"), |p| f.rel(p));
    Ok(Config {
        path: path.to_path_buf(),
        now: match &raw.now {
            Some(t) => Some(crate::time::parse_arg(t).map_err(|e| f.at("now", &e.to_string()))?),
            None => None,
        },
        out_dir: f.rel(&raw.out_dir),
        zone_dir: f.rel(&raw.zone_dir),
        rules_dir,
        state_dir,
        keep_days: raw.keep_days.unwrap_or(400),
        feeds,
        events: raw.events.iter().map(|p| f.rel(p)).collect(),
        profiles: if raw.profiles.is_empty() {
            return Err(f.at("profiles", "name at least one profile file or directory"));
        } else {
            raw.profiles.iter().map(|p| f.rel(p)).collect()
        },
        score: f.score(raw.score)?,
        country: f.geo("country", raw.geo.country_db, raw.geo.country_csv)?,
        asn: f.geo("asn", raw.geo.asn_db, raw.geo.asn_csv)?,
        zone: f.zone(raw.zone)?,
        firewall: f.firewall(raw.firewall)?,
        logs: raw.logs.map(|l| f.logs(l)).transpose()?,
    })
}

/// The file being read: its name for messages, its text for lines, its
/// directory for relative paths.
struct File<'a> {
    name: &'a str,
    text: &'a str,
    base: &'a Path,
}

impl File<'_> {
    fn rel(&self, p: &str) -> PathBuf {
        crate::files::clean_path(&self.base.join(p))
    }

    /// `FILE:LINE: KEY: reason`, at the first line that sets `key`.
    fn at(&self, key: &str, reason: &str) -> InputError {
        let line = self
            .text
            .lines()
            .position(|l| {
                let l = l.trim_start();
                l.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            })
            .map_or(1, |i| i as u64 + 1);
        InputError::line(self.name, line, format!("{key}: {reason}"))
    }

    /// A feed configuration's error as an input error (it names its file
    /// and line already).
    fn feed_error(&self, e: crate::feed::Error) -> InputError {
        match e {
            crate::feed::Error::Input(e) => e,
            other => InputError::file(self.name, other.to_string()),
        }
    }

    fn score(&self, s: RawScore) -> Result<ScoreConfig, InputError> {
        let d = Params::default();
        let mut categories = Vec::new();
        for c in &s.categories {
            if !crate::feed::is_name(c) {
                return Err(self.at(
                    "categories",
                    &format!("'{c}': use letters, digits, '.', '_' or '-'"),
                ));
            }
            categories.push(category::canonical(c));
        }
        let enter = s.enter.unwrap_or(d.enter);
        let leave = s.leave.unwrap_or(d.leave);
        if !(enter.is_finite() && leave.is_finite() && 0.0 < leave && leave <= enter) {
            return Err(self.at("leave", "scores must satisfy 0 < leave <= enter"));
        }
        let rollup = Rollup::default();
        let (v4, v6) = (
            s.rollup_prefix.unwrap_or(rollup.v4),
            s.rollup_prefix6.unwrap_or(rollup.v6),
        );
        if !(8..=32).contains(&v4) || !(16..=128).contains(&v6) {
            return Err(self.at(
                "rollup_prefix",
                "use /8 to /32 for IPv4 and /16 to /128 for IPv6",
            ));
        }
        Ok(ScoreConfig {
            params: Params {
                enter,
                leave,
                rollup: s.rollup.then_some(Rollup { v4, v6, ..rollup }),
                categories,
                ..d
            },
            top: s.top,
            strict: s.strict,
        })
    }

    fn geo(
        &self,
        what: &str,
        db: Option<String>,
        csv: Option<Vec<String>>,
    ) -> Result<Option<GeoSource>, InputError> {
        match (db, csv) {
            (Some(db), None) => Ok(Some(GeoSource::Db(self.rel(&db)))),
            (None, Some(csv)) if !csv.is_empty() => Ok(Some(GeoSource::Csv(
                csv.iter().map(|p| self.rel(p)).collect(),
            ))),
            (None, None) => Ok(None),
            _ => Err(self.at(
                &format!("{what}_db"),
                &format!("give either {what}_db (a database) or {what}_csv (a non-empty list of CSV files)"),
            )),
        }
    }

    fn zone(&self, z: RawZone) -> Result<ZoneConfig, InputError> {
        let mut formats = Vec::new();
        for name in &z.formats {
            formats.push(Format::parse(name).ok_or_else(|| {
                self.at(
                    "formats",
                    &format!("unknown format '{name}' (use {})", Format::names(", ")),
                )
            })?);
        }
        let serial_style = match &z.serial_style {
            Some(s) => Some(SerialStyle::parse(s).ok_or_else(|| {
                self.at(
                    "serial_style",
                    &format!("unknown style '{s}' (use date, unix or increment)"),
                )
            })?),
            None => None,
        };
        if let Some(r) = &z.reload {
            if r.split_whitespace().next().is_none() {
                return Err(self.at("reload", "an empty command"));
            }
        }
        Ok(ZoneConfig {
            origin: z.origin,
            config: z.config.as_deref().map(|p| self.rel(p)),
            formats,
            serial_style,
            reload: z.reload,
            // Relative to the zone directory, as tl-zone takes them.
            named_conf: z.named_conf.map(PathBuf::from),
            nsd_conf: z.nsd_conf.map(PathBuf::from),
        })
    }

    fn firewall(&self, fw: RawFirewall) -> Result<FirewallConfig, InputError> {
        let d = RenderOptions::default();
        let options = RenderOptions {
            name: fw.name.unwrap_or(d.name),
            log_prefix: fw.log_prefix.unwrap_or(d.log_prefix),
            log_in_prefix: fw.log_in_prefix,
            ..d
        };
        // Checked as for a target that takes every option; the render
        // step leaves the inbound log out for targets without one.
        options
            .check(crate::firewall::Target::Nftables)
            .map_err(|e| self.at("firewall", &e.to_string()))?;
        let mut nameservers = Vec::new();
        for n in &fw.nameservers {
            nameservers.push(
                crate::net::parse_entry(n.trim().as_bytes())
                    .map_err(|e| self.at("nameservers", &format!("'{n}': {e}")))?,
            );
        }
        Ok(FirewallConfig {
            options,
            nameservers,
        })
    }

    fn logs(&self, l: RawLogs) -> Result<LogsConfig, InputError> {
        if l.inputs.is_empty() {
            return Err(self.at("inputs", "name at least one log file or directory"));
        }
        let inside = if l.inside.is_empty() {
            None
        } else {
            let mut entries = Vec::new();
            for s in &l.inside {
                entries.push(
                    crate::net::parse_entry(s.trim().as_bytes())
                        .map_err(|e| self.at("inside", &format!("'{s}': {e}")))?,
                );
            }
            Some(IpSet::from_entries(entries))
        };
        let zone = match &l.timezone {
            Some(z) => crate::time::parse_zone(z).map_err(|e| self.at("timezone", &e))?,
            None => jiff::tz::TimeZone::UTC,
        };
        let sensor = l.sensor.unwrap_or_else(|| "tl-update".into());
        if !crate::record::is_sensor_name(sensor.as_bytes()) {
            return Err(self.at(
                "sensor",
                &format!("'{sensor}' is not a sensor name (letters, digits, '.', '_', '-')"),
            ));
        }
        if !crate::feed::is_name(&l.profile) {
            return Err(self.at("profile", &format!("'{}' is not a profile name", l.profile)));
        }
        Ok(LogsConfig {
            inputs: l.inputs.iter().map(|p| self.rel(p)).collect(),
            profile: l.profile,
            inside,
            zone,
            html: l.html.as_deref().map(|p| self.rel(p)),
            sensor,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "state_dir = \"state\"\nout_dir = \"out\"\nzone_dir = \"zones\"\n\
        profiles = [\"profiles\"]\n[[feed]]\nname = \"a\"\npath = \"a.txt\"\n\
        [zone]\norigin = \"lists.example\"\n";

    fn parse_at(text: &str) -> Result<Config, String> {
        parse(text, Path::new("/etc/tl/threatlist.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn minimal_config_and_defaults() {
        let c = parse_at(MINIMAL).unwrap();
        assert_eq!(c.state_dir, Path::new("/etc/tl/state"));
        assert_eq!(c.rules_dir, Path::new("/etc/tl/state/rules"));
        let c = parse(MINIMAL, Path::new("fixtures/demo/threatlist.toml")).unwrap();
        assert_eq!(c.state_dir, Path::new("fixtures/demo/state"));
        let c = parse(
            &MINIMAL.replace("\"state\"", "\"../../target/state\""),
            Path::new("fixtures/demo/t.toml"),
        )
        .unwrap();
        assert_eq!(c.state_dir, Path::new("target/state"));
        let c = parse(
            &MINIMAL.replace("\"state\"", "\"../state\""),
            Path::new("t.toml"),
        )
        .unwrap();
        assert_eq!(c.state_dir, Path::new("../state"));
        assert_eq!(c.keep_days, 400);
        assert_eq!(c.feeds.jobs.len(), 1);
        assert_eq!(c.score.params, Params::default());
        assert!(c.logs.is_none() && c.country.is_none());
        assert_eq!(c.firewall.options.name, "threatlist");
    }

    #[test]
    fn every_section() {
        let text = format!(
            "now = \"2026-11-27T14:00:00Z\"\n{MINIMAL}formats = [\"apl\", \"rpz\"]\n\
             serial_style = \"unix\"\nreload = \"nsd-control reload {{zone}}\"\n\
             [score]\nenter = 3.0\nleave = 2.0\nrollup = true\ntop = 10\ncategories = [\"phishing\"]\n\
             [geo]\ncountry_csv = [\"geo/c.csv\"]\nasn_db = \"/db/asn.mmdb\"\n\
             [firewall]\nname = \"tl\"\nnameservers = [\"192.0.2.53\"]\n\
             [logs]\ninputs = [\"kern.log\"]\nprofile = \"acme\"\ninside = [\"10.0.0.0/8\"]\n\
             timezone = \"+01:00\"\nsensor = \"edge\"\n"
        );
        let c = parse_at(&text).unwrap();
        assert_eq!(c.now, crate::time::parse_rfc3339("2026-11-27T14:00:00Z"));
        assert_eq!(c.zone.formats, vec![Format::Apl, Format::Rpz]);
        assert_eq!(
            c.zone.serial_style,
            Some(SerialStyle::parse("unix").unwrap())
        );
        assert_eq!(c.score.params.enter, 3.0);
        assert!(c.score.params.rollup.is_some());
        assert_eq!(
            c.score.params.categories,
            vec![category::canonical("phishing")]
        );
        assert_eq!(
            c.country,
            Some(GeoSource::Csv(vec![PathBuf::from("/etc/tl/geo/c.csv")]))
        );
        assert_eq!(c.asn, Some(GeoSource::Db(PathBuf::from("/db/asn.mmdb"))));
        let logs = c.logs.unwrap();
        assert_eq!(logs.sensor, "edge");
        assert_eq!(logs.inputs, vec![PathBuf::from("/etc/tl/kern.log")]);
        assert!(logs.inside.is_some());
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse_at(&format!("{MINIMAL}colour = 1\n")).unwrap_err();
        assert!(e.starts_with("/etc/tl/threatlist.toml:10:"), "{e}");
        let e = parse_at(&MINIMAL.replace("out_dir", "output_dir")).unwrap_err();
        assert!(e.contains(":2: unknown field `output_dir`"), "{e}");
        let e = parse_at(&format!("{MINIMAL}formats = [\"mx\"]\n")).unwrap_err();
        assert!(e.contains(":10: formats: unknown format 'mx'"), "{e}");
        let e = parse_at(&format!("feeds = \"f.toml\"\n{MINIMAL}")).unwrap_err();
        assert!(e.contains(":1: feeds: give either"), "{e}");
        let e =
            parse_at(&MINIMAL.replace("path = \"a.txt\"", "path = \"a.txt\"\nconfidence = 2.0"))
                .unwrap_err();
        assert!(e.contains(":5: feed 'a': confidence"), "{e}");
        let e = parse_at(&format!("now = \"last week\"\n{MINIMAL}")).unwrap_err();
        assert!(e.contains(":1: now:"), "{e}");
        let e = parse_at(&format!(
            "{MINIMAL}[logs]\ninputs = [\"k\"]\nprofile = \"a\"\ntimezone = \"Mars/Base\"\n"
        ))
        .unwrap_err();
        assert!(e.contains(":13: timezone: unknown zone 'Mars/Base'"), "{e}");
    }
}
