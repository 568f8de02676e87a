//! The application: routes. It hands each core event to the screen it concerns, draws the
//! title bar, the status line and the screen in view, and goes where a screen asks. Each
//! screen owns its state; none touches the network, the disk or the keyring.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use egui::{Key, Modifiers, Ui};
use serde::{Deserialize, Serialize};

use super::accounts::AccountsScreen;
use super::caret::{Blink, Caret};
use super::chrome;
use super::frame_log::FrameLog;
use super::outbox::{Filter, OutboxScreen};
use super::settings::{Settings, SettingsScreen};
use super::shared::{Nav, Shared, View};
use super::widgets;
use super::write::file_dialog::FilePicker;
use super::write::{WriteScreen, queued_name};
use crate::instance::Request;
use crate::runtime::{Command, Core, Event};

/// What the window remembers between runs (with its size and position, which eframe keeps).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Remembered {
    /// The last screen.
    pub view: View,
    /// The outbox filter.
    pub filter: Filter,
    /// Preferences.
    pub settings: Settings,
    /// The outbox's details pane, in points, as the person dragged it (0: as the room
    /// allows).
    pub outbox_details_height: f32,
}

/// The whole window.
pub struct OutpostApp {
    shared: Shared,
    view: View,
    accounts: AccountsScreen,
    write: WriteScreen,
    outbox: OutboxScreen,
    settings: SettingsScreen,
    /// What the background sender did last, for the status line.
    sender_status: String,
    /// Requests from later starts of Outpost (show the window, open a link).
    requests: Option<std::sync::mpsc::Receiver<Request>>,
    /// Bring the window forward on the next frame.
    bring_forward: bool,
    /// Fonts the core read, to install on the next frame.
    fonts: Vec<crate::fonts::FontFile>,
    /// The text caret's blinking, as the desktop wants it.
    caret: Caret,
    /// A line per frame, for benchmarks.
    frame_log: Option<FrameLog>,
    /// Outpost's look is installed (on the first frame).
    styled: bool,
    /// The window's title as last set.
    title: String,
    /// Whether to keep sending once the window is closed, as Settings says now: read by
    /// whoever runs the window, after it closed.
    keep_sending: Option<Arc<AtomicBool>>,
    /// What is written and not saved yet when the window closes: saved by whoever runs the
    /// window, after it closed (the core goes with the window).
    closing_drafts: Option<Arc<std::sync::Mutex<Vec<crate::message::Unsent>>>>,
}

impl OutpostApp {
    /// A window driven by `core`, starting from defaults.
    pub fn new(core: Core) -> Self {
        Self::restore(core, Remembered::default())
    }

    /// A window driven by `core`, as it was left.
    pub fn restore(core: Core, remembered: Remembered) -> Self {
        Self {
            shared: Shared::new(core),
            view: remembered.view,
            accounts: AccountsScreen::default(),
            write: WriteScreen::default(),
            outbox: OutboxScreen::with_filter(remembered.filter, remembered.outbox_details_height),
            settings: SettingsScreen::new(remembered.settings),
            sender_status: String::new(),
            requests: None,
            bring_forward: false,
            fonts: vec![],
            frame_log: None,
            caret: Caret::new(Blink::of_desktop()),
            styled: false,
            title: String::new(),
            keep_sending: None,
            closing_drafts: None,
        }
    }

    /// Writes a line per frame to `log` (see [`FrameLog`]).
    pub fn with_frame_log(mut self, log: FrameLog) -> Self {
        self.frame_log = Some(log);
        self
    }

    /// Keeps `keep` set to Settings' "Keep sending after the window is closed".
    pub fn with_keep_sending(mut self, keep: Arc<AtomicBool>) -> Self {
        self.keep_sending = Some(keep);
        self
    }

    /// Leaves in `drafts` what is written and not saved yet, when the window closes.
    pub fn with_closing_drafts(
        mut self,
        drafts: Arc<std::sync::Mutex<Vec<crate::message::Unsent>>>,
    ) -> Self {
        self.closing_drafts = Some(drafts);
        self
    }

    /// Takes requests from later starts (see [`crate::instance`]) on `requests`.
    pub fn with_requests(mut self, requests: std::sync::mpsc::Receiver<Request>) -> Self {
        self.requests = Some(requests);
        self
    }

