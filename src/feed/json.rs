//! JSON feeds: JSON documents and JSON lines with a field path, Spamhaus's
//! JSON lines, STIX 2.x (bundles, arrays and streams of objects), and the
//! outline of a JSON text that format detection reads.

use super::collect::{Collector, Meta};
use super::header::HeaderMeta;
use super::lines::{
    confidence, CONFIDENCE_NAMES, FIRST_NAMES, HITS_NAMES, INDICATOR_NAMES, LAST_NAMES,
    REFERENCE_NAMES,
};
use super::Error;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::fmt;

/// Values at a dotted path; arrays along the way are walked element by
/// element, and `*` stands for every member of an object.
fn values_at<'a>(v: &'a Value, path: &[&str], out: &mut Vec<&'a Value>) {
    match v {
        Value::Array(items) => {
            for i in items {
                values_at(i, path, out);
            }
        }
        _ => match path.split_first() {
            None => out.push(v),
            Some((&"*", rest)) => {
                if let Value::Object(m) = v {
                    for x in m.values() {
                        values_at(x, rest, out);
                    }
                }
            }
            Some((key, rest)) => {
                if let Some(x) = v.get(*key) {
                    values_at(x, rest, out);
                }
            }
        },
    }
}

fn field_of<'a>(o: &'a Map<String, Value>, names: &[&str]) -> Option<&'a Value> {
    names.iter().find_map(|n| {
        o.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v)
    })
}

pub(crate) fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An object's own times, hits, confidence and reference.
fn meta_of(o: &Map<String, Value>) -> Option<Meta> {
    let time = |names| {
        field_of(o, names)
            .and_then(text_of)
            .and_then(|t| crate::time::feed::parse(&t))
    };
    let m = Meta {
        first: time(FIRST_NAMES),
        last: time(LAST_NAMES),
        hits: field_of(o, HITS_NAMES).and_then(Value::as_u64).unwrap_or(1),
        confidence: field_of(o, CONFIDENCE_NAMES)
            .and_then(Value::as_f64)
            .and_then(confidence),
        reference: field_of(o, REFERENCE_NAMES)
            .and_then(Value::as_str)
            .filter(|r| {
                r.len() <= 64
                    && r.bytes()
                        .all(|c| c.is_ascii_alphanumeric() || b"-_.:".contains(&c))
            })
            .map(Into::into),
        ..Meta::default()
    };
    (m != Meta::default()).then_some(m)
}

/// The objects a document holds: the elements of a top-level array, or of
/// the arrays inside a top-level object (`{"data": […]}`, ThreatFox's
/// `{"id": […], …}`), or the object itself.
fn records(doc: &Value) -> Vec<&Value> {
    match doc {
        Value::Array(items) => items.iter().collect(),
        Value::Object(m) if field_of(m, INDICATOR_NAMES).is_none() => {
            let inner: Vec<&Value> = m.values().filter_map(Value::as_array).flatten().collect();
            if inner.is_empty() {
                vec![doc]
            } else {
                inner
            }
        }
        _ => vec![doc],
    }
}

/// Reads one JSON object with the field path (or the first known field name).
pub fn object(c: &mut Collector, n: u64, rec: &Value, field: Option<&str>) -> Result<(), Error> {
    c.counts.read += 1;
    let Value::Object(o) = rec else {
        if let Some(t) = text_of(rec) {
            return c.value_text(n, t.as_bytes(), None);
        }
        return c.reject(n, "not a JSON object", rec.to_string().as_bytes());
    };
    let meta = meta_of(o);
    let mut found = Vec::new();
    match field {
        Some(path) => {
            let path: Vec<&str> = path.split('.').collect();
            values_at(rec, &path, &mut found);
        }
        None => found.extend(field_of(o, INDICATOR_NAMES)),
    }
    if found.is_empty() {
        return c.reject(
            n,
            "no indicator field in the object",
            rec.to_string().as_bytes(),
        );
    }
    for v in found {
        match text_of(v) {
            Some(t) => c.value_text(n, t.as_bytes(), meta.clone())?,
            None => c.reject(
                n,
                "indicator field is not a string",
                v.to_string().as_bytes(),
            )?,
        }
    }
    Ok(())
}

