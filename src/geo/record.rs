//! The fields threatlist uses from a database record, whatever its schema.
//!
//! GeoIP2/GeoLite2 and DB-IP nest them (`country.iso_code`,
//! `continent.code`, `traits.is_anonymous_proxy`); ip-location-db and ipinfo
//! store flat keys (`country_code`, `continent_code`, `asn`, `as_name`). Codes
//! are checked to be two letters and organisation names are cleaned of
//! control characters, so text from a database never reaches output raw.

use super::codes::{self, Code};
use super::decode::Value;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GeoRecord {
    pub country: Option<Code>,
    pub registered_country: Option<Code>,
    pub represented_country: Option<Code>,
    pub continent: Option<Code>,
    /// The country is in the European Union.
    pub eu: bool,
    pub anonymous_proxy: bool,
    pub satellite_provider: bool,
    pub asn: Option<u32>,
    pub org: Option<String>,
}

/// Longest organisation name kept.
const MAX_ORG: usize = 200;

fn code_of(v: Option<&Value>) -> Option<Code> {
    v.and_then(Value::as_str)
        .and_then(|s| codes::code(s.as_bytes()))
}

/// `"AS15169"` or `15169`.
fn asn_of(v: &Value) -> Option<u32> {
    match v {
        Value::Str(s) => {
            let digits = s
                .strip_prefix("AS")
                .or_else(|| s.strip_prefix("as"))
                .unwrap_or(s);
            digits.parse().ok()
        }
        v => v.as_uint().and_then(|n| u32::try_from(n).ok()),
    }
}

fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_ORG)
        .collect::<String>()
        .trim()
        .to_string()
}

impl GeoRecord {
    pub fn from_value(v: &Value) -> GeoRecord {
        let nested = |k: &str, field: &str| code_of(v.get(k).and_then(|m| m.get(field)));
        let mut r = GeoRecord::default();
        match v.get("country") {
            Some(Value::Map(_)) => {
                r.country = nested("country", "iso_code");
                r.eu = v
                    .get("country")
                    .and_then(|c| c.get("is_in_european_union"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
            }
            other => {
                r.country = code_of(v.get("country_code")).or_else(|| code_of(other));
                r.eu = r.country.is_some_and(codes::in_eu);
            }
        }
        r.registered_country = nested("registered_country", "iso_code");
        r.represented_country = nested("represented_country", "iso_code");
        r.continent = nested("continent", "code")
            .or_else(|| code_of(v.get("continent_code")))
            .or_else(|| code_of(v.get("continent")))
            .or_else(|| r.country.and_then(codes::continent_of));
        let trait_flag = |k: &str| {
            v.get("traits")
                .and_then(|t| t.get(k))
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        r.anonymous_proxy = trait_flag("is_anonymous_proxy");
        r.satellite_provider = trait_flag("is_satellite_provider");
        r.asn = v
            .get("autonomous_system_number")
            .or_else(|| v.get("asn"))
            .and_then(asn_of);
        r.org = v
            .get("autonomous_system_organization")
            .or_else(|| v.get("as_name"))
            .and_then(Value::as_str)
            .map(clean)
            .filter(|s| !s.is_empty());
        r
    }

    /// Whether the record carries any location data.
    pub fn has_geo(&self) -> bool {
        self.country.is_some()
            || self.registered_country.is_some()
            || self.continent.is_some()
            || self.anonymous_proxy
            || self.satellite_provider
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value<'_> {
        Value::Str(x)
    }

    fn map<'a>(kv: Vec<(&'a str, Value<'a>)>) -> Value<'a> {
        Value::Map(kv)
    }

    #[test]
    fn schemas() {
        // GeoIP2: nested, flags in traits, EU flag from the database.
        let v = map(vec![
            (
                "country",
                map(vec![
                    ("iso_code", s("FR")),
                    ("is_in_european_union", Value::Bool(true)),
                ]),
            ),
            ("registered_country", map(vec![("iso_code", s("DE"))])),
            (
                "traits",
                map(vec![("is_satellite_provider", Value::Bool(true))]),
            ),
        ]);
        let r = GeoRecord::from_value(&v);
        assert_eq!(r.country, Some(*b"FR"));
        assert_eq!(r.registered_country, Some(*b"DE"));
        assert_eq!(r.continent, Some(*b"EU"));
        assert!(r.eu && r.satellite_provider && !r.anonymous_proxy);
        // ip-location-db: flat code; continent and EU flag from the code table.
        let r = GeoRecord::from_value(&map(vec![("country_code", s("at"))]));
        assert_eq!(
            (r.country, r.continent, r.eu),
            (Some(*b"AT"), Some(*b"EU"), true)
        );
        // ipinfo: "AS" numbers as text.
        let r = GeoRecord::from_value(&map(vec![
            ("asn", s("AS64496")),
            ("as_name", s("Ex\u{1b}[31m")),
        ]));
        assert_eq!((r.asn, r.org.as_deref()), (Some(64496), Some("Ex [31m")));
        // Codes that are not two letters are not codes.
        let r = GeoRecord::from_value(&map(vec![("country_code", s("F,R"))]));
        assert_eq!(r.country, None);
    }
}
