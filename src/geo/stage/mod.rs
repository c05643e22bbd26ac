//! The geo stages: a plan in, a report out, for `tl-geo` and for tools that
//! run the whole chain in one process.
//!
//! - [`build`]: CSV files to a MaxMind DB file, written atomically.
//! - [`extract`]: the networks of countries, continents and ASNs, as a set.
//! - [`lookup`]: the country, continent, EU flag (and ASN) of addresses, as
//!   CSV written to the caller's output.
//! - [`annotate`]: a CSV stream with `country` and `asn` columns added.
//!
//! The stages print nothing: what a person should hear of (bad lines
//! skipped, selections without networks) is in the report.

mod build;
mod extract;
mod lookup;

pub use build::{build, BuildPlan, BuildReport};
pub use extract::{extract, ExtractPlan, ExtractReport, Selected, Unmatched};
pub use lookup::{
    annotate, lookup, Addresses, AnnotatePlan, AnnotateReport, LookupPlan, LookupReport,
};

use super::{check_type, type_mentions, Database, Error, GeoRecord, GeoTable, Need, Resolver};
use crate::net::Entry;
use std::path::PathBuf;

/// The databases a stage reads.
#[derive(Clone, Debug, Default)]
pub struct Databases {
    /// The country database (GeoLite2/GeoIP2 Country or City, DB-IP, ...);
    /// it also answers for ASNs when its type says it holds them and no
    /// ASN database is given.
    pub country: Option<PathBuf>,
    /// The ASN database (GeoLite2-ASN, ...).
    pub asn: Option<PathBuf>,
    /// Where flattened range tables of the databases are kept and reused
    /// while a database is unchanged.
    pub cache_dir: Option<PathBuf>,
}

/// The opened databases: for countries and for ASNs (possibly the same
/// file, when the country database holds both).
struct Sources {
    geo: Option<Resolver>,
    asn: Option<Resolver>,
    asn_from_geo: bool,
}

impl Sources {
    /// Opens the databases wanted; the country database serves ASNs when
    /// it is not wanted for countries and no ASN database is given.
    fn open(dbs: &Databases, want_geo: bool, want_asn: bool) -> Result<Sources, Error> {
        let mut s = Sources {
            geo: None,
            asn: None,
            asn_from_geo: false,
        };
        if let Some(path) = dbs.country.as_ref().filter(|_| want_geo) {
            let db = Database::open(path)?;
            check_type(&db, Need::Country)?;
            s.asn_from_geo = dbs.asn.is_none() && type_mentions(&db, Need::Asn);
            s.geo = Some(resolver(db, dbs)?);
        }
        let asn_path = dbs
            .asn
            .as_ref()
            .or(dbs.country.as_ref().filter(|_| !want_geo));
        if let Some(path) = asn_path.filter(|_| want_asn) {
            let db = Database::open(path)?;
            check_type(&db, Need::Asn)?;
            s.asn = Some(resolver(db, dbs)?);
        }
        if s.geo.is_none() && s.asn.is_none() {
            return Err(Error::NoDatabase);
        }
        Ok(s)
    }

    fn has_asn(&self) -> bool {
        self.asn.is_some() || self.asn_from_geo
    }

    /// The country record and the ASN record of an entry.
    fn lookup(&mut self, e: &Entry) -> Result<(Option<GeoRecord>, Option<GeoRecord>), Error> {
        let g = match &mut self.geo {
            Some(r) => r.lookup(e)?.cloned(),
            None => None,
        };
        let a = match &mut self.asn {
            Some(r) => r.lookup(e)?.cloned(),
            None if self.asn_from_geo => g.clone(),
            None => None,
        };
        Ok((g, a))
    }
}

/// Look-ups against `db`, through its cached table when a cache is kept.
fn resolver(db: Database, dbs: &Databases) -> Result<Resolver, Error> {
    let table = match &dbs.cache_dir {
        Some(dir) => Some(GeoTable::cached(&db, dir)?),
        None => None,
    };
    Ok(Resolver::new(db, table))
}
