//! Work split over threads, results in order.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Splits `0..n` into ranges of `size` and runs `work` on each (see
/// [`run_indexed`]), results in order.
pub(super) fn run_chunks<T: Send>(
    n: usize,
    size: usize,
    threads: usize,
    work: impl Fn(std::ops::Range<usize>) -> T + Sync,
) -> Vec<T> {
    let size = size.max(1);
    run_indexed(n.div_ceil(size), threads, |c| {
        work(c * size..((c + 1) * size).min(n))
    })
}

/// Runs `work(i)` for every `i` in `0..n`, on `threads` threads (the
/// calling thread alone when 1), and returns the results in index order.
fn run_indexed<T: Send>(n: usize, threads: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    if threads <= 1 || n <= 1 {
        return (0..n).map(work).collect();
    }
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<T>> = std::iter::repeat_with(|| None).take(n).collect();
    let parts: Vec<Vec<(usize, T)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.min(n))
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break;
                        }
                        done.push((i, work(i)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    for (i, t) in parts.into_iter().flatten() {
        slots[i] = Some(t);
    }
    slots.into_iter().flatten().collect()
}
