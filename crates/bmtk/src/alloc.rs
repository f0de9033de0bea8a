//! The process allocator: the system allocator, with every block of 256 bytes or more aligned
//! to 128 bytes (two cache lines, so the adjacent-line prefetcher does not pair them either).
//!
//! Mechanism columns, node arrays and ion arrays are separate vectors; with intra-cell threading
//! (`engine::split`) two threads write the two sides of an instance boundary chosen at a
//! multiple of 8 instances. Aligned columns keep those sides on different cache lines, where
//! malloc's 16-byte alignment would put a shared line at the boundary of every column.

use std::alloc::{GlobalAlloc, Layout, System};

pub struct CacheAligned;

const FROM_SIZE: usize = 256;
const ALIGN: usize = 128;

/// The layout actually requested from the system for `layout`.
fn widened(layout: Layout) -> Layout {
    if layout.size() >= FROM_SIZE && layout.align() < ALIGN {
        // SAFETY: ALIGN is a power of two and size ≥ FROM_SIZE does not overflow when rounded
        // (the original layout was valid and ALIGN is far below isize::MAX).
        unsafe { Layout::from_size_align_unchecked(layout.size(), ALIGN) }
    } else {
        layout
    }
}

// SAFETY: every call forwards to `System` with the layout `widened` gives for the caller's
// layout, the same one at allocation and deallocation (it depends only on size and align).
unsafe impl GlobalAlloc for CacheAligned {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(widened(layout)) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc_zeroed(widened(layout)) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, widened(layout)) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = widened(layout);
        // SAFETY: the caller guarantees new_size is a valid size for layout's alignment.
        let new = widened(unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) });
        if old.align() == new.align() {
            return unsafe { System.realloc(ptr, old, new.size()) };
        }
        // Crossing FROM_SIZE changes the alignment: move the block.
        let fresh = unsafe { System.alloc(new) };
        if !fresh.is_null() {
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, fresh, layout.size().min(new_size));
                System.dealloc(ptr, old);
            }
        }
        fresh
    }
}

#[cfg(test)]
mod tests {
    use super::{CacheAligned, ALIGN, FROM_SIZE};
    use std::alloc::{GlobalAlloc, Layout};

    #[test]
    fn large_blocks_are_line_aligned_and_realloc_keeps_contents_across_the_threshold() {
        let a = CacheAligned;
        let small = Layout::from_size_align(100, 8).unwrap();
        // SAFETY: each block is used within its size and freed with the layout it has.
        unsafe {
            let p = a.alloc(small);
            assert!(!p.is_null());
            (0..100).for_each(|i| *p.add(i) = i as u8);
            let q = a.realloc(p, small, 1000);
            assert_eq!(q as usize % ALIGN, 0, "grown past {FROM_SIZE} B: aligned");
            assert!((0..100).all(|i| *q.add(i) == i as u8));
            let big = Layout::from_size_align(1000, 8).unwrap();
            let r = a.realloc(q, big, 60);
            assert!((0..60).all(|i| *r.add(i) == i as u8));
            a.dealloc(r, Layout::from_size_align(60, 8).unwrap());
            let z = a.alloc_zeroed(big);
            assert_eq!(z as usize % ALIGN, 0);
            assert!((0..1000).all(|i| *z.add(i) == 0));
            a.dealloc(z, big);
        }
    }
}
