//! Lists into a complete configuration for one target: the render stage.
//! Every target gets the same prepared input ([`Prepared`]): the lists
//! read and checked, the allow-list taken out of the block lists, each
//! list fitted to the device. A renderer only writes text; it never sees a
//! list that could block the world.

mod asa;
mod edl;
pub(crate) mod ipset;
mod mikrotik;
pub(crate) mod nft;
mod pf;
pub(crate) mod quote;
mod srx;
mod windows;

use super::fit::{fit, Cut, Fitted, Ranking};
use super::lists::List;
use super::{Error, Lists, Target};
use crate::net::Entry;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Where the lists come from.
#[derive(Clone, Debug)]
pub enum Source {
    /// A directory with `block-in.txt`, `block-out.txt`, `allow.txt`: a
    /// compiled profile's version, or what `tl-fw pull` wrote.
    Dir(PathBuf),
    /// Lists given one by one (`-` is stdin, at most one of them).
    Files {
        block_in: Option<String>,
        block_out: Option<String>,
        allow: Option<String>,
    },
}

/// How the rules look, whatever the target.
#[derive(Clone, Debug)]
pub struct Options {
    /// The name of the table, sets, lists or objects (letters, digits,
    /// `_`, `-`; at most 16 characters, so that suffixes fit ipset's 31).
    pub name: String,
    /// What outbound drops are logged with (printable ASCII without quotes
    /// or backslashes, at most 29 characters: iptables' limit).
    pub log_prefix: String,
    /// What inbound drops are logged with; `None` drops them unlogged.
    /// The same characters as `log_prefix`. Only the kernel targets
    /// (nftables, ipset + iptables) log inbound drops: `tl-logs` reads
    /// the lines back as inbound drops, and sensor events, when the prefix
    /// holds a drop word (`drop`, `block`, `deny`).
    pub log_in_prefix: Option<String>,
    /// Whether the device takes IPv6 entries.
    pub ipv6: bool,
    /// Entries per list on the device; `None` for the target's default.
    pub max_entries: Option<usize>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            name: "threatlist".into(),
            log_prefix: "threatlist drop out: ".into(),
            log_in_prefix: None,
            ipv6: true,
            max_entries: None,
        }
    }
}

impl Options {
    /// Refuses names and prefixes a target could not carry unquoted, and
    /// an inbound log prefix for a target that does not log inbound drops.
    pub fn check(&self, target: Target) -> Result<(), Error> {
        let bad = |option, reason, text: &str| Error::BadText {
            option,
            reason,
            text: text.to_string(),
        };
        let n = &self.name;
        let name_ok = n.len() <= 16
            && n.bytes().next().is_some_and(|c| c.is_ascii_alphabetic())
            && n.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');
        if !name_ok {
            return Err(bad(
                "--name",
                "use 1 to 16 letters, digits, '_' or '-', starting with a letter",
                n,
            ));
        }
        let prefixes = [
            ("--log-prefix", Some(&self.log_prefix)),
            ("--log-in-prefix", self.log_in_prefix.as_ref()),
        ];
        for (option, p) in prefixes {
            let Some(p) = p else { continue };
            let prefix_ok = p.len() <= 29
                && p.bytes().all(|c| {
                    (b' '..=b'~').contains(&c) && !matches!(c, b'"' | b'\'' | b'\\' | b'`' | b'$')
                });
            if !prefix_ok {
                return Err(bad(
                    option,
                    "use at most 29 printable characters without quotes, '\\', '`' or '$'",
                    p,
                ));
            }
        }
        if self.log_in_prefix.is_some() && !target.logs_inbound() {
            return Err(Error::Plan(format!(
                "--log-in-prefix: the {target} target does not log inbound drops (nftables and ipset do)"
            )));
        }
        Ok(())
    }
}

