//! The blocklists DNS servers and proxies read as configuration: dnsmasq
//! rules, Unbound local zones, BIND zone statements, Squid ACL domain
//! lists. A blocked name is an indicator; an exception (a name sent to the
//! usual servers, a transparent zone) is counted; a rule that answers with
//! a real address or forwards elsewhere is a valid entry of another kind.

use super::{cut_comment, is_sink, is_ttl_or_class, name_or_address, words, LineParser};
use crate::feed::collect::Collector;
use crate::feed::Error;
use crate::net::domain;

/// What these formats keep between lines.
#[derive(Debug, Default)]
pub(super) struct State {
    /// The Unbound zone last declared: its own `local-data` is the zone's
    /// answer, not another entry.
    zone: Option<String>,
    /// A BIND statement being read (it may span lines), and its first line.
    statement: Vec<u8>,
    start: u64,
    /// Unbalanced braces of the statement.
    depth: i64,
    /// Inside a `/* … */` comment.
    in_comment: bool,
}

/// The longest BIND statement read (a zone statement is a line or a few).
const MAX_STATEMENT: usize = 4096;

/// What a rule does with the names it lists.
enum Rule {
    Block,
    Exception,
    /// A valid rule of another kind, counted under this name.
    Other(&'static str),
}

/// Unbound's local-zone types that answer without the real data.
const BLOCKING_ZONES: &[&[u8]] = &[
    b"deny",
    b"refuse",
    b"static",
    b"redirect",
    b"inform_deny",
    b"inform_redirect",
    b"always_refuse",
    b"always_nxdomain",
    b"always_null",
    b"always_deny",
    b"block_a",
];

/// Unbound's local-zone types that let the real answer through.
const PASSING_ZONES: &[&[u8]] = &[
    b"transparent",
    b"typetransparent",
    b"always_transparent",
    b"inform",
];

/// `"text" rest` → (`text`, `rest`); an unquoted first word also does.
fn quoted(t: &[u8]) -> Option<(&[u8], &[u8])> {
    let t = t.trim_ascii();
    if let Some(inner) = t.strip_prefix(b"\"") {
        let end = memchr::memchr(b'"', inner)?;
        return Some((&inner[..end], &inner[end + 1..]));
    }
    let end = t
        .iter()
        .position(|c| c.is_ascii_whitespace())
        .unwrap_or(t.len());
    Some((&t[..end], &t[end..]))
}

/// A name as a zone file or server configuration writes it: a final dot
/// and a leading `*.` or `.` (the name and everything below) dropped.
fn bare_name(t: &[u8]) -> &[u8] {
    let t = t.strip_suffix(b".").unwrap_or(t);
    t.strip_prefix(b"*.")
        .or_else(|| t.strip_prefix(b"."))
        .unwrap_or(t)
}

fn apply(c: &mut Collector, n: u64, rule: &Rule, name: &[u8]) -> Result<(), Error> {
    match rule {
        Rule::Block => name_or_address(c, n, bare_name(name)),
        Rule::Exception => {
            c.exception();
            Ok(())
        }
        Rule::Other(kind) => {
            c.unsupported(kind);
            Ok(())
        }
    }
}

impl LineParser {
    /// `address=/a/b/TARGET`, `server=/a/b/TARGET`, `local=/a/`: a target
    /// that is empty, `#` (for address) or a sink blocks the names;
    /// `server=/a/#` sends them to the usual servers (an exception).
    pub(super) fn dnsmasq(&mut self, c: &mut Collector, n: u64, line: &[u8]) -> Result<(), Error> {
        let content = self.content(line, &[b"#"]);
        let Some(t) = content.map(|t| cut_comment(t, &[b"#"], true)) else {
            return Ok(());
        };
        if t.is_empty() {
            return Ok(());
        }
        self.seen_data = true;
        let Some(eq) = memchr::memchr(b'=', t) else {
            return c.reject(
                n,
                "expected address=/name/…, server=/name/… or local=/name/",
                t,
            );
        };
        let (key, value) = (t[..eq].trim_ascii(), t[eq + 1..].trim_ascii());
        let Some(list) = value
            .strip_prefix(b"/")
            .filter(|_| matches!(key, b"address" | b"server" | b"local"))
        else {
            // server=192.0.2.53, cache-size=…: not about names.
            c.unsupported("other dnsmasq option");
            return Ok(());
        };
        let Some(end) = memchr::memrchr(b'/', list) else {
            return c.reject(n, "the /name/ list is not closed by '/'", t);
        };
        let (names, target) = (&list[..end], list[end + 1..].trim_ascii());
        let rule = match (key, target) {
            (_, b"") => Rule::Block,
            (b"address", b"#") => Rule::Block,
            (b"address", a) if is_sink(a) => Rule::Block,
            (b"address", _) => Rule::Other("address override (not a block)"),
            (_, b"#") => Rule::Exception,
            _ => Rule::Other("forwarding rule"),
        };
        for name in names.split(|&b| b == b'/') {
            apply(c, n, &rule, name)?;
        }
        Ok(())
    }

