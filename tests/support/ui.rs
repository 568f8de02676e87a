//! Driving the window by label, like a person would (egui_kittest), against the lab servers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use outpost::net::NetConfig;
use outpost::paths::Paths;
use outpost::runtime::Core;
use outpost::ui::{FilePicker, OutpostApp};

use super::{DnsServer, Smtpd, TestCa, USER};

pub struct Lab {
    pub ca: TestCa,
    pub dns: DnsServer,
    pub smtpd: Smtpd,
    pub home: tempfile::TempDir,
    /// The authorization server, with [`WindowSetup::oauth`].
    pub oauth: Option<super::oauth::OauthServer>,
    /// The provider's web server (its PACC document), with [`Oauth::Open`].
    pub web: Option<super::Httpd>,
}

/// Whether a lab window has a sign-in provider for mail.example.test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Oauth {
    /// None.
    Off,
    /// The test authorization server, with its client id set.
    Registered,
    /// The test authorization server, no client id set (as shipped).
    Unregistered,
    /// No provider known at all: example.test publishes a PACC document naming the test
    /// authorization server as its open issuer, and the SMTP server (implicit TLS, as PACC
    /// has it) checks its tokens. Outpost registers itself.
    Open,
}

pub fn window() -> (Harness<'static, OutpostApp>, Lab) {
    window_with_zone("example.test")
}

/// A window whose DNS server serves `tests/data/<zone>.zone`.
pub fn window_with_zone(zone: &str) -> (Harness<'static, OutpostApp>, Lab) {
    WindowSetup::new(zone).open()
}

/// How to set up a lab window.
pub struct WindowSetup {
    pub zone: String,
    /// Delay on every DNS answer.
    pub dns_latency: Duration,
    /// Well-known ports → lab ports; `smtpd` stands for the lab server's port.
    pub port_map: Vec<(u16, Port)>,
    pub smtpd_args: Vec<String>,
    pub picker: Option<Arc<dyn FilePicker>>,
    /// Requests from later starts, as the real window gets them.
    pub requests: Option<std::sync::mpsc::Receiver<outpost::instance::Request>>,
    /// A sign-in provider (the test authorization server) for mail.example.test, whose SMTP
    /// server then checks XOAUTH2 tokens with it.
    pub oauth: Oauth,
    /// The lab server presents a self-signed certificate (as `openssl req -x509` makes).
    pub self_signed: bool,
    /// The home folder whose mail programs' settings are found (default: an empty one).
    pub user_home: Option<std::path::PathBuf>,
    /// The window's size in points.
    pub size: [f32; 2],
    /// The language the window speaks (one per test binary: it is the process's).
    pub language: outpost::i18n::Language,
    /// Where spelling dictionaries are looked for (default: the system's places).
    pub dictionaries: Option<Vec<std::path::PathBuf>>,
    /// Records added to the zone (zone file lines, names relative to it).
    pub dns_records: String,
    /// Web pages served over HTTPS on port "443": `Httpd` routes, and the names the
    /// certificate is for.
    pub web: Option<(serde_json::Value, Vec<String>)>,
}

/// A port in a [`WindowSetup`] port map.
pub enum Port {
    /// The lab SMTP server.
    Smtpd,
    /// A port where nothing listens.
    Closed,
}

impl WindowSetup {
    pub fn new(zone: &str) -> Self {
        Self {
            zone: zone.into(),
            dns_latency: Duration::ZERO,
            port_map: vec![],
            smtpd_args: vec![],
            picker: None,
            requests: None,
            oauth: Oauth::Off,
            self_signed: false,
            user_home: None,
            size: [1100.0, 900.0],
            language: outpost::i18n::Language::English,
            dictionaries: None,
            dns_records: String::new(),
            web: None,
        }
    }