/// A whole JSON document.
pub fn document(c: &mut Collector, data: &[u8], field: Option<&str>) -> Result<(), Error> {
    let doc: Value = serde_json::from_slice(data)
        .map_err(|e| Error::input(&c.source, format!("not valid JSON: {e}")))?;
    let recs = match field {
        // An explicit path starts at the document itself.
        Some(_) if !doc.is_array() => vec![&doc],
        _ => records(&doc),
    };
    for (i, r) in recs.into_iter().enumerate() {
        object(c, i as u64 + 1, r, field)?;
    }
    Ok(())
}

/// One line of JSON lines.
pub fn line(
    c: &mut Collector,
    header: &mut HeaderMeta,
    n: u64,
    line: &[u8],
    field: Option<&str>,
    spamhaus: bool,
    asn: Option<&super::AsnNetworks>,
) -> Result<(), Error> {
    let t = line.trim_ascii();
    if t.is_empty() || t.starts_with(b"#") {
        return Ok(());
    }
    let v: Value = match serde_json::from_slice(t) {
        Ok(v) => v,
        Err(_) => {
            c.counts.read += 1;
            return c.reject(n, "not valid JSON", t);
        }
    };
    if v.get("type").and_then(Value::as_str) == Some("metadata") {
        // Spamhaus ends its JSON with a metadata record holding the time.
        if let Some(ts) = v
            .get("timestamp")
            .and_then(text_of)
            .and_then(|t| crate::time::feed::parse(&t))
        {
            header.time = header.time.or(Some(ts));
        }
        return Ok(());
    }
    if spamhaus {
        c.counts.read += 1;
        let meta = v.get("sblid").and_then(Value::as_str).map(|s| Meta {
            reference: Some(
                s.chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .take(64)
                    .collect::<String>()
                    .into(),
            ),
            ..Meta::default()
        });
        if let Some(number) = v.get("asn").filter(|_| v.get("cidr").is_none()) {
            return as_networks(c, n, t, number, asn, meta);
        }
        let Some(cidr) = v.get("cidr").and_then(Value::as_str) else {
            return c.reject(n, "no 'cidr' field", t);
        };
        return c.address_text(n, cidr.as_bytes(), meta);
    }
    object(c, n, &v, field)
}

/// An ASN-DROP entry: the AS's networks when a look-up is given (each one
/// an entry under the policy), else counted unsupported.
fn as_networks(
    c: &mut Collector,
    n: u64,
    line: &[u8],
    number: &Value,
    asn: Option<&super::AsnNetworks>,
    meta: Option<Meta>,
) -> Result<(), Error> {
    let Some(look_up) = asn else {
        c.unsupported("ASN (give --asn-db to expand)");
        return Ok(());
    };
    let parsed = match number {
        Value::Number(x) => x.as_u64(),
        Value::String(s) => s.trim_start_matches(['A', 'S', 'a', 's']).parse().ok(),
        _ => None,
    };
    let Some(number) = parsed.and_then(|x| u32::try_from(x).ok()) else {
        return c.reject(n, "bad 'asn' field", line);
    };
    match (look_up.0)(number) {
        Some(networks) => {
            for e in networks {
                c.entry(e, meta.clone());
            }
        }
        None => c.unsupported("ASN not in the ASN database"),
    }
    Ok(())
}

/// What the start of a JSON text shows, read as far as it goes (the text
/// may be cut off anywhere): whether the top level is an array, its `type`
/// and `id` members and its keys in order, and the first element of the
/// top-level array or of a top-level `objects` or `response` member.
#[derive(Debug, Default, PartialEq)]
pub struct Outline {
    pub array: bool,
    pub kind: Option<String>,
    pub id: Option<String>,
    pub keys: Vec<String>,
    pub first: Option<Value>,
}

/// Members whose first element tells what a document holds: STIX's
/// `objects`, MISP's `response`.
const ELEMENT_KEYS: &[&str] = &["objects", "response"];

impl Outline {
    /// The outline of an object read whole.
    pub fn of_object(o: &Map<String, Value>) -> Outline {
        let text = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
        let first = ELEMENT_KEYS.iter().find_map(|k| match o.get(*k)? {
            Value::Array(items) => items.first().cloned(),
            v @ Value::Object(_) => Some(v.clone()),
            _ => None,
        });
        Outline {
            array: false,
            kind: text("type"),
            id: text("id"),
            keys: o.keys().cloned().collect(),
            first,
        }
    }

