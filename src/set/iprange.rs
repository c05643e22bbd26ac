//! iprange's input dialect and binary format, for `tl-set`'s iprange command
//! line. docs/iprange.md describes the behaviour; the rules here follow
//! Debian's iprange 1.0.4 where it is sound and iprange 2.x where 1.0.4 has
//! bugs (invalid lines abort the load; counts never wrap).
//!
//! Lines are read as C `fgets` with a 1024-byte buffer reads them: at most
//! 1023 bytes each, longer lines continue as further "lines".

use super::{coalesce_sorted, FamilyBuilder, IntervalSet};
use crate::net::{Addr, Range};
use std::io::{self, BufRead, Read, Write};

/// Options that change how lines are read. They apply to the files that
/// follow them on the command line.
#[derive(Clone, Copy, Debug)]
pub struct IprangeSyntax {
    /// Clear host bits of CIDRs (off with `--dont-fix-network`).
    pub fix_network: bool,
    /// Prefix length of addresses given without one (`-p`): 0..=32, as
    /// `-p` takes (an IPv4 mask is made of it, also when reading IPv6).
    pub default_prefix: u32,
    /// How a hostname line becomes addresses; without one, a hostname
    /// fails its file. The library does no lookups of its own.
    pub resolve: Option<Resolve>,
}

/// Resolves a hostname to its addresses, or says why it cannot.
pub type Resolve = fn(&str) -> Result<Vec<std::net::IpAddr>, String>;

impl Default for IprangeSyntax {
    fn default() -> Self {
        IprangeSyntax {
            fix_network: true,
            default_prefix: 32,
            resolve: None,
        }
    }
}

const MAX_CHUNK: usize = 1023;

/// Reads `fgets`-sized chunks: up to and including `\n`, at most 1023 bytes.
pub struct Chunks<R> {
    inner: R,
    line: Vec<u8>,
}

impl<R: BufRead> Chunks<R> {
    pub fn new(inner: R) -> Self {
        Chunks {
            inner,
            line: Vec::with_capacity(MAX_CHUNK + 1),
        }
    }

    /// The next chunk, with its `\n` if it has one.
    pub fn next_chunk(&mut self) -> io::Result<Option<&[u8]>> {
        self.line.clear();
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                break;
            }
            let room = MAX_CHUNK - self.line.len();
            let take = &buf[..buf.len().min(room)];
            match memchr::memchr(b'\n', take) {
                Some(i) => {
                    self.line.extend_from_slice(&take[..=i]);
                    self.inner.consume(i + 1);
                    break;
                }
                None => {
                    let n = take.len();
                    self.line.extend_from_slice(take);
                    self.inner.consume(n);
                    if self.line.len() == MAX_CHUNK {
                        break;
                    }
                }
            }
        }
        Ok((!self.line.is_empty()).then_some(&self.line[..]))
    }

    pub fn into_inner(self) -> R {
        self.inner
    }
}

/// glibc's `inet_aton`, requiring the whole token to be consumed: one to four
/// parts, each a C integer literal (`0x` hex, leading `0` octal, else
/// decimal); the last part fills the remaining low bytes.
pub fn inet_aton(s: &[u8]) -> Option<u32> {
    let mut parts = [0u64; 4];
    let mut n = 0;
    let mut i = 0;
    loop {
        if n == 4 || !s.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let (v, next) = c_integer(s, i)?;
        parts[n] = v;
        n += 1;
        i = next;
        match s.get(i) {
            Some(b'.') => i += 1,
            None => break,
            Some(_) => return None,
        }
    }
    let last_max: u64 = [0xFFFF_FFFF, 0xFF_FFFF, 0xFFFF, 0xFF][n - 1];
    if parts[..n - 1].iter().any(|&p| p > 255) || parts[n - 1] > last_max {
        return None;
    }
    let mut v: u64 = 0;
    for (k, &p) in parts[..n - 1].iter().enumerate() {
        v |= p << (24 - 8 * k);
    }
    Some((v | parts[n - 1]) as u32)
}

/// A C integer literal at `s[i]` (a digit): its value and where it ends.
/// `None` when it exceeds 32 bits or has an 8 or 9 in an octal number.
fn c_integer(s: &[u8], i: usize) -> Option<(u64, usize)> {
    let (radix, start) = if s[i] == b'0'
        && matches!(s.get(i + 1), Some(b'x' | b'X'))
        && s.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    {
        (16, i + 2)
    } else if s[i] == b'0' {
        (8, i)
    } else {
        (10, i)
    };
    let mut v: u64 = 0;
    let mut j = start;
    while let Some(d) = s.get(j).and_then(|&c| (c as char).to_digit(radix)) {
        v = v * radix as u64 + d as u64;
        if v > 0xFFFF_FFFF {
            return None;
        }
        j += 1;
    }
    if radix == 8 && s.get(j).is_some_and(|c| matches!(c, b'8' | b'9')) {
        return None;
    }
    Some((v, j))
}

fn netmask_v4(len: u32) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - len)
    }
}

/// C `atoi` of a prefix length: `None` where iprange falls back to reading a
/// dotted netmask (no digits at all is 0, not a fallback).
fn atoi_prefix(p: &[u8]) -> Option<u32> {
    if p.is_empty() {
        return None;
    }
    let digits = p.iter().take_while(|c| c.is_ascii_digit()).count();
    let mut v: i128 = 0;
    for &c in &p[..digits] {
        v = v * 10 + (c - b'0') as i128;
        if v > i64::MAX as i128 {
            return None; // ERANGE
        }
    }
    // atoi returns an int: the low 32 bits, signed.
    let v = v as u32 as i32;
    (0..=32).contains(&v).then_some(v as u32)
}

