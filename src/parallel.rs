//! Work spread over the cores, results in the order of the items.

/// Items of about a file's reading or parsing: below this many, starting threads costs more
/// than it saves.
pub const CHEAP: usize = 64;

/// Items of a release's whole diff (milliseconds each): two are worth a thread.
pub const COSTLY: usize = 2;

/// The threads worth starting: the cores, at most 8.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from).min(8)
}

/// `f` of each item, in order, on up to as many threads as there are cores (at most 8), when
/// there are at least `at_least` items.
pub fn map<T: Sync, R: Send>(at_least: usize, items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads();
    if threads < 2 || items.len() < at_least.max(2) {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> =
            items.chunks(chunk).map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>())).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}