    /// The top level is itself one STIX object (an indicator, say).
    pub fn is_stix_object(&self) -> bool {
        stix_id(self.kind.as_deref(), self.id.as_deref())
    }
}

/// STIX ids are `<type>--<uuid>`.
fn stix_id(kind: Option<&str>, id: Option<&str>) -> bool {
    match (kind, id) {
        (Some(k), Some(id)) => {
            !k.is_empty() && id.strip_prefix(k).is_some_and(|r| r.starts_with("--"))
        }
        _ => false,
    }
}

/// An object with a `type` and an id of that type: a STIX object.
pub fn is_stix_object(v: &Value) -> bool {
    stix_id(
        v.get("type").and_then(Value::as_str),
        v.get("id").and_then(Value::as_str),
    )
}

/// An object holding a MISP event: `{"Event": {…}}`.
pub fn is_misp_event(v: &Value) -> bool {
    v.get("Event").is_some_and(Value::is_object)
}

/// Outlines the start of a JSON text; what a cut-off text leaves unread
/// stays unknown, and so does what follows a value of an unexpected kind
/// (a scalar where an array or object was looked for).
pub fn outline(start: &[u8]) -> Outline {
    let mut o = Outline::default();
    let mut de = serde_json::Deserializer::from_slice(start);
    // A text cut off by the sample ends in an error; what was read stays.
    let top = Reader {
        outline: &mut o,
        top: true,
    };
    let _ = top.deserialize(&mut de);
    o
}

/// Reads an outline: at the top level an array (its first element) or an
/// object (its members); below, in a member that tells what the document
/// holds, the first element of an array (or an object whole). What is not
/// needed is skipped unread.
struct Reader<'a> {
    outline: &'a mut Outline,
    top: bool,
}