    /// `local-zone: "name" TYPE` and `local-data: "name [TTL] [IN] A sink"`.
    pub(super) fn unbound(&mut self, c: &mut Collector, n: u64, line: &[u8]) -> Result<(), Error> {
        let Some(t) = self
            .content(line, &[b"#"])
            .map(|t| cut_comment(t, &[b"#"], false))
        else {
            return Ok(());
        };
        if t.is_empty() {
            return Ok(());
        }
        let Some(colon) = memchr::memchr(b':', t) else {
            self.seen_data = true;
            return c.reject(n, "expected local-zone: or local-data:", t);
        };
        let (key, value) = (t[..colon].trim_ascii(), &t[colon + 1..]);
        match key {
            b"server" if value.trim_ascii().is_empty() => Ok(()),
            b"local-zone" => {
                self.seen_data = true;
                let Some((name, rest)) = quoted(value) else {
                    return c.reject(n, "unterminated quote", t);
                };
                let kind = words(rest).next().unwrap_or(b"").to_ascii_lowercase();
                let rule = if BLOCKING_ZONES.contains(&kind.as_slice()) {
                    Rule::Block
                } else if PASSING_ZONES.contains(&kind.as_slice()) {
                    Rule::Exception
                } else if kind.is_empty() {
                    return c.reject(n, "local-zone without a type", t);
                } else {
                    Rule::Other("other local-zone type")
                };
                let bare = bare_name(name);
                self.dns.zone = domain::canonical(bare).ok();
                apply(c, n, &rule, bare)
            }
            b"local-data" => {
                self.seen_data = true;
                if !value.trim_ascii().starts_with(b"\"") {
                    return c.reject(n, "local-data without a quoted record", t);
                }
                let Some((record, _)) = quoted(value) else {
                    return c.reject(n, "unterminated quote", t);
                };
                self.local_data(c, n, record)
            }
            _ => {
                self.seen_data = true;
                c.unsupported("other unbound option");
                Ok(())
            }
        }
    }

    /// One `local-data` record: an A or AAAA answer with a sink blocks its
    /// name, unless it is the answer of the zone just declared.
    fn local_data(&mut self, c: &mut Collector, n: u64, record: &[u8]) -> Result<(), Error> {
        let mut tokens = words(record);
        let name = bare_name(tokens.next().unwrap_or(b""));
        let mut rest = tokens.skip_while(|t| is_ttl_or_class(t));
        let rtype = rest.next().unwrap_or(b"").to_ascii_uppercase();
        let rdata = rest.next().unwrap_or(b"");
        let own = self.dns.zone.is_some()
            && domain::canonical(name).ok().as_deref() == self.dns.zone.as_deref();
        if own {
            return Ok(());
        }
        let rule = match rtype.as_slice() {
            b"A" | b"AAAA" if is_sink(rdata) => Rule::Block,
            b"A" | b"AAAA" => Rule::Other("local answer elsewhere (not a block)"),
            b"" => return c.reject(n, "local-data record without a type", record),
            _ => Rule::Other("local-data record"),
        };
        apply(c, n, &rule, name)
    }

