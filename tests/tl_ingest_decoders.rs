//! Every feed decoder takes any bytes without panicking: arbitrary input,
//! and mutations of real fixtures, through every format.

use proptest::prelude::*;
use threatlist::feed::{parse, Columns, FeedFormat, ParseOptions, Policy};

fn run_all(data: &[u8]) {
    for &format in FeedFormat::ALL.iter() {
        for forced in [Some(format), None] {
            let opts = ParseOptions {
                format: forced,
                columns: Columns::default(),
                policy: Policy::default(),
                max_document: 1 << 20,
                asn: None,
            };
            let (reader, gz) = threatlist::feed::bytes_reader(data.to_vec());
            if let Ok(p) = parse("fuzz", reader, gz, &opts) {
                let (rows, _) = p.collector.finish();
                let ctx = threatlist::feed::RowContext {
                    feed: "f".into(),
                    category: String::new(),
                    time: 0,
                    confidence: 1.0,
                    with_ref: true,
                };
                let mut out = Vec::new();
                rows.write(&ctx, &mut out).unwrap();
                // Whatever came in, every row is one line of 9 fields
                // without zone-file metacharacters in the indicator.
                for line in String::from_utf8(out).unwrap().lines() {
                    let ind = line.split(',').next().unwrap();
                    assert!(!ind.contains([' ', ';', '$', '"', '\t']), "{line}");
                }
            }
            if forced.is_none() {
                break;
            }
        }
    }
}

fn fixtures() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/feeds");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| std::fs::read(e.path()).unwrap())
        .collect();
    v.sort();
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        run_all(&data);
    }

    #[test]
    fn text_like_bytes_never_panic(data in "[0-9a-f.:/\\-;#|^$*\\[\\]{}\",\\t\\n =@'A-Z_]{0,400}") {
        run_all(data.as_bytes());
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0usize..64,
        cuts in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..8),
        truncate in any::<usize>(),
    ) {
        let all = fixtures();
        let mut data = all[which % all.len()].clone();
        for (pos, byte) in cuts {
            if !data.is_empty() {
                let i = pos % data.len();
                data[i] = byte;
            }
        }
        if !data.is_empty() {
            data.truncate(truncate % (data.len() + 1));
        }
        run_all(&data);
    }
}
