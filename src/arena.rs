//! The binary's allocator: small blocks from a static region (the main thread's) and from
//! chunks of a pool of address space (every other thread's), one free list per size class and
//! thread; everything else from the system's malloc.
//!
//! A short command allocates a few thousand small blocks and frees most of them soon after;
//! in glibc's malloc that was about a quarter of a `diff`'s instructions, most of them in the
//! paths behind its per-thread cache. Here a block is a pop or a bump, and a free a push: the
//! size comes with every free, so blocks need no header. Freed blocks are reused, so the
//! pages touched stay near the live peak (a bump region that never reuses touched 75 more
//! pages than glibc in `diff`). The lists are thread-local, so they need no lock: a block
//! goes to the list of the thread that frees it, whichever thread it came from. At scale,
//! glibc's per-thread arenas grew a page at a time (an `mprotect` each, 8,545 in a `list` of
//! 10,000 profiles) and its workers waited on each other's arena locks to free. What a thread
//! holds when it ends stays where it is, and blocks that one thread allocates and another frees
//! pile up on the freeing thread's lists: bounded by what the program allocates (here workers
//! live for one step of a command, and the main thread frees and reuses what they made). mimalloc,
//! tried three times, cost more at start than it saved.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The size classes are multiples of this, which is also the largest alignment served.
const GRAIN: usize = 16;
/// Larger blocks go to malloc: they are few, and often grow.
const LARGEST: usize = 1024;
const CLASSES: usize = LARGEST / GRAIN;
/// What a thread takes from the pool at a time.
const CHUNK: usize = 256 << 10;

/// One thread's blocks: the chunk it bumps through, and a list per class of the blocks it
/// freed, whichever thread they came from.
struct State {
    /// The arena the lists are of (`Arena::id`): a thread's state serves one at a time, so
    /// that arenas (the tests') cannot hand out each other's blocks.
    arena: usize,
    next: usize,
    end: usize,
    /// The head of each class's list of freed blocks; each freed block holds the next.
    free: [*mut u8; CLASSES],
}

thread_local! {
    // A const, drop-free thread-local is a plain TLS slot on glibc: reading it allocates nothing.
    static STATE: UnsafeCell<State> = const { UnsafeCell::new(State::new(0)) };
}

/// The first thread to allocate (a program's main thread) bumps through a static region of
/// `SIZE` bytes; every other thread, and the first after its region, through chunks of a pool
/// of `POOL` bytes of address space (or less: `pool`), mapped at the first chunk. The state is
/// thread-local, so a program has one `Arena`: its global allocator.
#[repr(C, align(16))]
pub struct Arena<const SIZE: usize, const POOL: usize> {
    bytes: UnsafeCell<[u8; SIZE]>,
    claimed: AtomicBool,
    /// The pool's address and length (`span`); 0 before it is mapped, 1 where it cannot be.
    pool: AtomicUsize,
    /// Bytes of the pool handed out as chunks.
    pool_used: AtomicUsize,
    /// A number no other arena of the program has, from its first block on; 0 before.
    id: AtomicUsize,
}

// The region and each chunk are handed to one thread once; the lists are thread-local.
unsafe impl<const SIZE: usize, const POOL: usize> Sync for Arena<SIZE, POOL> {}

impl<const SIZE: usize, const POOL: usize> Arena<SIZE, POOL> {
    pub const fn new() -> Self {
        const { assert!(POOL >= CHUNK && POOL.is_power_of_two(), "the pool is a power of two of chunks") };
        Arena {
            bytes: UnsafeCell::new([0; SIZE]),
            claimed: AtomicBool::new(false),
            pool: AtomicUsize::new(0),
            pool_used: AtomicUsize::new(0),
            id: AtomicUsize::new(0),
        }
    }

    #[inline(always)]
    fn id(&self) -> usize {
        static NEXT: AtomicUsize = AtomicUsize::new(1);
        match self.id.load(Ordering::Relaxed) {
            0 => {
                let id = NEXT.fetch_add(1, Ordering::Relaxed);
                self.id
                    .compare_exchange(0, id, Ordering::Relaxed, Ordering::Relaxed)
                    .map_or_else(|theirs| theirs, |_| id)
            }
            id => id,
        }
    }