/// One IPv4 address or CIDR token (`str2netaddr`), as a range.
fn v4_token(tok: &[u8], syn: &IprangeSyntax) -> Result<Range<u32>, String> {
    let (addr, prefix) = match memchr::memchr(b'/', tok) {
        None => (tok, syn.default_prefix),
        Some(i) => {
            let p = &tok[i + 1..];
            let prefix = match atoi_prefix(p) {
                Some(v) => v,
                None => {
                    let m = inet_aton(p).ok_or_else(|| {
                        format!("Invalid address {}.", String::from_utf8_lossy(p))
                    })?;
                    crate::net::netmask_len(m)
                        .ok_or_else(|| format!("Invalid netmask {}", String::from_utf8_lossy(p)))?
                }
            };
            (&tok[..i], prefix)
        }
    };
    let a = inet_aton(addr)
        .ok_or_else(|| format!("Invalid address {}.", String::from_utf8_lossy(addr)))?;
    let lo = if syn.fix_network {
        a & netmask_v4(prefix)
    } else {
        a
    };
    Ok(Range::new(lo, lo | !netmask_v4(prefix)))
}

const MAPPED: u128 = 0xffff_0000_0000;

/// One IPv6 token: `addr[/len]`, prefix 0..=128, no netmask form.
fn v6_token(tok: &[u8], syn: &IprangeSyntax) -> Result<Range<u128>, String> {
    let (addr, prefix) = match memchr::memchr(b'/', tok) {
        None => (tok, 128),
        Some(i) => {
            let p = &tok[i + 1..];
            let len = std::str::from_utf8(p)
                .ok()
                .filter(|s| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()))
                .and_then(|s| s.parse::<u32>().ok())
                .filter(|&l| l <= 128)
                .ok_or_else(|| format!("Invalid IPv6 prefix /{}", String::from_utf8_lossy(p)))?;
            (&tok[..i], len)
        }
    };
    let a = crate::net::parse_v6(addr)
        .map_err(|_| format!("Invalid IPv6 address {}", String::from_utf8_lossy(addr)))?;
    Ok(v6_prefix(a, prefix, syn.fix_network))
}

fn v6_prefix(a: u128, prefix: u32, fix: bool) -> Range<u128> {
    let host = u128::hostmask(prefix);
    let lo = if fix { a & !host } else { a };
    Range::new(lo, lo | host)
}

fn map_v4(r: Range<u32>) -> Range<u128> {
    Range::new(MAPPED | r.start as u128, MAPPED | r.end as u128)
}

/// What one line holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line<A> {
    /// Blank or comment.
    Empty,
    Range(Range<A>),
    /// Not understood; the details explain why (may be none).
    Invalid(Vec<String>),
    /// A host name: iprange would resolve it; we refuse.
    Hostname(Vec<u8>),
    /// An IPv6 entry read in IPv4 mode: dropped and counted.
    DroppedV6,
}

#[inline]
fn is_sp(c: u8) -> bool {
    c == b' ' || c == b'\t'
}
#[inline]
fn is_end(c: Option<&u8>) -> bool {
    matches!(c, None | Some(b'\r' | b'\n' | b'#' | b';'))
}
#[inline]
fn is_hc(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-')
}

fn skip(s: &[u8], mut i: usize, pred: impl Fn(u8) -> bool) -> usize {
    while s.get(i).is_some_and(|&c| pred(c)) {
        i += 1;
    }
    i
}

/// A token that is unmistakably an address attempt: it has a prefix, or it
/// is four dot-separated digit groups.
fn complete4(tok: &[u8]) -> bool {
    tok.contains(&b'/')
        || (tok.split(|&c| c == b'.').count() == 4
            && tok
                .split(|&c| c == b'.')
                .all(|g| !g.is_empty() && g.iter().all(u8::is_ascii_digit)))
}

/// The whole line is one host-name-like word (and maybe a comment).
fn host_token(s: &[u8]) -> Option<&[u8]> {
    let a = skip(s, 0, is_sp);
    let b = skip(s, a, is_hc);
    let c = skip(s, b, is_sp);
    (b > a && is_end(s.get(c))).then_some(&s[a..b])
}

/// A hostname that is really a number resolves (as getaddrinfo would) to one
/// address: the network address under the default prefix.
fn numeric_host<A: Addr>(host: &[u8], syn: &IprangeSyntax) -> Line<A> {
    if let Some(a) = inet_aton(host) {
        let a = if syn.fix_network {
            a & netmask_v4(syn.default_prefix)
        } else {
            a
        };
        let r = Range::new(a, a);
        return match A::FAMILY {
            crate::net::Family::V4 => Line::Range(cast(r)),
            crate::net::Family::V6 => Line::Range(cast(map_v4(r))),
        };
    }
    if A::FAMILY == crate::net::Family::V6 {
        if let Ok(a) = crate::net::parse_v6(host) {
            return Line::Range(cast(Range::new(a, a)));
        }
    }
    if !crate::net::domain::fits_dns(host) {
        // No resolver can answer it: a bad line, not a lookup (a long line
        // of letters would otherwise become a lookup per fgets chunk).
        return Line::Invalid(vec![format!(
            "not a host name: {} bytes, at most 253 in labels of at most 63",
            host.len()
        )]);
    }
    Line::Hostname(host.to_vec())
}

