//! The elimination order of scopmath's `sparse_thread` (sparse13 descendant), reproduced at
//! compile time so that a KINETIC system is solved with exactly NEURON's operations.
//!
//! `sparse_thread` never pivots on values: the first call builds the matrix structure from the
//! `_MATELM` calls of the scheme, then a minimum-degree ordering (`spar_minorder`) fixes the
//! pivot sequence, adding fill-in elements on the way. Every later solve (`matsol`) is
//!
//! * for each pivot row p in that order, for each row r below it with an element in column p:
//!   `f = M[r][p] / M[p][p]`, `rhs[r] -= rhs[p]·f`, and `M[r][c] -= M[p][c]·f` for each element
//!   right of the pivot, in solution order;
//! * back substitution from the last pivot: `rhs[p] -= M[p][c]·rhs[c]` for each element right
//!   of the pivot, then `rhs[p] /= M[p][p]`.
//!
//! Since the structure only depends on which elements exist, [`Ordering::new`] replays the
//! ordering on a symbolic element set, and [`Ordering::solve`] emits the solve as straight-line
//! statements.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{BinaryOp, Expr, LocalId, Place, Stmt};

use super::body::{bin, load};

/// The pivot order and final element set (fill-in included) of one scheme.
#[derive(Debug, Clone)]
pub(crate) struct Ordering {
    /// `pivots[k]` is the row eliminated k-th (NEURON's `diag[k+1]->row`).
    pub pivots: Vec<usize>,
    /// Position of each row in `pivots` (NEURON's `varord`).
    position: Vec<usize>,
    /// Every stored element (row, col), diagonals included.
    pub elements: BTreeSet<(usize, usize)>,
}

/// One entry of NEURON's `orderlist`: a row and its current element count.
#[derive(Debug, Clone, Copy)]
struct OrderItem {
    row: usize,
    count: usize,
}

/// `insert`: before the first item whose count is ≥ the new one (so ties put the newest first).
fn insert(list: &mut Vec<OrderItem>, item: OrderItem) {
    let at = list
        .iter()
        .position(|i| i.count >= item.count)
        .unwrap_or(list.len());
    list.insert(at, item);
}

/// `increase_order` / `reduce_order`: remove the row's item, change its count, reinsert it.
fn change_count(list: &mut Vec<OrderItem>, row: usize, up: bool) {
    if let Some(k) = list.iter().position(|i| i.row == row) {
        let mut item = list.remove(k);
        if up {
            item.count += 1;
        } else {
            item.count = item.count.saturating_sub(1);
        }
        insert(list, item);
    }
}

impl Ordering {
    /// Replays `spar_minorder` on an `n`-row system whose scheme touches `touched` elements.
    pub(crate) fn new(n: usize, touched: impl IntoIterator<Item = (usize, usize)>) -> Ordering {
        let mut elements: BTreeSet<(usize, usize)> = (0..n).map(|i| (i, i)).collect();
        elements.extend(touched.into_iter().filter(|&(r, c)| r < n && c < n));
        let mut pivots: Vec<usize> = (0..n).collect();
        let mut position: Vec<usize> = (0..n).collect();
        let mut list: Vec<OrderItem> = Vec::with_capacity(n);
        for row in 0..n {
            let count = elements.iter().filter(|&&(r, _)| r == row).count();
            insert(&mut list, OrderItem { row, count });
        }
        for i in 0..n {
            let Some(head) = list.first().copied() else {
                break;
            };
            let j = position[head.row];
            if j != i {
                // Shift the rows at positions i..j down by one and put the new pivot at i.
                for k in (i + 1..=j).rev() {
                    pivots[k] = pivots[k - 1];
                    position[pivots[k]] = k;
                }
                pivots[i] = head.row;
                position[head.row] = i;
            }
            let p = pivots[i];
            let below = Self::sorted(&elements, &position, true, |&(r, c)| {
                c == p && position[r] > i
            })
            .into_iter()
            .map(|(r, _)| r);
            let right: Vec<usize> = Self::sorted(&elements, &position, false, |&(r, c)| {
                r == p && position[c] > i
            })
            .into_iter()
            .map(|(_, c)| c)
            .collect();
            for r in below.collect::<Vec<_>>() {
                for &c in &right {
                    if elements.insert((r, c)) {
                        change_count(&mut list, r, true);
                    }
                }
                change_count(&mut list, r, false);
            }
            list.retain(|it| it.row != head.row);
        }
        Ordering {
            pivots,
            position,
            elements,
        }
    }