    /// This thread's state where it serves this arena already: the fast paths'. The caller
    /// keeps the reference to itself, within one call of the allocator.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    fn ready_state(&self) -> Option<&mut State> {
        // Before its id, an arena has no blocks to free, and a state of arena 0 none to give.
        let id = self.id.load(Ordering::Relaxed);
        // A pointer out of `try_with`, so that the fast paths stay inline in the caller.
        let state = STATE.try_with(UnsafeCell::get).ok()?;
        // SAFETY: the state is this thread's, valid while the thread lives, and the allocator
        // does not re-enter itself.
        let state = unsafe { &mut *state };
        (state.arena == id).then_some(state)
    }

    /// This thread's state, cleared and made this arena's if it served another (whose blocks
    /// stay with it), or none yet.
    #[allow(clippy::mut_from_ref)]
    fn state(&self) -> Option<&mut State> {
        let id = self.id();
        // SAFETY: as in `ready_state`.
        let state = unsafe { &mut *STATE.try_with(UnsafeCell::get).ok()? };
        if state.arena != id {
            *state = State::new(id);
        }
        Some(state)
    }

    fn contains(&self, ptr: *mut u8) -> bool {
        let (at, region) = (ptr as usize, self.bytes.get() as usize);
        let pool = self.pool.load(Ordering::Acquire);
        (region..region + SIZE).contains(&at)
            || Self::span(pool).is_some_and(|(base, len)| (base..base + len).contains(&at))
    }

    /// The pool's address and length from their packed form: the length's log2 in the low bits
    /// of the page-aligned address.
    #[inline(always)]
    fn span(packed: usize) -> Option<(usize, usize)> {
        (packed > 1).then(|| (packed & !0xfff, 1 << (packed & 0xfff)))
    }

    /// The class of a layout the arena serves.
    fn class(layout: Layout) -> Option<usize> {
        (layout.size() <= LARGEST && layout.align() <= GRAIN).then(|| layout.size().max(1).div_ceil(GRAIN) - 1)
    }

    /// A block for `layout`, or null where the arena does not serve the layout or is spent.
    #[inline(always)]
    fn block(&self, layout: Layout) -> *mut u8 {
        let Some(class) = Self::class(layout) else { return std::ptr::null_mut() };
        if let Some(state) = self.ready_state()
            && let Some(block) = state.pop_or_bump(class)
        {
            return block;
        }
        self.first_or_refilled(class)
    }

    /// A block of `class` for a thread's first allocation, or after its chunk is spent.
    #[cold]
    #[inline(never)]
    fn first_or_refilled(&self, class: usize) -> *mut u8 {
        let Some(state) = self.state() else { return std::ptr::null_mut() };
        match state.pop_or_bump(class) {
            Some(block) => block,
            None if self.refill(state) => state.pop_or_bump(class).unwrap_or(std::ptr::null_mut()),
            None => std::ptr::null_mut(),
        }
    }

    /// Gives `state` the region, if no thread has it yet, or else a new chunk of the pool.
    fn refill(&self, state: &mut State) -> bool {
        let (start, len) = if !self.claimed.load(Ordering::Relaxed) && !self.claimed.swap(true, Ordering::Relaxed) {
            (self.bytes.get() as usize, SIZE)
        } else {
            let Some((pool, len)) = self.pool() else { return false };
            // Never past the end, so that the count cannot wrap however often a spent pool is asked.
            let Ok(used) = self.pool_used.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                (used <= len - CHUNK).then_some(used + CHUNK)
            }) else {
                return false;
            };
            // Made writable a chunk at a time, so that only what is handed out counts against
            // the kernel's commit limit (`MAP_NORESERVE` means nothing under strict overcommit).
            let chunk = (pool + used) as *mut libc::c_void;
            if unsafe { libc::mprotect(chunk, CHUNK, libc::PROT_READ | libc::PROT_WRITE) } != 0 {
                return false;
            }
            (pool + used, CHUNK)
        };
        // What is left of the old chunk is smaller than the block asked for: dropped.
        (state.next, state.end) = (start, start + len);
        true
    }

    /// The pool's address and length, mapped by the first thread to need it: `POOL` bytes, or
    /// a quarter of that as often as the address space left (`ulimit -v`) is too small, down to
    /// a chunk.
    fn pool(&self) -> Option<(usize, usize)> {
        let packed = match self.pool.load(Ordering::Acquire) {
            0 => {
                let mut ours = 1;
                let mut len = POOL;
                while len >= CHUNK {
                    // Address space only, inaccessible until `refill` hands a chunk of it out.
                    let mapped = unsafe {
                        libc::mmap(
                            std::ptr::null_mut(),
                            len,
                            libc::PROT_NONE,
                            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                            -1,
                            0,
                        )
                    };
                    if mapped != libc::MAP_FAILED {
                        ours = mapped as usize | len.trailing_zeros() as usize;
                        break;
                    }
                    len /= 4;
                }
                match self.pool.compare_exchange(0, ours, Ordering::AcqRel, Ordering::Acquire) {
                    Ok(_) => ours,
                    Err(theirs) => {
                        if let Some((base, len)) = Self::span(ours) {
                            unsafe { libc::munmap(base as *mut libc::c_void, len) };
                        }
                        theirs
                    }
                }
            }
            packed => packed,
        };
        Self::span(packed)
    }

    /// # Safety
    /// `block` is a block of `class` from the arena, no longer used.
    #[inline(always)]
    unsafe fn give_back(&self, block: *mut u8, class: usize) {
        match self.ready_state() {
            Some(state) => unsafe { state.push(block, class) },
            None => unsafe { self.give_back_first(block, class) },
        }
    }

    /// # Safety
    /// As for `give_back`, on a thread whose state serves no arena or another.
    #[cold]
    #[inline(never)]
    unsafe fn give_back_first(&self, block: *mut u8, class: usize) {
        // A thread whose state is gone leaves the block where it is.
        if let Some(state) = self.state() {
            unsafe { state.push(block, class) };
        }
    }
}

