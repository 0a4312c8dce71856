//! The binary's allocator: the main thread's small blocks come from a static region, one free
//! list per size class, and everything else from the system's malloc.
//!
//! A short command allocates a few thousand small blocks and frees most of them soon after;
//! in glibc's malloc that was about a quarter of a `diff`'s instructions, most of them in the
//! paths behind its per-thread cache. Here a block is a pop or a bump, and a free a push: the
//! size comes with every free, so blocks need no header. Freed blocks are reused, so the
//! pages touched stay near the live peak (a bump region that never reuses touched 75 more
//! pages than glibc in `diff`). Only the thread that claimed the region touches its lists, so
//! they need no lock; a region block freed by another thread is left where it is (bounded
//! by the region's size). mimalloc, tried three times, cost more at start than it saved.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The size classes are multiples of this, which is also the largest alignment served.
const GRAIN: usize = 16;
/// Larger blocks go to malloc: they are few, and often grow.
const LARGEST: usize = 1024;
const CLASSES: usize = LARGEST / GRAIN;

thread_local! {
    /// Its address names the thread.
    static MARK: u8 = const { 0 };
}

fn this_thread() -> usize {
    MARK.with(|mark| std::ptr::from_ref(mark) as usize)
}

#[repr(C, align(16))]
pub struct Arena<const SIZE: usize> {
    bytes: UnsafeCell<[u8; SIZE]>,
    state: UnsafeCell<State>,
    /// The owning thread (`this_thread`), or 0.
    owner: AtomicUsize,
}

struct State {
    /// Bytes of the region handed out by bumping.
    used: usize,
    /// The head of each class's list of freed blocks; each freed block holds the next.
    free: [*mut u8; CLASSES],
}

// The state is touched only by the owning thread (`owns`); the bytes are handed out once each.
unsafe impl<const SIZE: usize> Sync for Arena<SIZE> {}

impl<const SIZE: usize> Arena<SIZE> {
    pub const fn new() -> Self {
        Arena {
            bytes: UnsafeCell::new([0; SIZE]),
            state: UnsafeCell::new(State { used: 0, free: [std::ptr::null_mut(); CLASSES] }),
            owner: AtomicUsize::new(0),
        }
    }

    /// Makes the calling thread, which must live as long as the region is used (`main`'s),
    /// the region's only user. Later claims, from any thread, do nothing.
    pub fn claim(&self) {
        let _ = self.owner.compare_exchange(0, this_thread(), Ordering::Relaxed, Ordering::Relaxed);
    }

    fn owns(&self) -> bool {
        self.owner.load(Ordering::Relaxed) == this_thread()
    }

    fn contains(&self, ptr: *mut u8) -> bool {
        let start = self.bytes.get() as usize;
        (start..start + SIZE).contains(&(ptr as usize))
    }

    /// The class of a layout the region serves.
    fn class(layout: Layout) -> Option<usize> {
        (layout.size() <= LARGEST && layout.align() <= GRAIN).then(|| layout.size().max(1).div_ceil(GRAIN) - 1)
    }

    /// A block of `class` from the region, or null when it is full.
    ///
    /// # Safety
    /// The caller owns the region.
    unsafe fn take(&self, class: usize) -> *mut u8 {
        let state = unsafe { &mut *self.state.get() };
        let head = state.free[class];
        if !head.is_null() {
            state.free[class] = unsafe { head.cast::<*mut u8>().read() };
            return head;
        }
        let size = (class + 1) * GRAIN;
        if SIZE - state.used < size {
            return std::ptr::null_mut();
        }
        let block = unsafe { self.bytes.get().cast::<u8>().add(state.used) };
        state.used += size;
        block
    }

    /// A block for `layout` from the region, where this thread owns it, serves the layout and
    /// has room.
    fn region_block(&self, layout: Layout) -> Option<*mut u8> {
        let class = Self::class(layout).filter(|_| self.owns())?;
        // SAFETY: this thread owns the region.
        let block = unsafe { self.take(class) };
        (!block.is_null()).then_some(block)
    }

    /// # Safety
    /// The caller owns the region, and `block` is a block of `class` from it, no longer used.
    unsafe fn give_back(&self, block: *mut u8, class: usize) {
        let state = unsafe { &mut *self.state.get() };
        unsafe { block.cast::<*mut u8>().write(state.free[class]) };
        state.free[class] = block;
    }
}

impl<const SIZE: usize> Default for Arena<SIZE> {
    fn default() -> Self {
        Self::new()
    }
}