    /// `zone "name" [class] { type master; file "…"; };`, on one line or
    /// several; other statements are counted.
    pub(super) fn bind(&mut self, c: &mut Collector, n: u64, line: &[u8]) -> Result<(), Error> {
        let mut t = line.trim_ascii();
        if self.dns.in_comment {
            let Some(end) = memchr::memmem::find(t, b"*/") else {
                return Ok(());
            };
            self.dns.in_comment = false;
            t = t[end + 2..].trim_ascii();
        }
        if let Some(rest) = t.strip_prefix(b"/*") {
            match memchr::memmem::find(rest, b"*/") {
                Some(end) => t = rest[end + 2..].trim_ascii(),
                None => {
                    self.dns.in_comment = true;
                    return Ok(());
                }
            }
        }
        let content = self.content(t, &[b"//", b"#"]);
        let Some(t) = content.map(|t| cut_comment(t, &[b"#", b"//", b"/*"], false)) else {
            return Ok(());
        };
        if t.is_empty() {
            return Ok(());
        }
        self.seen_data = true;
        if self.dns.statement.is_empty() {
            self.dns.start = n;
        }
        if self.dns.statement.len() + t.len() > MAX_STATEMENT {
            self.dns.statement.clear();
            self.dns.depth = 0;
            return c.reject(n, "statement longer than 4096 bytes", t);
        }
        self.dns.statement.extend_from_slice(t);
        self.dns.statement.push(b' ');
        let opens = t.iter().filter(|&&b| b == b'{').count() as i64;
        let closes = t.iter().filter(|&&b| b == b'}').count() as i64;
        self.dns.depth += opens - closes;
        if self.dns.depth > 0 || !t.ends_with(b";") {
            return Ok(());
        }
        let statement = std::mem::take(&mut self.dns.statement);
        self.dns.depth = 0;
        zone_statement(c, self.dns.start, statement.trim_ascii())
    }

    /// A Squid ACL list: `.name` is the name and everything below it.
    pub(super) fn squid(&mut self, c: &mut Collector, n: u64, line: &[u8]) -> Result<(), Error> {
        let Some(t) = self.content(line, &[b"#"]).map(super::before_comment) else {
            return Ok(());
        };
        if t.is_empty() {
            return Ok(());
        }
        self.seen_data = true;
        name_or_address(c, n, t.strip_prefix(b".").unwrap_or(t))
    }
}

/// One whole BIND statement.
fn zone_statement(c: &mut Collector, n: u64, s: &[u8]) -> Result<(), Error> {
    let Some(rest) = s
        .strip_prefix(b"zone")
        .filter(|r| r.first().is_some_and(u8::is_ascii_whitespace))
    else {
        c.unsupported("other named.conf statement");
        return Ok(());
    };
    let Some((name, body)) = quoted(rest).filter(|_| rest.trim_ascii_start().starts_with(b"\""))
    else {
        return c.reject(n, "zone statement without a quoted name", s);
    };
    // The zone's type: `type master;` inside the braces.
    let ty = memchr::memmem::find_iter(body, b"type")
        .find(|&i| i == 0 || matches!(body[i - 1], b' ' | b'\t' | b'{' | b';'))
        .map(|i| {
            let after = &body[i + 4..];
            let end = memchr::memchr(b';', after).unwrap_or(after.len());
            after[..end].trim_ascii().to_ascii_lowercase()
        });
    let rule = match ty.as_deref() {
        Some(b"master" | b"primary") => Rule::Block,
        Some(b"") | None => return c.reject(n, "zone statement without a type", s),
        Some(_) => Rule::Other("forwarded or secondary zone"),
    };
    apply(c, n, &rule, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_quotes() {
        assert_eq!(bare_name(b"*.a.example."), b"a.example");
        assert_eq!(bare_name(b".a.example"), b"a.example");
        assert_eq!(quoted(b" \"a b\" c"), Some((&b"a b"[..], &b" c"[..])));
        assert_eq!(quoted(b"\"a"), None);
        assert_eq!(quoted(b"a c"), Some((&b"a"[..], &b" c"[..])));
    }
}