fn cast<A: Addr, B: Addr>(r: Range<B>) -> Range<A> {
    Range::new(
        A::from_u128(r.start.to_u128()),
        A::from_u128(r.end.to_u128()),
    )
}

/// A line accepted with a remark.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// `a - # comment`: read as the single address `a`.
    CommentAfterDash(Vec<u8>),
    /// `a -` at the end of a line: read as the single address `a`.
    IncompleteRange,
}

impl Warning {
    pub fn message(&self, line_no: u64) -> String {
        match self {
            Warning::CommentAfterDash(rest) => format!(
                "Ignoring text on line {line_no}, expected an ip address after -, but found '{}'",
                String::from_utf8_lossy(rest)
            ),
            Warning::IncompleteRange => format!(
                "Incomplete range on line {line_no}, expected an ip address after -, but line ended"
            ),
        }
    }
}

/// Parses one line (a chunk, NUL-terminated content) in iprange's dialect.
/// `warn` receives remarks on lines that are still accepted.
pub fn parse_line<A: Addr>(
    chunk: &[u8],
    syn: &IprangeSyntax,
    warn: &mut dyn FnMut(Warning),
) -> Line<A> {
    let s = match memchr::memchr(0, chunk) {
        Some(i) => &chunk[..i],
        None => chunk,
    };
    let v6 = A::FAMILY == crate::net::Family::V6;
    let ipc = |c: u8| {
        c.is_ascii_digit() || c == b'.' || c == b'/' || (v6 && (c.is_ascii_hexdigit() || c == b':'))
    };
    let token = |t: &[u8]| -> Result<Range<A>, String> {
        if v6 {
            if t.contains(&b':') {
                v6_token(t, syn).map(cast)
            } else {
                v4_token(t, syn).map(|r| cast(map_v4(r)))
            }
        } else {
            v4_token(t, syn).map(cast)
        }
    };
    let invalid = |s: &[u8]| -> Line<A> {
        if !v6 && s.iter().filter(|&&c| c == b':').count() >= 2 {
            mapped_v4_line(s, syn).unwrap_or(Line::DroppedV6)
        } else {
            Line::Invalid(Vec::new())
        }
    };
    let hostname_or_invalid = |ip1: &[u8]| -> Line<A> {
        if !ip1.contains(&b'/') && !complete4(ip1) && !ip1.contains(&b':') {
            if let Some(h) = host_token(s) {
                return numeric_host(h, syn);
            }
        }
        invalid(s)
    };

    let i = skip(s, 0, is_sp);
    if is_end(s.get(i)) {
        return Line::Empty;
    }
    let j = skip(s, i, ipc);
    let ip1 = &s[i..j];
    if ip1.is_empty() {
        return match host_token(s) {
            Some(h) => numeric_host(h, syn),
            None => invalid(s),
        };
    }
    let k = skip(s, j, is_sp);
    if is_end(s.get(k)) {
        return one(token(ip1));
    }
    if s[k] != b'-' {
        return hostname_or_invalid(ip1);
    }
    let k = skip(s, k + 1, is_sp);
    match s.get(k) {
        Some(b'#' | b';') => {
            warn(Warning::CommentAfterDash(s[k..].to_vec()));
            return one(token(ip1));
        }
        None | Some(b'\r' | b'\n') => {
            warn(Warning::IncompleteRange);
            return one(token(ip1));
        }
        _ => {}
    }
    let m = skip(s, k, ipc);
    let ip2 = &s[k..m];
    if ip2.is_empty() || !is_end(s.get(skip(s, m, is_sp))) {
        return hostname_or_invalid(ip1);
    }
    match (token(ip1), token(ip2)) {
        (Ok(a), Ok(b)) => {
            if v6 && ip1.contains(&b':') != ip2.contains(&b':') {
                return Line::Invalid(vec![format!(
                    "Mixed-family range: {} - {}",
                    String::from_utf8_lossy(ip1),
                    String::from_utf8_lossy(ip2)
                )]);
            }
            Line::Range(Range::new(a.start.min(b.start), a.end.max(b.end)))
        }
        (Err(e), _) | (_, Err(e)) => Line::Invalid(vec![e]),
    }
}

fn one<A: Addr>(r: Result<Range<A>, String>) -> Line<A> {
    match r {
        Ok(r) => Line::Range(r),
        Err(e) => Line::Invalid(vec![e]),
    }
}

/// In IPv4 mode, `::ffff:a.b.c.d[/p]` is read as the IPv4 token.
fn mapped_v4_line<A: Addr>(s: &[u8], syn: &IprangeSyntax) -> Option<Line<A>> {
    let i = skip(s, 0, is_sp);
    let rest = &s[i..];
    if rest.len() < 7 || !rest[..7].eq_ignore_ascii_case(b"::ffff:") {
        return None;
    }
    let j = skip(rest, 7, |c| c.is_ascii_digit() || c == b'.' || c == b'/');
    if j == 7 || !is_end(rest.get(skip(rest, j, is_sp))) {
        return None;
    }
    Some(one(v4_token(&rest[7..j], syn).map(cast)))
}

