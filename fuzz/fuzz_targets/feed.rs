//! One feed read as tl-ingest reads it (gzip by its magic bytes, format
//! detection or a forced format, the collector, the rows written). The first
//! byte picks the format (0 and 16: detected; otherwise the n-th of
//! `FeedFormat::ALL`), strictness, special space and the column/field
//! options; the rest is the feed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use threatlist::feed::{self, Columns, FeedFormat, ParseOptions, Policy, RowContext};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let n = (sel & 0x0f) as usize;
    let format = n
        .checked_sub(1)
        .and_then(|i| FeedFormat::ALL.get(i).copied());
    let opts = ParseOptions {
        format,
        columns: Columns {
            column: (sel & 0x40 != 0).then(|| "2".to_string()),
            field: (sel & 0x80 != 0).then(|| "a.ip".to_string()),
        },
        policy: Policy {
            strict: sel & 0x10 != 0,
            allow_special: sel & 0x20 != 0,
            ..Policy::default()
        },
        max_document: 1 << 20,
        asn: None,
    };
    let (reader, gzip) = feed::bytes_reader(rest.to_vec());
    let Ok(parsed) = feed::parse("fuzz", reader, gzip, &opts) else {
        return;
    };
    let (rows, _counts) = parsed.collector.finish();
    let ctx = RowContext {
        feed: "fuzz".into(),
        category: "test".into(),
        time: 1_800_000_000,
        confidence: 0.5,
        with_ref: true,
    };
    let mut out = Vec::new();
    rows.write(&ctx, &mut out).expect("writing to memory");
    // Whatever the feed said, a row holds no line break or NUL of its own:
    // every row is one CSV line of printable fields.
    assert!(!out.contains(&0), "NUL in a row");
});
