//! The Write screen: the draft being written (and one set aside when a `mailto:` link
//! opened another), the file chooser, and each account's size limit as its server says.

mod calendar;
mod compose;
mod drafts_list;
pub mod file_dialog;
mod keeping;
mod spelling;
mod suggest;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use egui::Ui;

use crate::account::AccountId;
use crate::clock::now_ms;
use crate::contacts::Contact;
use crate::explain::{Explain, Explanation, size_in_words};
use crate::message::Draft;
use crate::message::Unsent;
use crate::runtime::{Command, Ticket};
use crate::ui::{design, widgets};
use crate::usecases::queue::Queued;
use crate::usecases::writing::Kept;
use compose::{Aids, Compose, ComposeAction, SizeLimit};
use drafts_list::{DraftsAction, DraftsList};
use file_dialog::{FilePicker, NativePicker, Pending, Picked};
use keeping::Keep;
use spelling::Dictionaries;

use super::shared::View;
use super::shared::{Nav, Shared};

/// The Write screen's state.
pub struct WriteScreen {
    compose: Option<Compose>,
    /// A draft set aside when a `mailto:` link opened another; one click brings it back.
    parked: Option<Compose>,
    /// The send under way.
    ticket: Option<Ticket>,
    size_limits: HashMap<AccountId, SizeLimit>,
    picker: Arc<dyn FilePicker>,
    picking: Option<Pending>,
    /// The drafts kept in the outbox's database, as last read.
    kept: Vec<Kept>,
    /// The drafts were read (the first time at start).
    kept_read: bool,
    /// The draft saved last came back at start, or there was none.
    restored: bool,
    /// The Drafts screen.
    list: DraftsList,
    /// The addresses to suggest in To, Cc and Bcc, best first (read when Write first opens,
    /// and again after each message queued).
    contacts: Vec<Contact>,
    /// They were asked for.
    contacts_asked: bool,
    /// The spelling dictionaries.
    dictionaries: Dictionaries,
    /// The installed dictionaries were asked for.
    dictionaries_asked: bool,
}

impl Default for WriteScreen {
    fn default() -> Self {
        Self {
            compose: None,
            parked: None,
            ticket: None,
            size_limits: HashMap::new(),
            picker: Arc::new(NativePicker),
            picking: None,
            kept: vec![],
            kept_read: false,
            restored: false,
            list: DraftsList::default(),
            contacts: vec![],
            contacts_asked: false,
            dictionaries: Dictionaries::default(),
            dictionaries_asked: false,
        }
    }
}

impl WriteScreen {
    /// Uses `picker` instead of the desktop's file chooser.
    pub fn set_picker(&mut self, picker: Arc<dyn FilePicker>) {
        self.picker = picker;
    }

    /// The draft being written, or a new one from the default account.
    pub fn new_message(&mut self, shared: &mut Shared) {
        let compose = self
            .compose
            .take()
            .unwrap_or_else(|| Compose::new(shared.sender()));
        self.open(compose, shared);
    }

    /// Opens a `mailto:` link; a draft being written is set aside, not lost.
    pub fn open_mailto(&mut self, link: &str, shared: &mut Shared) {
        let mut c = Compose::new(shared.sender());
        match crate::mailto::parse(link) {
            Ok(m) => {
                c.to = m.to.join(", ");
                c.cc = m.cc.join(", ");
                c.bcc = m.bcc.join(", ");
                c.subject = m.subject;
                c.body = m.body;
                if !m.ignored.is_empty() {
                    c.error = Some(Explanation {
                        problem: tr!("link-ignored", headers = m.ignored.join(", ")),
                        advice: tr!("link-ignored-advice"),
                    });
                }
            }
            Err(e) => c.error = Some(e.explain()),
        }
        if let Some(current) = self.compose.take().filter(|c| !c.is_empty()) {
            self.parked = Some(current);
        }
        self.open(c, shared);
    }

    /// A queued message back as a draft (edit & resend).
    pub fn reopen(&mut self, draft: Draft, shared: &mut Shared) {
        let from = shared
            .accounts_ok()
            .and_then(|a| a.sender(&draft.from).map(|(acc, _)| acc.id.clone()));
        self.open(Compose::from_draft(draft, from), shared);
    }

