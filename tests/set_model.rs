//! Property tests: the interval-set algebra against a naive model.
//!
//! The model of a set is the raw list of ranges it was made from, and
//! membership is "some range holds the address". Every result of the algebra
//! is a union of ranges whose ends lie at input boundaries, so checking
//! membership at every boundary and its neighbours checks the whole space.

use proptest::prelude::*;
use threatlist::net::{parse_entry, write_cidr, Addr, CidrIter, Entry, Range};
use threatlist::set::{
    reduce_prefixes, IntervalSet, PrefixMask, PrefixStats, SetBuilder, SplitIter,
};

/// Addresses that favour edges and collisions: the ends of the space, powers
/// of two, and a small cluster where ranges overlap and touch.
fn addr<A: Addr>() -> impl Strategy<Value = A> {
    let max = A::MAX.to_u128();
    let bits = A::BITS;
    prop_oneof![
        Just(A::ZERO),
        Just(A::MAX),
        Just(A::from_u128(max - 1)),
        (0..bits).prop_map(|b| A::from_u128(1u128 << b)),
        (0..bits).prop_map(move |b| A::from_u128((1u128 << b) - 1)),
        (0u128..64).prop_map(|v| A::from_u128(1000 + v)),
        (0u128..64).prop_map(move |v| A::from_u128(max - v)),
        any::<u128>().prop_map(|v| A::from_u128(v)),
    ]
}

fn range<A: Addr>() -> impl Strategy<Value = Range<A>> {
    (addr::<A>(), addr::<A>()).prop_map(|(a, b)| Range::new(a.min(b), a.max(b)))
}

/// A range short enough to print as single blocks of any length.
fn short_range<A: Addr>() -> impl Strategy<Value = Range<A>> {
    (addr::<A>(), 0u128..5000).prop_map(|(a, n)| {
        let end = a.to_u128().saturating_add(n).min(A::MAX.to_u128());
        Range::new(a, A::from_u128(end))
    })
}

fn ranges<A: Addr>() -> impl Strategy<Value = Vec<Range<A>>> {
    proptest::collection::vec(range::<A>(), 0..12)
}

fn member<A: Addr>(model: &[Range<A>], x: A) -> bool {
    model.iter().any(|r| r.contains(x))
}

/// Every boundary of the inputs and its neighbours.
fn probes<A: Addr>(sets: &[&[Range<A>]]) -> Vec<A> {
    let mut p = vec![A::ZERO, A::MAX];
    for s in sets {
        for r in *s {
            for x in [r.start, r.end] {
                p.push(x);
                p.extend(x.checked_inc());
                p.extend(x.checked_dec());
            }
        }
    }
    p.sort();
    p.dedup();
    p
}

fn canonical<A: Addr>(s: &IntervalSet<A>) -> bool {
    IntervalSet::from_canonical(s.ranges().to_vec()).is_some()
}

/// Exact count by summing the elementary intervals between probe points;
/// `None` for 2^128.
fn naive_count<A: Addr>(pred: impl Fn(A) -> bool, probes: &[A]) -> Option<u128> {
    // Between consecutive probes p < q (q = p+1 ... next boundary - 1 are
    // uniform with q-1), count p itself and the run (p, q).
    let mut n: u128 = 0;
    for w in probes.windows(2) {
        let (p, q) = (w[0], w[1]);
        if pred(p) {
            n = n.checked_add(1)?;
        }
        let gap = q.to_u128() - p.to_u128() - 1;
        if gap > 0 && pred(A::from_u128(p.to_u128() + 1)) {
            n = n.checked_add(gap)?;
        }
    }
    if let Some(&last) = probes.last() {
        if pred(last) {
            n = n.checked_add(1)?;
        }
    }
    Some(n)
}

fn check_ops<A: Addr>(a: Vec<Range<A>>, b: Vec<Range<A>>) -> Result<(), TestCaseError> {
    let sa = IntervalSet::from_ranges(a.clone());
    let sb = IntervalSet::from_ranges(b.clone());
    let results = [
        ("union", sa.union(&sb)),
        ("intersection", sa.intersection(&sb)),
        ("difference", sa.difference(&sb)),
        ("symmetric", sa.symmetric_difference(&sb)),
        ("complement", sa.complement()),
    ];
    let points = probes(&[&a, &b]);
    for (name, r) in &results {
        prop_assert!(canonical(r), "{name} not canonical: {:?}", r);
        let expect = |x: A| {
            let (ia, ib) = (member(&a, x), member(&b, x));
            match *name {
                "union" => ia || ib,
                "intersection" => ia && ib,
                "difference" => ia && !ib,
                "symmetric" => ia != ib,
                _ => !ia,
            }
        };
        for &x in &points {
            prop_assert_eq!(r.contains(x), expect(x), "{} at {:?}", name, x);
        }
        prop_assert_eq!(
            r.count().as_u128(),
            naive_count(expect, &points),
            "{} count",
            name
        );
    }
    // Containment and subset.
    for &x in &points {
        prop_assert_eq!(sa.find(x).is_some(), member(&a, x));
    }
    prop_assert!(sa.intersection(&sb).is_subset(&sa));
    prop_assert!(sa.is_subset(&sa.union(&sb)));
    // The builder's singles path gives the same set as plain sorting.
    let mut bld = SetBuilder::default();
    for r in &a {
        push(&mut bld, *r);
    }
    let built = bld.build();
    prop_assert_eq!(family(&built), sa.ranges().to_vec());
    Ok(())
}

