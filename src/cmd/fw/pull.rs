//! `tl-fw pull`: a profile's lists from a nameserver (or files and URLs)
//! into plain list files for the firewall. The command line and the
//! report; the work is `firewall::pull::pull`.

use super::NAME;
use crate::cli::{Failure, Verdict};
use crate::firewall::pull::{self as stage, key, DnsSource, List, PullPlan, Source};
use crate::profile::layout::Format;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

pub const NOTES: &str = "\
Over DNS the lists are read where tl-zone --out publishes them: FORM.LIST
under the profile's zone (apl.block-in.acme.lists.example.net), the count
TXT \"chunks=K\" at that name, every chunk up to K (apl1.block-in, ...) and the
name after the last one absent. All queries go over one TCP connection;
the zone's SOA serial is asked before and after, and when it changed the
pull starts again (--retries times). The multi-host forms (a: IPv4, aaaa:
IPv6) hold hosts only: a list whose a/aaaa names leave prefixes out is an
error (pull apl or txt). Several --form values are read and merged.

A TSIG key (--tsig-key) signs every query and every answer must carry a
valid signature: a BIND key file (tsig-keygen output), an NSD key clause,
or name:algorithm:secret (visible to other users in the process list:
prefer a file).

Nothing is written unless every list was read completely from one serial
and passed the checks: a block list covering all of IPv4 (0.0.0.0/0) or
IPv6 (::/0), or the nameserver being asked or a --protect address (unless
the allow-list holds it), is refused. Then block-in.txt, block-out.txt and
allow.txt are replaced atomically in the output directory (one CIDR a line),
each only when its text changes. Lists from files and URLs (--block-in,
--block-out, --allow) are plain lists, as tl-set reads them.";

/// Arguments of `tl-fw pull`.
#[derive(clap::Args, Debug, Clone)]
pub struct PullArgs {
    /// The nameserver: an address or host name, optionally with :PORT
    /// ([v6]:PORT for IPv6)
    #[arg(long, value_name = "HOST", requires = "zone")]
    pub server: Option<String>,
    /// The port, unless --server gives one
    #[arg(long, value_name = "PORT", default_value_t = 53)]
    pub port: u16,
    /// The profile's zone, as tl-zone --out publishes it (PROFILE.ORIGIN)
    #[arg(long, value_name = "ZONE", requires = "server")]
    pub zone: Option<String>,
    /// The published form to read: a, aaaa, apl, txt (repeatable; default apl)
    #[arg(long, value_name = "FORM", value_parser = parse_form)]
    pub form: Vec<Format>,
    /// A list to pull: block-in, block-out, allow (repeatable; default all)
    #[arg(long, value_name = "LIST", value_parser = parse_list)]
    pub list: Vec<List>,
    /// TSIG key: a BIND or NSD key file, or name:algorithm:secret
    #[arg(long, value_name = "KEY", requires = "server")]
    pub tsig_key: Option<String>,
    /// Seconds to wait for the connection and for each read
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub timeout: u64,
    /// Further tries when the zone changes during the pull
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,
    /// block-in from a file, - or URL instead of DNS
    #[arg(long, value_name = "SRC", conflicts_with = "server")]
    pub block_in: Option<String>,
    /// block-out from a file, - or URL instead of DNS
    #[arg(long, value_name = "SRC", conflicts_with = "server")]
    pub block_out: Option<String>,
    /// allow from a file, - or URL instead of DNS
    #[arg(long, value_name = "SRC", conflicts_with = "server")]
    pub allow: Option<String>,
    /// An address no block list may cover (repeatable; the nameserver
    /// asked always is)
    #[arg(long, value_name = "ADDR")]
    pub protect: Vec<IpAddr>,
    /// The directory for block-in.txt, block-out.txt and allow.txt
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// Print nothing on stderr but errors
    #[arg(short, long)]
    pub quiet: bool,
}

fn parse_form(s: &str) -> Result<Format, String> {
    match Format::parse(s) {
        Some(f @ (Format::A | Format::Aaaa | Format::Apl | Format::Txt)) => Ok(f),
        _ => Err("one of a, aaaa, apl, txt".into()),
    }
}

fn parse_list(s: &str) -> Result<List, String> {
    List::parse(s).ok_or_else(|| "one of block-in, block-out, allow".into())
}

fn server_addr(text: &str, port: u16) -> Result<SocketAddr, Failure> {
    if let Ok(a) = text.parse::<SocketAddr>() {
        return Ok(a);
    }
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, port));
    }
    let with_port = if text.contains(':') {
        text.to_string()
    } else {
        format!("{text}:{port}")
    };
    with_port
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| {
            Failure::msg(format!(
                "--server: cannot resolve {}",
                crate::cli::quote(text.as_bytes())
            ))
        })
}

/// The plan the arguments describe.
pub fn plan(args: &PullArgs) -> Result<PullPlan, Failure> {
    let source = match (&args.server, &args.zone) {
        (Some(server), Some(zone)) => {
            let key = match &args.tsig_key {
                None => None,
                // a file unless it reads as name:algorithm:secret
                Some(k) if std::path::Path::new(k).is_file() || !k.contains(':') => {
                    let text = crate::files::read_text(k)?;
                    Some(key::parse_file(&text).map_err(|e| Failure::msg(format!("{k}: {e}")))?)
                }
                Some(k) => Some(key::parse_inline(k)?),
            };
            let mut lists = args.list.clone();
            if lists.is_empty() {
                lists = List::ALL.to_vec();
            }
            lists.sort();
            lists.dedup();
            let mut formats = args.form.clone();
            if formats.is_empty() {
                formats.push(Format::Apl);
            }
            formats.dedup();
            Source::Dns(DnsSource {
                server: server_addr(server, args.port)?,
                zone: zone.clone(),
                formats,
                lists,
                key,
                timeout: Duration::from_secs(args.timeout.max(1)),
                retries: args.retries,
            })
        }
        _ => {
            let files: Vec<(List, String)> = [
                (List::BlockIn, &args.block_in),
                (List::BlockOut, &args.block_out),
                (List::Allow, &args.allow),
            ]
            .into_iter()
            .filter_map(|(l, s)| s.clone().map(|s| (l, s)))
            .collect();
            if files.is_empty() {
                return Err(Failure::msg(
                    "nothing to pull: give --server and --zone, or --block-in/--block-out/--allow",
                ));
            }
            if !args.form.is_empty() || !args.list.is_empty() {
                return Err(Failure::msg("--form and --list go with --server"));
            }
            Source::Lists(files)
        }
    };
    Ok(PullPlan {
        source,
        output: args.output.clone(),
        protect: args.protect.clone(),
    })
}

/// Runs `tl-fw pull`: the plan, the stage, the report on stderr.
pub fn run(args: PullArgs) -> Result<Verdict, Failure> {
    let plan = plan(&args)?;
    let report = stage::pull(&plan)?;
    if !args.quiet {
        if let Some(serial) = report.serial {
            let tries = if report.attempts > 1 {
                format!(", {} tries", report.attempts)
            } else {
                String::new()
            };
            eprintln!("{NAME}: serial {serial}, {} queries{tries}", report.queries);
        }
        for p in &report.lists {
            eprintln!(
                "{NAME}: {}: {} prefixes{}",
                p.path.display(),
                p.prefixes,
                if p.changed { "" } else { " (unchanged)" }
            );
        }
    }
    Ok(Verdict::Done)
}
