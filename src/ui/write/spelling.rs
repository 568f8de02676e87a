//! Spelling in Write: the dictionaries installed and read (asked of the core; none → said
//! once, writing unaffected), the language of each message (Outpost's language first, then
//! the system's), misspelt words underlined in Subject and the text as they are typed
//! (checked a slice per frame, see [`crate::spelling::Marks`]), a line saying which words
//! they are (for those who do not see the underline), and the menu of suggestions — on a
//! right click, or the menu key / Shift+F10 with the cursor in the word — with "Add to the
//! dictionary".

use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use egui::text::{LayoutJob, TextFormat};
use egui::{Key, Modifiers, RichText, Ui};

use crate::spelling::{BUDGET, Found, Installed, Marks, Speller, choose, language_name, words};
use crate::ui::design;

/// The dictionaries, for every message: which are installed, which are read.
#[derive(Default)]
pub struct Dictionaries {
    /// Where to look instead of the usual places (tests).
    pub dirs: Option<Vec<PathBuf>>,
    /// Installed ones, once the core looked.
    installed: Option<Vec<Installed>>,
    /// Each dictionary asked for, by code: being read, read, or why not.
    read: HashMap<String, Reading>,
    /// Asked for, not read yet.
    pending: Vec<Installed>,
    /// Words to add to the person's list.
    pub added: Vec<String>,
    /// That none is installed was said (in one message: once is enough).
    none_said: bool,
}

/// Where a dictionary asked for is.
#[derive(Clone)]
enum Reading {
    /// The core is reading it.
    Pending,
    /// Ready to check with.
    Ready(Arc<Speller>),
    /// It could not be read: why.
    Failed(String),
}

/// Which language a message is checked in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Choice {
    /// Outpost's language, else the system's.
    #[default]
    Default,
    /// Not checked.
    Off,
    /// This dictionary's code.
    Code(String),
}

impl Dictionaries {
    /// The installed ones are known (or being asked for).
    pub fn known(&self) -> bool {
        self.installed.is_some()
    }

    /// The core found these installed.
    pub fn installed(&mut self, found: Vec<Installed>) {
        self.installed = Some(found);
    }

    /// The core read a dictionary, or could not.
    pub fn read(&mut self, code: String, result: Result<Arc<Speller>, String>) {
        let reading = match result {
            Ok(s) => Reading::Ready(s),
            Err(e) => Reading::Failed(e),
        };
        self.read.insert(code, reading);
    }

    /// Dictionaries to read, asked since the last call.
    pub fn take_wanted(&mut self) -> Vec<Installed> {
        std::mem::take(&mut self.pending)
    }

    /// Where the dictionary for `choice` is (asked for the first time here); `None` when
    /// no dictionary fits it.
    fn speller(&mut self, choice: &Choice) -> Option<Reading> {
        let code = self.code(choice)?;
        if let Some(r) = self.read.get(&code) {
            return Some(r.clone());
        }
        let installed = self.installed.as_ref()?.iter().find(|i| i.code == code)?;
        self.pending.push(installed.clone());
        self.read.insert(code, Reading::Pending);
        Some(Reading::Pending)
    }

    /// The code `choice` means, if any dictionary fits.
    fn code(&self, choice: &Choice) -> Option<String> {
        match choice {
            Choice::Off => None,
            Choice::Code(c) => Some(c.clone()),
            Choice::Default => {
                let mut wanted = vec![crate::i18n::language().code().to_string()];
                wanted.extend(std::env::var("LANG").ok());
                choose(self.installed.as_ref()?, &wanted).map(|i| i.code.clone())
            }
        }
    }
}

/// A word's menu: the word, its place in the text, and its suggestions once found (off the
/// UI thread: suggesting can take a while for a long word).
pub struct WordMenu {
    field: &'static str,
    range: Range<usize>,
    word: String,
    suggestions: Arc<Mutex<Option<Vec<String>>>>,
    at: egui::Pos2,
}

/// What a message's spelling keeps: its language, what is known of its words, the menu.
#[derive(Default)]
pub struct Spelling {
    /// The language chosen for this message.
    pub choice: Choice,
    subject: Marks,
    body: Marks,
    /// The text's misspelt words, last frame.
    found: Found,
    /// Those words, each once, in the order they come.
    wrong_words: Vec<String>,
    menu: Option<WordMenu>,
    /// This message says that no dictionary is installed.
    says_none: bool,
}

