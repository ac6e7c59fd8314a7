//! The pool for work nobody waits on (Sigma runs, analyzers), apart from rayon's global
//! pool, which the work of a keypress uses (filters, searches, counts, and the free-text
//! index that free-text filters wait for). On one pool a filter's blocks queued behind
//! the blocks a detection run had already split off on every worker, and its count came
//! seconds late. With two, and the background threads at a lower priority (nice 10), the
//! operating system gives the cores to the keypress first and to the background work
//! whenever they are idle.

use rayon::{ThreadPool, ThreadPoolBuilder};
use std::sync::OnceLock;

/// Runs `op` on the background pool (as many threads as the global pool); on the calling
/// thread's pool if that pool cannot be started.
pub(crate) fn background<R: Send>(op: impl FnOnce() -> R + Send) -> R {
    static POOL: OnceLock<Option<ThreadPool>> = OnceLock::new();
    let pool = POOL.get_or_init(|| {
        ThreadPoolBuilder::new()
            .num_threads(rayon::current_num_threads())
            .thread_name(|i| format!("vigil-background-{i}"))
            .start_handler(|_| lower_priority())
            .build()
            .ok()
    });
    match pool {
        Some(p) => p.install(op),
        None => op(),
    }
}

/// Makes the calling thread yield to the others: nice 10. On Linux a nice value belongs to
/// a thread (`setpriority` with `who` 0 names the calling thread, not the process).
#[allow(unsafe_code)]
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority takes no pointers; it changes only this thread's nice value,
    // and a failure (not permitted) leaves it as it was.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// The nice value of the calling thread (field 19 of /proc/thread-self/stat).
    fn nice() -> Option<i64> {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
        // The command name (field 2) may hold spaces: count from its closing parenthesis.
        let rest = stat.get(stat.rfind(')')? + 2..)?;
        rest.split(' ').nth(16)?.parse().ok()
    }

    #[test]
    fn background_threads_run_below_the_keypress_threads() {
        let here = nice();
        let there = background(nice);
        assert!(
            there.is_some_and(|n| n >= 10),
            "nice {there:?} on the background pool ({here:?} here)"
        );
    }
}
