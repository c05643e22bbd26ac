//! iprange's command line: same options, same positional rules, same output
//! bytes and exit codes (docs/iprange.md). Errors exit 1, as iprange's do.
//!
//! The arguments are scanned once, left to right. Each file is read with the
//! input options in force where it stands (so `-p` and `--dont-fix-network`
//! affect only the files after them), but loading waits until the mode is
//! known: a merge or count then streams every input through one sort without
//! storing per-file sets. Where iprange would stop at a bad file before a
//! later option acts (`--has-*`, `--help`, a bad value), the files before it
//! are checked first, so the outcome is the same. Unknown options are file
//! names, as in iprange.

use crate::error::describe_io;
use crate::net::{Addr, Range};
use crate::set::iprange::{self, IprangeSyntax, Loaded};
use crate::set::{
    reduce_prefixes, Count, FamilyBuilder, IntervalSet, ListFormat, ListPrinter, Merged, PrefixMask,
};
use std::ffi::OsString;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::process::ExitCode;

/// A `-1` range wider than this is skipped with a warning, as iprange does.
const SINGLE_IPS_LIMIT: u128 = 16_777_216;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Merge,
    Common,
    Except,
    Diff,
    Compare,
    CompareFirst,
    CompareNext,
    CountUnique,
    CountUniqueAll,
    Reduce,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Print {
    Cidr,
    Ranges,
    SingleIps,
    Binary,
}

struct Named<A> {
    name: Vec<u8>,
    loaded: Loaded<A>,
}

/// An input to load: where, under which name and options, into which group
/// (0 before `--except`/`--diff`/`--compare-next`, 1 after), and what to say
/// if it cannot be loaded.
#[derive(Clone, Debug)]
struct Request {
    path: Vec<u8>,
    name: Vec<u8>,
    syntax: IprangeSyntax,
    group: usize,
    on_fail: String,
}

/// Ends the run with an exit status (messages already printed).
struct Exit(u8);

struct Run<'a, A> {
    prog: &'a str,
    mode: Mode,
    second: bool,
    requests: Vec<Request>,
    /// How many requests were already checked by loading them.
    checked: usize,
    groups: [Vec<Named<A>>; 2],
    print: Print,
    printer: ListPrinter,
    mask: PrefixMask,
    header: bool,
    quiet: bool,
    verbose: bool,
    syntax: IprangeSyntax,
    percent: u64,
    min_entries: u64,
}

/// Runs with iprange's arguments. `prog` names the tool in messages.
pub fn main(prog: &str, args: &[OsString]) -> ExitCode {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    // -4/-6 choose the family for the whole run, wherever they stand.
    let v6 = args.iter().any(|a| *a == b"-6" || *a == b"--ipv6");
    let code = if v6 {
        Run::<u128>::new(prog).go(&args)
    } else {
        Run::<u32>::new(prog).go(&args)
    };
    ExitCode::from(code)
}

/// Hostnames are looked up as iprange 2.x does, through the system's
/// resolver (getaddrinfo: /etc/hosts, then DNS); answers come sorted, so the
/// outcome does not follow the resolver's order.
fn resolve(host: &str) -> Result<Vec<std::net::IpAddr>, String> {
    use std::net::ToSocketAddrs;
    let mut addrs: Vec<std::net::IpAddr> = (host, 0)
        .to_socket_addrs()
        .map_err(|e| e.to_string())?
        .map(|a| a.ip())
        .collect();
    addrs.sort();
    addrs.dedup();
    Ok(addrs)
}

fn parse_int(v: &[u8]) -> Option<i64> {
    std::str::from_utf8(v).ok()?.parse::<i64>().ok()
}

impl<'a, A: Addr> Run<'a, A> {
    fn new(prog: &'a str) -> Self {
        Run {
            prog,
            mode: Mode::Merge,
            second: false,
            requests: Vec::new(),
            checked: 0,
            groups: [Vec::new(), Vec::new()],
            print: Print::Cidr,
            printer: ListPrinter {
                single_range_as_pair: true,
                ..ListPrinter::default()
            },
            mask: PrefixMask::all(),
            header: false,
            quiet: false,
            verbose: false,
            syntax: IprangeSyntax {
                resolve: Some(resolve),
                ..IprangeSyntax::default()
            },
            percent: 20,
            min_entries: 16384,
        }
    }

    fn say(&self, msg: impl std::fmt::Display) {
        eprintln!("{}: {msg}", self.prog);
    }

