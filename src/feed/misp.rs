//! MISP: core-format events (`{"Event": …}`, a `{"response": […]}` of
//! them, or an array of them) and MISP feed folders (`manifest.json` beside
//! one `<uuid>.json` file per event).
//!
//! Attributes of the event and of its objects are read: `ip-src`, `ip-dst`
//! (and their `|port` forms), `domain`, `hostname`, `url` (its host),
//! `domain|ip` (both). Attributes marked `to_ids: false` or deleted are
//! counted, not listed; other types are counted by type.

use super::collect::{Collector, Meta};
use super::header::HeaderMeta;
use super::json::text_of;
use super::{read_document, Error, FeedFormat, ParseOptions, Parsed};
use crate::error::InputError;
use serde_json::{Map, Value};
use std::path::Path;

/// The events of one document into `c`.
pub fn events(c: &mut Collector, data: &[u8]) -> Result<(), Error> {
    let source = c.source.clone();
    let mut n = 0;
    events_in(c, data, &source, &mut n)
}

/// The events of one document (`file` for messages); `n` numbers the
/// attributes read so far (refused ones are quoted with it).
fn events_in(c: &mut Collector, data: &[u8], file: &str, n: &mut u64) -> Result<(), Error> {
    let doc: Value = serde_json::from_slice(data)
        .map_err(|e| Error::input(file, format!("not valid JSON: {e}")))?;
    let mut found = Vec::new();
    find_events(&doc, &mut found);
    if found.is_empty() {
        return Err(Error::input(file, "not a MISP event: no 'Event' member"));
    }
    for e in found {
        event(c, e, n)?;
    }
    Ok(())
}

/// `{"Event": …}`, anywhere in a `response` or an array.
fn find_events<'a>(v: &'a Value, out: &mut Vec<&'a Map<String, Value>>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| find_events(i, out)),
        Value::Object(o) => match (o.get("Event"), o.get("response")) {
            (Some(Value::Object(e)), _) => out.push(e),
            (_, Some(r)) => find_events(r, out),
            _ => {}
        },
        _ => {}
    }
}

fn time(v: Option<&Value>) -> Option<i64> {
    v.and_then(text_of)
        .and_then(|t| crate::time::feed::parse(&t))
}

fn array<'a>(o: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    o.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// What an event gives each of its attributes.
struct EventContext {
    time: Option<i64>,
    reference: Option<Box<str>>,
}

fn event(c: &mut Collector, e: &Map<String, Value>, n: &mut u64) -> Result<(), Error> {
    let ctx = EventContext {
        time: time(e.get("timestamp"))
            .or(time(e.get("publish_timestamp")))
            .or(time(e.get("date"))),
        reference: e
            .get("uuid")
            .and_then(Value::as_str)
            .filter(|u| is_uuid(u))
            .map(Into::into),
    };
    let objects = array(e, "Object").iter().filter_map(Value::as_object);
    let attributes = array(e, "Attribute")
        .iter()
        .chain(objects.flat_map(|o| array(o, "Attribute")));
    for a in attributes {
        *n += 1;
        attribute(c, a, &ctx, *n)?;
    }
    Ok(())
}

/// The part of `a|b` before the bar.
fn before_bar(v: &[u8]) -> &[u8] {
    v.split(|&b| b == b'|').next().unwrap_or(v)
}

/// `to_ids` as MISP writes it: `true`, `"1"`, `1`; absent means usable.
fn for_detection(a: &Map<String, Value>) -> bool {
    match a.get("to_ids") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => !matches!(s.as_str(), "0" | "false" | "False"),
        Some(Value::Number(x)) => x.as_u64() != Some(0),
        _ => true,
    }
}

fn attribute(c: &mut Collector, a: &Value, ctx: &EventContext, n: u64) -> Result<(), Error> {
    c.counts.read += 1;
    let Some(a) = a.as_object() else {
        return c.reject(
            n,
            "MISP attribute is not an object",
            a.to_string().as_bytes(),
        );
    };
    let kind = a.get("type").and_then(Value::as_str).unwrap_or("");
    let Some(value) = a.get("value").and_then(Value::as_str) else {
        return c.reject(n, "MISP attribute without a value", kind.as_bytes());
    };
    if a.get("deleted").is_some_and(|d| d == &Value::Bool(true)) {
        c.unsupported("deleted MISP attribute");
        return Ok(());
    }
    if !for_detection(a) {
        c.unsupported("MISP attribute not for detection (to_ids false)");
        return Ok(());
    }
    let own = time(a.get("timestamp")).or(ctx.time);
    let meta = Meta {
        first: time(a.get("first_seen")).or(own),
        last: time(a.get("last_seen")).or(own),
        reference: ctx.reference.clone(),
        ..Meta::default()
    };
    let v = value.as_bytes();
    match kind {
        "ip-src" | "ip-dst" => c.address_text(n, v, Some(meta)),
        "ip-src|port" | "ip-dst|port" => c.address_text(n, before_bar(v), Some(meta)),
        "domain" | "hostname" => c.domain_text(n, v, Some(meta)),
        "hostname|port" => c.domain_text(n, before_bar(v), Some(meta)),
        "url" => c.value_text(n, url_without_path(v), Some(meta)),
        "domain|ip" => match value.split_once('|') {
            Some((name, ip)) => {
                c.domain_text(n, name.as_bytes(), Some(meta.clone()))?;
                c.address_text(n, ip.as_bytes(), Some(meta))
            }
            None => c.reject(n, "'domain|ip' attribute without '|'", v),
        },
        _ => {
            c.unsupported(&unsupported_kind(kind));
            Ok(())
        }
    }
}

