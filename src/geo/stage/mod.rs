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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::writer::BuildOptions;
    use crate::geo::{Place, Selected, Unmatched};
    use crate::set::ListPrinter;

    const COUNTRY_CSV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/geo/country.csv");

    fn cidrs(set: &crate::set::IpSet) -> String {
        let mut out = Vec::new();
        ListPrinter::default().print(set, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn country_db(dir: &std::path::Path) -> PathBuf {
        let db = dir.join("c.mmdb");
        build(&BuildPlan {
            inputs: vec![COUNTRY_CSV.into()],
            output: db.clone(),
            options: BuildOptions::default(),
        })
        .unwrap();
        db
    }

    #[test]
    fn lookup_writes_csv_and_reports_skipped_lines() {
        let dir = tempfile::tempdir().unwrap();
        let db = country_db(dir.path());
        let addrs = dir.path().join("addrs.txt");
        std::fs::write(&addrs, "192.0.2.1\n192.0.2.0/24\n# c\n\n198.19.0.1 # CA\n").unwrap();
        let name = addrs.display().to_string();
        let plan = LookupPlan {
            databases: Databases {
                country: Some(db),
                ..Databases::default()
            },
            addresses: Addresses::Lines(name.clone()),
            registered: false,
            lenient: true,
        };
        let mut out = Vec::new();
        let got = lookup(&plan, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "address,country,continent,eu\n192.0.2.1,FR,EU,1\n198.19.0.1,CA,NA,0\n"
        );
        assert_eq!((got.rows, got.skipped), (2, 1));
        assert_eq!(
            got.first_skipped.unwrap().to_string(),
            format!("{name}:2: not a single address: '192.0.2.0/24'")
        );
        let strict = LookupPlan {
            lenient: false,
            ..plan
        };
        assert!(matches!(
            lookup(&strict, &mut Vec::new()),
            Err(Error::Input(e)) if e.line == Some(2)
        ));
    }

    #[test]
    fn build_then_extract() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.mmdb");
        let built = build(&BuildPlan {
            inputs: vec![COUNTRY_CSV.into()],
            output: db.clone(),
            options: BuildOptions::default(),
        })
        .unwrap();
        assert_eq!(built.rows, 12);
        assert_eq!(built.networks, 12);
        assert_eq!(built.database_type, "tl-geo-Country");
        assert_eq!(built.output, db);
        assert_eq!(built.bytes as u64, std::fs::metadata(&db).unwrap().len());

        let plan = ExtractPlan {
            databases: Databases {
                country: Some(db.clone()),
                ..Databases::default()
            },
            countries: vec!["FR".into(), "us".into(), " ".into(), "XK".into()],
            ..ExtractPlan::default()
        };
        let got = extract(&plan).unwrap();
        assert_eq!(
            cidrs(&got.set),
            "192.0.2.0/25\n192.0.2.192/26\n198.18.0.0/16\n198.19.128.0/17\n\
             2001:db8::/48\n2001:db8:2::/47\n"
        );
        let xk = Unmatched {
            selected: Selected::Country(*b"XK"),
            database: db.display().to_string(),
        };
        assert_eq!(got.unmatched, vec![xk.clone()]);
        assert_eq!(
            xk.to_string(),
            format!("no networks for country XK in {}", db.display())
        );
    }

    #[test]
    fn plans_are_checked_before_any_database_is_read() {
        let plan = |countries: &[&str], asns: &[&str], country_db: bool| ExtractPlan {
            databases: Databases {
                country: country_db.then(|| "missing.mmdb".into()),
                ..Databases::default()
            },
            countries: countries.iter().map(|s| s.to_string()).collect(),
            asns: asns.iter().map(|s| s.to_string()).collect(),
            ..ExtractPlan::default()
        };
        let err = |p: ExtractPlan| extract(&p).unwrap_err();
        assert!(matches!(err(plan(&[], &[], true)), Error::NothingToExtract));
        assert!(matches!(
            err(plan(&["FR"], &[], false)),
            Error::NeedsDatabase(Need::Country)
        ));
        assert!(matches!(
            err(plan(&[], &["AS1"], false)),
            Error::NeedsDatabase(Need::Asn)
        ));
        let e = err(plan(&["UK"], &[], true));
        assert!(matches!(
            &e,
            Error::UnknownCode {
                continent: false,
                ..
            }
        ));
        assert!(e.to_string().contains("did you mean GB (United Kingdom)"));
        assert_eq!(
            err(plan(&[], &["AS-1"], true)).to_string(),
            "not an AS number: 'AS-1'"
        );
        // A valid plan gets as far as the database.
        assert!(matches!(
            err(plan(&["FR"], &[], true)),
            Error::Database { .. }
        ));
    }

    #[test]
    fn build_errors_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("overlap.csv");
        std::fs::write(&csv, "192.0.2.0/24,FR\n192.0.2.128/25,DE\n").unwrap();
        let out = dir.path().join("x.mmdb");
        let plan = BuildPlan {
            inputs: vec![csv.display().to_string()],
            output: out.clone(),
            options: BuildOptions::default(),
        };
        let at = |line| Place {
            file: csv.display().to_string(),
            line,
        };
        match build(&plan).unwrap_err() {
            Error::Overlap { row, earlier } => assert_eq!((row, earlier), (at(2), at(1))),
            e => panic!("{e}"),
        }
        assert!(!out.exists());
        std::fs::write(&csv, "192.0.2.0/24,ZZ\n").unwrap();
        match build(&plan).unwrap_err() {
            Error::Input(e) => assert_eq!(
                (e.line, e.text),
                (Some(1), Some(b"192.0.2.0/24,ZZ".to_vec()))
            ),
            e => panic!("{e}"),
        }
    }
}
