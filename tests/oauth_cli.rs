//! `outpost account add --auth oauth2`, `account signin`, `account check`, `oauth2 …` and the
//! outbox, end to end: the test authorization server, an SMTP server checking XOAUTH2 with it,
//! the test browser through `$BROWSER`, and a real Secret Service for the sign-in.

// Test code: an unwrap that fails is a test that fails, with its place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;

use outpost::APP_ID;
use serde_json::Value;
use support::oauth::{CLIENT_ID, OauthServer, PROVIDER, add_args, browser_env};
use support::{DnsServer, Outpost, SecretService, Smtpd, TestCa, USER};

struct Lab {
    ca: TestCa,
    _dns: DnsServer,
    ss: SecretService,
    server: OauthServer,
    smtpd: Smtpd,
    op: Outpost,
    /// What the test browser saw.
    browser_log: std::path::PathBuf,
    /// `$XDG_CONFIG_DIRS`, where a packager puts settings.
    system: tempfile::TempDir,
}

fn lab(server_args: &[&str]) -> Lab {
    lab_with(server_args, &[])
}

/// As [`lab`], the SMTP server started with `smtpd_args` too.
fn lab_with(server_args: &[&str], smtpd_args: &[&str]) -> Lab {
    let ss = SecretService::start();
    let ca = TestCa::new();
    let dns = DnsServer::start("example.test");
    let server = OauthServer::start(&ca, server_args);
    let smtpd = server.smtpd_with(&ca, smtpd_args);
    let mut op = Outpost::new(&dns, &ca);
    op.env.extend(ss.env());
    let system = tempfile::tempdir().unwrap();
    op.env.push((
        "XDG_CONFIG_DIRS".into(),
        system.path().display().to_string(),
    ));
    let browser_log = ca.dir.path().join("browser.log");
    op.env.extend(browser_env(&ca, &browser_log, true));
    Lab {
        ca,
        _dns: dns,
        ss,
        server,
        smtpd,
        op,
        browser_log,
        system,
    }
}

impl Lab {
    fn json(&self, args: &[&str]) -> (i32, Value) {
        self.op.json(args, "")
    }

    fn add(&self) -> (i32, Value) {
        let port = self.smtpd.port.to_string();
        self.json(&add_args(&port, "tls"))
    }

    fn set_provider(&self, args: Vec<String>) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, v) = self.json(&args);
        assert_eq!(code, 0, "{v}");
    }

    fn run(&self) -> Value {
        let (code, v) = self.json(&["run", "--until-empty", "--timeout", "10"]);
        assert_eq!(code, 0, "{v}");
        v
    }

    fn message(&self, id: i64) -> Value {
        let (code, v) = self.json(&["queue", "show", &id.to_string()]);
        assert_eq!(code, 0, "{v}");
        v["message"].clone()
    }

    /// A packager's settings file brings the client id.
    fn packaged_client_id(&self) {
        let dir = self.system.path().join("outpost");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("oauth2.json"),
            self.server.settings_json().to_string(),
        )
        .unwrap();
    }

    fn refreshes(&self) -> i64 {
        self.server.stats()["refresh_token"].as_i64().unwrap()
    }
}

