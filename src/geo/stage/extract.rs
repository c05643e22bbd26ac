//! The extract stage: the networks of countries, continents and ASNs.

use super::{Databases, Sources};
use crate::geo::{
    check_records, codes, extract_asns, extract_geo, wrong_type, Code, CountryField, Error,
    GeoSelection, Need,
};
use crate::set::IpSet;
use std::fmt;

/// What to extract, as the user wrote it; [`ExtractPlan::selection`] checks it.
#[derive(Clone, Debug, Default)]
pub struct ExtractPlan {
    pub databases: Databases,
    /// Country codes (ISO 3166-1 alpha-2, any case); blank ones are ignored.
    pub countries: Vec<String>,
    /// Continent codes: AF AN AS EU NA OC SA.
    pub continents: Vec<String>,
    /// AS numbers (`64496` or `AS64496`).
    pub asns: Vec<String>,
    /// Which country of a network the country codes select by.
    pub field: CountryField,
    /// Also networks flagged as anonymous proxies.
    pub anonymous_proxy: bool,
    /// Also networks flagged as satellite providers.
    pub satellite_provider: bool,
}

/// What was extracted.
#[derive(Clone, Debug, Default)]
pub struct ExtractReport {
    /// Every network assigned to any of the selected countries,
    /// continents or ASNs.
    pub set: IpSet,
    /// Selected countries and ASNs that have no network in their database
    /// (worth a warning: a valid code, but nothing to block).
    pub unmatched: Vec<Unmatched>,
}

/// A selected country or ASN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selected {
    Country(Code),
    Asn(u32),
}

impl fmt::Display for Selected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selected::Country(c) => write!(f, "country {}", codes::code_str(c)),
            Selected::Asn(n) => write!(f, "AS{n}"),
        }
    }
}

/// A selection without networks in a database: `no networks for country
/// XK in c.mmdb`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmatched {
    pub selected: Selected,
    pub database: String,
}

impl fmt::Display for Unmatched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no networks for {} in {}", self.selected, self.database)
    }
}

impl ExtractPlan {
    /// The selection and the AS numbers asked for, checked: codes that
    /// exist (with close matches when not), AS numbers, something selected,
    /// and the databases the selection needs.
    pub fn selection(&self) -> Result<(GeoSelection, Vec<u32>), Error> {
        let mut sel = GeoSelection {
            field: self.field,
            anonymous_proxy: self.anonymous_proxy,
            satellite_provider: self.satellite_provider,
            ..GeoSelection::default()
        };
        for c in nonblank(&self.countries) {
            let code = codes::code(c.trim().as_bytes()).filter(|k| codes::country(*k).is_some());
            sel.countries.push(code.ok_or_else(|| unknown(c, false))?);
        }
        for c in nonblank(&self.continents) {
            let code = codes::code(c.trim().as_bytes()).filter(|k| codes::is_continent(*k));
            sel.continents.push(code.ok_or_else(|| unknown(c, true))?);
        }
        let mut asns = Vec::new();
        for s in nonblank(&self.asns) {
            asns.push(
                codes::parse_asn(s.trim().as_bytes())
                    .ok_or_else(|| Error::NotAnAsn { text: s.clone() })?,
            );
        }
        let dbs = &self.databases;
        if sel.is_empty() && asns.is_empty() {
            return Err(Error::NothingToExtract);
        }
        if !sel.is_empty() && dbs.country.is_none() {
            return Err(Error::NeedsDatabase(Need::Country));
        }
        if !asns.is_empty() && dbs.country.is_none() && dbs.asn.is_none() {
            return Err(Error::NeedsDatabase(Need::Asn));
        }
        Ok((sel, asns))
    }
}

fn nonblank(v: &[String]) -> impl Iterator<Item = &String> {
    v.iter().filter(|s| !s.trim().is_empty())
}

fn unknown(text: &str, continent: bool) -> Error {
    Error::UnknownCode {
        text: text.to_string(),
        continent,
    }
}

/// Walks the databases the plan needs and collects the networks of its
/// selection.
pub fn extract(plan: &ExtractPlan) -> Result<ExtractReport, Error> {
    let (sel, asns) = plan.selection()?;
    let mut src = Sources::open(&plan.databases, !sel.is_empty(), !asns.is_empty())?;
    if !asns.is_empty() && !src.has_asn() {
        // The country database was taken for countries; ASNs need their own.
        return Err(match &src.geo {
            Some(r) => wrong_type(&r.db, Need::Asn),
            None => Error::NeedsDatabase(Need::Asn),
        });
    }
    let mut report = ExtractReport::default();
    if let Some(r) = &mut src.geo {
        let (db, table) = r.parts()?;
        check_records(db, table, Need::Country)?;
        for &c in &sel.countries {
            let one = GeoSelection {
                countries: vec![c],
                field: sel.field,
                ..GeoSelection::default()
            };
            if !table.records.iter().any(|x| one.matches(x)) {
                report.note_unmatched(Selected::Country(c), &db.name);
            }
        }
        report.set = report.set.union(&extract_geo(table, &sel));
        if src.asn_from_geo && !asns.is_empty() {
            report.set = report.set.union(&extract_asns(table, &asns));
        }
    }
    if let Some(r) = &mut src.asn {
        let (db, table) = r.parts()?;
        check_records(db, table, Need::Asn)?;
        for &n in &asns {
            if !table.records.iter().any(|x| x.asn == Some(n)) {
                report.note_unmatched(Selected::Asn(n), &db.name);
            }
        }
        report.set = report.set.union(&extract_asns(table, &asns));
    }
    Ok(report)
}

impl ExtractReport {
    fn note_unmatched(&mut self, selected: Selected, database: &str) {
        self.unmatched.push(Unmatched {
            selected,
            database: database.to_string(),
        });
    }
}
