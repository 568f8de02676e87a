//! Compose: From (account picker), To/Cc/Bcc checked as you type, Subject, body, attachments
//! (the file dialog, dropped files, or a typed path) with the total size checked against the
//! server's advertised SIZE. Ctrl+Enter sends; Esc asks before discarding a non-empty draft.
//! Pure view state: file sizes are read by the core ([`Compose::take_unsized`]).

use std::path::PathBuf;

use egui::{Key, Modifiers, RichText, Ui};

use crate::account::store::Accounts;
use crate::account::{Account, AccountId, Identity};
use crate::clock::Millis;
use crate::explain::{capitalise, size_in_words};
use crate::message::{Draft, FileChange, Unsent, UnsentFile, parse_mailbox, split_addresses};
use crate::usecases::writing::Kept;

use super::keeping::Keeping;
use super::spelling::{Dictionaries, Spelling};
use super::suggest::Suggest;
use crate::contacts::Contact;
use crate::ui::design;
use crate::ui::widgets;

/// What the person asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComposeAction {
    /// Queue the message.
    Send,
    /// Open the file dialog.
    PickFiles,
    /// Close compose, dropping the draft.
    Discard,
    /// The sending account changed: its server's size limit is wanted.
    AccountChanged(AccountId),
    /// Go back to the draft set aside.
    SwitchToParked,
    /// Queue the message to be sent at this moment.
    SendAt(Millis),
}

/// What the compose screen knows about the server's size limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SizeLimit {
    /// Being asked.
    Asking,
    /// The server accepts at most this many bytes.
    Bytes(u64),
    /// The server names no limit.
    None,
    /// The server could not be asked; says why.
    Unknown(String),
}

/// One attached file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attached {
    /// The file.
    pub path: PathBuf,
    /// Its size, once read; or why it cannot be attached.
    pub size: Option<Result<u64, String>>,
}

/// The draft being written.
pub struct Compose {
    /// The sending account.
    pub from: Option<AccountId>,
    /// The address it sends as, when not its own (one of its identities).
    pub as_address: Option<String>,
    /// To, as typed (comma-separated).
    pub to: String,
    /// Cc, as typed.
    pub cc: String,
    /// Bcc, as typed.
    pub bcc: String,
    /// Subject.
    pub subject: String,
    /// Body.
    pub body: String,
    /// Attachments.
    pub attachments: Vec<Attached>,
    /// A path typed by hand (when no file dialog can be shown, or by preference).
    pub typed_path: String,
    /// Why the file dialog could not be shown.
    pub dialog_problem: Option<String>,
    /// The file chooser was asked for over a second ago and has not answered.
    pub dialog_slow: bool,
    /// Esc was pressed on a non-empty draft: ask first.
    pub confirm_discard: bool,
    /// A send is running.
    pub sending: bool,
    /// Why the last send was refused.
    pub error: Option<crate::explain::Explanation>,
    /// The height of what is drawn under the editor (attachments), last frame.
    below_editor: f32,
    /// "Send later…" is open, with the moment as typed.
    later: Option<String>,
    /// Its calendar, when opened.
    calendar: Option<super::calendar::Calendar>,
    /// Files added whose sizes are still to be asked for.
    to_size: Vec<PathBuf>,
    /// Its saving as a draft.
    pub keeping: Keeping,
    /// Said once above the fields: the draft came back, and what changed in its files.
    pub notice: Option<String>,
    /// The address suggestions under To, Cc and Bcc.
    suggest: Suggest,
    /// Its spelling: language, misspelt words, the word menu.
    pub spelling: Spelling,
}

/// What Write knows beyond one message: the addresses to suggest and the dictionaries.
pub struct Aids<'a> {
    /// The addresses to suggest, best first.
    pub contacts: &'a [Contact],
    /// The dictionaries.
    pub dictionaries: &'a mut Dictionaries,
}