/// A loaded input: its set and how many entries it held.
#[derive(Clone, Debug, Default)]
pub struct Loaded<A> {
    pub set: IntervalSet<A>,
    /// Accepted entries (iprange's "lines"), which its CSV reports.
    pub entries: u64,
    pub dropped_v6: u64,
    /// Hostnames looked up, and the addresses they gave.
    pub hostnames: u64,
    pub resolved: u64,
}

/// Why a load failed; the messages are already in the order iprange prints.
#[derive(Debug)]
pub struct LoadFailure {
    pub messages: Vec<String>,
}

/// At most this many bad lines are described per file.
const MAX_LINE_MESSAGES: usize = 20;

pub const BINARY_V4: &[u8] = b"iprange binary format v1.0\n";
pub const BINARY_V6: &[u8] = b"iprange binary format v2.0\n";
const ENDIAN_MARK: u32 = 0x1A2B_3C4D;

/// Input is parsed in blocks of whole lines, on two threads when it is
/// larger than one block.
/// A parsed block's report: its index, lines, and the events of its lines.
type BlockReport = (usize, u64, Vec<(u64, Event)>);

const BLOCK: usize = 1 << 16;

/// The common lines, `a.b.c.d` or `a.b.c.d/len` in plain decimal and nothing
/// else, read straight from the block without the general parser: the range
/// and where the next line starts. Anything unusual (comments, `\r`, octal
/// or short forms, long lines) returns `None` and takes the general path.
#[inline]
fn fast_v4(block: &[u8], start: usize, syn: &IprangeSyntax) -> Option<(Range<u32>, usize)> {
    let s = &block[start..block.len().min(start + MAX_CHUNK)];
    let mut i = 0;
    while i < s.len() && is_sp(s[i]) {
        i += 1;
    }
    let mut addr: u32 = 0;
    for part in 0..4 {
        let begin = i;
        let mut v: u32 = 0;
        while i < s.len() && s[i].is_ascii_digit() && i - begin < 3 {
            v = v * 10 + (s[i] - b'0') as u32;
            i += 1;
        }
        let len = i - begin;
        if len == 0 || (len > 1 && s[begin] == b'0') || v > 255 {
            return None;
        }
        addr = (addr << 8) | v;
        if part < 3 {
            if s.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
    }
    let mut len = syn.default_prefix;
    if s.get(i) == Some(&b'/') {
        i += 1;
        let begin = i;
        len = 0;
        while i < s.len() && s[i].is_ascii_digit() && i - begin < 2 {
            len = len * 10 + (s[i] - b'0') as u32;
            i += 1;
        }
        if i == begin || len > 32 {
            return None;
        }
    }
    while i < s.len() && is_sp(s[i]) {
        i += 1;
    }
    let next = match s.get(i) {
        Some(b'\n') => start + i + 1,
        // The block's (and the input's) last line, without a newline.
        None if start + i == block.len() => block.len(),
        _ => return None,
    };
    let lo = if syn.fix_network {
        addr & netmask_v4(len)
    } else {
        addr
    };
    Some((Range::new(lo, lo | !netmask_v4(len)), next))
}

/// Something to report about a line, by its number within a block.
enum Event {
    Warning(Warning),
    Invalid(Vec<String>, Vec<u8>),
    Hostname(Vec<u8>),
}

/// What one worker collected.
struct Part<A> {
    builder: FamilyBuilder<A>,
    entries: u64,
    dropped_v6: u64,
    bad_lines: u64,
    /// (block, lines in it, events by line within the block)
    blocks: Vec<BlockReport>,
}

impl<A: Addr> Part<A> {
    fn new() -> Self {
        Part {
            builder: Default::default(),
            entries: 0,
            dropped_v6: 0,
            bad_lines: 0,
            blocks: Vec::new(),
        }
    }

    /// Parses a block of whole lines (the last may lack its `\n`), each cut
    /// into fgets chunks.
    fn block(&mut self, idx: usize, block: &[u8], syn: &IprangeSyntax) {
        let mut events = Vec::new();
        let mut n = 0u64;
        let mut start = 0;
        while start < block.len() {
            if A::BITS == 32 {
                if let Some((r, next)) = fast_v4(block, start, syn) {
                    n += 1;
                    self.entries += 1;
                    self.builder.push(cast(r));
                    start = next;
                    continue;
                }
            }
            let end = memchr::memchr(b'\n', &block[start..]).map_or(block.len(), |i| start + i + 1);
            let mut line = &block[start..end];
            start = end;
            while !line.is_empty() {
                let take = line.len().min(MAX_CHUNK);
                let chunk = &line[..take];
                line = &line[take..];
                n += 1;
                let mut warning = None;
                let parsed = parse_line::<A>(chunk, syn, &mut |w| warning = Some(w));
                if let Some(w) = warning {
                    if events.len() < MAX_LINE_MESSAGES {
                        events.push((n, Event::Warning(w)));
                    }
                }
                match parsed {
                    Line::Empty => {}
                    Line::Range(r) => {
                        self.entries += 1;
                        self.builder.push(r);
                    }
                    Line::DroppedV6 => self.dropped_v6 += 1,
                    Line::Invalid(details) => {
                        self.bad_lines += 1;
                        if events.len() < MAX_LINE_MESSAGES {
                            events.push((n, Event::Invalid(details, chunk.to_vec())));
                        }
                    }
                    // Every hostname is kept: each is looked up (or refused)
                    // once the whole input is read.
                    Line::Hostname(h) => events.push((n, Event::Hostname(h))),
                }
            }
        }
        self.blocks.push((idx, n, events));
    }
}

/// Reads `reader` in blocks ending at a line end, handing each to `work`,
/// which may hand back a spent buffer for reuse. A line longer than a block
/// is cut at a multiple of the chunk size, where fgets would cut it too.
fn blocks(
    mut reader: impl Read,
    first: Vec<u8>,
    mut work: impl FnMut(Vec<u8>) -> Option<Vec<u8>>,
) -> io::Result<()> {
    let mut buf = first;
    let mut spare: Option<Vec<u8>> = None;
    loop {
        let mut eof = false;
        while buf.len() < BLOCK {
            let old = buf.len();
            buf.resize(BLOCK, 0);
            match reader.read(&mut buf[old..]) {
                Ok(0) => {
                    buf.truncate(old);
                    eof = true;
                    break;
                }
                Ok(k) => buf.truncate(old + k),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => buf.truncate(old),
                Err(e) => return Err(e),
            }
        }
        if eof {
            if !buf.is_empty() {
                work(buf);
            }
            return Ok(());
        }
        let cut = match memchr::memrchr(b'\n', &buf) {
            Some(i) => i + 1,
            None => buf.len() / MAX_CHUNK * MAX_CHUNK,
        };
        let mut next = spare.take().unwrap_or_else(|| Vec::with_capacity(BLOCK));
        next.clear();
        next.extend_from_slice(&buf[cut..]);
        buf.truncate(cut);
        spare = work(std::mem::replace(&mut buf, next));
    }
}

/// Inputs up to this many blocks are parsed on the calling thread: threads
/// and their buffers are not worth it for small files.
const INLINE_BLOCKS: usize = 32;

/// Loads one input (text or iprange binary). Remarks on accepted lines go to
/// `warn`; a file with bad lines fails with every reason, as iprange 2.x does.
pub fn load<A: Addr>(
    reader: impl Read + Send,
    name: &str,
    syn: &IprangeSyntax,
    warn: &mut dyn FnMut(String),
) -> Result<Loaded<A>, LoadFailure> {
    let mut parts = Vec::new();
    let counts = load_into(reader, name, syn, warn, &mut parts)?;
    Ok(Loaded {
        set: FamilyBuilder::build_all(parts),
        ..counts
    })
}

/// Loads one input into unsorted builders (one per parsing thread), for a
/// caller that merges many inputs at once; the returned set is empty.
pub fn load_into<A: Addr>(
    mut reader: impl Read + Send,
    name: &str,
    syn: &IprangeSyntax,
    warn: &mut dyn FnMut(String),
    into: &mut Vec<FamilyBuilder<A>>,
) -> Result<Loaded<A>, LoadFailure> {
    let io_fail = |e: io::Error| LoadFailure {
        messages: vec![format!("{name} - {}", crate::error::describe_io(&e))],
    };
    // Enough to see a binary header.
    let mut first = Vec::with_capacity(BLOCK);
    (&mut reader)
        .take(BINARY_V4.len() as u64)
        .read_to_end(&mut first)
        .map_err(io_fail)?;
    if first == BINARY_V4 || first == BINARY_V6 {
        let ours = if A::BITS == 32 { BINARY_V4 } else { BINARY_V6 };
        if first != ours {
            let msg = if A::BITS == 32 {
                format!("{name}: IPv6 binary file cannot be loaded in IPv4 mode (use -6)")
            } else {
                format!("{name}: IPv4 binary file cannot be loaded in IPv6 mode")
            };
            return Err(LoadFailure {
                messages: vec![msg],
            });
        }
        let chunks = Chunks::new(io::BufReader::new(reader));
        let loaded =
            read_binary::<A, _>(chunks, name).map_err(|m| LoadFailure { messages: vec![m] })?;
        into.push(FamilyBuilder::from(loaded.set));
        return Ok(Loaded {
            set: IntervalSet::new(),
            ..loaded
        });
    }

    let mut parts: Vec<Part<A>> = Vec::new();
    let mut inline = Part::new();
    let mut count = 0usize;
    let threads = crate::pool::threads().min(2);
    let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<u8>)>(threads);
    let (back_tx, back_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let rx = std::sync::Mutex::new(rx);
    let mut tx = Some(tx);
    let result = std::thread::scope(|scope| -> io::Result<()> {
        let mut handles = Vec::new();
        let r = blocks(&mut reader, first, |mut block| {
            let idx = count;
            count += 1;
            if idx < INLINE_BLOCKS || threads < 2 {
                inline.block(idx, &block, syn);
                block.clear();
                return Some(block);
            }
            if handles.is_empty() {
                for _ in 0..threads {
                    let (rx, back) = (&rx, back_tx.clone());
                    handles.push(scope.spawn(move || {
                        let mut part = Part::<A>::new();
                        loop {
                            let next = rx.lock().unwrap().recv();
                            match next {
                                Ok((i, b)) => {
                                    part.block(i, &b, syn);
                                    let _ = back.send(b);
                                }
                                Err(_) => return part,
                            }
                        }
                    }));
                }
            }
            let _ = tx
                .as_ref()
                .expect("sender lives until the end")
                .send((idx, block));
            back_rx.try_recv().ok()
        });
        drop(tx.take());
        for h in handles {
            parts.push(h.join().expect("parser thread"));
        }
        r
    });
    result.map_err(io_fail)?;
    parts.push(inline);

    // Line numbers: each block's lines follow the previous blocks'.
    let mut reports: Vec<BlockReport> = parts.iter_mut().flat_map(|p| p.blocks.drain(..)).collect();
    reports.sort_by_key(|r| r.0);
    let mut base = 0u64;
    let mut failures = Vec::new();
    let bad_lines: u64 = parts.iter().map(|p| p.bad_lines).sum();
    let mut described = 0u64;
    let mut hosts = Vec::new();
    for (_, lines, events) in reports {
        for (n, e) in events {
            let line_no = base + n;
            match e {
                Event::Warning(w) => warn(w.message(line_no)),
                Event::Invalid(details, text) if (described as usize) < MAX_LINE_MESSAGES => {
                    described += 1;
                    failures.extend(details);
                    let shown = match memchr::memchr(0, &text) {
                        Some(i) => &text[..i],
                        None => &text[..],
                    };
                    failures.push(format!(
                        "Cannot understand line No {line_no} from {name}: {}",
                        String::from_utf8_lossy(shown)
                    ));
                }
                Event::Hostname(h) => hosts.push((line_no, h)),
                _ => {}
            }
        }
        base += lines;
    }
    let mut dns = Part::<A>::new();
    let (mut hostnames, mut resolved) = (0, 0);
    if bad_lines == 0 {
        for (line_no, host) in hosts {
            let shown = String::from_utf8_lossy(&host);
            let Some(resolve) = syn.resolve else {
                failures.push(format!(
                    "hostname '{shown}' on line {line_no} of {name} cannot be resolved: DNS resolution is not supported"
                ));
                continue;
            };
            hostnames += 1;
            match resolve(&shown) {
                Ok(addrs) => {
                    for a in addrs {
                        let Some(r) = resolved_range::<A>(a) else {
                            continue;
                        };
                        resolved += 1;
                        dns.entries += 1;
                        dns.builder.push(r);
                    }
                }
                Err(why) => failures.push(format!(
                    "DNS: '{shown}' on line {line_no} of {name} failed permanently: {why}"
                )),
            }
        }
    }
    if bad_lines > 0 || !failures.is_empty() {
        if bad_lines > described {
            failures.push(format!(
                "{name}: {} more bad lines not shown",
                bad_lines - described
            ));
        }
        return Err(LoadFailure { messages: failures });
    }
    parts.push(dns);
    let entries = parts.iter().map(|p| p.entries).sum();
    let dropped_v6 = parts.iter().map(|p| p.dropped_v6).sum();
    into.extend(parts.into_iter().map(|p| p.builder));
    Ok(Loaded {
        set: IntervalSet::new(),
        entries,
        dropped_v6,
        hostnames,
        resolved,
    })
}

/// A looked-up address as a one-address range of the run's family: IPv4
/// mode keeps IPv4 answers, IPv6 mode takes both (IPv4 as mapped).
fn resolved_range<A: Addr>(a: std::net::IpAddr) -> Option<Range<A>> {
    let v = match (a, A::FAMILY) {
        (std::net::IpAddr::V4(v4), crate::net::Family::V4) => u32::from(v4) as u128,
        (std::net::IpAddr::V4(v4), crate::net::Family::V6) => u128::from(v4.to_ipv6_mapped()),
        (std::net::IpAddr::V6(v6), crate::net::Family::V6) => u128::from(v6),
        (std::net::IpAddr::V6(_), crate::net::Family::V4) => return None,
    };
    let a = A::from_u128(v);
    Some(Range::new(a, a))
}

fn header_value<'a>(line: Option<&'a [u8]>, key: &str) -> Option<&'a [u8]> {
    line.and_then(|l| l.strip_prefix(key.as_bytes()))
}

