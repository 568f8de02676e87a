//! Gives an `egui_extras` table the shape a screen reader knows: a table with a header row of
//! column headers and rows of cells (AccessKit's table roles; AT-SPI's table, table row,
//! column header and table cell). `egui_extras` lays every cell straight into the header's or
//! the body's `Ui`; this notes the cells while they are drawn and, at the end of the pass,
//! moves each row's cells under a row node of its own.

use egui::accesskit::{NodeId, Role};
use egui::{Context, Id, Response, Ui};

/// One row as drawn: its node, its cells, where it is.
struct Row {
    id: Id,
    cells: Vec<Id>,
    index: usize,
    selected: bool,
}

/// The rows of one table drawn in this pass.
#[derive(Default)]
pub struct TableRoles {
    /// The `Ui`s the cells were laid into (the header's and the body's).
    parents: Vec<Id>,
    rows: Vec<Row>,
    header: Option<Row>,
}

impl TableRoles {
    /// Marks the `Ui` a cell's contents were drawn in as a cell in `column`, or as a column
    /// header named by the widget `header` (its title); call from inside the cell.
    pub fn cell(&mut self, ui: &Ui, column: usize, header: Option<Id>) {
        ui.ctx().accesskit_node_builder(ui.unique_id(), |n| {
            n.set_column_index(column);
            match header {
                Some(title) => {
                    n.set_role(Role::ColumnHeader);
                    n.push_labelled_by(title.accesskit_id());
                }
                None => n.set_role(Role::Cell),
            }
        });
        if let Some(parent) = ui.stack().parent.as_ref().map(|p| p.unique_id)
            && !self.parents.contains(&parent)
        {
            self.parents.push(parent);
        }
    }

    /// The header row's cells, as `egui_extras` returned them.
    pub fn header(&mut self, id: Id, cells: &[Response]) {
        self.header = Some(Row {
            id,
            cells: cells.iter().map(|r| r.id).collect(),
            index: 0,
            selected: false,
        });
    }

    /// A body row's cells; `index` counts from the first body row.
    pub fn row(&mut self, id: Id, index: usize, selected: bool, cells: &[Response]) {
        self.rows.push(Row {
            id,
            cells: cells.iter().map(|r| r.id).collect(),
            index: index + 1,
            selected,
        });
    }

    /// Builds the row nodes (call after the table is drawn, in the same pass); `table` is
    /// the node that holds the whole table, `row_count` its rows with the header.
    pub fn finish(self, ctx: &Context, table: Id, row_count: usize, column_count: usize) {
        ctx.accesskit_node_builder(table, |n| {
            n.set_role(Role::Table);
            n.set_row_count(row_count);
            n.set_column_count(column_count);
        });
        let rows: Vec<Row> = self.header.into_iter().chain(self.rows).collect();
        if rows.is_empty() {
            return;
        }
        // A new node lands under the root; it belongs where its cells were.
        let row_ids: Vec<NodeId> = rows.iter().map(|r| r.id.accesskit_id()).collect();
        for r in &rows {
            ctx.accesskit_node_builder(r.id, |n| {
                n.set_role(Role::Row);
                n.set_row_index(r.index);
                if r.selected {
                    n.set_selected(true);
                }
                n.set_children(r.cells.iter().map(|c| c.accesskit_id()).collect::<Vec<_>>());
            });
        }
        ctx.accesskit_node_builder(egui::accesskit_root_id(), |n| {
            let kept: Vec<NodeId> = n
                .children()
                .iter()
                .filter(|c| !row_ids.contains(c))
                .copied()
                .collect();
            n.set_children(kept);
        });
        let row_of: std::collections::HashMap<NodeId, NodeId> = rows
            .iter()
            .flat_map(|r| {
                r.cells
                    .iter()
                    .map(|c| (c.accesskit_id(), r.id.accesskit_id()))
            })
            .collect();
        for parent in self.parents {
            ctx.accesskit_node_builder(parent, |n| {
                let mut children = Vec::new();
                for c in n.children() {
                    match row_of.get(c) {
                        // A row takes the place of its first cell.
                        Some(row) if !children.contains(row) => children.push(*row),
                        Some(_) => {}
                        None => children.push(*c),
                    }
                }
                n.set_children(children);
            });
        }
    }
}
