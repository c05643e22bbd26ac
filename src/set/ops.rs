//! Linear merges over sorted, disjoint, non-adjacent range vectors.

use super::coalesce_sorted;
use crate::net::{Addr, Range};

pub(super) fn union<A: Addr>(a: &[Range<A>], b: &[Range<A>]) -> Vec<Range<A>> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].start <= b[j].start {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    coalesce_sorted(&mut out);
    out
}

pub(super) fn intersection<A: Addr>(a: &[Range<A>], b: &[Range<A>]) -> Vec<Range<A>> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let start = a[i].start.max(b[j].start);
        let end = a[i].end.min(b[j].end);
        if start <= end {
            out.push(Range::new(start, end));
        }
        if a[i].end < b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

pub(super) fn difference<A: Addr>(a: &[Range<A>], b: &[Range<A>]) -> Vec<Range<A>> {
    let mut out = Vec::with_capacity(a.len());
    let mut j = 0;
    for r in a {
        while j < b.len() && b[j].end < r.start {
            j += 1;
        }
        let mut cur = r.start;
        let mut covered = false;
        let mut k = j;
        while k < b.len() && b[k].start <= r.end {
            if b[k].start > cur {
                out.push(Range::new(cur, b[k].start.checked_dec().unwrap()));
            }
            if b[k].end >= r.end {
                covered = true;
                break;
            }
            // b[k].end < r.end <= MAX, so the increment cannot overflow.
            cur = b[k].end.checked_inc().unwrap();
            k += 1;
        }
        if !covered {
            out.push(Range::new(cur, r.end));
        }
        // b[k] may reach into the next range of `a`: do not skip it.
        j = k;
    }
    out
}