    pub fn open(self) -> (Harness<'static, OutpostApp>, Lab) {
        outpost::i18n::use_language(self.language);
        let ca = TestCa::new();
        let cert = if self.self_signed {
            ca.self_signed_authority("mail", &["mail.example.test"])
        } else {
            // Also the name probes find in detect.test, for the probe-only result.
            ca.issue("mail", &["mail.example.test", "smtp.guess.detect.test"])
        };
        let home = tempfile::tempdir().unwrap();
        let mut smtpd_args = self.smtpd_args.clone();
        let scope: &[&str] = match self.oauth {
            Oauth::Open => &["--scope", "urn:ietf:params:oauth:scope:mail"],
            _ => &[],
        };
        let oauth = (self.oauth != Oauth::Off).then(|| {
            let server = super::oauth::OauthServer::start(&ca, scope);
            smtpd_args.extend([
                "--xoauth2-introspect".into(),
                format!("https://127.0.0.1:{}/introspect", server.port),
                "--ca".into(),
                ca.ca_pem.display().to_string(),
            ]);
            if self.oauth == Oauth::Open {
                return server;
            }
            let mut settings = server.settings_json();
            if self.oauth == Oauth::Unregistered {
                let lab = &mut settings["providers"][super::oauth::PROVIDER];
                let lab = lab.as_object_mut().unwrap();
                lab.remove("client_id");
                lab.remove("client_secret");
            }
            let config = Paths::under(home.path()).config_dir;
            std::fs::create_dir_all(&config).unwrap();
            std::fs::write(config.join("oauth2.json"), settings.to_string()).unwrap();
            server
        });
        let (mut records, mut web) = (self.dns_records.clone(), self.web.clone());
        let open = oauth.as_ref().filter(|_| self.oauth == Oauth::Open);
        if let Some(server) = open {
            let (more, (route, body)) = pacc_for(&server.url(""));
            records.push_str(&more);
            let (routes, names) = web.get_or_insert_with(|| (serde_json::json!({}), vec![]));
            routes[route] = body;
            names.push("ua-auto-config.example.test".into());
        }
        let dns = if records.is_empty() {
            DnsServer::start_with_latency(&self.zone, self.dns_latency)
        } else {
            DnsServer::start_with(&self.zone, &records)
        };
        let web = web.map(|(routes, names)| {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            super::Httpd::start(&routes, Some(&ca.issue("web", &names)))
        });
        let extra: Vec<&str> = smtpd_args.iter().map(String::as_str).collect();
        let security = if open.is_some() { "tls" } else { "starttls" };
        let smtpd = Smtpd::start_with(security, Some(&cert), &extra);
        let web_port = web.as_ref().map(|w: &super::Httpd| (443, w.port));
        let port_map = self
            .port_map
            .iter()
            .map(|(from, to)| {
                let to = match to {
                    Port::Smtpd => smtpd.port,
                    Port::Closed => super::free_port(),
                };
                (*from, to)
            })
            .chain(web_port)
            .collect();
        let net = NetConfig {
            dns_server: Some(dns.addr),
            extra_roots: Some(ca.ca_pem.clone()),
            port_map,
            ..NetConfig::default()
        };
        let core = Core::start(&Paths::under(home.path()), Ok(net), || {});
        let user_home = self
            .user_home
            .clone()
            .unwrap_or_else(|| home.path().join("user"));
        let mut app = OutpostApp::new(core).with_places(outpost::import::Places {
            config: user_home.join(".config"),
            home: user_home,
            repository: None,
        });
        if let Some(p) = self.picker {
            app = app.with_file_picker(p);
        }
        if let Some(r) = self.requests {
            app = app.with_requests(r);
        }
        if let Some(d) = self.dictionaries {
            app = app.with_dictionaries(d);
        }
        let harness = Harness::builder()
            .with_size(self.size)
            .with_max_steps(200)
            .build_ui_state(|ui, app: &mut OutpostApp| app.show(ui), app);
        let lab = Lab {
            ca,
            dns,
            smtpd,
            home,
            oauth,
            web,
        };
        (harness, lab)
    }
}

impl Lab {
    /// A new window on the same files, DNS server and CA, as at the next start of Outpost.
    pub fn window_again(&self) -> Harness<'static, OutpostApp> {
        self.window_restored(outpost::ui::Remembered::default(), [1100.0, 900.0])
    }

    /// A new window on the same files, as the last one was left (`remembered`), `size` big.
    pub fn window_restored(
        &self,
        remembered: outpost::ui::Remembered,
        size: [f32; 2],
    ) -> Harness<'static, OutpostApp> {
        let net = NetConfig {
            dns_server: Some(self.dns.addr),
            extra_roots: Some(self.ca.ca_pem.clone()),
            ..NetConfig::default()
        };
        let core = Core::start(&Paths::under(self.home.path()), Ok(net), || {});
        let user_home = self.home.path().join("user");
        let app = OutpostApp::restore(core, remembered).with_places(outpost::import::Places {
            config: user_home.join(".config"),
            home: user_home,
            repository: None,
        });
        Harness::builder()
            .with_size(size)
            .with_max_steps(200)
            .build_ui_state(|ui, app: &mut OutpostApp| app.show(ui), app)
    }

    /// The command line, on the same files, DNS server and CA as the window.
    pub fn outpost(&self) -> super::Outpost {
        let mut op = super::Outpost::new(&self.dns, &self.ca);
        op.env.retain(|(k, _)| k != "OUTPOST_HOME");
        op.env.push((
            "OUTPOST_HOME".into(),
            self.home.path().display().to_string(),
        ));
        op
    }
}