impl Default for Compose {
    fn default() -> Self {
        Self {
            from: None,
            as_address: None,
            to: String::new(),
            cc: String::new(),
            bcc: String::new(),
            subject: String::new(),
            body: String::new(),
            attachments: vec![],
            typed_path: String::new(),
            dialog_problem: None,
            dialog_slow: false,
            confirm_discard: false,
            sending: false,
            error: None,
            below_editor: 0.0,
            later: None,
            calendar: None,
            to_size: vec![],
            keeping: Keeping::default(),
            notice: None,
            suggest: Suggest::default(),
            spelling: Spelling::default(),
        }
    }
}

/// The first bad address in a field, as a sentence.
/// The name a header field is shown with ("To" → "An" in German).
fn header_label(field: &str) -> String {
    match field {
        "Cc" => tr!("header-cc"),
        "Bcc" => tr!("header-bcc"),
        _ => tr!("header-to"),
    }
}
fn field_error(field: &'static str, value: &str) -> Option<String> {
    split_addresses(value)
        .iter()
        .find_map(|a| parse_mailbox(field, a).err())
        .map(|e| e.to_string())
}

/// What a message of `raw` bytes of attachments and `text` bytes of text weighs once
/// encoded: base64 makes 3 bytes 4, plus a line break every 76 characters, plus headers.
pub fn encoded_size(text: u64, raw: u64) -> u64 {
    let b64 = raw.div_ceil(3) * 4;
    text + b64 + b64 / 76 * 2 + 2048
}

impl Compose {
    /// A new draft from `account`.
    pub fn new(from: Option<AccountId>) -> Self {
        Self {
            from,
            ..Default::default()
        }
    }

    /// A draft filled from a queued message (edit & resend).
    pub fn from_draft(draft: Draft, from: Option<AccountId>) -> Self {
        let mut c = Self::new(from);
        c.as_address = Some(draft.from);
        c.to = draft.to.join(", ");
        c.cc = draft.cc.join(", ");
        c.bcc = draft.bcc.join(", ");
        c.subject = draft.subject;
        c.body = draft.body;
        c.add_files(draft.attachments);
        c
    }

    /// A draft kept in the outbox's database, back as it was saved; the notice says so, and
    /// which of its files are gone or changed since. Its account, if it is still among
    /// `accounts`, sends it.
    pub fn from_kept(kept: Kept, accounts: Option<&Accounts>) -> Self {
        let d = kept.draft;
        let from = accounts.and_then(|all| {
            all.accounts
                .iter()
                .find(|a| Some(a.id.as_str()) == d.account.as_deref())
                .map(|a| a.id.clone())
        });
        let mut c = Self::new(from);
        c.as_address = d.as_address.clone();
        c.to = d.to.clone();
        c.cc = d.cc.clone();
        c.bcc = d.bcc.clone();
        c.subject = d.subject.clone();
        c.body = d.body.clone();
        c.add_files(d.files.iter().map(|f| f.path.clone()).collect());
        let mut notice = vec![tr!(
            "draft-back",
            when = crate::clock::local_minute(d.saved)
        )];
        notice.extend(kept.changed.iter().map(|(path, change)| {
            let file = path.display().to_string();
            match change {
                FileChange::Gone => tr!("draft-file-gone", file = file),
                FileChange::Changed => tr!("draft-file-changed", file = file),
            }
        }));
        c.notice = Some(notice.join(" "));
        c.keeping = Keeping::restored(&d);
        c
    }