/// A URL as MISP may write it, without a scheme (`evil.example/x`): the
/// part before its path, which `value_text` reads as a host. With a scheme
/// it is left whole.
fn url_without_path(v: &[u8]) -> &[u8] {
    if memchr::memmem::find(v, b"://").is_some() {
        return v;
    }
    let end = v
        .iter()
        .position(|&c| matches!(c, b'/' | b'?' | b'#'))
        .unwrap_or(v.len());
    &v[..end]
}

/// `MISP md5 attribute`; a type that is not a plain word is not quoted.
fn unsupported_kind(kind: &str) -> String {
    let plain = !kind.is_empty()
        && kind.len() <= 32
        && kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_|".contains(&b));
    if plain {
        format!("MISP {kind} attribute")
    } else {
        "MISP attribute of another type".into()
    }
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hex digits.
fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Whether `path` is a MISP feed folder: a directory holding `manifest.json`.
pub fn is_feed_folder(path: &Path) -> bool {
    path.join("manifest.json").is_file()
}

/// Reads a MISP feed folder as one feed: every event `manifest.json` names
/// (in UUID order) from its `<uuid>.json`. A manifest entry that is not a
/// UUID, or whose file is missing, is refused and counted. The feed's time
/// is the newest event timestamp of the manifest.
pub fn read_folder(dir: &str, opts: &ParseOptions) -> Result<Parsed, Error> {
    let root = Path::new(dir);
    let manifest_path = root.join("manifest.json");
    let manifest_name = manifest_path.to_string_lossy().into_owned();
    let data = read_file(&manifest_path, &manifest_name, opts)?;
    let manifest: Map<String, Value> = serde_json::from_slice(&data)
        .map_err(|e| Error::input(&manifest_name, format!("not a MISP feed manifest: {e}")))?;
    let mut c = Collector::new(dir, opts.policy);
    let mut header = HeaderMeta::default();
    let mut uuids: Vec<(&String, &Value)> = manifest.iter().collect();
    uuids.sort_by(|a, b| a.0.cmp(b.0));
    let mut n = 0;
    for (i, (uuid, entry)) in uuids.into_iter().enumerate() {
        let line = i as u64 + 1;
        if !is_uuid(uuid) {
            c.counts.read += 1;
            c.reject(
                line,
                "manifest.json entry is not an event UUID",
                uuid.as_bytes(),
            )?;
            continue;
        }
        let path = root.join(format!("{uuid}.json"));
        if !path.is_file() {
            c.counts.read += 1;
            let reason = "event file named in manifest.json is missing";
            c.reject(line, reason, uuid.as_bytes())?;
            continue;
        }
        let name = path.to_string_lossy().into_owned();
        let data = read_file(&path, &name, opts)?;
        events_in(&mut c, &data, &name, &mut n)?;
        if let Some(t) = time(entry.get("timestamp")) {
            header.time = Some(header.time.map_or(t, |h| h.max(t)));
        }
    }
    Ok(Parsed {
        format: FeedFormat::Misp,
        header,
        collector: c,
    })
}

/// One file of the folder (gzip read transparently), up to the document
/// size limit.
fn read_file(path: &Path, name: &str, opts: &ParseOptions) -> Result<Vec<u8>, Error> {
    let input =
        crate::files::open(&path.to_string_lossy()).map_err(|e| InputError::io(name, &e))?;
    read_document(name, input.reader, input.gzip, opts.max_document)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert!(is_uuid("5f4a3b2c-1d0e-4f9a-8b7c-6d5e4f3a2b1c"));
        assert!(!is_uuid("../../etc/passwd"));
        assert!(!is_uuid("5f4a3b2c-1d0e-4f9a-8b7c-6d5e4f3a2b1"));
        assert_eq!(url_without_path(b"evil.example/x?y"), b"evil.example");
        assert_eq!(
            url_without_path(b"http://e.example/x"),
            b"http://e.example/x"
        );
        assert_eq!(unsupported_kind("md5"), "MISP md5 attribute");
        assert_eq!(unsupported_kind("x y"), "MISP attribute of another type");
    }
}
