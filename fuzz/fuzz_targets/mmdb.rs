//! A MaxMind DB file as tl-geo, tl-compile and tl-logs read it: metadata
//! and search tree (`Database::from_bytes`), lookups, the walk of every
//! network, each data record decoded, and the flattened range table built
//! from it. The whole input is the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use threatlist::geo::{self, reader::Database, table::GeoTable, Need};

fuzz_target!(|data: &[u8]| {
    let Ok(db) = Database::from_bytes("fuzz.mmdb".into(), data.to_vec()) else {
        return;
    };
    let _ = geo::check_type(&db, Need::Country);
    let _ = geo::check_type(&db, Need::Asn);
    for a in [0u32, 0x0a00_0001, 0xc000_0201, u32::MAX] {
        if let Some(off) = db.lookup_v4(a) {
            let _ = db.record(off);
        }
    }
    for a in [0u128, 1, 0x2001_0db8 << 96, u128::MAX] {
        if let Some(off) = db.lookup_v6(a) {
            let _ = db.record(off);
        }
    }
    let mut leaves = 0u32;
    let _ = db.walk(|leaf| {
        leaves += 1;
        if leaves <= 64 {
            let _ = db.record(leaf.data);
        }
    });
    if let Ok(table) = GeoTable::build(&db) {
        let _ = table.lookup_v4(0xc000_0201);
        let _ = table.lookup_v6(0x2001_0db8 << 96);
        let _ = table.select(|_| true);
        let _ = geo::check_records(&db, &table, Need::Country);
    }
});
