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
    on_fail: Vec<u8>,
}

/// Ends the run with an exit status (messages already printed).
struct Exit(u8);

struct Run<'a, A> {
    prog: &'a str,
    invoked: &'a [u8],
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
    /// `--dns-progress`: report each file's lookups when they are done.
    dns_progress: bool,
    /// Whether `-6` stands before the argument being read: iprange 2.x
    /// checks option values, and reads unknown options, by the family in
    /// force at that point.
    v6_here: bool,
    syntax: IprangeSyntax,
    percent: u64,
    min_entries: u64,
}

/// Runs with iprange's arguments. `prog` names the tool in messages;
/// `invoked` is how it was called, as the usage line shows it.
pub fn main(prog: &str, invoked: &[u8], args: &[OsString]) -> ExitCode {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    // -4/-6 choose the family for the whole run, wherever they stand.
    let v6 = args.iter().any(|a| *a == b"-6" || *a == b"--ipv6");
    let code = if v6 {
        Run::<u128>::new(prog, invoked).go(&args)
    } else {
        Run::<u32>::new(prog, invoked).go(&args)
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

/// A number as C's `strtol` reads it in base 10: white space, an optional
/// sign, digits. Returns the value (saturated to the `i64` range, with
/// whether it overflowed) and how many bytes were read; none when there are
/// no digits.
fn strtol(v: &[u8]) -> Option<(i64, bool, usize)> {
    let mut k = v
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
        .count();
    let negative = v.get(k) == Some(&b'-');
    if matches!(v.get(k), Some(b'+' | b'-')) {
        k += 1;
    }
    let digits = v[k..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let mut n: i128 = 0;
    for &c in &v[k..k + digits] {
        n = (n * 10 + (c - b'0') as i128).min(i64::MAX as i128 + 2);
    }
    let n = if negative { -n } else { n };
    let clamped = n.clamp(i64::MIN as i128, i64::MAX as i128);
    Some((clamped as i64, clamped != n, k + digits))
}

/// An option value read as iprange 2.x reads signed ones: all of it a
/// `strtol` number (leading white space and a sign allowed), in range.
fn parse_long(v: &[u8]) -> Option<i64> {
    match strtol(v) {
        Some((n, false, used)) if used == v.len() => Some(n),
        _ => None,
    }
}

/// An unsigned option value: digits only, no sign or white space.
fn parse_size(v: &[u8]) -> Option<u64> {
    if v.is_empty() || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(v).ok()?.parse().ok()
}

impl<'a, A: Addr> Run<'a, A> {
    fn new(prog: &'a str, invoked: &'a [u8]) -> Self {
        Run {
            prog,
            invoked,
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
            dns_progress: false,
            v6_here: false,
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

    /// A message whose bytes (a file name, an argument) are not all text.
    fn say_bytes(&self, msg: &[u8]) {
        let mut line = format!("{}: ", self.prog).into_bytes();
        line.extend_from_slice(msg);
        line.push(b'\n');
        let _ = io::stderr().write_all(&line);
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
        let mut msg = b"Invalid value '".to_vec();
        msg.extend_from_slice(v);
        msg.extend_from_slice(format!("' for {opt}. {expected}").as_bytes());
        self.say_bytes(&msg);
        Exit(1)
    }

    fn scan(&mut self, args: &[&[u8]]) -> Result<(), Exit> {
        let mut i = 0;
        while i < args.len() {
            let bits: u32 = if self.v6_here { 128 } else { 32 };
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
                    let n = parse_long(v).filter(|n| (1..=bits as i64).contains(n));
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
                ("--prefixes", Some(v)) => self.prefixes(v, bits)?,
                // IPv6 always uses /128: iprange 2.x takes the value unread.
                ("--default-prefix" | "-p", Some(_)) if self.v6_here => {}
                ("--default-prefix" | "-p", Some(v)) => {
                    match parse_long(v).filter(|n| (0..=32).contains(n)) {
                        Some(n) => self.syntax.default_prefix = n as u32,
                        None => return Err(self.bad_value(opt, v, "It must be between 0 and 32.")),
                    }
                }
                ("--ipset-reduce" | "--reduce-factor", Some(v)) => {
                    match parse_size(v) {
                        Some(n) => self.percent = n,
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
                    match parse_size(v) {
                        Some(n) => self.min_entries = n,
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
                    if parse_long(v).is_none_or(|n| !(1..=i32::MAX as i64).contains(&n)) {
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
        if self.requests.is_empty() {
            self.request(b"-", b"stdin", b"Cannot load ipset from stdin".to_vec());
        } else if !self.requests.iter().any(|r| r.group == 0) {
            // Only after -6, where --except and the like do not ask for an
            // ipset before them (iprange 2.x).
            return Err(self.fail("No valid ipsets to process."));
        }
        Ok(())
    }

    fn request(&mut self, path: &[u8], name: &[u8], on_fail: Vec<u8>) {
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

    /// `--prefixes`: the lengths to print, checked against the family in
    /// force there (`bits`).
    fn prefixes(&mut self, list: &[u8], bits: u32) -> Result<(), Exit> {
        for len in 0..A::BITS {
            self.mask.set(len, false);
        }
        // As iprange's strtol loop over the list: each number is read as a C
        // long and kept as an int (so 4294967299 is 3), and one ',' or ' '
        // after it is skipped; text that is no number reads as 0.
        let mut rest = list;
        while !rest.is_empty() {
            let (n, used) = strtol(rest).map_or((0, 0), |(n, _, used)| (n as i32, used));
            if n <= 0 || n as i64 > bits as i64 {
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
            rest = &rest[used..];
            if matches!(rest.first(), Some(b',' | b' ')) {
                rest = &rest[1..];
            }
        }
        Ok(())
    }

    fn need_loaded(&self, opt: &str) -> Result<(), Exit> {
        if self.requests.is_empty() && !self.v6_here {
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
            "--dns-progress" => self.dns_progress = true,
            "-6" | "--ipv6" => self.v6_here = true,
            "-4" | "--ipv4" => self.v6_here = false,
            "--dns-silent" => {}
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
                // iprange's synopsis first, under the name it was called by.
                let mut text = cat(&[
                    b"Usage: ",
                    self.invoked,
                    b" [options] file1 file2 file3 ...\n\n",
                ]);
                text.extend_from_slice(super::command().render_long_help().to_string().as_bytes());
                text.push(b'\n');
                let _ = io::stdout().write_all(&text);
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
            // After -6, iprange 2.x passes over an option it does not know
            // (or one whose value is missing) instead of reading a file.
            _ if self.v6_here && arg.len() > 1 && arg[0] == b'-' => {}
            _ => {
                let name: &[u8] = if arg == b"-" || arg.is_empty() {
                    b"stdin"
                } else {
                    arg
                };
                self.request(arg, name, cat(&[b"Cannot load ipset: ", arg]));
            }
        }
        Ok(())
    }

    /// `@DIRECTORY` (every regular file in it, sorted) or `@FILELIST`.
    fn load_at(&mut self, path: &[u8]) -> Result<(), Exit> {
        let p = std::path::Path::new(std::ffi::OsStr::from_bytes(path));
        let fail = |run: &Self, parts: &[&[u8]]| {
            run.say_bytes(&cat(parts));
            Exit(1)
        };
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
                    return Err(fail(self, &[b"No valid files found in directory: ", path]));
                }
                for f in files {
                    let on_fail = cat(&[b"Cannot load file ", &f, b" from directory ", path]);
                    self.request(&f, &f, on_fail);
                }
                Ok(())
            }
            Err(e) if e.raw_os_error() != Some(libc::ENOTDIR) => Err(fail(
                self,
                &[b"Cannot access ", path, b": ", describe_io(&e).as_bytes()],
            )),
            Err(_) => {
                let list = std::fs::read(p).map_err(|e| {
                    fail(
                        self,
                        &[
                            b"Cannot open file list: ",
                            path,
                            b" - ",
                            describe_io(&e).as_bytes(),
                        ],
                    )
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
                    let at = format!(" (line {})", n + 1);
                    let on_fail = cat(&[
                        b"Cannot load file ",
                        line,
                        b" from list ",
                        path,
                        at.as_bytes(),
                    ]);
                    self.request(file, line, on_fail);
                }
                if !any {
                    return Err(fail(self, &[b"No valid files found in file list: ", path]));
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
        let name_str = String::from_utf8_lossy(&req.name).into_owned();
        // Messages name the file by its bytes, whatever they are.
        let named = |m: &str| -> Vec<u8> {
            if name_str.as_bytes() == req.name.as_slice() {
                return m.as_bytes().to_vec();
            }
            let mut out = Vec::with_capacity(m.len());
            let mut rest = m;
            while let Some(k) = rest.find(name_str.as_str()) {
                out.extend_from_slice(&rest.as_bytes()[..k]);
                out.extend_from_slice(&req.name);
                rest = &rest[k + name_str.len()..];
            }
            out.extend_from_slice(rest.as_bytes());
            out
        };
        let opened = if req.path == b"-" || req.path.is_empty() {
            Ok(Box::new(io::stdin()) as Box<dyn io::Read + Send>)
        } else {
            std::fs::File::open(std::ffi::OsStr::from_bytes(&req.path)).map(|f| {
                // A directory opens but cannot be read: iprange 2.x takes it
                // as an empty set (it is never expanded; @DIRECTORY is).
                if f.metadata().is_ok_and(|m| m.is_dir()) {
                    Box::new(io::empty()) as Box<dyn io::Read + Send>
                } else {
                    Box::new(f) as Box<dyn io::Read + Send>
                }
            })
        };
        let reader = match opened {
            Ok(r) => r,
            Err(e) => {
                self.say_bytes(&cat(&[&req.path, b" - ", describe_io(&e).as_bytes()]));
                self.say_bytes(&req.on_fail);
                return Err(Exit(1));
            }
        };
        let prog = self.prog;
        let mut warn = |m: String| {
            let mut line = format!("{prog}: ").into_bytes();
            line.extend_from_slice(&named(&m));
            line.push(b'\n');
            let _ = io::stderr().write_all(&line);
        };
        let result = match into {
            Some(parts) => {
                iprange::load_into::<A>(reader, &name_str, &req.syntax, &mut warn, parts)
            }
            None => iprange::load::<A>(reader, &name_str, &req.syntax, &mut warn),
        };
        match result {
            Ok(loaded) => {
                if self.dns_progress && loaded.hostnames > 0 {
                    self.say_bytes(&named(&format!(
                        "DNS: {0} of {0} names of {name_str} looked up (100%)",
                        loaded.hostnames
                    )));
                }
                if self.verbose && loaded.hostnames > 0 {
                    self.say_bytes(&named(&format!(
                        "DNS: made {} DNS requests, failed 0, IPs got {} ({name_str})",
                        loaded.hostnames, loaded.resolved
                    )));
                }
                if loaded.dropped_v6 > 0 {
                    self.say_bytes(&named(&format!(
                        "{name_str}: {} IPv6 entries dropped (use -6 for IPv6 mode)",
                        loaded.dropped_v6
                    )));
                }
                Ok(loaded)
            }
            Err(f) => {
                for m in f.messages {
                    self.say_bytes(&named(&m));
                }
                self.say_bytes(&req.on_fail);
                Err(Exit(1))
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
                if self.verbose {
                    // As iprange 2.x names them: a side's own name when it is
                    // one file, else "ipset A" / "ipset B".
                    let side = |g: &[Named<A>], whole: &[u8]| match g {
                        [one] => one.name.clone(),
                        _ => whole.to_vec(),
                    };
                    self.say_bytes(&cat(&[
                        b"Finding diff IPs in ",
                        &side(g1, b"ipset A"),
                        b" and ",
                        &side(g2, b"ipset B"),
                    ]));
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

/// Byte strings joined, for messages that carry file names.
fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
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
