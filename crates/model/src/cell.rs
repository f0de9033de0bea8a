//! A whole cell: its sections as a tree, and the point processes placed on them.

use std::collections::BTreeMap;

use crate::{Attachment, Error, Section};

/// A point process instance (IClamp, ExpSyn, …) at position `x` of section `section`.
#[derive(Debug, Clone, PartialEq)]
pub struct PointProcess {
    pub mechanism: String,
    pub section: usize,
    pub x: f64,
    /// Parameter values set by the builder; everything else keeps the mechanism's default.
    pub values: BTreeMap<String, f64>,
}

/// A cell: sections (index = identity), a root (the first section without a parent), and
/// point processes. Section names are unique (`soma[0]`, `dend[3]`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CellDescription {
    /// Template or morphology name, for messages.
    pub name: String,
    pub sections: Vec<Section>,
    pub point_processes: Vec<PointProcess>,
}

impl CellDescription {
    pub fn new(name: impl Into<String>) -> Self {
        CellDescription {
            name: name.into(),
            ..Default::default()
        }
    }

    /// Adds a section and returns its index.
    pub fn add_section(&mut self, section: Section) -> usize {
        self.sections.push(section);
        self.sections.len() - 1
    }

    /// Index of the section named `name`.
    pub fn find_section(&self, name: &str) -> Option<usize> {
        self.sections.iter().position(|s| s.name == name)
    }

    /// Attaches end `child_x` of `child` to point `parent_x` of `parent` (HOC's `connect`).
    /// Re-connecting a section replaces its previous parent, as NEURON does.
    pub fn connect(
        &mut self,
        child: usize,
        child_x: f64,
        parent: usize,
        parent_x: f64,
    ) -> Result<(), Error> {
        let n = self.sections.len();
        for idx in [child, parent] {
            if idx >= n {
                return Err(Error::NoSuchSection(idx));
            }
        }
        for (what, x) in [("connection point", parent_x), ("section end", child_x)] {
            if !(0.0..=1.0).contains(&x) {
                return Err(Error::InvalidValue {
                    what: what.to_string(),
                    value: x,
                });
            }
        }
        // Walking up from the parent must not reach the child.
        let mut cursor = Some(parent);
        while let Some(i) = cursor {
            if i == child {
                return Err(Error::Loop {
                    child: self.sections[child].name.clone(),
                    parent: self.sections[parent].name.clone(),
                });
            }
            cursor = self.sections[i].parent.map(|a| a.parent);
        }
        self.sections[child].parent = Some(Attachment {
            parent,
            parent_x,
            child_x,
        });
        Ok(())
    }

    /// Sections with no parent, in index order.
    pub fn roots(&self) -> impl Iterator<Item = usize> + '_ {
        self.sections
            .iter()
            .enumerate()
            .filter(|(_, s)| s.parent.is_none())
            .map(|(i, _)| i)
    }

    /// Children of section `i`, in index order.
    pub fn children(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.sections
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.parent.map(|a| a.parent) == Some(i))
            .map(|(j, _)| j)
    }

    /// Total number of segments.
    pub fn total_segments(&self) -> usize {
        self.sections.iter().map(|s| s.nseg()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_builds_tree_and_rejects_loops() {
        let mut c = CellDescription::new("t");
        let soma = c.add_section(Section::new("soma"));
        let d0 = c.add_section(Section::new("dend[0]"));
        let d1 = c.add_section(Section::new("dend[1]"));
        c.connect(d0, 0.0, soma, 1.0).unwrap();
        c.connect(d1, 0.0, d0, 1.0).unwrap();
        assert_eq!(c.roots().collect::<Vec<_>>(), vec![soma]);
        assert_eq!(c.children(d0).collect::<Vec<_>>(), vec![d1]);
        assert!(matches!(
            c.connect(soma, 0.0, d1, 1.0),
            Err(Error::Loop { .. })
        ));
        assert!(c.connect(d1, 0.0, 9, 1.0).is_err());
        assert!(c.connect(d1, 0.0, soma, 1.5).is_err());
    }
}