    fn open(&mut self, compose: Compose, shared: &mut Shared) {
        if let Some(id) = &compose.from {
            self.want_size_limit(id.clone(), shared);
        }
        self.compose = Some(compose);
    }

    /// Looks for dictionaries in `dirs` instead of the usual places (tests).
    pub fn set_dictionary_dirs(&mut self, dirs: Vec<PathBuf>) {
        self.dictionaries.dirs = Some(dirs);
    }

    /// The dictionaries installed, as the core found them.
    pub fn dictionaries(&mut self, found: Vec<crate::spelling::Installed>) {
        self.dictionaries.installed(found);
    }

    /// A dictionary read, or why not.
    pub fn dictionary(
        &mut self,
        code: String,
        result: Result<Arc<crate::spelling::Speller>, Explanation>,
    ) {
        self.dictionaries.read(code, result.map_err(|e| e.problem));
    }

    /// The addresses to suggest, as the core read them.
    pub fn contacts(&mut self, contacts: Vec<Contact>) {
        self.contacts = contacts;
    }

    fn want_size_limit(&mut self, id: AccountId, shared: &mut Shared) {
        if self.size_limits.contains_key(&id) {
            return;
        }
        if let Some(account) = shared.account(&id).cloned() {
            self.size_limits.insert(id, SizeLimit::Asking);
            shared.send(Command::ServerSize { account });
        }
    }

    /// The server of `account` said how large a message it takes (or could not be asked).
    pub fn server_size(&mut self, account: AccountId, result: Result<Option<u64>, Explanation>) {
        let limit = match result {
            Ok(Some(0)) | Ok(None) => SizeLimit::None,
            Ok(Some(n)) => SizeLimit::Bytes(n),
            Err(e) => SizeLimit::Unknown(e.problem.trim_end_matches('.').to_string()),
        };
        self.size_limits.insert(account, limit);
    }

    /// The core read the sizes of attached files.
    pub fn sizes_read(&mut self, sizes: Vec<(PathBuf, Result<u64, String>)>) {
        for c in self.compose.iter_mut().chain(self.parked.iter_mut()) {
            c.sizes_read(sizes.clone());
        }
    }

    /// A send ended; false when it was not this screen's. Queued: the set-aside draft comes
    /// back and the outbox shows the message.
    pub fn queued(
        &mut self,
        ticket: Ticket,
        result: &Result<Queued, Explanation>,
    ) -> Option<Option<Nav>> {
        if self.ticket != Some(ticket) {
            return None;
        }
        self.ticket = None;
        match result {
            Ok(q) => {
                // Its recipients are suggested first from now on.
                self.contacts_asked = false;
                self.compose = self.parked.take();
                Some(Some(Nav::ShowMessage(q.id)))
            }
            Err(e) => {
                if let Some(c) = &mut self.compose {
                    c.sending = false;
                    c.error = Some(e.clone());
                }
                Some(None)
            }
        }
    }

    /// The drafts kept, as the core read them (at start, and after one came or went).
    pub fn drafts(&mut self, kept: Vec<Kept>) {
        self.kept = kept;
        self.kept_read = true;
    }

    /// The drafts kept, the last saved first.
    pub fn kept(&self) -> &[Kept] {
        &self.kept
    }

    /// Whether the draft with `key` is open here (being written, or set aside).
    pub fn is_open(&self, key: &str) -> bool {
        self.compose
            .iter()
            .chain(self.parked.iter())
            .any(|c| c.keeping.key() == key)
    }

    /// Once, when the drafts and the accounts are read at start: the draft saved last comes
    /// back, said once; true when it did (the window shows Write). A message being written
    /// already (a `mailto:` link opened the window) stays in front, the draft set aside.
    pub fn restore_at_start(&mut self, shared: &mut Shared) -> bool {
        if self.restored || !self.kept_read || shared.accounts.is_none() {
            return false;
        }
        self.restored = true;
        let Some(last) = self
            .kept
            .iter()
            .find(|k| !self.is_open(k.draft.key.as_str()))
        else {
            return false;
        };
        let restored = Compose::from_kept(last.clone(), shared.accounts_ok());
        match &self.compose {
            Some(current) if !current.is_empty() => {
                self.parked.get_or_insert(restored);
                false
            }
            _ => {
                self.open(restored, shared);
                true
            }
        }
    }