    fn fail(&self, msg: impl std::fmt::Display) -> Exit {
        self.say(msg);
        Exit(1)
    }

    fn go(mut self, args: &[&[u8]]) -> u8 {
        let result = self.scan(args).and_then(|()| self.execute());
        match result {
            Ok(code) => code,
            Err(Exit(code)) => code,
        }
    }

    fn bad_value(&mut self, opt: &str, v: &[u8], expected: &str) -> Exit {
        if let Err(e) = self.check_pending() {
            return e;
        }
        self.fail(format!(
            "Invalid value '{}' for {opt}. {expected}",
            String::from_utf8_lossy(v)
        ))
    }

    fn scan(&mut self, args: &[&[u8]]) -> Result<(), Exit> {
        let bits = A::BITS;
        let mut i = 0;
        while i < args.len() {
            let arg = args[i];
            let value = args.get(i + 1).copied();
            let opt = std::str::from_utf8(arg).unwrap_or("");
            let mut took_value = true;
            match (opt, value) {
                ("as", Some(name)) => {
                    let group = self.second as usize;
                    match self.requests.iter_mut().rev().find(|r| r.group == group) {
                        Some(last) => last.name = name.to_vec(),
                        // Only "as" is consumed; the name is read as a file.
                        None => took_value = false,
                    }
                }
                ("--min-prefix", Some(v)) => {
                    let n = parse_int(v).filter(|n| (1..=bits as i64).contains(n));
                    let Some(n) = n else {
                        return Err(self.bad_value(
                            "--min-prefix",
                            v,
                            &format!("It must be between 1 and {bits}."),
                        ));
                    };
                    for len in 0..n as u32 {
                        self.mask.set(len, false);
                    }
                }
                ("--prefixes", Some(v)) => self.prefixes(v)?,
                ("--default-prefix" | "-p", Some(v)) => {
                    match parse_int(v).filter(|n| (0..=32).contains(n)) {
                        Some(n) => self.syntax.default_prefix = n as u32,
                        None => return Err(self.bad_value(opt, v, "It must be between 0 and 32.")),
                    }
                }
                ("--ipset-reduce" | "--reduce-factor", Some(v)) => {
                    match parse_int(v).filter(|n| *n >= 0) {
                        Some(n) => self.percent = n as u64,
                        None => {
                            return Err(self.bad_value(
                                opt,
                                v,
                                "It must be a non-negative integer percentage.",
                            ))
                        }
                    }
                    self.mode = Mode::Reduce;
                }
                ("--ipset-reduce-entries" | "--reduce-entries", Some(v)) => {
                    match parse_int(v).filter(|n| *n >= 0) {
                        Some(n) => self.min_entries = n as u64,
                        None => {
                            return Err(self.bad_value(
                                opt,
                                v,
                                "It must be a non-negative integer.",
                            ))
                        }
                    }
                    self.mode = Mode::Reduce;
                }
                ("--print-prefix", Some(v)) => {
                    self.printer.ip_prefix = v.to_vec();
                    self.printer.net_prefix = v.to_vec();
                }
                ("--print-prefix-ips", Some(v)) => self.printer.ip_prefix = v.to_vec(),
                ("--print-prefix-nets", Some(v)) => self.printer.net_prefix = v.to_vec(),
                ("--print-suffix", Some(v)) => {
                    self.printer.ip_suffix = v.to_vec();
                    self.printer.net_suffix = v.to_vec();
                }
                ("--print-suffix-ips", Some(v)) => self.printer.ip_suffix = v.to_vec(),
                ("--print-suffix-nets", Some(v)) => self.printer.net_suffix = v.to_vec(),
                ("--dns-threads", Some(v)) => {
                    if parse_int(v).is_none_or(|n| n < 1) {
                        return Err(self.bad_value(
                            opt,
                            v,
                            "It must be an integer greater than or equal to 1.",
                        ));
                    }
                }
                _ => {
                    took_value = false;
                    self.flag_or_file(opt, arg)?;
                }
            }
            i += 1 + took_value as usize;
        }
        if !self.requests.iter().any(|r| r.group == 0) {
            self.request(b"-", b"stdin", "Cannot load ipset from stdin".into());
        }
        Ok(())
    }

    fn request(&mut self, path: &[u8], name: &[u8], on_fail: String) {
        self.requests.push(Request {
            path: path.to_vec(),
            name: name.to_vec(),
            syntax: self.syntax,
            group: self.second as usize,
            on_fail,
        });
    }