/// No word of `text` decodes (base64) to something holding a token or XOAUTH2's string.
fn no_encoded_token(text: &str) -> bool {
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    text.split(|c: char| !(c.is_ascii_alphanumeric() || "+/=".contains(c)))
        .filter(|w| w.len() >= 8)
        .filter_map(|w| engine.decode(w).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .all(|w| !w.contains("auth=Bearer") && tokens_in(&w).is_empty())
}

/// Tokens of the test server ("at-…", "rt-…") found in `text`.
fn tokens_in(text: &str) -> Vec<String> {
    text.match_indices("t-")
        .filter(|(i, _)| *i > 0 && matches!(&text[i - 1..*i], "a" | "r"))
        .map(|(i, _)| text[i - 1..].chars().take(35).collect::<String>())
        .filter(|t| {
            t.len() == 35
                && t[3..]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .collect()
}

#[test]
fn signing_in_through_the_browser_then_sending_refreshes_and_a_revoked_sign_in_pauses() {
    // Access tokens live 300 s: due for renewal at once under the 5-minute margin.
    let mut lab = lab(&["--token-lifetime", "300"]);
    // Every command logs its conversations (the sender into its file): no token may reach
    // them, as the end of this test checks.
    lab.op.env.push(("OUTPOST_LOG".into(), "debug".into()));

    // As shipped: the provider is known, but nobody registered a client id.
    lab.set_provider(lab.server.provider_args_without_client());
    let (code, v) = lab.add();
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "oauth2_no_client_id", "{v}");
    let advice = v["error"]["advice"].as_str().unwrap();
    assert!(
        advice.contains(&format!("outpost oauth2 set {PROVIDER} --client-id")),
        "{advice}"
    );
    assert!(advice.contains("app password"), "{advice}");
    let (_, list) = lab.json(&["account", "list"]);
    assert_eq!(
        list["accounts"],
        serde_json::json!([]),
        "nothing half-added"
    );

    lab.packaged_client_id();
    let (code, v) = lab.json(&["oauth2", "list"]);
    assert_eq!(code, 0, "{v}");
    let mine = v["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == PROVIDER)
        .unwrap()
        .clone();
    assert_eq!(mine["client_id"], CLIENT_ID, "{mine}");
    assert_eq!(mine["hosts"], serde_json::json!(["mail.example.test"]));

    let (code, v) = lab.add();
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["account"]["smtp"]["auth"], "oauth2");
    assert!(tokens_in(&v.to_string()).is_empty(), "{v}");
    let page = std::fs::read_to_string(&lab.browser_log).unwrap();
    assert!(page.contains("signed you in"), "{page}");
    let id = v["account"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        lab.ss.count_items(APP_ID, &id),
        1,
        "the sign-in is in the keyring"
    );
    assert_eq!(lab.refreshes(), 0);

    let (code, v) = lab.json(&["account", "check", USER]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["steps"][0]["step"], "token");
    assert!(tokens_in(&v.to_string()).is_empty(), "{v}");
    assert!(
        v["steps"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("renewed"),
        "{v}"
    );
    let auth = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "auth")
        .unwrap();
    // The standard mechanism (RFC 7628) where the server offers it beside XOAUTH2.
    assert!(
        auth["detail"].as_str().unwrap().contains("OAUTHBEARER"),
        "{auth}"
    );
    assert_eq!(lab.refreshes(), 1);

    // The outbox refreshes before sending (the server rotates refresh tokens: the one
    // written back to the keyring is the one that works).
    let first = lab.op.send_to_bob(&[]);
    lab.run();
    assert_eq!(lab.message(first)["state"], "sent");
    assert_eq!(lab.refreshes(), 2);
    assert_eq!(lab.smtpd.received().len(), 1);

    // The person removes Outpost's access at the provider: the account pauses, no retry
    // is used up, nothing is sent.
    lab.server.revoke_all();
    let second = lab.op.send_to_bob(&[]);
    let v = lab.run();
    let paused = v["paused"].to_string();
    assert!(paused.contains("Sign in again"), "{v}");
    let m = lab.message(second);
    assert_eq!(
        (m["state"].as_str(), m["attempts"].as_i64()),
        (Some("retry"), Some(0)),
        "{m}"
    );
    lab.run();
    assert_eq!(
        lab.message(second)["attempts"],
        0,
        "still paused, still nothing counted"
    );
    assert_eq!(lab.smtpd.received().len(), 1);

    // Signing in again lets it go.
    let (code, v) = lab.json(&["account", "signin", USER]);
    assert_eq!(code, 0, "{v}");
    lab.run();
    assert_eq!(lab.message(second)["state"], "sent");
    assert_eq!(lab.smtpd.received().len(), 2);

    // No token in any file (the sender's debug log among them), nor in what the commands
    // printed.
    let files = support::all_files(lab.op.home.path());
    assert!(
        files
            .iter()
            .any(|(p, b)| p.to_string_lossy().contains("/logs/")
                && String::from_utf8_lossy(b).contains("C: AUTH OAUTHBEARER [hidden]")),
        "the sender's log has its logins, hidden"
    );
    for (path, bytes) in files {
        let text = String::from_utf8_lossy(&bytes);
        let found = tokens_in(&text);
        assert!(found.is_empty(), "a token in {}: {found:?}", path.display());
        assert!(
            no_encoded_token(&text),
            "an encoded token in {}",
            path.display()
        );
    }
    let _ = &lab.ca;
    // The transcript and the debug log show the OAUTHBEARER login hidden: no token, raw or in
    // the base64 the login sends it in.
    let out = lab.op.check_with_transcript(USER);
    let said = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("C: AUTH OAUTHBEARER [hidden]"), "{said}");
    assert!(tokens_in(&said).is_empty(), "{said}");
    assert!(no_encoded_token(&said), "{said}");
}

#[test]
fn a_server_offering_only_xoauth2_is_logged_in_with_it() {
    // As Microsoft's servers: XOAUTH2 and no OAUTHBEARER.
    let lab = lab_with(&[], &["--exclude-auth", "OAUTHBEARER"]);
    lab.packaged_client_id();
    let (code, v) = lab.add();
    assert_eq!(code, 0, "{v}");
    let (code, v) = lab.json(&["account", "check", USER]);
    assert_eq!(code, 0, "{v}");
    assert!(v.to_string().contains("with XOAUTH2"), "{v}");
    let id = lab.op.send_to_bob(&[]);
    lab.run();
    assert_eq!(lab.message(id)["state"], "sent");
}

#[test]
fn declining_in_the_browser_adds_nothing_and_says_why() {
    let lab = lab(&[]);
    lab.set_provider(lab.server.provider_args());
    let mut op = Outpost {
        home: tempfile::tempdir().unwrap(),
        env: lab.op.env.clone(),
    };
    op.env
        .retain(|(k, _)| k != "BROWSER_CONSENT" && k != "OUTPOST_HOME");
    op.env.push(("BROWSER_CONSENT".into(), "deny".into()));
    op.env.push((
        "OUTPOST_HOME".into(),
        lab.op.home.path().display().to_string(),
    ));
    let port = lab.smtpd.port.to_string();
    let (code, v) = op.json(&add_args(&port, "tls"), "");
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "oauth2_denied", "{v}");
    assert!(
        v["error"]["advice"].as_str().unwrap().contains("password"),
        "{v}"
    );
    let (_, list) = lab.json(&["account", "list"]);
    assert_eq!(list["accounts"], serde_json::json!([]));
    assert_eq!(lab.server.stats()["authorization_code"], 0);
}

