//! Node-types and edge-types CSVs: one row per type id, any other columns as text.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::table::Table;

/// A types CSV indexed by its id column (`node_type_id` or `edge_type_id`).
#[derive(Debug, Clone, PartialEq)]
pub struct TypesTable {
    pub table: Table,
    id_column: usize,
    rows_by_id: HashMap<u64, usize>,
}

impl TypesTable {
    /// Reads `path`, keyed by `id_column`.
    pub fn read(path: &Path, id_column: &str) -> Result<TypesTable> {
        Self::from_table(Table::read(path)?, id_column)
    }

    pub fn from_table(table: Table, id_column: &str) -> Result<TypesTable> {
        let col = table.column(id_column).ok_or_else(|| Error::Csv {
            path: table.path.clone(),
            line: 1,
            message: format!("no `{id_column}` column in the header"),
        })?;
        let mut rows_by_id = HashMap::new();
        for (row_index, row) in table.rows.iter().enumerate() {
            let line = table.lines[row_index];
            let cell = row[col].as_deref().unwrap_or("");
            let id: u64 = cell.trim().parse().map_err(|_| Error::Csv {
                path: table.path.clone(),
                line,
                message: format!("`{id_column}` must be a non-negative integer, found `{cell}`"),
            })?;
            if rows_by_id.insert(id, row_index).is_some() {
                return Err(Error::Csv {
                    path: table.path.clone(),
                    line,
                    message: format!("`{id_column}` {id} appears twice"),
                });
            }
        }
        Ok(TypesTable {
            table,
            id_column: col,
            rows_by_id,
        })
    }

    pub fn contains(&self, type_id: u64) -> bool {
        self.rows_by_id.contains_key(&type_id)
    }

    /// The cell of `column` for `type_id`; `None` if the type, column or value is missing.
    pub fn get(&self, type_id: u64, column: &str) -> Option<&str> {
        let col = self.table.column(column)?;
        if col == self.id_column {
            return None;
        }
        let row = *self.rows_by_id.get(&type_id)?;
        self.table.rows[row][col].as_deref()
    }

    /// All type ids, in file order.
    pub fn ids(&self) -> Vec<u64> {
        let mut ids: Vec<(usize, u64)> = self
            .rows_by_id
            .iter()
            .map(|(id, row)| (*row, *id))
            .collect();
        ids.sort();
        ids.into_iter().map(|(_, id)| id).collect()
    }
}
