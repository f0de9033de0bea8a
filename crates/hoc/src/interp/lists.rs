//! Reading an object's `SectionList` members from the host (BMTK re-segments the sections of a
//! cell's `all` list only).

use super::sections::owner_key;
use super::{Interpreter, ObjectHandle};
use crate::value::{ObjData, Var};

impl Interpreter<'_> {
    /// The sections of the object's `SectionList` member `name` (element 0 of an object
    /// array), as indices into the sections of [`Interpreter::cell`]`(object)`, in list order.
    /// None when the object has no such member or it is not a SectionList; sections of other
    /// objects and deleted sections are left out.
    pub fn section_list(&self, object: &ObjectHandle, name: &str) -> Option<Vec<usize>> {
        let list = {
            let data = object.0.data.borrow();
            let ObjData::Template(inst) = &*data else {
                return None;
            };
            let Var::Obj(slots) = inst.vars.get(name)? else {
                return None;
            };
            slots.data.first()?.clone()?
        };
        let ids = match &*list.data.borrow() {
            ObjData::SectionList(ids) => ids.clone(),
            _ => return None,
        };
        // `cell()` numbers the object's live sections in creation order (ascending ids).
        let key = owner_key(&object.0);
        let owned: Vec<usize> = (0..self.sections.len())
            .filter(|&i| self.sections[i].alive && self.sections[i].owner == Some(key))
            .collect();
        Some(
            ids.iter()
                .filter_map(|id| owned.binary_search(id).ok())
                .collect(),
        )
    }
}
