//! The pool for work nobody waits on (Sigma runs, analyzers, the free-text index), apart
//! from rayon's global pool, which the work of a keypress uses (filters, searches,
//! counts). On one pool a filter's blocks queued behind the blocks a detection run had
//! already split off on every worker, and its count came seconds late; with two, the
//! operating system shares the cores between them from the first moment.

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
            .build()
            .ok()
    });
    match pool {
        Some(p) => p.install(op),
        None => op(),
    }
}
