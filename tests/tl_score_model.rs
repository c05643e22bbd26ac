//! Property tests of the scoring model (`src/score`, docs/scoring.md):
//! more evidence never lowers a score, older evidence never raises one,
//! the order of input rows never changes the output, one sensor alone never
//! lists an address, shards merge to the whole, and entries that arrived
//! together do not leave together.

use proptest::prelude::*;
use std::collections::{BTreeMap, HashSet};
use threatlist::record::Score;
use threatlist::score::{model, Evidence, FeedSettings, Key, Params, Rollup, Selection, State};

const NOW: i64 = 1_795_780_800; // 2026-11-27T08:00:00Z
const FEEDS: [(&str, &str); 5] = [
    ("c2", "botnet-c2"),
    ("scan", "scanner"),
    ("spam", "spam"),
    ("drop", "hijacked"),
    ("misc", ""),
];

/// One sensor report: seconds before NOW, source, sensor, count.
#[derive(Clone, Debug)]
struct Ev {
    age: i64,
    src: u8,
    sensor: u8,
    count: u32,
}

/// One feed listing: seconds before NOW (last seen), source, feed, confidence in tenths.
#[derive(Clone, Debug)]
struct Ind {
    age: i64,
    src: u8,
    feed: u8,
    conf: u8,
}

fn addr(i: u8) -> String {
    match i % 24 {
        n @ 0..=15 => format!("192.0.2.{}", n * 9 + 1),
        n @ 16..=19 => format!("198.51.100.{n}"),
        n => format!("2001:db8::{n}"),
    }
}

fn time(age: i64) -> String {
    threatlist::time::format(NOW - age)
}

fn events_csv(evs: &[Ev]) -> String {
    let mut s = String::from("time,source,sensor,port,proto,count\n");
    for e in evs {
        s.push_str(&format!(
            "{},{},s{},22,tcp,{}\n",
            time(e.age),
            addr(e.src),
            e.sensor,
            e.count
        ));
    }
    s
}

fn indicators_csv(inds: &[Ind]) -> String {
    let mut s = String::from("indicator,type,feed,category,first_seen,last_seen,hits,confidence\n");
    for i in inds {
        let (feed, cat) = FEEDS[i.feed as usize % FEEDS.len()];
        s.push_str(&format!(
            "{},ip,{feed},{cat},{},{},1,{}\n",
            addr(i.src),
            time(i.age + 86_400),
            time(i.age),
            i.conf as f64 / 10.0
        ));
    }
    s
}

fn state(evs: &[Ev], inds: &[Ind]) -> State {
    let mut e = Evidence::new(NOW, FeedSettings::default());
    e.add_events("ev", events_csv(evs).as_bytes()).unwrap();
    e.add_indicators("ind", indicators_csv(inds).as_bytes())
        .unwrap();
    e.into_state()
}

fn rows(s: &State, params: &Params, sel: &Selection) -> Vec<Score> {
    model::score(s, params, sel, None, true)
}

fn csv(rows: &[Score]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in rows {
        r.write_row(&mut out, true);
    }
    out
}

/// Every entry's score in thousandths.
fn scores(s: &State, params: &Params) -> BTreeMap<String, u64> {
    rows(s, params, &Selection::MinScore(0.0))
        .into_iter()
        .map(|r| (r.indicator, r.milli))
        .collect()
}

fn rollup() -> Params {
    Params {
        rollup: Some(Rollup::default()),
        ..Params::default()
    }
}

fn ev() -> impl Strategy<Value = Ev> {
    (0i64..20 * 86_400, 0u8..24, 0u8..6, 1u32..200).prop_map(|(age, src, sensor, count)| Ev {
        age,
        src,
        sensor,
        count,
    })
}

fn ind() -> impl Strategy<Value = Ind> {
    (0i64..60 * 86_400, 0u8..24, 0u8..5, 1u8..=10).prop_map(|(age, src, feed, conf)| Ind {
        age,
        src,
        feed,
        conf,
    })
}

