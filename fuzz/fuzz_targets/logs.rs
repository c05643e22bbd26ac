//! Log lines read as tl-logs reads them: the format detected from the first
//! lines, or forced; each line through the format's parser with one
//! context per file. The first byte picks the format (the n-th of
//! `Format::ALL`, or detection) and, for CSV, the column mapping.
#![no_main]

use libfuzzer_sys::fuzz_target;
use threatlist::logs::{self, columns::Columns, source, Context, Format};

const CSV_SPECS: [&str; 4] = [
    "time=1,src=2,dst=3,dport=4,action=5",
    "src=src_ip,dst=dst_ip,proto=proto",
    "time=ts,qname=query,src=client",
    "src=1",
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let first: Vec<&[u8]> = source::lines(rest).take(16).collect();
    let detected = logs::detect(&first);
    let format = match Format::ALL.get((sel & 0x1f) as usize) {
        Some(&f) => f,
        None => match detected {
            Some(f) => f,
            None => return,
        },
    };
    let mut cx = Context::new(1_800_000_000);
    if format == Format::Csv {
        cx.columns = Columns::parse(CSV_SPECS[(sel >> 5) as usize % CSV_SPECS.len()]).ok();
    }
    cx.lean = sel & 0x80 != 0 && format != Format::Csv;
    for line in source::lines(rest) {
        let _ = logs::parse_line(format, line, &mut cx);
    }
});