/// A layout of `text` with `wrong` ranges underlined, as the text edit lays out its text.
fn layout(ui: &Ui, text: &str, wrong: &[Range<usize>], wrap: f32, multiline: bool) -> LayoutJob {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let row = ui.fonts_mut(|f| f.row_height(&font));
    let mut plain = TextFormat::simple(font, ui.visuals().text_color());
    plain.line_height = Some(row + ui.spacing().extra_text_line_spacing);
    let marked = TextFormat {
        underline: egui::Stroke::new(1.5, design::error(ui)),
        ..plain.clone()
    };
    let mut job = LayoutJob {
        keep_trailing_whitespace: true,
        ..Default::default()
    };
    job.wrap.max_width = if multiline { wrap } else { f32::INFINITY };
    let mut at = 0;
    for r in wrong {
        if r.end > text.len() || r.start < at {
            continue;
        }
        job.append(&text[at..r.start], 0.0, plain.clone());
        job.append(&text[r.clone()], 0.0, marked.clone());
        at = r.end;
    }
    job.append(&text[at..], 0.0, plain);
    job
}

/// The word of `text` at byte `at`, if it is one that is checked.
fn word_at(text: &str, at: usize) -> Option<(Range<usize>, String)> {
    words(text)
        .find(|(r, _)| r.start <= at && at <= r.end)
        .map(|(r, w)| (r, w.to_string()))
}

impl Spelling {
    /// Draws the text edit for `field` ("subject": one line; "body": at least `height`
    /// high) on `text`, its misspelt words underlined by the message's dictionary; opens the
    /// word menu on a right click or the menu key. Returns the text edit's response.
    pub fn edit(
        &mut self,
        ui: &mut Ui,
        field: &'static str,
        text: &mut String,
        height: f32,
        dictionaries: &mut Dictionaries,
    ) -> egui::Response {
        let edit = if field == "body" {
            egui::TextEdit::multiline(&mut *text)
                .id_salt("compose-body")
                .desired_rows(6)
                .min_size(egui::vec2(0.0, height))
        } else {
            egui::TextEdit::singleline(&mut *text).id_salt("compose-subject")
        }
        .desired_width(f32::INFINITY);
        let speller = match dictionaries.speller(&self.choice) {
            Some(Reading::Ready(s)) => Some(s),
            _ => None,
        };
        let multiline = field == "body";
        let Some(speller) = speller else {
            if multiline {
                self.found = Found::default();
                self.wrong_words.clear();
            }
            return ui.add(edit);
        };
        let marks = if multiline {
            &mut self.body
        } else {
            &mut self.subject
        };
        let mut found = Found::default();
        let mut layouter = |ui: &Ui, buf: &dyn egui::TextBuffer, wrap: f32| {
            found = marks.find(buf.as_str(), &speller, BUDGET);
            let job = layout(ui, buf.as_str(), &found.wrong, wrap, multiline);
            ui.fonts_mut(|f| f.layout_job(job))
        };
        let output = edit.layouter(&mut layouter).show(ui);
        if !found.complete {
            ui.ctx().request_repaint();
        }
        let response = output.response.response.clone();
        // The menu: a right click on a word, or the menu key / Shift+F10 in one.
        let key = response.has_focus()
            && ui.input_mut(|i| {
                i.consume_key(Modifiers::NONE, Key::Menu)
                    || i.consume_key(Modifiers::SHIFT, Key::F10)
            });
        let place = if response.secondary_clicked() {
            ui.input(|i| i.pointer.interact_pos()).map(|p| {
                let c = output.galley.cursor_from_pos(p - output.galley_pos);
                (byte_at(text, c.index.0), p)
            })
        } else if key {
            output.cursor_range.map(|r| {
                let pos = output.galley.pos_from_cursor(r.primary);
                (
                    byte_at(text, r.primary.index.0),
                    output.galley_pos + pos.left_bottom().to_vec2(),
                )
            })
        } else {
            None
        };
        if let Some((at, pos)) = place
            && let Some((range, word)) = word_at(text, at)
            && found.wrong.contains(&range)
        {
            let suggestions = Arc::new(Mutex::new(None));
            let out = suggestions.clone();
            let (w, s, ctx) = (word.clone(), speller.clone(), ui.ctx().clone());
            std::thread::spawn(move || {
                let found = s.suggest(&w);
                if let Ok(mut slot) = out.lock() {
                    *slot = Some(found);
                }
                ctx.request_repaint();
            });
            self.menu = Some(WordMenu {
                field,
                range,
                word,
                suggestions,
                at: pos,
            });
        }
        if multiline {
            let mut distinct: Vec<String> = vec![];
            for r in &found.wrong {
                if let Some(w) = text.get(r.clone())
                    && !distinct.iter().any(|d| d == w)
                {
                    distinct.push(w.to_string());
                }
            }
            self.wrong_words = distinct;
            self.found = found;
        }
        self.menu_ui(ui, field, text, &speller, dictionaries);
        response
    }