    /// Loads (and drops) the inputs named so far, so that a bad file stops
    /// the run before a later option acts, as it does in iprange.
    fn check_pending(&mut self) -> Result<(), Exit> {
        while self.checked < self.requests.len() {
            let r = self.requests[self.checked].clone();
            self.load(&r, None)?;
            self.checked += 1;
        }
        Ok(())
    }

    fn prefixes(&mut self, list: &[u8]) -> Result<(), Exit> {
        let bits = A::BITS;
        for len in 0..bits {
            self.mask.set(len, false);
        }
        // As strtol over the list: numbers separated by one ',' or ' '.
        let mut rest = list;
        while !rest.is_empty() {
            let trimmed = rest.trim_ascii_start();
            let digits = trimmed
                .iter()
                .enumerate()
                .take_while(|&(k, c)| c.is_ascii_digit() || (k == 0 && matches!(c, b'+' | b'-')))
                .count();
            let n = parse_int(&trimmed[..digits]).unwrap_or(0);
            if n <= 0 || n > bits as i64 {
                let always = if bits == 32 {
                    " (32 is always enabled)"
                } else {
                    ""
                };
                return Err(self.fail(format!(
                    "Only prefixes from 1 to {bits} can be set{always}. {n} is invalid."
                )));
            }
            self.mask.set(n as u32, true);
            rest = &trimmed[digits..];
            if matches!(rest.first(), Some(b',' | b' ')) {
                rest = &rest[1..];
            }
        }
        Ok(())
    }

    fn need_loaded(&self, opt: &str) -> Result<(), Exit> {
        if self.requests.is_empty() {
            return Err(self.fail(format!("An ipset is needed before {opt}")));
        }
        Ok(())
    }

    fn flag_or_file(&mut self, opt: &str, arg: &[u8]) -> Result<(), Exit> {
        match opt {
            "--optimize" | "--combine" | "--merge" | "--union" | "--union-all" | "-J" => {
                self.mode = Mode::Merge
            }
            "--common" | "--intersect" | "--intersect-all" => self.mode = Mode::Common,
            "--except" | "--exclude-next" | "--complement" | "--complement-next" => {
                self.need_loaded("--except")?;
                self.mode = Mode::Except;
                self.second = true;
            }
            "--diff" | "--diff-next" => {
                self.need_loaded("--diff")?;
                self.mode = Mode::Diff;
                self.second = true;
            }
            "--compare" => self.mode = Mode::Compare,
            "--compare-first" => self.mode = Mode::CompareFirst,
            "--compare-next" => {
                self.need_loaded("--compare-next")?;
                self.mode = Mode::CompareNext;
                self.second = true;
            }
            "--count-unique" | "-C" => self.mode = Mode::CountUnique,
            "--count-unique-all" => self.mode = Mode::CountUniqueAll,
            "--print-ranges" | "-j" => self.print = Print::Ranges,
            "--print-single-ips" | "-1" => self.print = Print::SingleIps,
            "--print-binary" => self.print = Print::Binary,
            "--header" => self.header = true,
            "--quiet" => self.quiet = true,
            "--dont-fix-network" => self.syntax.fix_network = false,
            "-v" => self.verbose = true,
            "--dns-silent" | "--dns-progress" | "-4" | "--ipv4" | "-6" | "--ipv6" => {}
            "--has-compare"
            | "--has-reduce"
            | "--has-ipv6"
            | "--has-filelist-loading"
            | "--has-directory-loading"
            | "--help"
            | "-h"
            | "--version"
                if self.checked < self.requests.len() =>
            {
                self.check_pending()?;
                return self.flag_or_file(opt, arg);
            }
            "--has-compare" | "--has-reduce" => {
                eprintln!("yes, compare and reduce is present.");
                return Err(Exit(0));
            }
            "--has-ipv6" => {
                eprintln!("yes, IPv6 support is present.");
                return Err(Exit(0));
            }
            "--has-filelist-loading" | "--has-directory-loading" => {
                eprintln!("yes, @filename and @directory support is present.");
                return Err(Exit(0));
            }
            "--help" | "-h" => {
                let _ = writeln!(io::stdout(), "{}", super::command().render_long_help());
                return Err(Exit(0));
            }
            "--version" => {
                let _ = writeln!(
                    io::stdout(),
                    "{} {} (threatlist tl-set: iprange-compatible command line)",
                    self.prog,
                    env!("CARGO_PKG_VERSION")
                );
                return Err(Exit(0));
            }
            _ if arg.len() > 1 && arg[0] == b'@' => self.load_at(&arg[1..])?,
            _ => {
                let name: &[u8] = if arg == b"-" || arg.is_empty() {
                    b"stdin"
                } else {
                    arg
                };
                let on_fail = format!("Cannot load ipset: {}", String::from_utf8_lossy(arg));
                self.request(arg, name, on_fail);
            }
        }
        Ok(())
    }