// Out of line: inlined into every allocation site by LTO, it was a megabyte more code.
unsafe impl<const SIZE: usize> GlobalAlloc for Arena<SIZE> {
    #[inline(never)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match self.region_block(layout) {
            Some(block) => block,
            None => unsafe { System.alloc(layout) },
        }
    }

    #[inline(never)]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match self.region_block(layout) {
            Some(block) => {
                // A reused block holds what was written to it.
                unsafe { block.write_bytes(0, layout.size()) };
                block
            }
            None => unsafe { System.alloc_zeroed(layout) },
        }
    }

    #[inline(never)]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !self.contains(ptr) {
            return unsafe { System.dealloc(ptr, layout) };
        }
        // A region block always has a class: its layout is the one it was made with.
        if let Some(class) = Self::class(layout)
            && self.owns()
        {
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

    fn layout(size: usize) -> Layout {
        Layout::from_size_align(size, 8).unwrap()
    }

    fn claimed<const SIZE: usize>() -> Box<Arena<SIZE>> {
        let arena = Box::new(Arena::<SIZE>::new());
        arena.claim();
        arena
    }

    #[test]
    fn a_freed_block_is_the_next_of_its_class() {
        let arena = claimed::<4096>();
        unsafe {
            let a = arena.alloc(layout(40));
            let b = arena.alloc(layout(40));
            assert!(arena.contains(a) && arena.contains(b) && a != b);
            // 40 and 48 bytes are one class; 49 is the next.
            arena.dealloc(a, layout(40));
            assert_eq!(arena.alloc(layout(48)), a);
            let c = arena.alloc(layout(49));
            assert!(c != a && c != b && arena.contains(c));
        }
    }

    #[test]
    fn what_the_region_does_not_serve_comes_from_malloc() {
        let arena = claimed::<4096>();
        unsafe {
            let large = arena.alloc(layout(LARGEST + 1));
            let aligned = arena.alloc(Layout::from_size_align(64, 64).unwrap());
            assert!(!arena.contains(large) && !arena.contains(aligned));
            assert_eq!(aligned as usize % 64, 0);
            arena.dealloc(large, layout(LARGEST + 1));
            arena.dealloc(aligned, Layout::from_size_align(64, 64).unwrap());
            // Four blocks of 1 KiB fill the region; the fifth is malloc's.
            let blocks: Vec<*mut u8> = (0..5).map(|_| arena.alloc(layout(LARGEST))).collect();
            assert_eq!(blocks.iter().filter(|b| arena.contains(**b)).count(), 4);
            assert!(!arena.contains(blocks[4]));
            for block in blocks {
                arena.dealloc(block, layout(LARGEST));
            }
        }
    }

    #[test]
    fn only_the_claiming_thread_uses_the_region() {
        let arena = Box::new(Arena::<4096>::new());
        unsafe {
            let before = arena.alloc(layout(16));
            assert!(!arena.contains(before));
            arena.dealloc(before, layout(16));
        }
        arena.claim();
        let ours = unsafe { arena.alloc(layout(16)) } as usize;
        assert!(arena.contains(ours as *mut u8));
        std::thread::scope(|s| {
            s.spawn(|| unsafe {
                arena.claim();
                let theirs = arena.alloc(layout(16));
                assert!(!arena.contains(theirs));
                arena.dealloc(theirs, layout(16));
                // Freed by another thread: left out of the lists.
                arena.dealloc(ours as *mut u8, layout(16));
            });
        });
        let next = unsafe { arena.alloc(layout(16)) };
        assert!(arena.contains(next) && next as usize != ours);
    }

    #[test]
    fn realloc_keeps_the_bytes() {
        let arena = claimed::<4096>();
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
        /// of allocations, frees and reallocations, inside the region and beyond it.
        #[test]
        fn live_blocks_keep_their_bytes(steps in proptest::collection::vec((0usize..3, 1usize..1500, any::<prop::sample::Index>()), 1..300)) {
            let arena = claimed::<8192>();
            let mut live: Vec<(*mut u8, usize, u8)> = Vec::new();
            let check = |live: &[(*mut u8, usize, u8)]| {
                for &(p, size, fill) in live {
                    assert!(unsafe { std::slice::from_raw_parts(p, size) }.iter().all(|b| *b == fill));
                }
                let mut spans: Vec<(usize, usize)> = live.iter().map(|&(p, size, _)| (p as usize, p as usize + size)).collect();
                spans.sort_unstable();
                assert!(spans.windows(2).all(|w| w[0].1 <= w[1].0));
            };
            for (n, (op, size, which)) in steps.into_iter().enumerate() {
                let fill = n as u8;
                unsafe {
                    match op {
                        0 => {
                            let p = arena.alloc(layout(size));
                            p.write_bytes(fill, size);
                            live.push((p, size, fill));
                        }
                        1 if !live.is_empty() => {
                            let (p, old, _) = live.swap_remove(which.index(live.len()));
                            arena.dealloc(p, layout(old));
                        }
                        _ if !live.is_empty() => {
                            let i = which.index(live.len());
                            let (p, old, was) = live[i];
                            let q = arena.realloc(p, layout(old), size);
                            assert!(std::slice::from_raw_parts(q, old.min(size)).iter().all(|b| *b == was));
                            q.write_bytes(fill, size);
                            live[i] = (q, size, fill);
                        }
                        _ => {}
                    }
                }
                check(&live);
            }
            for (p, size, _) in live {
                unsafe { arena.dealloc(p, layout(size)) };
            }
        }
    }
}
