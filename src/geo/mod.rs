//! MaxMind DB databases: reading, look-ups, extraction of the networks of
//! countries, continents and ASNs, and writing databases from CSV.
//!
//! - [`reader`] reads the file format (spec 2.0) and walks the search tree;
//!   [`decode`] decodes its data section.
//! - [`record`] maps the records of the common schemas (GeoIP2, GeoLite2,
//!   DB-IP, ip-location-db, ipinfo) to the fields threatlist uses.
//! - [`table`] flattens a database into sorted ranges for batch look-ups and
//!   extraction, cacheable as an artifact.
//! - [`writer`] builds databases from CSV; [`codes`] knows the country codes
//!   and reads AS numbers.
//! - [`stage`] holds the stages that tools call with a plan, getting a report
//!   back: [`build`], [`extract`], [`lookup`], [`annotate`].
//! - [`Error`] is the one error type of the layer.

pub mod codes;
pub mod decode;
mod error;
pub mod reader;
pub mod record;
pub mod stage;
pub mod table;
pub mod writer;

pub use codes::Code;
pub use error::{Error, Place};
pub use reader::Database;
pub use record::GeoRecord;
pub use stage::{
    annotate, build, extract, lookup, Addresses, AnnotatePlan, AnnotateReport, BuildPlan,
    BuildReport, Databases, ExtractPlan, ExtractReport, LookupPlan, LookupReport, Selected,
    Unmatched,
};
pub use table::GeoTable;

use crate::net::Entry;
use crate::set::IpSet;
use table::RecordCache;

/// What a database is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    Country,
    Asn,
}

/// Whether a database's type says it holds this kind of data.
pub fn type_mentions(db: &Database, need: Need) -> bool {
    let t = db.meta.database_type.to_ascii_lowercase();
    let keys: &[&str] = match need {
        Need::Country => &["country", "city", "enterprise"],
        Need::Asn => &["asn", "isp", "enterprise"],
    };
    keys.iter().any(|k| t.contains(k))
}

/// Refuses a database whose type says it holds the other kind of data
/// (`GeoLite2-ASN` given where countries are needed, and the reverse).
/// Types that say neither are judged by their records later.
pub fn check_type(db: &Database, need: Need) -> Result<(), Error> {
    let geo = type_mentions(db, Need::Country);
    let asn = type_mentions(db, Need::Asn);
    let wrong = match need {
        Need::Country => asn && !geo,
        Need::Asn => geo && !asn,
    };
    if wrong {
        return Err(wrong_type(db, need));
    }
    Ok(())
}

/// The message for a database without the data needed. It names no
/// option: each tool (and tl-update's configuration) names the database
/// its own way.
pub fn wrong_type(db: &Database, need: Need) -> Error {
    let (what, kind) = match need {
        Need::Country => (
            "country",
            "a country database (GeoLite2-Country, GeoIP2-City, …)",
        ),
        Need::Asn => ("ASN", "an ASN database (GeoLite2-ASN, …)"),
    };
    Error::database(
        &db.name,
        format!(
            "database type '{}' holds no {what} data; {kind} is needed here",
            db.meta.database_type
        ),
    )
}

/// Whether a table's records hold the data needed.
pub fn check_records(db: &Database, table: &GeoTable, need: Need) -> Result<(), Error> {
    let ok = table.records.iter().any(|r| match need {
        Need::Country => r.has_geo(),
        Need::Asn => r.asn.is_some(),
    });
    if ok || table.records.is_empty() {
        Ok(())
    } else {
        Err(wrong_type(db, need))
    }
}

/// Look-ups against one database: by walking the tree while the work is
/// small, through a [`GeoTable`] once enough look-ups have been asked for to
/// pay for building it (or from the start, when a cached table is given).
pub struct Resolver {
    pub db: Database,
    table: Option<GeoTable>,
    cache: RecordCache,
    tree_lookups: u64,
    /// Tree look-ups after which the table is built.
    pub switch_at: u64,
}

impl Resolver {
    pub fn new(db: Database, table: Option<GeoTable>) -> Resolver {
        // Building the table costs about as much as walking the tree for
        // a few look-ups per node (measured: scripts/bench-geo.sh).
        let switch_at = db.meta.node_count as u64 / 4 + 1024;
        Resolver {
            db,
            table,
            cache: RecordCache::default(),
            tree_lookups: 0,
            switch_at,
        }
    }

    /// The table, built now if it was not yet.
    pub fn table(&mut self) -> Result<&GeoTable, Error> {
        self.parts().map(|(_, t)| t)
    }