    /// `@DIRECTORY` (every regular file in it, sorted) or `@FILELIST`.
    fn load_at(&mut self, path: &[u8]) -> Result<(), Exit> {
        let p = std::path::Path::new(std::ffi::OsStr::from_bytes(path));
        let shown = String::from_utf8_lossy(path).into_owned();
        match std::fs::read_dir(p) {
            Ok(entries) => {
                let mut files: Vec<Vec<u8>> = entries
                    .filter_map(Result::ok)
                    .filter(|e| std::fs::metadata(e.path()).is_ok_and(|m| m.is_file()))
                    .map(|e| {
                        let mut f = path.to_vec();
                        f.push(b'/');
                        f.extend_from_slice(e.file_name().as_bytes());
                        f
                    })
                    .collect();
                files.sort();
                if files.is_empty() {
                    return Err(self.fail(format!("No valid files found in directory: {shown}")));
                }
                for f in files {
                    let on_fail = format!(
                        "Cannot load file {} from directory {shown}",
                        String::from_utf8_lossy(&f)
                    );
                    self.request(&f, &f, on_fail);
                }
                Ok(())
            }
            Err(e) if e.raw_os_error() != Some(libc::ENOTDIR) => {
                Err(self.fail(format!("Cannot access {shown}: {}", describe_io(&e))))
            }
            Err(_) => {
                let list = std::fs::read(p).map_err(|e| {
                    self.fail(format!(
                        "Cannot open file list: {shown} - {}",
                        describe_io(&e)
                    ))
                })?;
                let mut any = false;
                for (n, line) in list.split(|&c| c == b'\n').enumerate() {
                    let line = line.trim_ascii();
                    if line.is_empty() || line[0] == b'#' || line[0] == b';' {
                        continue;
                    }
                    any = true;
                    // A name in a list is always a file, even "-".
                    let file = if line == b"-" { b"./-" as &[u8] } else { line };
                    let on_fail = format!(
                        "Cannot load file {} from list {shown} (line {})",
                        String::from_utf8_lossy(line),
                        n + 1
                    );
                    self.request(file, line, on_fail);
                }
                if !any {
                    return Err(self.fail(format!("No valid files found in file list: {shown}")));
                }
                Ok(())
            }
        }
    }

    /// Loads one input, into `into` when given (the returned set is then
    /// empty); messages, and the request's own on failure, are printed here.
    fn load(
        &self,
        req: &Request,
        into: Option<&mut Vec<FamilyBuilder<A>>>,
    ) -> Result<Loaded<A>, Exit> {
        let path_str = String::from_utf8_lossy(&req.path).into_owned();
        let name_str = String::from_utf8_lossy(&req.name).into_owned();
        let opened = if req.path == b"-" || req.path.is_empty() {
            Ok(Box::new(io::stdin()) as Box<dyn io::Read + Send>)
        } else {
            std::fs::File::open(std::ffi::OsStr::from_bytes(&req.path))
                .map(|f| Box::new(f) as Box<dyn io::Read + Send>)
        };
        let reader = match opened {
            Ok(r) => r,
            Err(e) => {
                self.say(format!("{path_str} - {}", describe_io(&e)));
                return Err(self.fail(&req.on_fail));
            }
        };
        let prog = self.prog;
        let mut warn = |m: String| eprintln!("{prog}: {m}");
        let result = match into {
            Some(parts) => {
                iprange::load_into::<A>(reader, &name_str, &req.syntax, &mut warn, parts)
            }
            None => iprange::load::<A>(reader, &name_str, &req.syntax, &mut warn),
        };
        match result {
            Ok(loaded) => {
                if self.verbose && loaded.hostnames > 0 {
                    self.say(format!(
                        "DNS: made {} DNS requests, failed 0, IPs got {} ({name_str})",
                        loaded.hostnames, loaded.resolved
                    ));
                }
                if loaded.dropped_v6 > 0 {
                    self.say(format!(
                        "{name_str}: {} IPv6 entries dropped (use -6 for IPv6 mode)",
                        loaded.dropped_v6
                    ));
                }
                Ok(loaded)
            }
            Err(f) => {
                for m in f.messages {
                    self.say(m);
                }
                Err(self.fail(&req.on_fail))
            }
        }
    }