    /// Opens the kept draft with `key` in Write; the one being written is set aside (it is
    /// saved too).
    pub fn open_kept(&mut self, key: &str, shared: &mut Shared) {
        if self.parked.as_ref().is_some_and(|c| c.keeping.key() == key) {
            std::mem::swap(&mut self.compose, &mut self.parked);
            return;
        }
        if self
            .compose
            .as_ref()
            .is_some_and(|c| c.keeping.key() == key)
        {
            return;
        }
        let Some(kept) = self.kept.iter().find(|k| k.draft.key == key).cloned() else {
            return;
        };
        let c = Compose::from_kept(kept, shared.accounts_ok());
        if let Some(current) = self.compose.take().filter(|c| !c.is_empty()) {
            self.parked = Some(current);
        }
        self.open(c, shared);
    }

    /// Draws the Drafts screen.
    pub fn drafts_ui(&mut self, ui: &mut Ui, shared: &mut Shared) -> Option<Nav> {
        let open: Vec<String> = self
            .compose
            .iter()
            .chain(self.parked.iter())
            .map(|c| c.keeping.key().to_string())
            .collect();
        let kept = &self.kept;
        let list = &mut self.list;
        let action = egui::CentralPanel::default_margins()
            .show(ui, |ui| {
                list.show(ui, kept, |key| open.iter().any(|o| o == key))
            })
            .inner?;
        match action {
            DraftsAction::Open(key) => {
                self.open_kept(&key, shared);
                Some(Nav::To(View::Compose))
            }
            DraftsAction::Discard(key) => {
                self.kept.retain(|k| k.draft.key != key);
                shared.send(Command::DiscardDraft { key });
                None
            }
        }
    }

    /// The core saved a draft, or could not.
    pub fn draft_saved(&mut self, key: &str, revision: u64, result: &Result<(), Explanation>) {
        for c in self.compose.iter_mut().chain(self.parked.iter_mut()) {
            if c.keeping.saved(key, revision, result) {
                return;
            }
        }
    }

    /// What is written and not saved yet, to save as the window closes.
    pub fn unsaved(&mut self) -> Vec<Unsent> {
        self.compose
            .iter_mut()
            .chain(self.parked.iter_mut())
            .filter_map(|c| {
                let writing = c.unsent();
                c.keeping.now(writing)
            })
            .collect()
    }

    /// Saves what changed a moment ago (see [`keeping`]); asks for a frame when a save is due.
    fn keep_drafts(&mut self, ctx: &egui::Context, shared: &Shared) {
        let now = std::time::Instant::now();
        for c in self.compose.iter_mut().chain(self.parked.iter_mut()) {
            let writing = c.unsent();
            let (keep, wait) = c.keeping.tick(writing, now);
            match keep {
                Some(Keep::Save(draft)) => {
                    c.notice = None;
                    shared.send(Command::SaveDraft(draft));
                }
                Some(Keep::LetGo(key)) => shared.send(Command::DiscardDraft { key }),
                None => {}
            }
            if let Some(wait) = wait {
                ctx.request_repaint_after(wait);
            }
        }
    }

    /// Looks whether the file chooser answered; call every frame.
    pub fn poll_picker(&mut self, ctx: &egui::Context) {
        let Some(p) = &self.picking else { return };
        let Some(picked) = p.poll() else {
            // No chooser after a second: say so, and that a path can be typed meanwhile.
            if let Some(c) = &mut self.compose {
                c.dialog_slow = p.slow();
            }
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
            return;
        };
        self.picking = None;
        if let Some(c) = &mut self.compose {
            c.dialog_slow = false;
        }
        if let Some(c) = &mut self.compose {
            match picked {
                Picked::Files(files) => {
                    c.dialog_problem = None;
                    c.add_files(files);
                }
                Picked::Cancelled => {}
                Picked::Unavailable(why) => c.dialog_problem = Some(why),
            }
        }
    }