    /// Elements matching `keep`, ordered by the position of their row (`by_row`) or column.
    fn sorted(
        elements: &BTreeSet<(usize, usize)>,
        position: &[usize],
        by_row: bool,
        keep: impl Fn(&(usize, usize)) -> bool,
    ) -> Vec<(usize, usize)> {
        let by_pos: BTreeMap<usize, (usize, usize)> = elements
            .iter()
            .filter(|e| keep(e))
            .map(|&(r, c)| (position[if by_row { r } else { c }], (r, c)))
            .collect();
        by_pos.into_values().collect()
    }

    /// Rows below pivot `i` with an element in its column, in solution order.
    fn below(&self, i: usize) -> Vec<usize> {
        let p = self.pivots[i];
        Self::sorted(&self.elements, &self.position, true, |&(r, c)| {
            c == p && self.position[r] > i
        })
        .into_iter()
        .map(|(r, _)| r)
        .collect()
    }

    /// Columns right of pivot `i` in its row, in solution order.
    fn right(&self, i: usize) -> Vec<usize> {
        let p = self.pivots[i];
        Self::sorted(&self.elements, &self.position, false, |&(r, c)| {
            r == p && self.position[c] > i
        })
        .into_iter()
        .map(|(_, c)| c)
        .collect()
    }

    /// `matsol`: statements that overwrite `rhs` with the solution. `elem(r, c)` is the local
    /// holding element (r, c) (it exists for every member of [`Ordering::elements`]);
    /// `factor` is a scratch local.
    pub(crate) fn solve(
        &self,
        elem: impl Fn(usize, usize) -> LocalId,
        rhs: &[LocalId],
        factor: LocalId,
    ) -> Vec<Stmt> {
        let m = |r: usize, c: usize| load(Place::Local(elem(r, c)));
        let minus = |target: LocalId, x: Expr| {
            Stmt::Assign(
                Place::Local(target),
                bin(BinaryOp::Sub, load(Place::Local(target)), x),
            )
        };
        let mut out = Vec::new();
        let n = self.pivots.len();
        for i in 0..n {
            let p = self.pivots[i];
            let right = self.right(i);
            for r in self.below(i) {
                out.push(Stmt::Assign(
                    Place::Local(factor),
                    bin(BinaryOp::Div, m(r, p), m(p, p)),
                ));
                out.push(minus(
                    rhs[r],
                    bin(
                        BinaryOp::Mul,
                        load(Place::Local(rhs[p])),
                        load(Place::Local(factor)),
                    ),
                ));
                for &c in &right {
                    out.push(minus(
                        elem(r, c),
                        bin(BinaryOp::Mul, m(p, c), load(Place::Local(factor))),
                    ));
                }
            }
        }
        for i in (0..n).rev() {
            let p = self.pivots[i];
            for c in self.right(i) {
                out.push(minus(
                    rhs[p],
                    bin(BinaryOp::Mul, m(p, c), load(Place::Local(rhs[c]))),
                ));
            }
            out.push(Stmt::Assign(
                Place::Local(rhs[p]),
                bin(BinaryOp::Div, load(Place::Local(rhs[p])), m(p, p)),
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tridiagonal_keeps_natural_order_without_fill_in() {
        // Rows 0 and 2 have two elements, row 1 three. Ties go to the row inserted last, so
        // row 2 is first; eliminating it leaves row 1 with two elements, inserted ahead of row 0.
        let o = Ordering::new(3, [(0, 1), (1, 0), (1, 2), (2, 1)]);
        assert_eq!(o.pivots, vec![2, 1, 0]);
        assert_eq!(o.elements.len(), 7);
    }

    #[test]
    fn arrow_matrix_has_no_fill_in() {
        // Arrow matrix with the dense row first: eliminating row 0 first would fill everything,
        // so minimum degree starts with the sparse rows and adds no fill-in. Each elimination
        // lowers row 0's count; after two of them it ties with row 1 and, being reinserted
        // last, goes first.
        let touched = [(0, 1), (0, 2), (0, 3), (1, 0), (2, 0), (3, 0)];
        let o = Ordering::new(4, touched);
        assert_eq!(o.pivots, vec![3, 2, 0, 1]);
        assert_eq!(o.elements.len(), 10);
    }
}