#[test]
fn settings_files_refuse_plain_http_endpoints_and_unknown_providers_need_endpoints() {
    let lab = lab(&[]);
    let (code, v) = lab.json(&[
        "oauth2",
        "set",
        "lab",
        "--host",
        "mail.example.test",
        "--client-id",
        "x",
    ]);
    assert_eq!(code, 1, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("auth_url"),
        "{v}"
    );
    let (code, v) = lab.json(&[
        "oauth2",
        "set",
        "google",
        "--token-url",
        "http://evil.example/token",
    ]);
    assert_eq!(code, 1, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("https://"),
        "{v}"
    );
    let file = lab.op.home.path().join("config/oauth2.json");
    assert!(!Path::new(&file).exists(), "nothing written");

    // Google's client id, as a person would set it.
    let (code, v) = lab.json(&["oauth2", "set", "google", "--client-id", "123.apps"]);
    assert_eq!(code, 0, "{v}");
    let (_, v) = lab.json(&["oauth2", "list"]);
    let google = v["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "google")
        .unwrap()
        .clone();
    assert_eq!(google["client_id"], "123.apps");
    assert!(
        google["hosts"]
            .as_array()
            .unwrap()
            .contains(&"smtp.gmail.com".into())
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let (code, _) = lab.json(&["oauth2", "unset", "google"]);
    assert_eq!(code, 0);
    let (code, v) = lab.json(&["oauth2", "unset", "google"]);
    assert_eq!(code, 2, "{v}");
}

#[test]
fn gmail_takes_an_app_password_and_signs_in_with_google_only_with_a_client_id() {
    let lab = lab(&[]);
    let add = |extra: &[&str], stdin: &str| {
        let mut args = vec![
            "account",
            "add",
            "--email",
            "ann@gmail.com",
            "--detect",
            "--session-keyring",
        ];
        args.extend_from_slice(extra);
        lab.op.json(&args, stdin)
    };
    // Detection (the built-in table) knows Google signs in, but no client id is built in:
    // the way in is an app password, asked for (here there is no terminal to ask on).
    let (code, v) = add(&[], "");
    assert_eq!(code, 2, "{v}");
    assert_eq!(v["error"]["kind"], "no_secret", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("No app password was given"),
        "{v}"
    );
    // Asking for the sign-in says how to get a client id, or to use an app password.
    let (code, v) = add(&["--auth", "oauth2"], "");
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "oauth2_no_client_id", "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("Google"),
        "{v}"
    );
    let advice = v["error"]["advice"].as_str().unwrap();
    assert!(advice.contains("console.cloud.google.com"), "{advice}");
    assert!(
        advice.contains("outpost oauth2 set google --client-id"),
        "{advice}"
    );
    // A password piped in is an app password: login "password", nothing to sign in.
    let (code, v) = add(&["--password-stdin"], "app password\n");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["account"]["smtp"]["host"], "smtp.gmail.com");
    assert_eq!(v["account"]["smtp"]["auth"], "password");
}