    /// What is written, as a draft is saved (its key, revision and time filled by keeping).
    pub fn unsent(&self) -> Unsent {
        Unsent {
            account: self.from.as_ref().map(|id| id.as_str().to_string()),
            as_address: self.as_address.clone(),
            to: self.to.clone(),
            cc: self.cc.clone(),
            bcc: self.bcc.clone(),
            subject: self.subject.clone(),
            body: self.body.clone(),
            // Their size and time are read by the core as it saves (no disk here).
            files: self
                .attachments
                .iter()
                .map(|a| UnsentFile {
                    path: a.path.clone(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    /// Whether anything was written.
    pub fn is_empty(&self) -> bool {
        [&self.to, &self.cc, &self.bcc, &self.subject, &self.body]
            .iter()
            .all(|s| s.trim().is_empty())
            && self.attachments.is_empty()
    }

    /// Adds files; their sizes are for the core to read (see [`Self::take_unsized`]).
    pub fn add_files(&mut self, paths: Vec<PathBuf>) {
        for path in paths {
            if self.attachments.iter().any(|a| a.path == path) {
                continue;
            }
            self.attachments.push(Attached {
                path: path.clone(),
                size: None,
            });
            self.to_size.push(path);
        }
    }

    /// Files added since the last call, whose sizes the core is to read.
    pub fn take_unsized(&mut self) -> Vec<PathBuf> {
        std::mem::take(&mut self.to_size)
    }

    /// Sizes the core read (or why it could not).
    pub fn sizes_read(&mut self, sizes: Vec<(PathBuf, Result<u64, String>)>) {
        for (path, size) in sizes {
            if let Some(a) = self.attachments.iter_mut().find(|a| a.path == path) {
                a.size = Some(size);
            }
        }
    }

    /// Who `account` sends this as: the identity chosen, or its own address.
    fn identity(&self, account: &Account) -> Identity {
        self.as_address
            .as_deref()
            .and_then(|e| account.identity(e))
            .unwrap_or_else(|| account.own_identity())
    }

    /// The draft for `account`, as the outbox takes it: from the identity chosen, signed.
    pub fn draft(&self, account: &Account) -> Draft {
        let identity = self.identity(account);
        Draft {
            from: identity.email.clone(),
            from_name: identity.display_name.clone(),
            reply_to: identity.reply_to.clone(),
            to: split_addresses(&self.to),
            cc: split_addresses(&self.cc),
            bcc: split_addresses(&self.bcc),
            subject: self.subject.clone(),
            body: identity.signed(&self.body),
            attachments: self.attachments.iter().map(|a| a.path.clone()).collect(),
        }
    }

    /// The attachments' total size, if every size is known.
    fn attachment_bytes(&self) -> Option<u64> {
        self.attachments
            .iter()
            .map(|a| a.size.as_ref().and_then(|s| s.as_ref().ok().copied()))
            .sum()
    }

    /// Why the draft cannot be sent yet, if it cannot.
    fn blocker(&self, limit: Option<&SizeLimit>) -> Option<String> {
        if self.from.is_none() {
            return Some(tr!("choose-account"));
        }
        if [&self.to, &self.cc, &self.bcc]
            .iter()
            .all(|f| split_addresses(f).is_empty())
        {
            return Some(tr!("add-recipient"));
        }
        for (field, value) in [("To", &self.to), ("Cc", &self.cc), ("Bcc", &self.bcc)] {
            if field_error(field, value).is_some() {
                return Some(tr!("correct-address-in", field = header_label(field)));
            }
        }
        if let Some(a) = self
            .attachments
            .iter()
            .find(|a| matches!(a.size, Some(Err(_))))
        {
            return Some(tr!(
                "remove-unreadable",
                file = a.path.display().to_string()
            ));
        }
        let raw = self.attachment_bytes()?;
        let size = encoded_size(self.body.len() as u64, raw);
        if let Some(SizeLimit::Bytes(max)) = limit
            && *max > 0
            && size > *max
        {
            return Some(tr!(
                "too-big",
                size = size_in_words(size),
                limit = size_in_words(*max)
            ));
        }
        None
    }

    /// Draws the screen in the window's `ui`: the send row along the bottom, always in view,
    /// and above it the fields and the editor, which grows with the window; `limit` is what
    /// is known of the chosen account's server; `parked` whether a draft is set aside.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        accounts: &Accounts,
        limit: Option<&SizeLimit>,
        parked: bool,
        aids: &mut Aids<'_>,
    ) -> Option<ComposeAction> {
        // Taken before the text fields draw, so the body does not turn them into a newline.
        let send_key = ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::Enter));
        // While the question is open, Escape is its answer ("keep writing"); while address
        // suggestions show, it closes them.
        let escape = !self.confirm_discard
            && !self.suggest.open
            && !self.spelling.menu_open()
            && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape));
        let dropped: Vec<PathBuf> = ui.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if !dropped.is_empty() {
            self.add_files(dropped);
        }
        let mut action = None;
        if self.from.is_none() {
            self.from = accounts.default_sender().map(|a| a.id.clone());
            action = self.from.clone().map(ComposeAction::AccountChanged);
        }
        egui::Panel::bottom("compose-send").show(ui, |ui| {
            ui.add_space(design::GAP);
            if let Some(e) = &self.error {
                widgets::explanation(ui, e);
                ui.add_space(design::GAP);
            }
            if let Some(a) = self.send_row(ui, limit, send_key) {
                action = Some(a);
            }
            ui.add_space(design::GAP);
        });
        egui::CentralPanel::default_margins().show(ui, |ui| {
            let height = ui.available_height();
            let body = widgets::scroll(ui, &tr!("scroll-message"), |ui| {
                self.body(ui, accounts, limit, parked, height, aids)
            });
            action = body.or(action.take());
        });
        if escape {
            if self.is_empty() {
                action = Some(ComposeAction::Discard);
            } else {
                self.confirm_discard = true;
            }
        }
        if let Some(a) = self.confirm_discard(ui) {
            action = Some(a);
        }
        action
    }

