//! Our binary artifacts read back: the scoring state, a compiled profile
//! version, the run's evidence (basis), and a cached geo table. The first
//! byte picks the kind (low two bits) and whether the harness reseals the
//! file first (bit 2): the section table is read leniently and written
//! again with `ArtifactWriter`, so the checksums match and the mutations
//! reach the sections' contents (for the geo table, META is also pointed at
//! the harness's own small database). Without resealing, the container's
//! own checks are what is fuzzed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;
use threatlist::artifact::{ArtifactWriter, Tag, MAGIC};
use threatlist::geo::reader::Database;
use threatlist::geo::table::GeoTable;
use threatlist::geo::writer;

const COUNTRY_CSV: &str =
    "network,country\n192.0.2.0/24,NL\n198.51.100.0/24,US\n2001:db8::/32,DE\n";

fn db() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| {
        let rows = writer::read_csv(0, COUNTRY_CSV.as_bytes()).expect("harness CSV");
        let bytes = writer::build_mmdb(&rows, &writer::BuildOptions::default()).expect("mmdb");
        Database::from_bytes("harness.mmdb".into(), bytes).expect("harness mmdb")
    })
}

fn scratch() -> &'static PathBuf {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| std::env::temp_dir().join(format!("tl-fuzz-artifact-{}", std::process::id())))
}

fn le_u64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// A postcard varint's length at the start of `b`.
fn varint_len(b: &[u8]) -> Option<usize> {
    b.iter().position(|&x| x & 0x80 == 0).map(|i| i + 1)
}

/// The file rewritten with correct checksums (sections that lie outside
/// the file are cut to what is there).
fn reseal(bytes: &[u8], geo: bool) -> Option<Vec<u8>> {
    if bytes.len() < 24 || bytes[..8] != MAGIC {
        return None;
    }
    let kind: Tag = bytes[8..12].try_into().ok()?;
    let major = u16::from_le_bytes([bytes[12], bytes[13]]);
    let minor = u16::from_le_bytes([bytes[14], bytes[15]]);
    let count = u32::from_le_bytes(bytes[16..20].try_into().ok()?).min(64) as usize;
    let mut w = ArtifactWriter::new(kind, major, minor);
    for i in 0..count {
        let row = 24 + 24 * i;
        let tag: Tag = bytes.get(row..row + 4)?.try_into().ok()?;
        let (off, len) = (le_u64(bytes, row + 4)?, le_u64(bytes, row + 12)?);
        let start = (off as usize).min(bytes.len());
        let end = start.saturating_add(len as usize).min(bytes.len());
        let mut body = bytes[start..end].to_vec();
        if geo && &tag == b"META" {
            // db_len (u64) and db_crc (u32), then the rest as mutated.
            let a = varint_len(&body).unwrap_or(body.len());
            let b = varint_len(&body[a..]).map_or(body.len(), |n| a + n);
            let file = db().file_bytes();
            let mut meta = postcard::to_stdvec(&(file.len() as u64, crc32fast::hash(file))).ok()?;
            meta.extend_from_slice(&body[b..]);
            body = meta;
        }
        w.raw(tag, body);
    }
    Some(w.to_bytes())
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let kind = sel & 3;
    let bytes = if sel & 4 != 0 {
        match reseal(rest, kind == 3) {
            Some(b) => b,
            None => return,
        }
    } else {
        rest.to_vec()
    };
    match kind {
        0 => {
            if let Ok(mut s) = threatlist::score::state::State::from_bytes(bytes) {
                // What was accepted writes back to what reads as the same.
                let again = s.to_bytes();
                let s2 = threatlist::score::state::State::from_bytes(again.clone())
                    .expect("a written state reads back");
                assert_eq!(s2.to_bytes(), again);
                let _ = (s.key_count(), s.pair_count());
                s.prune();
            }
        }
        1 => {
            std::fs::write(scratch(), &bytes).expect("scratch file");
            let _ = threatlist::profile::publish::read_version(scratch());
        }
        2 => {
            std::fs::write(scratch(), &bytes).expect("scratch file");
            let _ = threatlist::profile::basis::Basis::read(scratch());
        }
        _ => {
            std::fs::write(scratch(), &bytes).expect("scratch file");
            if let Ok(Some(t)) = GeoTable::load(db(), scratch()) {
                for a in [0u32, 0xc000_0201, 0xc633_6401, u32::MAX] {
                    let _ = t.lookup_v4(a);
                }
                for a in [0u128, 0x2001_0db8 << 96, u128::MAX] {
                    let _ = t.lookup_v6(a);
                }
                let _ = t.select(|_| true);
                let _ = t.len();
            }
        }
    }
});
