//! [`RangeTable`]: a section's per-segment range values, keyed by variable name.
//!
//! A section holds a handful of variables (`diam`, `cm`, a few per mechanism); a sorted vector
//! of entries costs about 40 bytes a variable, where a `BTreeMap` allocates a ~550-byte node
//! for the first key alone. Cells cut into one section per compartment hold hundreds of
//! thousands of sections, so the difference is most of a description's memory.

/// Range variables sorted by name, each with one value per segment.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct RangeTable {
    entries: Vec<(Box<str>, Vec<f64>)>,
}

impl RangeTable {
    fn position(&self, name: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| (**k).cmp(name))
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_ok()
    }

    pub fn get(&self, name: &str) -> Option<&Vec<f64>> {
        self.position(name).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut Vec<f64>> {
        self.position(name).ok().map(|i| &mut self.entries[i].1)
    }

    /// Adds `name` with `values` unless it is already present (then nothing changes).
    pub fn insert_if_absent(&mut self, name: &str, values: impl FnOnce() -> Vec<f64>) {
        if let Err(i) = self.position(name) {
            self.entries.insert(i, (name.into(), values()));
        }
    }

    pub fn remove(&mut self, name: &str) {
        if let Ok(i) = self.position(name) {
            self.entries.remove(i);
        }
    }

    /// Entries in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Vec<f64>)> {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Vec<f64>> {
        self.entries.iter_mut().map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_stay_sorted_and_unique() {
        let mut t = RangeTable::default();
        for name in ["gbar_na", "cm", "diam", "ena", "cm"] {
            t.insert_if_absent(name, || vec![name.len() as f64]);
        }
        let names: Vec<&str> = t.iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["cm", "diam", "ena", "gbar_na"]);
        assert_eq!(t.get("cm"), Some(&vec![2.0]));
        t.remove("diam");
        assert!(!t.contains_key("diam"));
        assert!(t.get_mut("ena").is_some());
        assert!(t.get("missing").is_none());
    }
}