    fn union(sets: &[Named<A>]) -> (IntervalSet<A>, u64) {
        let entries = sets.iter().map(|s| s.loaded.entries).sum();
        let set = sets
            .iter()
            .map(|s| &s.loaded.set)
            .fold(IntervalSet::new(), |acc, s| acc.union(s));
        (set, entries)
    }

    fn execute(&mut self) -> Result<u8, Exit> {
        let requests = std::mem::take(&mut self.requests);
        // A merge or count needs only the union: every input goes into one
        // stream. Group 2 is still loaded, as iprange checks it too.
        let mut stream = None;
        if matches!(self.mode, Mode::Merge | Mode::CountUnique) {
            let mut parts = Vec::new();
            let mut entries = 0;
            for r in &requests {
                if r.group == 0 {
                    entries += self.load(r, Some(&mut parts))?.entries;
                } else {
                    self.load(r, None)?;
                }
            }
            stream = Some((FamilyBuilder::merge_sorted(parts), entries));
        } else {
            for r in &requests {
                let loaded = self.load(r, None)?;
                self.groups[r.group].push(Named {
                    name: r.name.clone(),
                    loaded,
                });
            }
        }
        // Lists are written in 64 KiB pieces, which pass this buffer by.
        let mut out = io::BufWriter::with_capacity(1 << 15, io::stdout().lock());
        let code = self
            .output(&mut out, stream)
            .and_then(|c| out.flush().map(|()| c));
        match code {
            Ok(c) => Ok(c),
            // iprange 2.x: output cut short is not a success.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(Exit(1)),
            Err(e) => Err(self.fail(format!("write error: {}", describe_io(&e)))),
        }
    }

    fn output(&mut self, out: &mut impl Write, stream: Option<(Merged<A>, u64)>) -> io::Result<u8> {
        if let Some((merged, _)) = stream {
            if self.mode == Mode::CountUnique {
                // iprange 2.x counts entries after merging.
                let (count, entries) =
                    merged.fold((Count::ZERO, 0u64), |(c, n), r| (c.add_range(r), n + 1));
                if self.header {
                    writeln!(out, "entries,unique_ips")?;
                }
                writeln!(out, "{entries},{}", count.as_u128().unwrap_or(u128::MAX))?;
            } else {
                self.print_ranges(merged, self.mask, out)?;
            }
            return Ok(0);
        }
        let [g1, g2] = &self.groups;
        match self.mode {
            Mode::Merge | Mode::CountUnique => unreachable!("streamed above"),
            Mode::Reduce => {
                let (set, _) = Self::union(g1);
                if A::BITS == 128 {
                    self.say("--ipset-reduce is not supported in IPv6 mode");
                    return Ok(1);
                }
                let mask = reduce_prefixes(&set, self.mask, self.percent, self.min_entries);
                self.print_ranges(set.ranges().iter().copied(), mask, out)?;
            }
            Mode::Common => {
                if g1.len() < 2 {
                    self.say(
                        "two ipsets at least are needed to be compared to find their common IPs.",
                    );
                    return Ok(1);
                }
                let set = g1[1..].iter().fold(g1[0].loaded.set.clone(), |acc, s| {
                    acc.intersection(&s.loaded.set)
                });
                self.print_ranges(set.ranges().iter().copied(), self.mask, out)?;
            }
            Mode::Except => {
                if g2.is_empty() {
                    self.say("no files given after the --exclude-next parameter.");
                    return Ok(1);
                }
                let (a, _) = Self::union(g1);
                let (b, _) = Self::union(g2);
                self.print_ranges(a.difference(&b).into_ranges(), self.mask, out)?;
            }
            Mode::Diff => {
                if g2.is_empty() {
                    self.say("two ipsets at least are needed to be diffed.");
                    return Ok(1);
                }
                let (a, _) = Self::union(g1);
                let (b, _) = Self::union(g2);
                // iprange does not join an A-only piece to an adjacent
                // B-only one: both sides' pieces, sorted, unmerged.
                let mut pieces = a.difference(&b).into_ranges();
                pieces.extend(b.difference(&a).into_ranges());
                pieces.sort_unstable_by_key(|r| r.start);
                let differ = !pieces.is_empty();
                if !self.quiet {
                    self.print_ranges(pieces, self.mask, out)?;
                }
                return Ok(differ as u8);
            }
            Mode::Compare | Mode::CompareNext => {
                let pairs: Vec<(&Named<A>, &Named<A>)> = if self.mode == Mode::Compare {
                    if g1.len() < 2 {
                        self.say("two ipsets at least are needed to be compared.");
                        return Ok(1);
                    }
                    (0..g1.len())
                        .flat_map(|i| (i + 1..g1.len()).map(move |j| (&g1[i], &g1[j])))
                        .collect()
                } else {
                    if g2.is_empty() {
                        self.say("no files given after the --compare-next parameter.");
                        return Ok(1);
                    }
                    g1.iter()
                        .flat_map(|x| g2.iter().map(move |y| (x, y)))
                        .collect()
                };
                if self.header {
                    writeln!(
                        out,
                        "name1,name2,entries1,entries2,ips1,ips2,combined_ips,common_ips"
                    )?;
                }
                for (x, y) in pairs {
                    let (xs, ys) = (&x.loaded.set, &y.loaded.set);
                    let (ux, uy) = (unique(xs), unique(ys));
                    let common = unique(&xs.intersection(ys));
                    let combined = unique(&xs.union(ys));
                    csv_name(out, &x.name)?;
                    out.write_all(b",")?;
                    csv_name(out, &y.name)?;
                    writeln!(
                        out,
                        ",{},{},{ux},{uy},{combined},{common}",
                        entries(xs),
                        entries(ys),
                    )?;
                }
            }
            Mode::CompareFirst => {
                if g1.len() < 2 {
                    self.say("two ipsets at least are needed to be compared.");
                    return Ok(1);
                }
                if self.header {
                    writeln!(out, "name,entries,unique_ips,common_ips")?;
                }
                let first = &g1[0].loaded.set;
                for x in &g1[1..] {
                    csv_name(out, &x.name)?;
                    writeln!(
                        out,
                        ",{},{},{}",
                        entries(&x.loaded.set),
                        unique(&x.loaded.set),
                        unique(&x.loaded.set.intersection(first))
                    )?;
                }
            }
            Mode::CountUniqueAll => {
                if self.header {
                    writeln!(out, "name,entries,unique_ips")?;
                }
                for x in g1 {
                    csv_name(out, &x.name)?;
                    let set = &x.loaded.set;
                    writeln!(out, ",{},{}", entries(set), unique(set))?;
                }
            }
        }
        Ok(0)
    }