fn push<A: Addr>(b: &mut SetBuilder, r: Range<A>) {
    if A::BITS == 32 {
        b.push(Entry::V4(Range::new(
            r.start.to_u128() as u32,
            r.end.to_u128() as u32,
        )));
    } else {
        b.push(Entry::V6(Range::new(r.start.to_u128(), r.end.to_u128())));
    }
}

fn family<A: Addr>(s: &threatlist::set::IpSet) -> Vec<Range<A>> {
    let conv = |v: Vec<(u128, u128)>| {
        v.into_iter()
            .map(|(a, b)| Range::new(A::from_u128(a), A::from_u128(b)))
            .collect()
    };
    if A::BITS == 32 {
        conv(
            s.v4.ranges()
                .iter()
                .map(|r| (r.start as u128, r.end as u128))
                .collect(),
        )
    } else {
        conv(s.v6.ranges().iter().map(|r| (r.start, r.end)).collect())
    }
}

/// Blocks of a split are aligned, allowed, cover the range exactly, and (with
/// every length allowed) no two neighbours could merge into one block.
fn check_split<A: Addr>(r: Range<A>, mask: PrefixMask) -> Result<(), TestCaseError> {
    let blocks: Vec<_> = SplitIter::new(r, mask).collect();
    let mut next = Some(r.start);
    for p in &blocks {
        let br = p.range();
        prop_assert_eq!(br.start, p.addr, "aligned");
        prop_assert!(p.len == A::BITS || mask.allows(p.len));
        prop_assert_eq!(Some(br.start), next);
        next = br.end.checked_inc();
        if br.end == r.end {
            next = None;
        }
    }
    prop_assert_eq!(blocks.last().map(|p| p.range().end), Some(r.end));
    if mask.is_all() {
        let plain: Vec<_> = CidrIter::new(r).collect();
        prop_assert_eq!(&plain, &blocks);
        for w in blocks.windows(2) {
            let mergeable = w[0].len == w[1].len
                && w[0].len > 0
                && Range::from_prefix(w[0].addr, w[0].len - 1).end == w[1].range().end;
            prop_assert!(!mergeable, "{:?} and {:?} could be one block", w[0], w[1]);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn ops_v4(a in ranges::<u32>(), b in ranges::<u32>()) {
        check_ops(a, b)?;
    }

    #[test]
    fn ops_v6(a in ranges::<u128>(), b in ranges::<u128>()) {
        check_ops(a, b)?;
    }

    #[test]
    fn split_v4(r in range::<u32>(), short in short_range::<u32>(), min in 0u32..=32, holes in any::<u32>()) {
        check_split(r, PrefixMask::all())?;
        check_split(short, PrefixMask::at_least(min))?;
        let mut m = PrefixMask::all();
        for len in 0..32 { if holes & (1 << len) != 0 { m.set(len, false); } }
        check_split(short, m)?;
    }

    #[test]
    fn split_v6(r in range::<u128>(), short in short_range::<u128>(), min in 0u32..=128) {
        check_split(r, PrefixMask::all())?;
        check_split(short, PrefixMask::at_least(min))?;
    }

    #[test]
    fn reduce_keeps_the_set_and_the_allowance(a in ranges::<u32>(), percent in 0u64..100, entries in 0u64..64) {
        let s = IntervalSet::from_ranges(a);
        let mask = reduce_prefixes(&s, PrefixMask::all(), percent, entries);
        let minimal = PrefixStats::of(&s, PrefixMask::all()).total();
        let reduced = PrefixStats::of(&s, mask).total();
        let allowance = (minimal * (100 + percent) / 100).max(entries);
        prop_assert!(reduced <= allowance.max(minimal));
        for r in s.ranges() { check_split(*r, mask)?; }
    }

    #[test]
    fn cidr_text_round_trips(r in range::<u32>(), r6 in range::<u128>()) {
        for p in CidrIter::new(r) {
            let mut t = Vec::new();
            write_cidr(&mut t, p, true);
            prop_assert_eq!(parse_entry(&t).unwrap(), Entry::V4(p.range()));
        }
        for p in CidrIter::new(r6).take(8) {
            let mut t = Vec::new();
            write_cidr(&mut t, p, true);
            let back = parse_entry(&t).unwrap();
            // IPv4-mapped space reads back as IPv4; everything else as IPv6.
            match back {
                Entry::V6(x) => prop_assert_eq!(x, p.range()),
                Entry::V4(x) => prop_assert_eq!(
                    (x.start as u128 | 0xffff_0000_0000, x.end as u128 | 0xffff_0000_0000),
                    (p.range().start, p.range().end)
                ),
            }
        }
    }

    #[test]
    fn parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = parse_entry(&bytes);
    }

    #[test]
    fn parser_never_panics_on_near_misses(s in "[0-9a-fA-F:./ -]{0,40}") {
        let _ = parse_entry(s.as_bytes());
    }
}