    /// The heading, the fields, the editor (filling what `height` leaves) and the
    /// attachments.
    fn body(
        &mut self,
        ui: &mut Ui,
        accounts: &Accounts,
        limit: Option<&SizeLimit>,
        parked: bool,
        height: f32,
        aids: &mut Aids<'_>,
    ) -> Option<ComposeAction> {
        let mut action = None;
        ui.horizontal(|ui| {
            ui.heading(tr!("new-message"));
            if parked {
                ui.add_space(design::SECTION_GAP);
                ui.label(RichText::new(tr!("draft-set-aside")).weak());
                if ui.button(tr!("switch-to-draft")).clicked() {
                    action = Some(ComposeAction::SwitchToParked);
                }
            }
        });
        if let Some(notice) = &self.notice {
            ui.label(RichText::new(notice).color(design::ok(ui)));
        }
        if let Some(problem) = &self.keeping.problem {
            widgets::explanation(ui, problem);
        }
        ui.add_space(design::GAP);
        if let Some(a) = self.fields(ui, accounts, aids) {
            action = Some(a);
        }
        ui.add_space(design::GAP);
        let label = ui.label(tr!("field-message"));
        // The editor takes the height left, less what the attachments took last frame; at
        // least six lines (then the screen scrolls).
        let line = ui.text_style_height(&egui::TextStyle::Body);
        let rest = height - ui.min_rect().height() - self.below_editor;
        let height = rest.max(6.0 * line);
        self.spelling
            .edit(ui, "body", &mut self.body, height, aids.dictionaries)
            .labelled_by(label.id);
        self.spelling.status(ui, aids.dictionaries);
        let top = ui.min_rect().bottom();
        let signature = self
            .from
            .as_ref()
            .and_then(|id| accounts.by_id(id))
            .and_then(|a| self.identity(a).signature)
            .filter(|s| !s.trim().is_empty() && !self.body.contains(s.trim_end()));
        if let Some(sig) = signature {
            ui.label(
                RichText::new(format!(
                    "{}\n-- \n{}",
                    tr!("signature-added"),
                    sig.trim_end()
                ))
                .weak(),
            );
        }
        ui.add_space(design::GAP);
        if let Some(a) = self.attachments_section(ui, limit) {
            action = Some(a);
        }
        let below = ui.min_rect().bottom() - top + design::GAP;
        if (below - self.below_editor).abs() > 0.5 {
            self.below_editor = below;
            ui.ctx().request_repaint();
        }
        action
    }