/// A header value: decimal digits and the line's end, nothing else (iprange
/// 2.x refuses `8garbage`, `0x10` or an empty value).
fn header_number(s: &[u8]) -> Option<u128> {
    let digits = s.strip_suffix(b"\n").unwrap_or(s);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    digits.iter().try_fold(0u128, |v, &c| {
        v.checked_mul(10)?.checked_add((c - b'0') as u128)
    })
}

/// Reads the rest of an iprange binary file (after its first line).
fn read_binary<A: Addr, R: BufRead>(
    mut chunks: Chunks<R>,
    name: &str,
) -> Result<Loaded<A>, String> {
    let mut fields: Vec<Vec<u8>> = Vec::new();
    let expect = [
        ("", "2nd line should be the optimized flag"),
        ("record size ", "3rd line should be the record size"),
        ("records ", "4th line should be the number of records"),
        ("bytes ", "5th line should be the number of bytes"),
        ("lines ", "6th line should be the number of lines read"),
        ("unique ips ", "7th line should be the number of unique IPs"),
    ];
    if A::BITS == 128 {
        let l = chunks.next_chunk().map_err(|e| e.to_string())?;
        if l != Some(b"ipv6\n") {
            return Err(format!("{name}: 2nd line should be the address family"));
        }
    }
    for (key, what) in expect {
        let line = chunks.next_chunk().map_err(|e| e.to_string())?;
        let ok = if key.is_empty() {
            matches!(line, Some(b"optimized\n" | b"non-optimized\n"))
        } else {
            header_value(line, key).is_some()
        };
        if !ok {
            return Err(format!(
                "{name} {what}, but found '{}'.",
                String::from_utf8_lossy(line.unwrap_or_default())
            ));
        }
        let v = header_value(line, key).unwrap_or(line.unwrap_or_default());
        fields.push(v.to_vec());
    }
    let width = (A::BITS / 8) as u128 * 2;
    let optimized = fields[0] == b"optimized\n";
    let mut numbers = [0u128; 5];
    for (k, what) in ["record size", "records", "bytes", "lines", "unique ips"]
        .iter()
        .enumerate()
    {
        numbers[k] = header_number(&fields[k + 1]).ok_or_else(|| {
            format!(
                "{name}: invalid {what} value '{}'",
                String::from_utf8_lossy(&fields[k + 1])
            )
        })?;
    }
    let [record_size, records, bytes, lines, unique] = numbers;
    if record_size != width {
        return Err(format!(
            "{name}: invalid record size {record_size} (expected {width})"
        ));
    }
    if bytes != records.saturating_mul(width).saturating_add(4) {
        return Err(format!(
            "{name} invalid number of bytes, found {bytes}, expected {}.",
            records.saturating_mul(width).saturating_add(4)
        ));
    }
    let mut r = chunks.into_inner();
    let mut mark = [0u8; 4];
    r.read_exact(&mut mark)
        .map_err(|_| format!("{name}: incompatible endianness"))?;
    if u32::from_le_bytes(mark) != ENDIAN_MARK {
        return Err(format!("{name}: incompatible endianness"));
    }
    if unique < records {
        return Err(format!(
            "{name}: unique IPs ({unique}) cannot be less than entries ({records})"
        ));
    }
    if lines < records {
        return Err(format!(
            "{name}: lines ({lines}) cannot be less than entries ({records})"
        ));
    }
    // Read in bounded steps: a forged count cannot make us allocate.
    let mut out: Vec<Range<A>> = Vec::new();
    let half = (A::BITS / 8) as usize;
    let mut rec = vec![0u8; half * 2];
    while (out.len() as u128) < records {
        if r.read_exact(&mut rec).is_err() {
            return Err(format!(
                "{name}: expected to load {records} entries, loaded {}",
                out.len()
            ));
        }
        let mut a = [0u8; 16];
        let mut b = [0u8; 16];
        a[..half].copy_from_slice(&rec[..half]);
        b[..half].copy_from_slice(&rec[half..]);
        let (lo, hi) = (u128::from_le_bytes(a), u128::from_le_bytes(b));
        if lo > hi {
            return Err(format!(
                "{name}: record {} is a reversed range",
                out.len() + 1
            ));
        }
        // A file that says it is optimized holds sorted ranges that do not
        // overlap; one that does not is refused (iprange 2.x).
        if optimized && out.last().is_some_and(|p| p.end.to_u128() >= lo) {
            return Err(format!(
                "{name}: record {} overlaps or precedes the one before, in a file marked optimized",
                out.len() + 1
            ));
        }
        out.push(Range::new(A::from_u128(lo), A::from_u128(hi)));
    }
    if r.read(&mut [0u8; 1]).is_ok_and(|n| n > 0) {
        return Err(format!(
            "{name}: trailing data after the {records} records the header announces"
        ));
    }
    out.sort_unstable_by_key(|r| r.start);
    coalesce_sorted(&mut out);
    let set = IntervalSet::from_canonical(out).expect("sorted and coalesced");
    let counted = set.count().as_u128().unwrap_or(u128::MAX);
    if counted != unique {
        return Err(format!(
            "{name}: unique IPs ({unique}) do not match the records ({counted})"
        ));
    }
    Ok(Loaded {
        set,
        entries: lines.min(u64::MAX as u128) as u64,
        dropped_v6: 0,
        hostnames: 0,
        resolved: 0,
    })
}