/// One render.
#[derive(Clone, Debug)]
pub struct RenderPlan {
    pub target: Target,
    pub source: Source,
    /// A scores CSV that ranks entries when a list must be cut to fit.
    pub scores: Option<String>,
    /// Addresses a block list must never hold (the firewall's resolvers).
    pub nameservers: Vec<Entry>,
    pub options: Options,
    /// A file (one-file targets), a directory (several files and the
    /// manifest), or `None` for stdout (one-file targets only).
    pub output: Option<PathBuf>,
}

/// The lists as the target gets them.
#[derive(Clone, Debug, Default)]
pub struct Prepared {
    pub block_in: Fitted,
    pub block_out: Fitted,
    pub allow: Fitted,
    /// What fitting left out, per list (allow, block-in, block-out).
    pub cuts: Vec<Cut>,
}

/// Files of a rendered configuration: name and content.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rendered {
    pub files: Vec<(String, Vec<u8>)>,
}

/// What a render did.
#[derive(Clone, Debug, Serialize)]
pub struct RenderReport {
    pub target: &'static str,
    /// Files written (`-` for stdout).
    pub files: Vec<String>,
    /// Per list: entries kept and everything left out.
    pub lists: Vec<Cut>,
}

impl RenderReport {
    /// Entries left out of any list.
    pub fn left_out(&self) -> usize {
        self.lists.iter().map(|c| c.left_out.len()).sum()
    }
}

/// Reads, checks and fits the lists of a plan.
pub fn prepare(
    target: Target,
    source: &Source,
    scores: Option<&str>,
    nameservers: &[Entry],
    options: &Options,
) -> Result<Prepared, Error> {
    options.check(target)?;
    let lists = match source {
        Source::Dir(d) => Lists::read_dir(d)?,
        Source::Files {
            block_in,
            block_out,
            allow,
        } => {
            let stdin = [block_in, block_out, allow]
                .iter()
                .filter(|f| f.as_deref() == Some("-"))
                .count();
            if stdin > 1 {
                return Err(Error::Plan("only one list can come from stdin".into()));
            }
            let read = |f: &Option<String>| match f {
                Some(p) => super::lists::read_list(p),
                None => Ok(Default::default()),
            };
            Lists {
                block_in: read(block_in)?,
                block_out: read(block_out)?,
                allow: read(allow)?,
            }
        }
    };
    lists.check(nameservers)?;
    let lists = lists.without_allowed();
    let ranking = match scores {
        Some(p) => Ranking::read(p)?,
        None => Ranking::default(),
    };
    let capacity = options.max_entries.or(target.default_capacity());
    let mut out = Prepared::default();
    for list in super::lists::List::RULE_ORDER {
        // The allow-list is never cut: dropping an allow entry would block it.
        let cap = if list == List::Allow { None } else { capacity };
        let (fitted, cut) = fit(
            list.name(),
            lists.get(list),
            target.unit(),
            options.ipv6,
            cap,
            &ranking,
        );
        match list {
            List::Allow => out.allow = fitted,
            List::BlockIn => out.block_in = fitted,
            List::BlockOut => out.block_out = fitted,
        }
        out.cuts.push(cut);
    }
    Ok(out)
}

/// The target's files for prepared lists.
pub fn render_files(target: Target, p: &Prepared, o: &Options) -> Result<Rendered, Error> {
    match target {
        Target::Paloalto | Target::Fortinet => Ok(edl::render(p, o)),
        Target::Nftables => Ok(nft::render(p, o)),
        Target::Ipset => Ok(ipset::render(p, o)),
        Target::Pf => pf::render(p, o),
        Target::Asa => asa::render(p, o),
        Target::Mikrotik => Ok(mikrotik::render(p, o)),
        Target::Srx => Ok(srx::render(p, o)),
        Target::Windows => Ok(windows::render(p, o)),
    }
}