    /// Uses `picker` instead of the desktop's file chooser (tests, other platforms).
    pub fn with_file_picker(mut self, picker: Arc<dyn FilePicker>) -> Self {
        self.write.set_picker(picker);
        self
    }

    /// Looks for spelling dictionaries in `dirs` instead of the usual places (tests).
    pub fn with_dictionaries(mut self, dirs: Vec<std::path::PathBuf>) -> Self {
        self.write.set_dictionary_dirs(dirs);
        self
    }

    /// Looks for other mail programs' settings in `places` instead of this user's (tests).
    pub fn with_places(mut self, places: crate::import::Places) -> Self {
        self.shared.places = Some(places);
        self
    }

    /// Does what a start asked: the window comes forward; a `mailto:` link opens compose.
    pub fn handle(&mut self, request: Request) {
        if let Request::Compose(link) = request {
            self.write.open_mailto(&link, &mut self.shared);
            self.view = View::Compose;
        }
        self.bring_forward = true;
    }

    /// What to remember of this window.
    pub fn remembered(&self) -> Remembered {
        Remembered {
            view: self.view,
            filter: self.outbox.filter,
            settings: self.settings.prefs.clone(),
            outbox_details_height: self.outbox.details_height(),
        }
    }

    /// Hands `event` to the screen it concerns.
    fn apply(&mut self, event: Event) {
        let shared = &mut self.shared;
        let event = match event {
            Event::Accounts(accounts) => {
                if shared.set_accounts(accounts) && self.accounts.is_idle() {
                    self.view = View::Accounts;
                    self.accounts.add(shared);
                }
                return;
            }
            Event::Worker(e) => return self.sender_status = e.to_string(),
            Event::SenderNote(note) => return self.sender_status = note,
            Event::WorkerStopped(e) | Event::Bug(e) | Event::CoreStopped(e) => {
                return self.sender_status = format!("{} {}", e.problem, e.advice);
            }
            Event::Queued { ticket, result } => {
                match self.write.queued(ticket, &result) {
                    Some(nav) => {
                        if let Ok(q) = &result {
                            self.outbox.just_queued(q.id, queued_name(q), q.not_before);
                        }
                        if let Some(nav) = nav {
                            self.go(nav);
                        }
                    }
                    None => {
                        self.accounts.queued(ticket, result.map(|q| q.id));
                    }
                }
                return;
            }
            Event::Reopened(Ok(draft)) => {
                self.write.reopen(draft, shared);
                return self.view = View::Compose;
            }
            Event::Reopened(Err(e)) => return self.outbox.notice = Some(Err(e)),
            Event::ServerSize { account, result } => {
                return self.write.server_size(account, result);
            }
            Event::FileSizes(sizes) => return self.write.sizes_read(sizes),
            Event::Drafts(Ok(kept)) => return self.write.drafts(kept),
            Event::Contacts(contacts) => return self.write.contacts(contacts),
            Event::Dictionaries(found) => return self.write.dictionaries(found),
            Event::Dictionary { code, result } => return self.write.dictionary(code, result),
            Event::WordNotAdded(e) => {
                return self.sender_status = format!("{} {}", e.problem, e.advice);
            }
            Event::Drafts(Err(e)) => {
                return self.sender_status = format!("{} {}", e.problem, e.advice);
            }
            Event::DraftSaved {
                key,
                revision,
                result,
            } => return self.write.draft_saved(&key, revision, &result),
            Event::SystemFonts(fonts) => return self.fonts = fonts,
            other => other,
        };
        let Some(event) = self.accounts.apply(event, shared) else {
            return;
        };
        let Some(event) = self.outbox.apply(event, shared) else {
            return;
        };
        // What no screen takes concerns work that has ended (a closed wizard's check, say).
        drop(self.settings.apply(event, shared));
    }

