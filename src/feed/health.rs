//! Feed health: the rules under which a feed that was read is still
//! *failed* — it accepted nothing, refused most of its entry lines, shrank
//! too much since its last good copy, or was an HTML page — so that an
//! emptied or garbled list is never published as a success.

use super::Collector;

/// The default of `max_shrink`: a feed that loses more than half of its
/// entries since its last good copy is failed.
pub const MAX_SHRINK: f64 = 0.5;

/// Why a parsed feed is failed, if it is. `good` is the size
/// ([`Collector::kept`]) of its last good copy, when there is one;
/// `max_shrink` the share (0..1) it may lose since.
pub fn check(c: &Collector, good: Option<u64>, max_shrink: f64) -> Option<String> {
    let counts = &c.counts;
    let refused = counts.rejected_total();
    let unsupported: u64 = counts.unsupported.values().sum();
    // Lines holding an entry: an indicator, a refused line, an entry of a
    // kind not used here, or an exception.
    let lines = counts.entries + refused + unsupported + counts.exceptions;
    let kept = c.kept();
    if kept == 0 && (counts.entries > 0 || refused > 0) {
        return Some(format!(
            "accepted nothing of {} entry lines ({refused} refused)",
            lines
        ));
    }
    if refused * 2 > lines {
        return Some(format!(
            "refused {refused} of {lines} entry lines (more than half)"
        ));
    }
    good.and_then(|good| shrunk(kept, good, max_shrink, "its last good copy"))
}

/// Why a feed that now holds `now` entries has shrunk too much since it
/// held `good` (`since` says when that was), if it has.
pub fn shrunk(now: u64, good: u64, max_shrink: f64, since: &str) -> Option<String> {
    // The share lost, compared in integers to stay exact.
    let floor = (good as f64 * (1.0 - max_shrink)).ceil() as u64;
    (good > 0 && now < floor).then(|| {
        format!(
            "shrank from {good} to {now} entries since {since} \
             (more than the {} allowed by max_shrink)",
            percent(max_shrink)
        )
    })
}

/// `0.5` → `50 %`.
fn percent(share: f64) -> String {
    let p = share * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0} %")
    } else {
        format!("{p:.1} %")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::Policy;
    use crate::net::{Entry, Range};

    fn collector(kept: u32, refused: u32) -> Collector {
        let mut c = Collector::new("f", Policy::default());
        for i in 0..kept {
            c.entry(
                Entry::V4(Range::new(0x2d00_0000 + i, 0x2d00_0000 + i)),
                None,
            );
        }
        for i in 0..refused {
            c.reject(u64::from(i) + 1, "bad", b"x").unwrap();
        }
        c
    }

    #[test]
    fn rules() {
        assert_eq!(check(&collector(5, 5), None, MAX_SHRINK), None);
        assert_eq!(
            check(&collector(0, 3), None, MAX_SHRINK).unwrap(),
            "accepted nothing of 3 entry lines (3 refused)"
        );
        assert_eq!(
            check(&collector(4, 5), None, MAX_SHRINK).unwrap(),
            "refused 5 of 9 entry lines (more than half)"
        );
        // 10 → 5 is exactly half: kept; 10 → 4 is not.
        assert_eq!(check(&collector(5, 0), Some(10), MAX_SHRINK), None);
        assert_eq!(
            check(&collector(4, 0), Some(10), MAX_SHRINK).unwrap(),
            "shrank from 10 to 4 entries since its last good copy \
             (more than the 50 % allowed by max_shrink)"
        );
        assert_eq!(check(&collector(4, 0), Some(10), 0.75), None);
        assert_eq!(percent(0.3333), "33.3 %");
        assert_eq!(percent(0.07), "7 %");
        // Only special-purpose space: nothing accepted.
        let mut c = Collector::new("f", Policy::default());
        c.entry(Entry::V4(Range::new(0x0a00_0001, 0x0a00_0001)), None);
        assert!(check(&c, None, MAX_SHRINK).is_some());
        // Nothing at all is the empty feed, not this.
        assert_eq!(check(&collector(0, 0), None, MAX_SHRINK), None);
    }
}