/// The render stage: lists in, a target's configuration written out.
pub fn render(plan: &RenderPlan) -> Result<RenderReport, Error> {
    let p = prepare(
        plan.target,
        &plan.source,
        plan.scores.as_deref(),
        &plan.nameservers,
        &plan.options,
    )?;
    let rendered = render_files(plan.target, &p, &plan.options)?;
    let files = write(&rendered, &p.cuts, plan.target, plan.output.as_deref())?;
    Ok(RenderReport {
        target: plan.target.name(),
        files,
        lists: p.cuts,
    })
}

/// Writes the files: one file to stdout or to `output`; several (and the
/// manifest) into the directory `output`.
fn write(
    r: &Rendered,
    cuts: &[Cut],
    target: Target,
    output: Option<&Path>,
) -> Result<Vec<String>, Error> {
    let err = |path: &Path| {
        let path = path.display().to_string();
        move |source| Error::Write { path, source }
    };
    let to_dir = match output {
        Some(p) => p.is_dir() || r.files.len() != 1,
        None if r.files.len() == 1 => false,
        None => {
            return Err(Error::Plan(format!(
                "the {target} target writes several files: give -o DIR"
            )))
        }
    };
    if !to_dir {
        let (_, body) = &r.files[0];
        let mut out = crate::files::Output::create(output.and_then(Path::to_str))
            .map_err(err(Path::new("-")))?;
        std::io::Write::write_all(&mut out, body).map_err(err(output.unwrap_or(Path::new("-"))))?;
        out.finish()
            .map_err(err(output.unwrap_or(Path::new("-"))))?;
        return Ok(vec![output.map_or("-".into(), |p| p.display().to_string())]);
    }
    let dir = output.expect("a directory was given");
    std::fs::create_dir_all(dir).map_err(err(dir))?;
    let mut written = Vec::new();
    for (name, body) in &r.files {
        let path = dir.join(name);
        crate::files::write_atomic(&path, &[body]).map_err(err(&path))?;
        written.push(path.display().to_string());
    }
    let manifest = dir.join("manifest.json");
    let json = serde_json::to_vec_pretty(&serde_json::json!({
        "target": target.name(),
        "lists": cuts,
    }))
    .unwrap_or_default();
    crate::files::write_atomic(&manifest, &[&json, b"\n"]).map_err(err(&manifest))?;
    written.push(manifest.display().to_string());
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(target: Target, log_in: Option<&str>) -> Result<(), String> {
        let o = Options {
            log_in_prefix: log_in.map(str::to_string),
            ..Options::default()
        };
        o.check(target).map_err(|e| e.to_string())
    }

    #[test]
    fn the_inbound_prefix_is_checked_as_the_outbound_one() {
        assert_eq!(
            check(Target::Nftables, Some("threatlist drop in: ")),
            Ok(())
        );
        assert_eq!(check(Target::Ipset, Some(&"x".repeat(29))), Ok(()));
        assert_eq!(check(Target::Pf, None), Ok(()));
        for bad in [
            "a\"; flush ruleset; \"",
            "$(reboot)",
            "tab\there",
            &"x".repeat(30),
        ] {
            let e = check(Target::Nftables, Some(bad)).unwrap_err();
            assert!(
                e.starts_with("--log-in-prefix: use at most 29 printable"),
                "{e}"
            );
        }
        let e = check(Target::Ipset, Some("new\nline")).unwrap_err();
        assert_eq!(
            e,
            "--log-in-prefix: use at most 29 printable characters without quotes, '\\', '`' \
             or '$': 'new\\nline'"
        );
    }

    #[test]
    fn targets_that_do_not_log_inbound_drops_refuse_the_prefix() {
        for t in Target::ALL {
            let r = check(t, Some("tl drop in: "));
            if matches!(t, Target::Nftables | Target::Ipset) {
                assert_eq!(r, Ok(()), "{t}");
            } else {
                assert_eq!(
                    r.unwrap_err(),
                    format!(
                        "--log-in-prefix: the {t} target does not log inbound drops \
                         (nftables and ipset do)"
                    )
                );
            }
        }
    }
}