/// The PACC document of example.test naming `issuer` as its open issuer and
/// mail.example.test as its submission server: the DNS records that point at
/// ua-auto-config.example.test and vouch for it, and its route there.
fn pacc_for(issuer: &str) -> (String, (String, serde_json::Value)) {
    let doc = serde_json::json!({
        "protocols": {"submit": {"host": "mail.example.test"}},
        "authentication": {"oauth-public": {"issuer": issuer}},
        "info": {"provider": {"name": "Example Open Mail"}},
    })
    .to_string();
    let records = format!(
        "ua-auto-config IN A 127.0.0.1\n_ua-auto-config IN TXT \"{}\"\n",
        outpost::detect::pacc::digest_record(doc.as_bytes())
    );
    let route = "ua-auto-config.example.test /.well-known/user-agent-configuration.json";
    (records, (route.into(), serde_json::json!({"body": doc})))
}

/// Steps the UI until `done` holds; background events arrive on their own time.
pub fn wait_for(
    harness: &mut Harness<'_, OutpostApp>,
    what: &str,
    done: impl Fn(&Harness<'_, OutpostApp>) -> bool,
) {
    let start = Instant::now();
    while !done(harness) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}; the window shows:\n{}",
            screen_text(harness)
        );
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
    // Settle, unless a spinner keeps repainting (then a few steps are enough).
    let _ = harness.try_run();
}

/// Every object with a name or a value that reaches past the window's left or right edge
/// when it is `width` points wide: what a person would see cut off.
pub fn cut_off(harness: &Harness<'_, OutpostApp>, width: f32) -> Vec<String> {
    use egui::accesskit::Role;
    let bars: Vec<_> = harness
        .root()
        .children_recursive()
        .filter(|n| n.accesskit_node().role() == Role::ScrollBar)
        .filter_map(|n| n.accesskit_node().bounding_box())
        .collect();
    harness
        .root()
        .children_recursive()
        .filter_map(|node| {
            let n = node.accesskit_node();
            let said = n.label().or(n.value()).unwrap_or_default();
            // In the window's coordinates (the harness draws at one pixel per point).
            let b = n.bounding_box()?;
            if said.is_empty() || matches!(n.role(), Role::ScrollBar | Role::TextRun) {
                return None;
            }
            if b.x1 > f64::from(width) + 0.5 || b.x0 < -0.5 {
                return Some(format!(
                    "{:?} {said:?} spans x {:.0}..{:.0}",
                    n.role(),
                    b.x0,
                    b.x1
                ));
            }
            // Under a scroll bar: its end hidden by it.
            bars.iter()
                .find(|bar| b.x1 > bar.x0 + 0.5 && b.x0 < bar.x0 && b.y0 < bar.y1 && b.y1 > bar.y0)
                .map(|bar| {
                    format!(
                        "{:?} {said:?} spans x {:.0}..{:.0}, under the scroll bar at {:.0}",
                        n.role(),
                        b.x0,
                        b.x1,
                        bar.x0
                    )
                })
        })
        .collect()
}

/// Nothing on `screen` reaches past the edge of the window at its smallest size.
pub fn assert_fits(harness: &Harness<'_, OutpostApp>, screen: &str) {
    let size = outpost::ui::MIN_SIZE;
    let cut = cut_off(harness, size[0]);
    assert!(
        cut.is_empty(),
        "{screen} at {size:?}: past the window's edge:\n{}",
        cut.join("\n")
    );
}

/// What the window shows, a line per labelled node (role, label, value, disabled), in tree
/// order: short enough to read whole in a CI log.
pub fn screen_text(harness: &Harness<'_, OutpostApp>) -> String {
    let root = harness.root();
    let mut lines = Vec::new();
    for node in std::iter::once(root).chain(harness.root().children_recursive()) {
        let n = node.accesskit_node();
        if n.role() == egui::accesskit::Role::TextRun {
            continue;
        }
        let (label, value) = (n.label().unwrap_or_default(), n.value().unwrap_or_default());
        if label.is_empty() && value.is_empty() {
            continue;
        }
        let mut line = format!("{:?} {label:?}", n.role());
        if !value.is_empty() && value != label {
            line.push_str(&format!(" = {value:?}"));
        }
        if n.is_disabled() {
            line.push_str(" (disabled)");
        }
        lines.push(line);
    }
    lines.join("\n")
}

