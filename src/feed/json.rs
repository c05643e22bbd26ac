//! JSON feeds: JSON documents and JSON lines with a field path, Spamhaus's
//! JSON lines, and STIX 2.x bundles.

use super::collect::{Collector, Meta};
use super::header::HeaderMeta;
use super::lines::{
    confidence, CONFIDENCE_NAMES, FIRST_NAMES, HITS_NAMES, INDICATOR_NAMES, LAST_NAMES,
    REFERENCE_NAMES,
};
use super::Error;
use serde::Deserialize;
use serde_json::{Map, Value};

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

fn text_of(v: &Value) -> Option<String> {
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

/// A STIX 2.0/2.1 bundle (or a single indicator). Indicators whose pattern
/// is one equality on `ipv4-addr:value`, `ipv6-addr:value` or
/// `domain-name:value` become indicators; other patterns are counted as
/// unsupported by their object type.
pub fn stix(c: &mut Collector, data: &[u8]) -> Result<(), Error> {
    let root: StixObject = serde_json::from_slice(data)
        .map_err(|e| Error::input(&c.source, format!("not a STIX bundle: {e}")))?;
    let objects = match root.objects {
        Some(o) => o,
        None if root.kind == "indicator" => vec![StixObject {
            objects: None,
            ..root
        }],
        None => return Err(Error::input(&c.source, "not a STIX bundle: no 'objects'")),
    };
    for (i, o) in objects.into_iter().enumerate() {
        if o.kind != "indicator" {
            continue;
        }
        c.counts.read += 1;
        let n = i as u64 + 1;
        if o.revoked == Some(true) {
            c.unsupported("revoked indicator");
            continue;
        }
        if o.pattern_type.as_deref().is_some_and(|t| t != "stix") {
            c.unsupported("non-STIX pattern");
            continue;
        }
        let Some(pattern) = o.pattern.as_deref() else {
            c.reject(
                n,
                "indicator without a pattern",
                o.id.as_deref().unwrap_or("").as_bytes(),
            )?;
            continue;
        };
        let (object, value) = match parse_pattern(pattern) {
            Ok(x) => x,
            Err(kind) => {
                c.unsupported(kind);
                continue;
            }
        };
        let t = |s: &Option<String>| s.as_deref().and_then(crate::time::feed::parse);
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
            "ipv4-addr" | "ipv6-addr" => c.address_text(n, value.as_bytes(), Some(meta))?,
            "domain-name" => c.domain_text(n, value.as_bytes(), Some(meta))?,
            _ => c.unsupported(object),
        }
    }
    Ok(())
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
