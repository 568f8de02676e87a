//! Address suggestions under To, Cc and Bcc: as the person types an address, the known ones
//! it may begin (see [`crate::contacts::suggest`]) are listed under the field; ↓/↑ move
//! through them, Enter takes one (the cursor stays, for the next address), Tab takes one
//! and moves on, Esc closes the list; a click takes one too. The list is a labelled group of
//! selectable rows, so a screen reader reads it and which one is chosen.

use egui::{Key, Modifiers, RichText, Ui};

use crate::contacts::{Contact, suggest};
use crate::message::split_addresses;

/// How many suggestions are listed at most.
const SHOWN: usize = 6;

/// The suggestions' state: the field and text they were made for, which one is chosen, and
/// the text for which Esc closed them.
#[derive(Debug, Default)]
pub struct Suggest {
    /// (field, text being typed) the list below was made for.
    made_for: Option<(&'static str, String)>,
    /// The addresses listed (indexes into the contacts).
    listed: Vec<usize>,
    /// The one chosen with the arrows.
    pick: usize,
    /// Esc closed the list for this text.
    dismissed: Option<String>,
    /// A list was shown last frame (Esc closes it then, rather than asking to discard).
    pub open: bool,
}

/// The address being typed: the text after the last comma or semicolon, and where it starts.
fn typing(value: &str) -> (usize, &str) {
    let start = value.rfind([',', ';']).map_or(0, |i| i + 1);
    let rest = &value[start..];
    let trimmed = rest.trim_start();
    (start + rest.len() - trimmed.len(), trimmed)
}

/// `value` with the address being typed replaced by `contact`'s, and a comma for the next.
fn taken(value: &str, contact: &Contact) -> String {
    let (start, _) = typing(value);
    let before = value[..start].trim_end();
    let sep = if before.is_empty() { "" } else { " " };
    format!("{before}{sep}{}, ", contact.mailbox())
}

impl Suggest {
    /// Draws the suggestions for `field` (whose text edit has `id` and holds `value`) when it
    /// has the focus, handling their keys; call before the text edit is drawn (it takes the
    /// keys first). Returns whether a suggestion was taken.
    pub fn keys(
        &mut self,
        ui: &mut Ui,
        field: &'static str,
        id: egui::Id,
        value: &mut String,
        contacts: &[Contact],
    ) -> bool {
        let focused = ui.memory(|m| m.has_focus(id));
        if !focused {
            if self.made_for.as_ref().is_some_and(|(f, _)| *f == field) {
                self.made_for = None;
                self.listed.clear();
            }
            return false;
        }
        self.update(field, value, contacts);
        if self.listed.is_empty() {
            return false;
        }
        let n = self.listed.len();
        let (down, up, enter, escape) = ui.input_mut(|i| {
            (
                i.consume_key(Modifiers::NONE, Key::ArrowDown),
                i.consume_key(Modifiers::NONE, Key::ArrowUp),
                i.consume_key(Modifiers::NONE, Key::Enter),
                i.consume_key(Modifiers::NONE, Key::Escape),
            )
        });
        // Tab takes the suggestion and lets the focus move on, as in Thunderbird.
        let tab = ui.input(|i| i.key_pressed(Key::Tab) && i.modifiers.is_none());
        if down {
            self.pick = (self.pick + 1) % n;
        }
        if up {
            self.pick = (self.pick + n - 1) % n;
        }
        if escape {
            self.dismissed = Some(typing(value).1.to_string());
            self.listed.clear();
            return false;
        }
        if enter || tab {
            let chosen = &contacts[self.listed[self.pick]];
            *value = taken(value, chosen);
            self.listed.clear();
            if enter {
                end_cursor(ui, id, value);
            }
            return true;
        }
        false
    }

    /// Makes the list again when the text changed.
    fn update(&mut self, field: &'static str, value: &str, contacts: &[Contact]) {
        let now = typing(value).1;
        if self
            .made_for
            .as_ref()
            .is_some_and(|(f, t)| *f == field && t == now)
        {
            return;
        }
        self.made_for = Some((field, now.to_string()));
        self.pick = 0;
        if self.dismissed.as_deref() == Some(now) {
            self.listed.clear();
            return;
        }
        self.dismissed = None;
        let present: Vec<String> = split_addresses(value)
            .iter()
            .filter_map(|a| crate::message::parse_mailbox("To", a).ok())
            .map(|m| m.email.to_string())
            .collect();
        self.listed = suggest(contacts, now, &present, SHOWN);
    }

    /// Draws the list under `field`'s text edit (`id`, holding `value`), if there is one;
    /// a click takes a suggestion. Returns whether one was taken.
    pub fn list(
        &mut self,
        ui: &mut Ui,
        field: &'static str,
        id: egui::Id,
        value: &mut String,
        contacts: &[Contact],
    ) -> bool {
        if !self.has_list(field) {
            return false;
        }
        let mut taken_now = None;
        let help = tr!("suggestions");
        ui.label(RichText::new(&help).weak());
        ui.push_id(("suggestions", field), |ui| {
            // A list to a screen reader, named by its help; each row says whether it is the
            // one chosen.
            let list = ui.unique_id();
            ui.ctx().accesskit_node_builder(list, |node| {
                node.set_role(egui::accesskit::Role::List);
                node.set_label(help.clone());
            });
            for (i, &at) in self.listed.iter().enumerate() {
                let c = &contacts[at];
                if ui.selectable_label(i == self.pick, c.mailbox()).clicked() {
                    taken_now = Some(at);
                }
            }
        });
        if let Some(at) = taken_now {
            *value = taken(value, &contacts[at]);
            self.listed.clear();
            ui.memory_mut(|m| m.request_focus(id));
            end_cursor(ui, id, value);
            return true;
        }
        false
    }
}

impl Suggest {
    /// Whether suggestions are listed under `field`.
    pub fn has_list(&self, field: &str) -> bool {
        self.made_for.as_ref().is_some_and(|(f, _)| *f == field) && !self.listed.is_empty()
    }
}

/// Puts the text cursor of the text edit `id` at the end of `value`.
fn end_cursor(ui: &Ui, id: egui::Id, value: &str) {
    let mut state = egui::TextEdit::load_state(ui.ctx(), id).unwrap_or_default();
    let end = egui::text::CCursor::new(value.chars().count());
    state
        .cursor
        .set_char_range(Some(egui::text::CCursorRange::one(end)));
    state.store(ui.ctx(), id);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contacts::Origin;

    #[test]
    fn the_address_being_typed_is_the_one_after_the_last_comma() {
        assert_eq!(typing("bo"), (0, "bo"));
        assert_eq!(typing("a@x.org, bo"), (9, "bo"));
        assert_eq!(typing("a@x.org;  "), (10, ""));
    }

    #[test]
    fn a_suggestion_taken_replaces_what_was_typed_and_leaves_room_for_the_next() {
        let bob = Contact {
            name: Some("Bob Baker".into()),
            email: "bob@example.net".into(),
            origin: Origin::Sent,
            uses: 1,
            last: 0,
        };
        assert_eq!(taken("bo", &bob), "Bob Baker <bob@example.net>, ");
        assert_eq!(
            taken("a@x.org, Bo", &bob),
            "a@x.org, Bob Baker <bob@example.net>, "
        );
    }
}