fn evidence() -> impl Strategy<Value = (Vec<Ev>, Vec<Ind>)> {
    (
        proptest::collection::vec(ev(), 0..40),
        proptest::collection::vec(ind(), 0..15),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Without trust only: with it, more evidence can lower a score by
    /// design (an old sensor report is negative evidence against a
    /// scanner listing; a feed whose new entries sensors do not confirm
    /// loses weight), which tests/tl_score_quality.rs and score::trust pin.
    #[test]
    fn more_evidence_never_lowers_a_score((evs, inds) in evidence(), (more_evs, more_inds) in evidence()) {
        let plain = |p: Params| Params { trust: false, ..p };
        for params in [plain(Params::default()), plain(rollup())] {
            let before = scores(&state(&evs, &inds), &params);
            let all_evs: Vec<Ev> = evs.iter().chain(&more_evs).cloned().collect();
            let all_inds: Vec<Ind> = inds.iter().chain(&more_inds).cloned().collect();
            let after = scores(&state(&all_evs, &all_inds), &params);
            for (k, v) in &before {
                prop_assert!(after.get(k).copied().unwrap_or(0) >= *v, "{k}: {v} -> {:?}", after.get(k));
            }
        }
    }

    #[test]
    fn older_evidence_never_raises_a_score(
        (evs, inds) in evidence(),
        pick in any::<prop::sample::Index>(),
        delay in 1i64..10 * 86_400,
        feed in any::<bool>(),
    ) {
        let (mut older_evs, mut older_inds) = (evs.clone(), inds.clone());
        if feed && !inds.is_empty() {
            older_inds[pick.index(inds.len())].age += delay;
        } else if !evs.is_empty() {
            older_evs[pick.index(evs.len())].age += delay;
        }
        for params in [Params::default(), rollup()] {
            let before = scores(&state(&evs, &inds), &params);
            let after = scores(&state(&older_evs, &older_inds), &params);
            for (k, v) in &after {
                prop_assert!(before.get(k).copied().unwrap_or(0) >= *v, "{k}: {:?} -> {v}", before.get(k));
            }
        }
    }

    #[test]
    fn row_order_never_changes_the_output((evs, inds) in evidence(), seed in any::<u64>()) {
        let whole = state(&evs, &inds);
        let mut shuffled_evs = evs.clone();
        let mut shuffled_inds = inds.clone();
        let mut x = seed | 1;
        let mut next = |n: usize| { x ^= x << 13; x ^= x >> 7; x ^= x << 17; (x % n as u64) as usize };
        for i in (1..shuffled_evs.len()).rev() { let j = next(i + 1); shuffled_evs.swap(i, j); }
        for i in (1..shuffled_inds.len()).rev() { let j = next(i + 1); shuffled_inds.swap(i, j); }
        // Also read in two files each.
        let cut = shuffled_evs.len() / 2;
        let mut e = Evidence::new(NOW, FeedSettings::default());
        e.add_events("a", events_csv(&shuffled_evs[..cut]).as_bytes()).unwrap();
        e.add_indicators("b", indicators_csv(&shuffled_inds).as_bytes()).unwrap();
        e.add_events("c", events_csv(&shuffled_evs[cut..]).as_bytes()).unwrap();
        let other = e.into_state();
        prop_assert_eq!(other.to_bytes(), whole.to_bytes());
        let p = rollup();
        prop_assert_eq!(csv(&rows(&other, &p, &Selection::MinScore(0.0))), csv(&rows(&whole, &p, &Selection::MinScore(0.0))));
    }

    #[test]
    fn one_sensor_alone_never_lists(
        evs in proptest::collection::vec((0i64..3 * 86_400, 0u8..24, 1u32..=1_000_000), 1..60),
    ) {
        let evs: Vec<Ev> = evs.into_iter().map(|(age, src, count)| Ev { age, src, sensor: 0, count }).collect();
        let s = state(&evs, &[]);
        let list = rows(&s, &Params::default(), &Selection::List { previous: HashSet::new() });
        prop_assert!(list.is_empty(), "{:?}", list);
        // Not even an entry listed before stays on one sensor's word.
        let previous: HashSet<Key> = s.v4.keys.iter().map(|&a| Key::V4(a)).chain(s.v6.keys.iter().map(|&a| Key::V6(a))).collect();
        let kept = rows(&s, &Params::default(), &Selection::List { previous });
        prop_assert!(kept.is_empty(), "{:?}", kept);
        for r in rows(&s, &Params::default(), &Selection::MinScore(0.0)) {
            prop_assert!(r.milli <= 1000, "{:?}", r);
        }
    }

    #[test]
    fn shards_merge_to_the_whole((evs, inds) in evidence(), at in 0i64..86_400) {
        let whole = state(&evs, &inds);
        let (ea, eb): (Vec<Ev>, Vec<Ev>) = evs.iter().cloned().partition(|e| e.src % 3 == 0);
        let (ia, ib): (Vec<Ind>, Vec<Ind>) = inds.iter().cloned().partition(|i| i.src % 3 == 0);
        let merged = State::merge(vec![state(&eb, &ib), state(&ea, &ia)], None);
        prop_assert_eq!(merged.to_bytes(), whole.to_bytes());
        // Merging on to a later time is the same as decaying the whole.
        let later = State::merge(vec![state(&ea, &ia), state(&eb, &ib)], Some(NOW + at));
        let mut whole_later = whole.clone();
        whole_later.advance(NOW + at);
        prop_assert_eq!(later.to_bytes(), whole_later.to_bytes());
        let p = rollup();
        prop_assert_eq!(csv(&rows(&merged, &p, &Selection::MinScore(0.0))), csv(&rows(&whole, &p, &Selection::MinScore(0.0))));
    }
}

/// Entries with the same evidence, listed together, leave over hours: the
/// 2,000 of each case never lose more than a tenth in one 10-minute step.
#[test]
fn entries_that_arrived_together_leave_apart() {
    let n = 2000u32;
    let addrs: Vec<String> = (0..n)
        .map(|i| format!("10.{}.{}.1", i / 256, i % 256))
        .collect();
    // A C2 listing (feed, 14-day half-life) and a scanner seen by five
    // sensors (12-hour half-life).
    let mut ind =
        String::from("indicator,type,feed,category,first_seen,last_seen,hits,confidence\n");
    let mut ev = String::from("time,source,sensor,port,proto,count\n");
    let t = time(0);
    for (i, a) in addrs.iter().enumerate() {
        if i % 2 == 0 {
            ind.push_str(&format!("{a},ip,c2,botnet-c2,{t},{t},1,1\n"));
        } else {
            for s in 0..5 {
                ev.push_str(&format!("{t},{a},s{s},22,tcp,20\n"));
            }
        }
    }
    let mut e = Evidence::new(NOW, FeedSettings::default());
    e.add_events("ev", ev.as_bytes()).unwrap();
    e.add_indicators("ind", ind.as_bytes()).unwrap();
    let mut s = e.into_state();
    let params = Params::default();
    let key = |r: &Score| threatlist::score::parse_key(&r.indicator).unwrap();
    let mut listed: HashSet<Key> = rows(
        &s,
        &params,
        &Selection::List {
            previous: HashSet::new(),
        },
    )
    .iter()
    .map(key)
    .collect();
    assert_eq!(listed.len(), n as usize);
    let step = 600;
    let mut worst = 0;
    let mut steps_with_exits = 0;
    let mut t = NOW;
    while !listed.is_empty() && t < NOW + 40 * 86_400 {
        t += step;
        s.advance(t);
        let now: HashSet<Key> = rows(
            &s,
            &params,
            &Selection::List {
                previous: listed.clone(),
            },
        )
        .iter()
        .map(key)
        .collect();
        assert!(now.is_subset(&listed), "nothing new enters");
        let left = listed.len() - now.len();
        worst = worst.max(left);
        steps_with_exits += (left > 0) as usize;
        listed = now;
    }
    assert!(listed.is_empty(), "everything leaves in the end");
    assert!(worst <= n as usize / 10, "{worst} entries left in one step");
    assert!(
        steps_with_exits >= 30,
        "exits spread over only {steps_with_exits} steps"
    );
}

/// The sensors' last report of a listed scanner is negative evidence and
/// stays while the listing does: a report too old to count as an event
/// any more is kept (at no value) rather than forgotten, so an older
/// report never gives the listing back its weight (a case proptest found).
#[test]
fn a_forgotten_report_does_not_restore_a_listing() {
    let scan = FEEDS.iter().position(|f| f.0 == "scan").unwrap() as u8;
    let listing = [Ind {
        age: 0,
        src: 20,
        feed: scan,
        conf: 10,
    }];
    let score_with_report = |age: i64| {
        let evs = [Ev {
            age,
            src: 20,
            sensor: 0,
            count: 2,
        }];
        scores(&state(&evs, &listing), &Params::default())
            .get("2001:db8::20")
            .copied()
    };
    let recent = score_with_report(3_600).unwrap();
    let old = score_with_report(5 * 86_400).unwrap();
    let forgotten = score_with_report(30 * 86_400).unwrap();
    assert!(
        recent > old && old >= forgotten,
        "{recent} {old} {forgotten}"
    );
    assert_eq!(forgotten, 0);
}

/// A sensor's word counts 0.75 while its last report is at most 21 hours
/// old, however many events it reported, then halves per 6 hours; and
/// sensors that have known a source for longer than 5 days see background:
/// their words halve per 3 days beyond (docs/scoring.md, "The score" and
/// "Background").
#[test]
fn a_sensors_word_and_the_background() {
    const H: i64 = 3_600;
    let score_with = |evs: &[(i64, u8, u32)], params: &Params| {
        let evs: Vec<Ev> = (evs.iter())
            .map(|&(age, sensor, count)| Ev {
                age,
                src: 3,
                sensor,
                count,
            })
            .collect();
        scores(&state(&evs, &[]), params)[&addr(3)]
    };
    let score = |evs: &[(i64, u8, u32)]| score_with(evs, &Params::default());
    // Three sensors within the day list a source (2.25 ≥ T_in), one with
    // a thousand events as much as one with one.
    assert_eq!(score(&[(H, 0, 1000), (20 * H, 1, 1), (20 * H, 2, 1)]), 2250);
    // A word 27 hours old counts half.
    assert_eq!(score(&[(H, 0, 1), (20 * H, 1, 1), (27 * H, 2, 1)]), 1875);
    // The same three today, and one of them 8 days ago too: the sensors
    // have known the source for 8 days, 3 beyond the 5, so each word
    // counts half.
    let today = [(H, 0, 1), (2 * H, 1, 1), (3 * H, 2, 1)];
    assert_eq!(score(&today), 2250);
    let mut known = today.to_vec();
    known.push((8 * 24 * H, 2, 1));
    assert_eq!(score(&known), 1125);
    // A fourth sensor that reported it 11 days ago instead: a quarter is
    // left.
    known[3] = (11 * 24 * H, 3, 1);
    assert_eq!(score(&known), 563);
    // Without trust, the model of the plain sum, no background.
    let plain = Params {
        trust: false,
        ..Params::default()
    };
    assert_eq!(score_with(&known, &plain), 2250);
}