    /// The database and its table (built now if it was not yet).
    pub fn parts(&mut self) -> Result<(&Database, &GeoTable), Error> {
        let t = match self.table.take() {
            Some(t) => t,
            None => GeoTable::build(&self.db)?,
        };
        Ok((&self.db, self.table.insert(t)))
    }

    pub fn has_table(&self) -> bool {
        self.table.is_some()
    }

    /// The record for a single address (`Entry` with start == end) or, for a
    /// network or range, the record when one record covers all of it.
    pub fn lookup(&mut self, e: &Entry) -> Result<Option<&GeoRecord>, Error> {
        let single = is_single(e);
        if self.table.is_none() && (!single || self.tree_lookups >= self.switch_at) {
            self.table()?;
        }
        if let Some(t) = &self.table {
            return Ok(match e {
                Entry::V4(r) if single => t.lookup_v4(r.start),
                Entry::V6(r) if single => t.lookup_v6(r.start),
                Entry::V4(r) => t.lookup_range_v4(*r),
                Entry::V6(r) => t.lookup_range_v6(*r),
            });
        }
        self.tree_lookups += 1;
        let off = match e {
            Entry::V4(r) => self.db.lookup_v4(r.start),
            Entry::V6(r) => self.db.lookup_v6(r.start),
        };
        match off {
            None => Ok(None),
            Some(o) => {
                let i = self.cache.index(&self.db, o)?;
                Ok(self.cache.records.get(i as usize))
            }
        }
    }
}

/// Which country field a selection by country looks at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CountryField {
    /// Where the network is (`country`).
    #[default]
    Country,
    /// Where it is registered (`registered_country`).
    Registered,
    /// Whose military or embassy uses it (`represented_country`).
    Represented,
    /// Any of the three.
    Any,
}

/// What to extract from a country database.
#[derive(Clone, Debug, Default)]
pub struct GeoSelection {
    pub countries: Vec<Code>,
    pub continents: Vec<Code>,
    pub field: CountryField,
    pub anonymous_proxy: bool,
    pub satellite_provider: bool,
}

impl GeoSelection {
    pub fn is_empty(&self) -> bool {
        self.countries.is_empty()
            && self.continents.is_empty()
            && !self.anonymous_proxy
            && !self.satellite_provider
    }

    pub fn matches(&self, r: &GeoRecord) -> bool {
        let fields = match self.field {
            CountryField::Country => [r.country, None, None],
            CountryField::Registered => [r.registered_country, None, None],
            CountryField::Represented => [r.represented_country, None, None],
            CountryField::Any => [r.country, r.registered_country, r.represented_country],
        };
        fields.iter().flatten().any(|c| self.countries.contains(c))
            || r.continent.is_some_and(|c| self.continents.contains(&c))
            || (self.anonymous_proxy && r.anonymous_proxy)
            || (self.satellite_provider && r.satellite_provider)
    }
}

/// Every network the table assigns to the selection.
pub fn extract_geo(table: &GeoTable, sel: &GeoSelection) -> IpSet {
    table.select(|r| sel.matches(r))
}

/// Every network of the given ASNs.
pub fn extract_asns(table: &GeoTable, asns: &[u32]) -> IpSet {
    table.select(|r| r.asn.is_some_and(|a| asns.contains(&a)))
}

/// The networks of one AS as entries (IPv4, then IPv6, each in address
/// order); `None` when the table has none.
pub fn asn_entries(table: &GeoTable, asn: u32) -> Option<Vec<Entry>> {
    let set = extract_asns(table, &[asn]);
    let v4 = set.v4.ranges().iter().map(|r| Entry::V4(*r));
    let v6 = set.v6.ranges().iter().map(|r| Entry::V6(*r));
    Some(v4.chain(v6).collect::<Vec<_>>()).filter(|v| !v.is_empty())
}

/// The look-up of AS networks in the ASN database at `path`, for the feed
/// layer (which reads no geo databases itself): what expands the ASes of
/// Spamhaus ASN-DROP (`tl-ingest --asn-db`, `tl-update`'s `[geo]` ASN
/// database).
pub fn asn_networks(path: &std::path::Path) -> Result<crate::feed::AsnNetworks, Error> {
    let db = Database::open(path)?;
    check_type(&db, Need::Asn)?;
    let table = GeoTable::build(&db)?;
    Ok(crate::feed::AsnNetworks(std::sync::Arc::new(move |asn| {
        asn_entries(&table, asn)
    })))
}

/// Whether an entry is one address (start == end).
pub fn is_single(e: &Entry) -> bool {
    match e {
        Entry::V4(r) => r.start == r.end,
        Entry::V6(r) => r.start == r.end,
    }
}