    /// From, To, Cc, Bcc and Subject.
    fn fields(
        &mut self,
        ui: &mut Ui,
        accounts: &Accounts,
        aids: &mut Aids<'_>,
    ) -> Option<ComposeAction> {
        let mut action = None;
        egui::Grid::new("compose")
            .num_columns(2)
            .spacing([12.0, 8.0])
            .min_col_width(60.0)
            .show(ui, |ui| {
                let label = ui.label(tr!("field-from"));
                let identity = self
                    .from
                    .as_ref()
                    .and_then(|id| accounts.by_id(id))
                    .map(|a| self.identity(a));
                let shown = identity
                    .as_ref()
                    .map_or_else(|| tr!("choose-an-account"), Identity::mailbox);
                // Every address of every account; the account's own first.
                let before = (
                    self.from.clone(),
                    identity.as_ref().map(|i| i.email.clone()),
                );
                let mut choice = before.clone();
                let r = egui::ComboBox::from_id_salt("compose-from")
                    .selected_text(&shown)
                    .width(360.0)
                    .show_ui(ui, |ui| {
                        for a in &accounts.accounts {
                            for i in a.identities() {
                                let value = (Some(a.id.clone()), Some(i.email.clone()));
                                ui.selectable_value(&mut choice, value, i.mailbox());
                            }
                        }
                    })
                    .response
                    .labelled_by(label.id);
                widgets::tell_value(ui, r.id, &shown);
                ui.end_row();
                if let Some((email, words)) = identity.and_then(|i| i.refused.map(|w| (i.email, w)))
                {
                    ui.label("");
                    ui.label(
                        RichText::new(tr!(
                            "from-refused",
                            email = email.as_str(),
                            words = words.as_str()
                        ))
                        .color(design::error(ui)),
                    );
                    ui.end_row();
                }
                if choice != before {
                    let account_changed = choice.0 != before.0;
                    (self.from, self.as_address) = choice;
                    if account_changed {
                        action = self.from.clone().map(ComposeAction::AccountChanged);
                    }
                }
                self.recipients(ui, aids.contacts);
                let label = ui.label(tr!("field-subject"));
                self.spelling
                    .edit(ui, "subject", &mut self.subject, 0.0, aids.dictionaries)
                    .labelled_by(label.id);
                ui.end_row();
            });
        action
    }