impl<'de> DeserializeSeed<'de> for Reader<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Reader<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.outline.array |= self.top;
        self.outline.first = seq.next_element()?;
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let o = self.outline;
        if !self.top {
            let whole = de::value::MapAccessDeserializer::new(map);
            o.first = Some(Value::deserialize(whole)?);
            return Ok(());
        }
        while let Some(key) = map.next_key::<String>()? {
            o.keys.push(key.clone());
            match key.as_str() {
                "type" => o.kind = map.next_value::<Value>()?.as_str().map(Into::into),
                "id" => o.id = map.next_value::<Value>()?.as_str().map(Into::into),
                k if ELEMENT_KEYS.contains(&k) && o.first.is_none() => {
                    map.next_value_seed(Reader {
                        outline: &mut *o,
                        top: false,
                    })?
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// The parts of a STIX object we read; everything else is ignored.
#[derive(Deserialize)]
struct StixObject {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    pattern: Option<String>,
    #[serde(default)]
    pattern_type: Option<String>,
    #[serde(default)]
    valid_from: Option<String>,
    #[serde(default)]
    valid_until: Option<String>,
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    confidence: Option<f64>,
    #[serde(default)]
    revoked: Option<bool>,
    #[serde(default)]
    objects: Option<Vec<StixObject>>,
}

/// STIX 2.0/2.1: a bundle (keys in any order), a bare array of STIX
/// objects, one object, or a stream of them (one per line). Indicators
/// whose pattern is one equality on `ipv4-addr:value`, `ipv6-addr:value` or
/// `domain-name:value` become indicators, with `valid_from` as their first
/// time; other patterns are counted as unsupported by their object type,
/// and so are revoked indicators and those whose `valid_until` is before
/// the policy's time.
pub fn stix(c: &mut Collector, data: &[u8]) -> Result<(), Error> {
    let bad = |e: serde_json::Error| Error::input(&c.source, format!("not STIX: {e}"));
    let mut objects = Vec::new();
    if data.trim_ascii_start().starts_with(b"[") {
        let list: Vec<StixObject> = serde_json::from_slice(data).map_err(bad)?;
        objects.extend(list);
    } else {
        for root in serde_json::Deserializer::from_slice(data).into_iter::<StixObject>() {
            let root = root.map_err(bad)?;
            match root.objects {
                Some(o) => objects.extend(o),
                None if root.kind.is_empty() => {
                    return Err(Error::input(
                        &c.source,
                        "not STIX: an object without 'type'",
                    ))
                }
                None => objects.push(root),
            }
        }
    }
    for (i, o) in objects.into_iter().enumerate() {
        if o.kind == "indicator" {
            stix_indicator(c, i as u64 + 1, o)?;
        }
    }
    Ok(())
}

/// One STIX indicator (`n`: its place among the objects).
fn stix_indicator(c: &mut Collector, n: u64, o: StixObject) -> Result<(), Error> {
    c.counts.read += 1;
    if o.revoked == Some(true) {
        c.unsupported("revoked indicator");
        return Ok(());
    }
    let t = |s: &Option<String>| s.as_deref().and_then(crate::time::feed::parse);
    if let (Some(until), Some(now)) = (t(&o.valid_until), c.policy.now) {
        if until < now {
            c.unsupported("expired indicator (valid_until passed)");
            return Ok(());
        }
    }
    if o.pattern_type.as_deref().is_some_and(|t| t != "stix") {
        c.unsupported("non-STIX pattern");
        return Ok(());
    }
    let Some(pattern) = o.pattern.as_deref() else {
        let id = o.id.as_deref().unwrap_or("");
        return c.reject(n, "indicator without a pattern", id.as_bytes());
    };
    let (object, value) = match parse_pattern(pattern) {
        Ok(x) => x,
        Err(kind) => {
            c.unsupported(kind);
            return Ok(());
        }
    };
    let first = t(&o.valid_from).or(t(&o.created));
    let meta = Meta {
        first,
        last: t(&o.modified).or(first),
        hits: 1,
        confidence: o.confidence.and_then(|c| confidence(c / 100.0)),
        reference: o.id.as_deref().filter(|i| i.len() <= 64).map(Into::into),
        ..Meta::default()
    };
    match object {
        "ipv4-addr" | "ipv6-addr" => c.address_text(n, value.as_bytes(), Some(meta)),
        "domain-name" => c.domain_text(n, value.as_bytes(), Some(meta)),
        _ => {
            c.unsupported(object);
            Ok(())
        }
    }
}

/// `[type:value = 'x']` → (type, x). Anything else is unsupported, named
/// by its object type (`url`, `file`) or as a compound pattern.
fn parse_pattern(p: &str) -> Result<(&str, String), &'static str> {
    let inner = p
        .trim()
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .ok_or("compound pattern")?;
    let (lhs, rhs) = inner.split_once('=').ok_or("non-equality pattern")?;
    let lhs = lhs.trim();
    let rhs = rhs.trim();
    let (object, prop) = lhs.split_once(':').ok_or("malformed pattern")?;
    let kind = match object {
        "ipv4-addr" => "ipv4-addr",
        "ipv6-addr" => "ipv6-addr",
        "domain-name" => "domain-name",
        "url" => "url",
        "file" => "file",
        "email-addr" => "email-addr",
        "directory" => "directory",
        "software" => "software",
        "process" => "process",
        "network-traffic" => "network-traffic",
        "windows-registry-key" => "windows-registry-key",
        _ => "other object type",
    };
    if lhs.ends_with('!') || rhs.starts_with('=') {
        return Err("non-equality pattern");
    }
    let value = rhs
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .ok_or("compound pattern")?;
    if value.contains('\'') || inner.contains(" AND ") || inner.contains(" OR ") {
        return Err("compound pattern");
    }
    if prop != "value" || !matches!(kind, "ipv4-addr" | "ipv6-addr" | "domain-name") {
        return Err(kind);
    }
    Ok((kind, value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert_eq!(
            parse_pattern("[ipv4-addr:value = '1.2.3.4']"),
            Ok(("ipv4-addr", "1.2.3.4".into()))
        );
        assert_eq!(
            parse_pattern("[domain-name:value='a.example']"),
            Ok(("domain-name", "a.example".into()))
        );
        assert_eq!(parse_pattern("[url:value = 'http://x/']"), Err("url"));
        assert_eq!(parse_pattern("[file:hashes.'SHA-256' = 'ab']"), Err("file"));
        assert_eq!(
            parse_pattern("[ipv4-addr:value = '1.2.3.4' OR ipv4-addr:value = '1.2.3.5']"),
            Err("compound pattern")
        );
        assert_eq!(
            parse_pattern("[ipv4-addr:value != '1.2.3.4']"),
            Err("non-equality pattern")
        );
    }
}