/// Writes ranges in iprange's binary format; nothing at all for none.
pub fn write_binary<A: Addr>(out: &mut impl Write, ranges: &[Range<A>]) -> io::Result<()> {
    if ranges.is_empty() {
        return Ok(());
    }
    let unique = ranges
        .iter()
        .fold(super::Count::ZERO, |c, r| c.add_range(*r))
        .as_u128()
        .unwrap_or(u128::MAX);
    let n = ranges.len();
    let width = (A::BITS / 8) as usize * 2;
    let mut buf = Vec::with_capacity(128 + n * width);
    if A::BITS == 32 {
        buf.extend_from_slice(BINARY_V4);
    } else {
        buf.extend_from_slice(BINARY_V6);
        buf.extend_from_slice(b"ipv6\n");
    }
    buf.extend_from_slice(
        format!(
            "optimized\nrecord size {width}\nrecords {n}\nbytes {}\nlines {n}\nunique ips {unique}\n",
            n * width + 4
        )
        .as_bytes(),
    );
    buf.extend_from_slice(&ENDIAN_MARK.to_le_bytes());
    let half = width / 2;
    for r in ranges {
        buf.extend_from_slice(&r.start.to_u128().to_le_bytes()[..half]);
        buf.extend_from_slice(&r.end.to_u128().to_le_bytes()[..half]);
    }
    out.write_all(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(line: &str) -> Line<u32> {
        parse_line(line.as_bytes(), &IprangeSyntax::default(), &mut |_| {})
    }

    fn r(a: u32, b: u32) -> Line<u32> {
        Line::Range(Range::new(a, b))
    }

    #[test]
    fn inet_aton_forms() {
        assert_eq!(inet_aton(b"010.1.1.1"), Some(0x08010101));
        assert_eq!(inet_aton(b"0x7f.1"), Some(0x7f000001));
        assert_eq!(inet_aton(b"1.2.3"), Some(0x01020003));
        assert_eq!(inet_aton(b"4294967295"), Some(u32::MAX));
        assert_eq!(inet_aton(b"0377.1.1.1"), Some(0xff010101));
        assert_eq!(inet_aton(b"4294967296"), None);
        assert_eq!(inet_aton(b"08.1.1.1"), None);
        assert_eq!(inet_aton(b"1.16777216"), None);
        assert_eq!(inet_aton(b"1.2.3.4.5"), None);
        assert_eq!(inet_aton(b"1..2.3"), None);
        assert_eq!(inet_aton(b"1.2.3."), None);
        assert_eq!(inet_aton(b"0x.1"), None);
        assert_eq!(inet_aton(b""), None);
    }

    #[test]
    fn dialect_lines() {
        assert_eq!(v4("1.2.3.4\n"), r(0x01020304, 0x01020304));
        assert_eq!(v4("  # c\n"), Line::Empty);
        assert_eq!(v4("1.2.3.4/24\n"), r(0x01020300, 0x010203ff));
        assert_eq!(v4("1.2.3.4//24"), r(0, u32::MAX));
        assert_eq!(v4("1.2.3.4/24/8"), r(0x01020300, 0x010203ff));
        assert_eq!(v4("1.2.3.4/4294967040"), r(0x01020300, 0x010203ff));
        assert_eq!(v4("1.2.3.4/4294967296"), r(0, u32::MAX));
        assert_eq!(v4("1.2.3.10 - 1.2.3.4"), r(0x01020304, 0x0102030a));
        assert_eq!(v4("0x7f.1"), r(0x7f000001, 0x7f000001));
        assert_eq!(
            v4("1.2.3.4/33"),
            Line::Invalid(vec!["Invalid netmask 33".into()])
        );
        assert_eq!(
            v4("1.2.3.4/"),
            Line::Invalid(vec!["Invalid address .".into()])
        );
        assert_eq!(v4("1.2.3.4 x"), Line::Invalid(vec![]));
        assert_eq!(v4("1.2.3.4/24abc"), Line::Invalid(vec![]));
        assert_eq!(v4("example.com"), Line::Hostname(b"example.com".to_vec()));
        assert_eq!(v4("example.com."), Line::Hostname(b"example.com.".to_vec()));
        let label = "a".repeat(64);
        assert!(matches!(v4(&label), Line::Invalid(d) if d[0].starts_with("not a host name")));
        assert!(matches!(v4("a..b"), Line::Invalid(_)));
        let long = vec!["a".repeat(63); 4].join(".");
        assert!(matches!(v4(&long), Line::Invalid(_)));
        assert_eq!(
            v4(&long[..253]),
            Line::Hostname(long.as_bytes()[..253].to_vec())
        );
        assert_eq!(v4("2001:db8::1"), Line::DroppedV6);
        assert_eq!(v4("::ffff:1.2.3.4"), r(0x01020304, 0x01020304));
        let mut warned = Vec::new();
        let l: Line<u32> = parse_line(b"1.2.3.4 -\n", &IprangeSyntax::default(), &mut |w| {
            warned.push(w)
        });
        assert_eq!(l, r(0x01020304, 0x01020304));
        assert_eq!(warned.len(), 1);
    }

    #[test]
    fn v6_mode() {
        let p = |s: &str| parse_line::<u128>(s.as_bytes(), &IprangeSyntax::default(), &mut |_| {});
        assert_eq!(
            p("2001:db8::/32"),
            Line::Range(Range::new(
                0x2001_0db8u128 << 96,
                (0x2001_0db8u128 << 96) | (u128::MAX >> 32)
            ))
        );
        assert_eq!(
            p("10.0.0.0/30"),
            Line::Range(Range::new(MAPPED | 0x0a000000, MAPPED | 0x0a000003))
        );
        assert!(matches!(p("2001:db8::/129"), Line::Invalid(_)));
    }

    #[test]
    fn binary_round_trip() {
        let ranges = [Range::new(1u32, 5), Range::new(10, 10)];
        let mut buf = Vec::new();
        write_binary(&mut buf, &ranges).unwrap();
        let l: Loaded<u32> = load(&buf[..], "x", &IprangeSyntax::default(), &mut |_| {}).unwrap();
        assert_eq!(l.set.ranges(), &ranges);
        assert_eq!(l.entries, 2);
        for cut in 0..buf.len() {
            assert!(
                load::<u32>(&buf[..cut], "x", &IprangeSyntax::default(), &mut |_| {}).is_err()
                    || cut < BINARY_V4.len()
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = load::<u32>(&bytes[..], "x", &IprangeSyntax::default(), &mut |_| {});
            let _ = load::<u128>(&bytes[..], "x", &IprangeSyntax::default(), &mut |_| {});
            let mut b = BINARY_V4.to_vec();
            b.extend_from_slice(&bytes);
            let _ = load::<u32>(&b[..], "x", &IprangeSyntax::default(), &mut |_| {});
        }
    }
}