    /// Goes where a screen asked.
    fn go(&mut self, nav: Nav) {
        let shared = &mut self.shared;
        self.view = match nav {
            Nav::To(View::Compose) => {
                self.write.new_message(shared);
                View::Compose
            }
            Nav::To(View::Drafts) => {
                // Their subjects and times as saved since.
                shared.send(Command::Drafts);
                View::Drafts
            }
            Nav::To(view) => view,
            Nav::AddAccount => {
                self.accounts.add(shared);
                View::Accounts
            }
            Nav::OpenAccount(id) => {
                self.accounts.open(&id, shared);
                View::Accounts
            }
            Nav::Redetect(id) => {
                self.accounts.open(&id, shared);
                let options = self.settings.prefs.detect_options();
                self.accounts.find_again(shared, &options);
                View::Accounts
            }
            Nav::ShowMessage(id) => {
                self.outbox.select(id, shared);
                View::Outbox
            }
        };
    }

    /// Draws the window's contents; call once per frame.
    pub fn show(&mut self, ui: &mut Ui) {
        while let Some(event) = self.shared.next_event() {
            self.apply(event);
        }
        while let Some(r) = self.requests.as_ref().and_then(|r| r.try_recv().ok()) {
            self.handle(r);
        }
        if self.write.restore_at_start(&mut self.shared) {
            self.view = View::Compose;
        }
        let ctx = ui.ctx().clone();
        // Where the keyboard was, for a question to give the focus back to (a field gives up
        // its focus on the very Escape that asks).
        super::widgets::remember_focus(&ctx);
        if !std::mem::replace(&mut self.styled, true) {
            super::design::install(&ctx);
        }
        self.caret.frame(&ctx);
        if std::mem::take(&mut self.bring_forward) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Minimized(false));
            ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
        }
        if !self.fonts.is_empty() {
            super::fonts::install(&ctx, std::mem::take(&mut self.fonts));
        }
        self.settings.sync(&ctx, &self.shared);
        if let Some(keep) = &self.keep_sending {
            keep.store(self.settings.prefs.keep_sending, Ordering::Relaxed);
        }
        self.write.poll_picker(&ctx);
        // Ctrl+Q closes the window, as the close button does (GNOME's shortcut for it).
        if ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::Q)) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        let dropped = ui.input(|i| !i.raw.dropped_files.is_empty());
        if (dropped && self.view != View::Compose)
            || ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::N))
        {
            self.go(Nav::To(View::Compose));
        }
        let outbox = self.shared.outbox.as_deref();
        egui::Panel::bottom("status").show(ui, |ui| {
            chrome::status_line(ui, outbox, &self.sender_status)
        });
        let mut nav = None;
        let drafts = self.write.kept().len();
        egui::Panel::top("title").show(ui, |ui| {
            nav = chrome::title_bar(ui, self.view, outbox, drafts);
        });
        // The screen chosen in the title bar is drawn in this same frame.
        if let Some(nav) = nav {
            self.go(nav);
        }
        let shared = &mut self.shared;
        let screen_nav = match self.view {
            View::Accounts => {
                let options = self.settings.prefs.detect_options();
                self.accounts.ui(ui, shared, &options)
            }
            View::Compose => self.write.ui(ui, shared, self.settings.prefs.undo_grace()),
            View::Outbox => self.outbox.ui(ui, shared),
            View::Drafts => self.write.drafts_ui(ui, shared),
            View::Settings => {
                self.settings.ui(ui, shared);
                None
            }
        };
        if let Some(nav) = screen_nav {
            self.go(nav);
        }
        self.title(&ctx);
    }

    /// The window's title says where the person is, for the window list and screen readers;
    /// a screen arrived at anew puts the focus on its first control again.
    fn title(&mut self, ctx: &egui::Context) {
        let title = tr!("window-title", screen = self.view.name());
        ctx.accesskit_node_builder(egui::accesskit_root_id(), |node| {
            node.set_label(title.clone());
        });
        if self.title != title {
            widgets::leave(ctx);
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }
}

impl eframe::App for OutpostApp {
    fn ui(&mut self, ui: &mut Ui, frame: &mut eframe::Frame) {
        self.show(ui);
        if let Some(log) = &mut self.frame_log {
            log.record(frame.info().cpu_usage, self.outbox.take_shown());
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.remembered());
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        if let Some(out) = &self.closing_drafts
            && let Ok(mut out) = out.lock()
        {
            *out = self.write.unsaved();
        }
    }
}