    /// Draws the screen.
    /// Draws the screen in the window's `ui` (it lays out its own panels); `grace` is the
    /// time in which a message sent can be taken back.
    pub fn ui(&mut self, ui: &mut Ui, shared: &mut Shared, grace: Duration) -> Option<Nav> {
        let accounts = match shared.accounts_ok() {
            Some(accounts) if !accounts.accounts.is_empty() => accounts,
            loaded => {
                let loaded = loaded.is_some();
                return egui::CentralPanel::default_margins()
                    .show(ui, |ui| no_account(ui, loaded))
                    .inner;
            }
        };
        let mut compose = self.compose.take().unwrap_or_default();
        let limit = compose
            .from
            .as_ref()
            .and_then(|id| self.size_limits.get(id));
        if !self.contacts_asked {
            self.contacts_asked = true;
            shared.send(Command::Contacts(shared.places.clone()));
        }
        if !self.dictionaries.known() && !self.dictionaries_asked {
            self.dictionaries_asked = true;
            shared.send(Command::Dictionaries(self.dictionaries.dirs.clone()));
        }
        let mut aids = Aids {
            contacts: &self.contacts,
            dictionaries: &mut self.dictionaries,
        };
        let action = compose.show(ui, accounts, limit, self.parked.is_some(), &mut aids);
        for installed in self.dictionaries.take_wanted() {
            shared.send(Command::LoadDictionary(installed));
        }
        for word in std::mem::take(&mut self.dictionaries.added) {
            shared.send(Command::AddWord(word));
        }
        let to_size = compose.take_unsized();
        if !to_size.is_empty() {
            shared.send(Command::FileSizes(to_size));
        }
        self.compose = Some(compose);
        self.keep_drafts(ui.ctx(), shared);
        self.act(action?, shared, grace)
    }

    /// Does what compose asked; `grace` is the time to undo a message sent now.
    fn act(&mut self, action: ComposeAction, shared: &mut Shared, grace: Duration) -> Option<Nav> {
        match action {
            ComposeAction::Send | ComposeAction::SendAt(_) => {
                let not_before = match action {
                    ComposeAction::SendAt(at) => Some(at),
                    _ if grace.is_zero() => None,
                    _ => Some(now_ms() + grace.as_millis() as i64),
                };
                let c = self.compose.as_mut()?;
                let account = c.from.as_ref().and_then(|id| shared.account(id)).cloned()?;
                let draft = c.draft(&account);
                c.sending = true;
                c.error = None;
                let ticket = shared.ticket();
                self.ticket = Some(ticket);
                shared.send(Command::Queue {
                    ticket,
                    account: Box::new(account),
                    draft: Box::new(draft),
                    not_before,
                    saved: Some(c.keeping.key().to_string()),
                });
            }
            ComposeAction::PickFiles => {
                if self.picking.is_none() {
                    self.picking = Some(Pending::start(self.picker.clone()));
                }
            }
            ComposeAction::Discard => {
                if let Some(c) = &self.compose {
                    let key = c.keeping.key().to_string();
                    shared.send(Command::DiscardDraft { key });
                }
                self.compose = self.parked.take();
                if self.compose.is_none() {
                    return Some(Nav::To(View::Outbox));
                }
            }
            ComposeAction::AccountChanged(id) => self.want_size_limit(id, shared),
            ComposeAction::SwitchToParked => std::mem::swap(&mut self.compose, &mut self.parked),
        }
        None
    }
}

/// Before there is an account to send from: loading, or what to do first.
fn no_account(ui: &mut Ui, loaded: bool) -> Option<Nav> {
    if !loaded {
        widgets::spinner(ui, &tr!("spinner-accounts"));
        return None;
    }
    ui.heading(tr!("new-message"));
    ui.label(tr!("add-account-first"));
    let add = design::primary(ui, true, tr!("add-account"));
    widgets::arrive(ui, &add, "write-no-account");
    add.clicked().then_some(Nav::AddAccount)
}

/// How the outbox names a message just queued: "Message #5 (2 kB)".
pub fn queued_name(q: &Queued) -> String {
    tr!(
        "message-number-size",
        id = q.id,
        size = size_in_words(q.size as u64)
    )
}