    fn print_ranges(
        &self,
        ranges: impl IntoIterator<Item = Range<A>>,
        mask: PrefixMask,
        out: &mut impl Write,
    ) -> io::Result<()> {
        let mut p = self.printer.clone();
        p.format = match self.print {
            Print::Binary => {
                let all: Vec<Range<A>> = ranges.into_iter().collect();
                return iprange::write_binary(out, &all);
            }
            Print::Cidr => ListFormat::Cidr,
            Print::Ranges => ListFormat::Range,
            Print::SingleIps => ListFormat::SingleIps,
        };
        if self.print != Print::SingleIps {
            return p.print_ranges(ranges, mask, out);
        }
        let kept = ranges.into_iter().filter(|r| {
            let span = r.end.to_u128() - r.start.to_u128();
            if span <= SINGLE_IPS_LIMIT {
                return true;
            }
            let (mut lo, mut hi) = (Vec::new(), Vec::new());
            r.start.write_to(&mut lo);
            r.end.write_to(&mut hi);
            let (lo, hi) = (String::from_utf8_lossy(&lo), String::from_utf8_lossy(&hi));
            if A::BITS == 32 {
                self.say(format!(
                    "too big range eliminated start={lo} end={hi} gives {span} IPs"
                ));
            } else {
                self.say(format!("too big range eliminated start={lo} end={hi}"));
            }
            false
        });
        p.print_ranges(kept, mask, out)
    }
}

/// Entries as iprange 2.x reports them: ranges after merging.
fn entries<A: Addr>(s: &IntervalSet<A>) -> usize {
    s.ranges().len()
}

/// A name in a CSV row, quoted as RFC 4180 asks when it holds a comma, a
/// quote or a line end (iprange 2.x); other bytes are written as given.
fn csv_name(out: &mut impl Write, name: &[u8]) -> io::Result<()> {
    let mut field = Vec::with_capacity(name.len() + 2);
    crate::record::push_bytes_field(&mut field, name);
    out.write_all(&field)
}

/// Unique addresses, saturating at 2^128 - 1 as iprange's IPv6 counts do.
fn unique<A: Addr>(s: &IntervalSet<A>) -> u128 {
    s.count().as_u128().unwrap_or(u128::MAX)
}
