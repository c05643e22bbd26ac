//! The one worker pool: items handed out one at a time to scoped threads,
//! results kept in item order, so parallel work is deterministic.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Cores this process may use (1 when unknown).
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Maps `f` over `items` on up to [`threads`] threads, keeping order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_on(threads(), items, f)
}

/// Maps `f` over `items` on up to `workers` threads, keeping order.
pub fn map_on<T: Sync, R: Send>(workers: usize, items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    run(workers, items, |_, item| Some(f(item)))
        .into_iter()
        .map(|r| r.expect("every item mapped"))
        .collect()
}

/// Like [`map`], but once an item fails no further item is started: the
/// run fails anyway. The error is the first by item order among those done.
pub fn try_map<T: Sync, R: Send, E: Send>(
    items: &[T],
    f: impl Fn(&T) -> Result<R, E> + Sync,
) -> Result<Vec<R>, E> {
    let stop = std::sync::atomic::AtomicBool::new(false);
    let results = run(threads(), items, |_, item| {
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        let r = f(item);
        if r.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        Some(r)
    });
    let mut out = Vec::with_capacity(items.len());
    let mut first_err = None;
    for r in results.into_iter().flatten() {
        match r {
            Ok(v) => out.push(v),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

fn run<T: Sync, R: Send>(
    workers: usize,
    items: &[T],
    f: impl Fn(usize, &T) -> Option<R> + Sync,
) -> Vec<Option<R>> {
    let workers = workers.min(items.len()).max(1);
    if workers == 1 {
        return items.iter().enumerate().map(|(i, t)| f(i, t)).collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = f(i, item);
                *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = r;
            });
        }
    });
    slots
        .into_iter()
        .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_on_any_number_of_workers() {
        let items: Vec<u32> = (0..1000).collect();
        for w in [1, 2, 7] {
            assert_eq!(
                map_on(w, &items, |x| x * 2),
                items.iter().map(|x| x * 2).collect::<Vec<_>>()
            );
        }
        assert!(map(&[] as &[u8], |x| *x).is_empty());
    }

    #[test]
    fn try_map_returns_the_first_error_by_order() {
        let items: Vec<u32> = (0..100).collect();
        let r = try_map(&items, |&x| if x == 3 { Err(x) } else { Ok(x) });
        assert_eq!(r, Err(3));
        assert_eq!(try_map(&items, |&x| Ok::<_, ()>(x + 1)).unwrap()[99], 100);
    }
}
