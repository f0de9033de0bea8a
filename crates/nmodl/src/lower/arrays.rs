//! LOCAL arrays (`LOCAL a[4]` in a block, or at top level) without array places in the IR.
//!
//! Each element is a scalar place of its own (a kernel local, or a global for top-level
//! LOCALs). A constant index picks the element while lowering. A computed index is stored in
//! a local `k` once and the access becomes a balanced tree of `if (k < m)` tests over the
//! elements, so its depth grows as log₂(len). Element `i` is chosen for `i ≤ k < i + 1`,
//! which is C's truncation for the in-range indices nocmodl's generated code allows; indices
//! below 0 select element 0 and indices past the end the last element (C would read outside
//! the array).

use crate::ast;
use crate::ir::{BinaryOp, Expr, Place, Stmt};

use super::body::{bin, load, Builder};
use super::layout::Binding;

/// Longest LOCAL array accepted (each element is a separate local or global).
pub(crate) const MAX_LOCAL_ARRAY: usize = 100_000;

impl Builder<'_> {
    /// `LOCAL name[len]` inside a block: `len` fresh locals, zeroed like scalar LOCALs.
    pub(crate) fn declare_local_array(&mut self, name: &ast::Ident, len: usize) {
        if len == 0 || len > MAX_LOCAL_ARRAY {
            self.error(
                name.span,
                format!(
                    "LOCAL array `{}` must have between 1 and {MAX_LOCAL_ARRAY} elements",
                    name.name
                ),
            );
            return;
        }
        let mut places = Vec::with_capacity(len);
        for i in 0..len {
            let l = self.new_local(&format!("{}[{i}]", name.name));
            self.emit(Stmt::Assign(Place::Local(l), Expr::Const(0.0)));
            places.push(Place::Local(l));
        }
        self.bind(&name.name, Binding::PlaceArray(places));
    }

    /// The element `places[index]` when `index` is a constant; reports an out-of-range one.
    fn constant_element(
        &mut self,
        name: &ast::Ident,
        places: &[Place],
        index: &Expr,
    ) -> Option<Option<Place>> {
        let Expr::Const(c) = index else {
            return None;
        };
        let i = c.trunc();
        if i >= 0.0 && (i as usize) < places.len() {
            return Some(Some(places[i as usize].clone()));
        }
        self.error(
            name.span,
            format!(
                "index {c} is outside LOCAL array `{}[{}]`",
                name.name,
                places.len()
            ),
        );
        Some(None)
    }

    /// Stores a computed index in a fresh local so that it is evaluated once.
    fn index_local(&mut self, name: &ast::Ident, index: Expr) -> Expr {
        let k = self.new_local(&format!("{}.index", name.name));
        self.emit(Stmt::Assign(Place::Local(k), index));
        load(Place::Local(k))
    }

    /// Reads `name[index]` of a LOCAL array.
    pub(crate) fn read_array_element(
        &mut self,
        name: &ast::Ident,
        places: &[Place],
        index: &ast::Expr,
    ) -> Expr {
        let index = self.expr(index);
        if let Some(place) = self.constant_element(name, places, &index) {
            return place.map_or(Expr::Const(0.0), load);
        }
        let k = self.index_local(name, index);
        let value = self.new_local(&format!("{}.element", name.name));
        let target = Place::Local(value);
        let select = select_element(&k, places, 0, &|p: &Place| {
            Stmt::Assign(target.clone(), load(p.clone()))
        });
        self.emit(select);
        load(Place::Local(value))
    }

    /// Assigns `value` (already lowered) to `name[index]` of a LOCAL array.
    pub(crate) fn write_array_element(
        &mut self,
        name: &ast::Ident,
        places: &[Place],
        index: &ast::Expr,
        value: Expr,
    ) {
        let index = self.expr(index);
        match self.constant_element(name, places, &index) {
            Some(Some(place)) => self.emit(Stmt::Assign(place, value)),
            Some(None) => {}
            None => {
                // Keep the value in a local so the selection tree copies a load, not the
                // whole expression.
                let v = self.new_local(&format!("{}.value", name.name));
                self.emit(Stmt::Assign(Place::Local(v), value));
                let k = self.index_local(name, index);
                let select = select_element(&k, places, 0, &|p: &Place| {
                    Stmt::Assign(p.clone(), load(Place::Local(v)))
                });
                self.emit(select);
            }
        }
    }
}

/// A balanced tree of `if (k < m)` tests that runs `access` on the element `k` selects among
/// `places` (whose first element has index `offset`).
fn select_element(
    k: &Expr,
    places: &[Place],
    offset: usize,
    access: &dyn Fn(&Place) -> Stmt,
) -> Stmt {
    if places.len() == 1 {
        return access(&places[0]);
    }
    let mid = places.len() / 2;
    let (low, high) = places.split_at(mid);
    Stmt::If {
        cond: bin(BinaryOp::Lt, k.clone(), Expr::Const((offset + mid) as f64)),
        then: vec![select_element(k, low, offset, access)],
        otherwise: vec![select_element(k, high, offset + mid, access)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Follows the tree for index value `k` and returns the element it touches.
    fn chosen(stmt: &Stmt, k: f64) -> u32 {
        match stmt {
            Stmt::If {
                cond: Expr::Binary(BinaryOp::Lt, _, bound),
                then,
                otherwise,
            } => {
                let Expr::Const(m) = **bound else {
                    panic!("bound")
                };
                chosen(if k < m { &then[0] } else { &otherwise[0] }, k)
            }
            Stmt::Assign(Place::Local(l), _) => *l,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn the_selection_tree_truncates_and_clamps_like_c_indices() {
        let places: Vec<Place> = (0..7).map(Place::Local).collect();
        let k = Expr::Const(0.0);
        let tree = select_element(&k, &places, 0, &|p: &Place| {
            Stmt::Assign(p.clone(), Expr::Const(0.0))
        });
        for i in 0..7 {
            assert_eq!(chosen(&tree, i as f64), i);
            assert_eq!(chosen(&tree, i as f64 + 0.75), i);
        }
        assert_eq!(chosen(&tree, -3.0), 0);
        assert_eq!(chosen(&tree, 99.0), 6);
    }
}
