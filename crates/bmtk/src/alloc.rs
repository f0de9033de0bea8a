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