impl State {
    /// A state of `arena` with no chunk and no freed blocks.
    const fn new(arena: usize) -> State {
        State { arena, next: 0, end: 0, free: [std::ptr::null_mut(); CLASSES] }
    }

    /// The first freed block of `class`, or else one bumped from the chunk if it has room.
    #[inline(always)]
    fn pop_or_bump(&mut self, class: usize) -> Option<*mut u8> {
        let head = self.free[class];
        if !head.is_null() {
            // SAFETY: a freed block holds the next one of its list.
            self.free[class] = unsafe { head.cast::<*mut u8>().read() };
            return Some(head);
        }
        let size = (class + 1) * GRAIN;
        if self.end - self.next < size {
            return None;
        }
        let block = self.next as *mut u8;
        self.next += size;
        Some(block)
    }

    /// # Safety
    /// `block` is a block of `class` of the arena this state serves, no longer used.
    #[inline(always)]
    unsafe fn push(&mut self, block: *mut u8, class: usize) {
        unsafe { block.cast::<*mut u8>().write(self.free[class]) };
        self.free[class] = block;
    }
}

impl<const SIZE: usize, const POOL: usize> Default for Arena<SIZE, POOL> {
    fn default() -> Self {
        Self::new()
    }
}

// Out of line: inlined into every allocation site by LTO, it was a megabyte more code.
unsafe impl<const SIZE: usize, const POOL: usize> GlobalAlloc for Arena<SIZE, POOL> {
    #[inline(never)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let block = self.block(layout);
        if block.is_null() { unsafe { System.alloc(layout) } } else { block }
    }

    #[inline(never)]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let block = self.block(layout);
        if block.is_null() {
            return unsafe { System.alloc_zeroed(layout) };
        }
        // A reused block holds what was written to it.
        unsafe { block.write_bytes(0, layout.size()) };
        block
    }

    #[inline(never)]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !self.contains(ptr) {
            return unsafe { System.dealloc(ptr, layout) };
        }
        // An arena block always has a class: its layout is the one it was made with.
        if let Some(class) = Self::class(layout) {
            unsafe { self.give_back(ptr, class) };
        }
    }

    #[inline(never)]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !self.contains(ptr) {
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if Self::class(new_layout) == Self::class(layout) {
            return ptr;
        }
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A pool of two chunks.
    const POOL: usize = 2 * CHUNK;

    fn layout(size: usize) -> Layout {
        Layout::from_size_align(size, 8).unwrap()
    }

    fn in_region<const SIZE: usize>(arena: &Arena<SIZE, POOL>, ptr: *mut u8) -> bool {
        let start = arena.bytes.get() as usize;
        (start..start + SIZE).contains(&(ptr as usize))
    }

    fn in_pool<const SIZE: usize>(arena: &Arena<SIZE, POOL>, ptr: *mut u8) -> bool {
        arena.contains(ptr) && !in_region(arena, ptr)
    }

    #[test]
    fn a_freed_block_is_the_next_of_its_class() {
        let arena = Box::new(Arena::<4096, POOL>::new());
        unsafe {
            let a = arena.alloc(layout(40));
            let b = arena.alloc(layout(40));
            assert!(in_region(&arena, a) && in_region(&arena, b) && a != b);
            // 40 and 48 bytes are one class; 49 is the next.
            arena.dealloc(a, layout(40));
            assert_eq!(arena.alloc(layout(48)), a);
            let c = arena.alloc(layout(49));
            assert!(c != a && c != b && in_region(&arena, c));
        }
    }

    #[test]
    fn after_the_region_the_pool_and_after_the_pool_malloc() {
        let arena = Box::new(Arena::<4096, POOL>::new());
        unsafe {
            let large = arena.alloc(layout(LARGEST + 1));
            let aligned = arena.alloc(Layout::from_size_align(64, 64).unwrap());
            assert!(!arena.contains(large) && !arena.contains(aligned));
            assert_eq!(aligned as usize % 64, 0);
            arena.dealloc(large, layout(LARGEST + 1));
            arena.dealloc(aligned, Layout::from_size_align(64, 64).unwrap());
            // Four blocks of 1 KiB fill the region, 256 each chunk of the pool; then malloc, as
            // often as a spent pool is asked.
            let blocks: Vec<*mut u8> = (0..4 + 2 * 256 + 1000).map(|_| arena.alloc(layout(LARGEST))).collect();
            assert!(blocks[..4].iter().all(|b| in_region(&arena, *b)));
            assert!(blocks[4..4 + 512].iter().all(|b| in_pool(&arena, *b)));
            assert!(blocks[4 + 512..].iter().all(|b| !arena.contains(*b)));
            let mut distinct = blocks.clone();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(distinct.len(), blocks.len());
            // Another thread finds the pool spent too.
            let theirs = std::thread::scope(|s| s.spawn(|| arena.alloc(layout(16)) as usize).join().unwrap());
            assert!(!arena.contains(theirs as *mut u8));
            arena.dealloc(theirs as *mut u8, layout(16));
            for block in blocks {
                arena.dealloc(block, layout(LARGEST));
            }
        }
    }

    /// More address space than there is: the pool is a quarter as often as it takes to map.
    #[cfg(target_pointer_width = "64")]
    #[test]
    fn a_pool_too_large_to_map_is_made_smaller() {
        let arena = Box::new(Arena::<4096, { 1 << 62 }>::new());
        let ours = unsafe { arena.alloc(layout(16)) } as usize;
        let theirs = std::thread::scope(|s| s.spawn(|| unsafe { arena.alloc(layout(16)) } as usize).join().unwrap());
        let (base, len) = Arena::<4096, { 1 << 62 }>::span(arena.pool.load(Ordering::Acquire)).expect("a pool");
        assert!((CHUNK..1 << 62).contains(&len) && (62 - len.trailing_zeros()) % 2 == 0, "{len:#x}");
        assert!((base..base + len).contains(&theirs) && arena.contains(theirs as *mut u8));
        assert!(!(base..base + len).contains(&ours));
    }

    #[test]
    fn blocks_are_aligned_to_the_grain() {
        let arena = Box::new(Arena::<4096, POOL>::new());
        for size in [1, 8, 15, 16, 17, 100, 1000, LARGEST] {
            let layout = Layout::from_size_align(size, GRAIN).unwrap();
            let block = unsafe { arena.alloc(layout) };
            assert!(arena.contains(block) && (block as usize).is_multiple_of(GRAIN), "{size}");
        }
    }

    #[test]
    fn other_threads_take_chunks_and_reuse_what_they_free() {
        let arena = Box::new(Arena::<4096, POOL>::new());
        let ours = unsafe { arena.alloc(layout(16)) } as usize;
        assert!(in_region(&arena, ours as *mut u8));
        let (theirs, reused) = std::thread::scope(|s| {
            s.spawn(|| unsafe {
                let theirs = arena.alloc(layout(16));
                assert!(in_pool(&arena, theirs));
                // A block of the region, freed here, is this thread's to give out next.
                arena.dealloc(ours as *mut u8, layout(16));
                (theirs as usize, arena.alloc(layout(16)) as usize)
            })
            .join()
            .unwrap()
        });
        assert_eq!(reused, ours);
        // And one of the pool, freed here, is this thread's.
        unsafe {
            arena.dealloc(theirs as *mut u8, layout(16));
            assert_eq!(arena.alloc(layout(16)) as usize, theirs);
        }
    }

    #[test]
    fn a_thread_serves_one_arena_at_a_time() {
        let first = Box::new(Arena::<4096, POOL>::new());
        let second = Box::new(Arena::<4096, POOL>::new());
        unsafe {
            let a = first.alloc(layout(32));
            first.dealloc(a, layout(32));
            let b = second.alloc(layout(32));
            assert!(in_region(&second, b) && !first.contains(b));
            second.dealloc(b, layout(32));
            // Back to the first: its lists were dropped, and it bumps from its pool (its region
            // went to this thread once already).
            let c = first.alloc(layout(32));
            assert!(in_pool(&first, c));
        }
    }

    #[test]
    fn realloc_keeps_the_bytes() {
        let arena = Box::new(Arena::<4096, POOL>::new());
        unsafe {
            let block = arena.alloc(layout(20));
            block.copy_from(b"twenty bytes of text".as_ptr(), 20);
            // The same class: the same block.
            assert_eq!(arena.realloc(block, layout(20), 32), block);
            let grown = arena.realloc(block, layout(32), 600);
            assert!(grown != block && arena.contains(grown));
            assert_eq!(std::slice::from_raw_parts(grown, 20), b"twenty bytes of text");
            let moved = arena.realloc(grown, layout(600), 5000);
            assert!(!arena.contains(moved));
            assert_eq!(std::slice::from_raw_parts(moved, 20), b"twenty bytes of text");
            arena.dealloc(moved, layout(5000));
            // The 32-byte block went back to its list.
            assert_eq!(arena.alloc(layout(32)), block);
            // A reused block is zeroed too: fill one, free it, ask for a zeroed one of its class.
            block.write_bytes(0xa5, 32);
            arena.dealloc(block, layout(32));
            let zeroed = arena.alloc_zeroed(layout(32));
            assert_eq!(zeroed, block);
            assert!(std::slice::from_raw_parts(zeroed, 32).iter().all(|b| *b == 0));
        }
    }

    proptest! {
        /// Live blocks never overlap and keep what was written to them, through any sequence
        /// of allocations, frees and reallocations on two threads, in the region, the pool and
        /// beyond them.
        #[test]
        fn live_blocks_keep_their_bytes(steps in proptest::collection::vec((0usize..4, 1usize..1500, any::<prop::sample::Index>()), 1..300)) {
            let arena = Box::new(Arena::<8192, POOL>::new());
            let live: std::sync::Mutex<Vec<(usize, usize, u8)>> = std::sync::Mutex::new(Vec::new());
            let check = |live: &[(usize, usize, u8)]| {
                for &(p, size, fill) in live {
                    assert!(unsafe { std::slice::from_raw_parts(p as *const u8, size) }.iter().all(|b| *b == fill));
                }
                let mut spans: Vec<(usize, usize)> = live.iter().map(|&(p, size, _)| (p, p + size)).collect();
                spans.sort_unstable();
                assert!(spans.windows(2).all(|w| w[0].1 <= w[1].0));
            };
            // The steps in turn on this thread and another: blocks move between them.
            let run = |steps: &[(usize, (usize, usize, prop::sample::Index))]| {
                for &(n, (op, size, which)) in steps {
                    let mut live = live.lock().unwrap();
                    let fill = n as u8;
                    unsafe {
                        match op {
                            0 | 3 => {
                                let p = arena.alloc(layout(size));
                                p.write_bytes(fill, size);
                                live.push((p as usize, size, fill));
                            }
                            1 if !live.is_empty() => {
                                let i = which.index(live.len());
                                let (p, old, _) = live.swap_remove(i);
                                arena.dealloc(p as *mut u8, layout(old));
                            }
                            _ if !live.is_empty() => {
                                let i = which.index(live.len());
                                let (p, old, was) = live[i];
                                let q = arena.realloc(p as *mut u8, layout(old), size);
                                assert!(std::slice::from_raw_parts(q, old.min(size)).iter().all(|b| *b == was));
                                q.write_bytes(fill, size);
                                live[i] = (q as usize, size, fill);
                            }
                            _ => {}
                        }
                    }
                    check(&live);
                }
            };
            let numbered: Vec<_> = steps.into_iter().enumerate().collect();
            let (here, there): (Vec<_>, Vec<_>) = numbered.iter().partition(|(n, _)| n % 2 == 0);
            for (h, t) in here.chunks(10).zip(there.chunks(10)) {
                run(h);
                std::thread::scope(|s| s.spawn(|| run(t)).join().unwrap());
            }
            for (p, size, _) in live.into_inner().unwrap() {
                unsafe { arena.dealloc(p as *mut u8, layout(size)) };
            }
        }
    }
}