pub fn type_into(harness: &mut Harness<'_, OutpostApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.get_by_label(label).type_text(text);
    harness.run();
}

pub fn fill_form(harness: &mut Harness<'_, OutpostApp>, port: u16, password: &str) {
    wait_for(harness, "the first-run wizard", |h| {
        h.query_by_label("Set up manually").is_some()
    });
    type_into(harness, "E-mail address", USER);
    harness.get_by_label("Set up manually").click();
    harness.run();
    type_into(harness, "Server", "mail.example.test");
    harness.get_by_label("Security").click();
    harness.run();
    harness.get_by_label("STARTTLS").click();
    harness.run();
    type_into(harness, "Port", &port.to_string());
    type_into(harness, "Password", password);
}

/// A file chooser that answers as told, in place of the desktop's.
pub struct ScriptedPicker(pub outpost::ui::Picked);

impl FilePicker for ScriptedPicker {
    fn pick_files(&self) -> outpost::ui::Picked {
        self.0.clone()
    }
}

/// A file dropped on the window, as the windowing layer hands it over.
#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// Drops `path` on the window.
pub fn drop_file(harness: &mut Harness<'_, OutpostApp>, path: &std::path::Path) {
    harness
        .input_mut()
        .dropped_files
        .push(Arc::new(Dropped(path.to_path_buf())));
    harness.step();
}

/// A window with [`USER`](super::USER) added on the lab server (session keyring), showing its
/// account list.
pub fn window_with_account(setup: WindowSetup) -> (Harness<'static, OutpostApp>, Lab) {
    let (mut harness, lab) = setup.open();
    lab.outpost()
        .add_starttls(lab.smtpd.port, super::PASSWORD, &[]);
    harness.step();
    wait_for(&mut harness, "the account in the list", |h| {
        h.query_by_label(&format!("{} (default)", super::USER))
            .is_some()
    });
    (harness, lab)
}

/// In the wizard's check, with 465 blocked: waits for the way out (with its explanation),
/// takes it, and waits for the check to pass on 587.
pub fn past_the_blocked_port(harness: &mut Harness<'_, OutpostApp>) {
    wait_for(harness, "the way out of the blocked port", |h| {
        h.query_by_label("Try port 587 (STARTTLS) instead")
            .is_some()
    });
    assert!(harness.query_by_label_contains("What to do:").is_some());
    harness
        .get_by_label("Try port 587 (STARTTLS) instead")
        .click();
    harness.step();
    wait_for(harness, "the check to pass", |h| {
        h.query_by_label_contains("All steps passed").is_some()
    });
}

/// Chooses the session keyring (no Secret Service runs in these tests) and presses "Save
/// account".
pub fn save_in_session_keyring(harness: &mut Harness<'_, OutpostApp>) {
    harness
        .get_by_label("For this session only (forgotten at logout)")
        .click();
    harness.run();
    harness.get_by_label("Save account").click();
    harness.step();
}

/// At the wizard's passed check: saves in the session keyring and asks for the test message.
pub fn save_and_send_a_test_message(harness: &mut Harness<'_, OutpostApp>) {
    save_in_session_keyring(harness);
    wait_for(harness, "the saved account", |h| {
        h.query_by_label_contains("is ready to send").is_some()
    });
    harness
        .get_by_label("Send a test message to myself")
        .click();
    harness.step();
}

/// Clicks the Outbox tab.
pub fn open_outbox(harness: &mut Harness<'_, OutpostApp>) {
    open_tab(harness, "Outbox");
}

/// Clicks the title bar's tab whose name starts with `name`: its label may say more
/// ("Outbox (2 waiting)"), and other objects may share the name ("Outbox: …" in the status
/// line, a screen's heading), but are no buttons.
pub fn open_tab(harness: &mut Harness<'_, OutpostApp>, name: &str) {
    harness
        .query_all_by_label_contains(name)
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::Button)
        .unwrap_or_else(|| panic!("no tab {name:?}"))
        .click();
    harness.step();
}

/// Steps the window until the lab server has received `n` messages.
pub fn wait_received(harness: &mut Harness<'_, OutpostApp>, lab: &Lab, n: usize) {
    let start = Instant::now();
    while lab.smtpd.received().len() < n {
        assert!(start.elapsed() < Duration::from_secs(20), "not delivered");
        std::thread::sleep(Duration::from_millis(50));
        harness.step();
    }
}