    /// The word menu for `field`, when open: suggestions (each replaces the word), and "Add
    /// to the dictionary"; Esc or a click elsewhere closes it.
    fn menu_ui(
        &mut self,
        ui: &mut Ui,
        field: &'static str,
        text: &mut String,
        speller: &Speller,
        dictionaries: &mut Dictionaries,
    ) {
        let Some(menu) = self.menu.as_ref().filter(|m| m.field == field) else {
            return;
        };
        let suggestions = menu.suggestions.lock().ok().and_then(|s| s.clone());
        let mut chosen: Option<String> = None;
        let mut add = false;
        let area = egui::Area::new(egui::Id::unique(("spelling-menu", field)))
            .order(egui::Order::Foreground)
            .fixed_pos(menu.at)
            .show(ui.ctx(), |ui| {
                egui::Frame::menu(ui.style()).show(ui, |ui| {
                    ui.label(
                        RichText::new(tr!("spelling-menu", word = menu.word.as_str())).strong(),
                    );
                    match &suggestions {
                        None => {
                            ui.label(RichText::new(tr!("spelling-finding")).weak());
                        }
                        Some(list) if list.is_empty() => {
                            ui.label(RichText::new(tr!("spelling-no-suggestions")).weak());
                        }
                        Some(list) => {
                            for (i, s) in list.iter().take(8).enumerate() {
                                let b = ui.button(s);
                                if i == 0 {
                                    crate::ui::widgets::arrive(ui, &b, "spelling-menu");
                                }
                                if b.clicked() {
                                    chosen = Some(s.clone());
                                }
                            }
                        }
                    }
                    ui.separator();
                    add = ui
                        .button(tr!("spelling-add", word = menu.word.as_str()))
                        .clicked();
                });
            });
        let close = ui.input(|i| i.key_pressed(Key::Escape))
            || (area.response.clicked_elsewhere() && suggestions.is_some());
        if let Some(s) = chosen {
            if text.get(menu.range.clone()) == Some(menu.word.as_str()) {
                text.replace_range(menu.range.clone(), &s);
            }
            self.menu = None;
        } else if add {
            speller.add(&menu.word);
            self.subject.accept(&menu.word);
            self.body.accept(&menu.word);
            dictionaries.added.push(menu.word.clone());
            self.menu = None;
        } else if close {
            self.menu = None;
        }
    }

    /// Whether the word menu is open (Esc closes it, not the message).
    pub fn menu_open(&self) -> bool {
        self.menu.is_some()
    }

    /// The language row under the text: the dictionary chosen (or Off), and which words are
    /// not in it; said once when no dictionary is installed.
    pub fn status(&mut self, ui: &mut Ui, dictionaries: &mut Dictionaries) {
        let Some(installed) = dictionaries.installed.clone() else {
            return;
        };
        if installed.is_empty() {
            if !std::mem::replace(&mut dictionaries.none_said, true) {
                self.says_none = true;
            }
            if self.says_none {
                ui.label(RichText::new(tr!("spelling-none")).weak());
            }
            return;
        }
        ui.horizontal_wrapped(|ui| {
            let label = ui.label(tr!("spelling-label"));
            let current = match dictionaries.code(&self.choice) {
                Some(code) => language_name(&code),
                None => tr!("spelling-off"),
            };
            let mut choice = self.choice.clone();
            let r = egui::ComboBox::from_id_salt("compose-spelling")
                .selected_text(&current)
                .show_ui(ui, |ui| {
                    for i in &installed {
                        ui.selectable_value(&mut choice, Choice::Code(i.code.clone()), i.name());
                    }
                    ui.selectable_value(&mut choice, Choice::Off, tr!("spelling-off"));
                })
                .response
                .labelled_by(label.id);
            crate::ui::widgets::tell_value(ui, r.id, &current);
            if choice != self.choice {
                self.choice = choice;
            }
            match dictionaries.speller(&self.choice) {
                Some(Reading::Pending) => {
                    ui.label(RichText::new(tr!("spelling-loading")).weak());
                }
                Some(Reading::Failed(e)) => {
                    ui.label(RichText::new(e).color(design::error(ui)));
                }
                Some(Reading::Ready(_)) => self.found_line(ui),
                None => {}
            }
        });
    }

    /// Which words of the text are not in the dictionary, in words.
    fn found_line(&self, ui: &mut Ui) {
        if !self.found.complete {
            ui.label(RichText::new(tr!("spelling-checking")).weak());
            return;
        }
        if self.found.wrong.is_empty() {
            ui.label(RichText::new(tr!("spelling-all-right")).weak());
            return;
        }
        let mut shown: Vec<String> = self.wrong_words.iter().take(5).cloned().collect();
        if self.wrong_words.len() > 5 {
            shown.push("…".into());
        }
        let line = tr!(
            "spelling-wrong",
            count = self.wrong_words.len(),
            words = shown.join(", ")
        );
        ui.label(RichText::new(line).color(design::warn(ui)))
            .on_hover_text(tr!("spelling-hint"));
    }
}

/// The byte offset of character `index` in `text`.
fn byte_at(text: &str, index: usize) -> usize {
    text.char_indices()
        .nth(index)
        .map_or(text.len(), |(b, _)| b)
}