#[test]
fn sign_in_endpoints_from_the_domains_own_configuration_are_used_when_none_is_known() {
    let mut lab = lab(&[]);
    let email = "ann@disc.example.test";
    // The domain's configuration over HTTPS names its server and where to sign in; no
    // provider is known for that server.
    let xml = format!(
        r#"<?xml version="1.0"?><clientConfig version="1.2"><emailProvider id="disc">
<domain>disc.example.test</domain><outgoingServer type="smtp"><hostname>mail.example.test</hostname>
<port>{}</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username>
<authentication>OAuth2</authentication></outgoingServer></emailProvider>
<oAuth2><issuer>auth.disc.example.test</issuer><scope>smtp</scope>
<authURL>{}</authURL><tokenURL>{}</tokenURL></oAuth2></clientConfig>"#,
        lab.smtpd.port,
        lab.server.url("/authorize"),
        lab.server.url("/token"),
    );
    let cert = lab.ca.issue("disc", &["autoconfig.disc.example.test"]);
    let https = support::Httpd::start(
        &serde_json::json!({"autoconfig.disc.example.test /mail/config-v1.1.xml": {"body": xml}}),
        Some(&cert),
    );
    lab.op
        .env
        .push(("OUTPOST_PORT_MAP".into(), format!("443={}", https.port)));
    let op = &lab.op;

    let (code, v) = op.json(&["detect", email, "--no-probe"], "");
    support::found(code, &v, "autoconfig", "mail.example.test");
    assert_eq!(v["smtp"]["auth"], "oauth2", "{v}");
    assert_eq!(v["oauth2"]["issuer"], "auth.disc.example.test", "{v}");

    // Signing in: the endpoints become a provider; it needs a client id like any other.
    let add = [
        "account",
        "add",
        "--email",
        email,
        "--detect",
        "--session-keyring",
    ];
    let (code, v) = op.json(&add, "");
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["error"]["kind"], "oauth2_no_client_id", "{v}");
    let advice = v["error"]["advice"].as_str().unwrap();
    assert!(
        advice.contains("outpost oauth2 set auth.disc.example.test --client-id"),
        "{advice}"
    );
    let (_, list) = op.json(&["oauth2", "list"], "");
    let adopted = list["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "auth.disc.example.test")
        .unwrap_or_else(|| panic!("{list}"))
        .clone();
    assert_eq!(adopted["token_url"], lab.server.url("/token"), "{adopted}");

    let (code, v) = op.json(
        &[
            "oauth2",
            "set",
            "auth.disc.example.test",
            "--client-id",
            support::oauth::CLIENT_ID,
            "--client-secret",
            support::oauth::CLIENT_SECRET,
        ],
        "",
    );
    assert_eq!(code, 0, "{v}");
    let (code, v) = op.json(&add, "");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["account"]["smtp"]["auth"], "oauth2", "{v}");
    let (code, v) = op.json(&["account", "check", email], "");
    assert_eq!(code, 0, "signed in and logged in with the token: {v}");
}