    /// To, Cc and Bcc, each checked as typed, with known addresses suggested.
    fn recipients(&mut self, ui: &mut Ui, contacts: &[Contact]) {
        let mut open = false;
        for (field, value) in [
            ("To", &mut self.to),
            ("Cc", &mut self.cc),
            ("Bcc", &mut self.bcc),
        ] {
            let label = ui.label(header_label(field));
            let suggest = &mut self.suggest;
            ui.vertical(|ui| {
                let id = egui::Id::unique(("compose-recipients", field));
                suggest.keys(ui, field, id, value, contacts);
                let error = field_error(field, value);
                let r = ui
                    .add(
                        egui::TextEdit::singleline(&mut *value)
                            .id(id)
                            .hint_text(tr!("recipients-hint"))
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(label.id);
                if field == "To" {
                    widgets::arrive(ui, &r, "write");
                }
                // Only once the address is complete: not while a suggestion may finish it.
                if let Some(e) = error.filter(|_| !r.has_focus() || !suggest.has_list(field)) {
                    widgets::invalid(ui, r.id, &e);
                }
                suggest.list(ui, field, id, value, contacts);
                open |= suggest.has_list(field);
            });
            ui.end_row();
        }
        self.suggest.open = open;
    }

    /// Send and Discard, with what still keeps the message from being sent.
    fn send_row(
        &mut self,
        ui: &mut Ui,
        limit: Option<&SizeLimit>,
        send_key: bool,
    ) -> Option<ComposeAction> {
        let mut action = None;
        let blocker = self.blocker(limit);
        let ready = blocker.is_none() && !self.sending;
        ui.horizontal(|ui| {
            let send = design::primary(ui, ready, tr!("send")).on_hover_text("Ctrl+Enter");
            if send.clicked() || (send_key && ready) {
                action = Some(ComposeAction::Send);
            }
            if ui
                .add_enabled(
                    ready && self.later.is_none(),
                    egui::Button::new(tr!("send-later")),
                )
                .clicked()
            {
                self.later = Some(crate::clock::next_morning());
            }
            if ui.button(tr!("discard")).clicked() {
                action = Some(ComposeAction::Discard);
            }
            if let Some(b) = &blocker {
                // Nothing written yet is no mistake: say it calmly.
                let text = RichText::new(b);
                ui.label(if self.is_empty() {
                    text.weak()
                } else {
                    text.color(design::error(ui))
                });
            }
        });
        if let Some(a) = self.later_row(ui, ready) {
            action = Some(a);
        }
        action
    }

    /// "Send later…" open: when, read as it is typed, and "Schedule".
    fn later_row(&mut self, ui: &mut Ui, ready: bool) -> Option<ComposeAction> {
        let text = self.later.as_mut()?;
        let mut action = None;
        let mut close = false;
        let when = crate::clock::parse_moment(text);
        ui.horizontal_wrapped(|ui| {
            let label = ui.label(tr!("send-at"));
            let field = ui
                .add(egui::TextEdit::singleline(text).desired_width(150.0))
                .labelled_by(label.id);
            widgets::arrive(ui, &field, "compose-later");
            let future = when.as_ref().ok().filter(|t| **t > crate::clock::now_ms());
            match (&when, future) {
                (Ok(_), Some(at)) => {
                    ui.label(
                        RichText::new(tr!(
                            "send-at-local",
                            when = crate::clock::local(*at),
                            countdown = crate::clock::relative(*at)
                        ))
                        .weak(),
                    );
                }
                (Ok(_), None) => widgets::invalid(ui, field.id, &tr!("time-passed")),
                (Err(e), _) => {
                    widgets::invalid(ui, field.id, &format!("{}.", capitalise(&e.to_string())))
                }
            }
            let schedule = ui.add_enabled(
                ready && future.is_some(),
                egui::Button::new(tr!("schedule")),
            );
            if schedule.clicked() || (field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)))
            {
                action = future.map(|at| ComposeAction::SendAt(*at));
            }
            let calendar = ui.selectable_label(self.calendar.is_some(), tr!("calendar-open"));
            if calendar.clicked() {
                self.calendar = match self.calendar {
                    Some(_) => None,
                    None => Some(super::calendar::Calendar::new(when.as_ref().ok().copied())),
                };
            }
            close = ui.button(tr!("close")).clicked();
        });
        if let Some(c) = &mut self.calendar {
            c.show(ui, when.ok(), text);
        }
        if close || action.is_some() {
            self.later = None;
            self.calendar = None;
        }
        action
    }

    /// "Discard this message?", while Esc's question is open.
    fn confirm_discard(&mut self, ui: &mut Ui) -> Option<ComposeAction> {
        if !self.confirm_discard {
            return None;
        }
        let asked = widgets::ask(ui.ctx(), "confirm-discard", &tr!("discard-title"), |ui| {
            ui.label(tr!("discard-text"));
            ui.add_space(8.0);
            widgets::keep_or_act(ui, &tr!("keep-writing"), &tr!("discard-message"))
        });
        // Escape again, or a click beside the question, keeps writing.
        if asked.answer.is_some() || asked.dismissed {
            self.confirm_discard = false;
        }
        (asked.answer == Some(true)).then_some(ComposeAction::Discard)
    }

    fn attachments_section(
        &mut self,
        ui: &mut Ui,
        limit: Option<&SizeLimit>,
    ) -> Option<ComposeAction> {
        design::section(ui, tr!("attachments"));
        self.attachment_list(ui);
        let mut action = None;
        ui.horizontal(|ui| {
            if ui.button(tr!("attach-files")).clicked() {
                action = Some(ComposeAction::PickFiles);
            }
            ui.label(RichText::new(tr!("or-drop-files")).weak());
        });
        if let Some(p) = &self.dialog_problem {
            ui.label(
                RichText::new(tr!("drop-or-type", problem = p.as_str())).color(design::error(ui)),
            );
        } else if self.dialog_slow {
            ui.label(RichText::new(tr!("file-chooser-slow")).color(design::warn(ui)));
        }
        self.attach_by_path(ui);
        ui.label(RichText::new(self.size_line(limit)).weak());
        action
    }

    /// Each attached file with its size (or why it cannot be read) and a Remove button.
    fn attachment_list(&mut self, ui: &mut Ui) {
        let mut remove = None;
        for (i, a) in self.attachments.iter().enumerate() {
            ui.horizontal(|ui| {
                let name = a.path.file_name().map(|n| n.to_string_lossy().into_owned());
                let shown = name.clone().unwrap_or_else(|| a.path.display().to_string());
                ui.label(shown).on_hover_text(a.path.display().to_string());
                match &a.size {
                    None => {
                        widgets::spinner(ui, &tr!("spinner-file-size"));
                    }
                    Some(Ok(n)) => {
                        ui.label(RichText::new(size_in_words(*n)).weak());
                    }
                    Some(Err(e)) => {
                        ui.label(
                            RichText::new(tr!("cannot-be-read", error = e.to_string()))
                                .color(design::error(ui)),
                        );
                    }
                }
                let button = tr!("remove-file", file = name.unwrap_or_default());
                if ui.small_button(button).clicked() {
                    remove = Some(i);
                }
            });
        }
        if let Some(i) = remove {
            self.attachments.remove(i);
        }
    }

    /// A path typed by hand, attached with the button or Enter.
    fn attach_by_path(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            let label = ui.label(tr!("field-file-path"));
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut self.typed_path)
                        .hint_text(tr!("file-path-hint"))
                        .desired_width(300.0),
                )
                .labelled_by(label.id);
            let enter = r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            let typed = !self.typed_path.trim().is_empty();
            let button = ui.add_enabled(typed, egui::Button::new(tr!("attach")));
            if (button.clicked() || enter) && typed {
                let path = expand_home(self.typed_path.trim());
                self.typed_path.clear();
                self.add_files(vec![path]);
            }
        });
    }

    /// The message's size as it will be sent, against what the server accepts.
    fn size_line(&self, limit: Option<&SizeLimit>) -> String {
        let Some(raw) = self.attachment_bytes() else {
            return tr!("reading-sizes");
        };
        let total = encoded_size(self.body.len() as u64, raw);
        let server = match limit {
            Some(SizeLimit::Bytes(n)) if *n > 0 => {
                tr!("limit-up-to", size = size_in_words(*n))
            }
            Some(SizeLimit::Bytes(_)) | Some(SizeLimit::None) => tr!("limit-none"),
            Some(SizeLimit::Asking) => tr!("limit-asking"),
            Some(SizeLimit::Unknown(why)) => tr!("limit-unknown", why = why.to_string()),
            None => tr!("limit-choose-account"),
        };
        tr!("total-size", size = size_in_words(total), server = server)
    }
}

/// `~/x` → the home folder's `x`.
fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_address_in_a_field_is_named() {
        assert!(field_error("To", "bob@example.net, nope").is_some());
        assert!(field_error("To", "Bob <bob@example.net>").is_none());
    }

    #[test]
    fn the_encoded_size_counts_base64() {
        assert_eq!(encoded_size(0, 3), 4 + 2048);
        let mb = 1024 * 1024;
        let e = encoded_size(0, 30 * mb);
        assert!(e > 40 * mb && e < 42 * mb, "{e}");
    }
}
