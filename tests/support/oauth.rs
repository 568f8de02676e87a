//! The OAuth2 lab: the test authorization server (`oauth_server.py`) over HTTPS with the test
//! CA, an SMTP server that checks XOAUTH2 against it, and the test browser (`browser.py`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::{Smtpd, TestCa};

/// The client id the test server knows.
pub const CLIENT_ID: &str = "outpost-test-client";
/// The client secret the test server wants.
pub const CLIENT_SECRET: &str = "not-really-secret";
/// The provider's id in Outpost's settings.
pub const PROVIDER: &str = "lab";
/// Its name on the button.
pub const PROVIDER_NAME: &str = "Example Lab";

/// `oauth_server.py` on 127.0.0.1, stopped when dropped.
pub struct OauthServer {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

/// A script in tests/support.
pub fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support")
        .join(name)
}

impl OauthServer {
    /// Starts the server with a certificate for auth.example.test and 127.0.0.1, plus
    /// `extra` arguments (`--token-lifetime`, `--code-lifetime`).
    pub fn start(ca: &TestCa, extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (crt, key) = ca.issue("auth", &["auth.example.test", "127.0.0.1"]);
        let mut child = Command::new("python3")
            .arg(script("oauth_server.py"))
            .args([
                "--cert",
                crt.to_str().unwrap(),
                "--key",
                key.to_str().unwrap(),
            ])
            .args(["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET])
            .args(["--scope", "smtp", "--user", super::USER])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.path().join("oauth.log")).unwrap())
            .spawn()
            .expect("python3 runs");
        let port = super::read_port(&mut child, "oauth_server.py");
        Self { child, port, dir }
    }

    /// An address on the server, by the name Outpost resolves through the test DNS.
    pub fn url(&self, path: &str) -> String {
        format!("https://auth.example.test:{}{path}", self.port)
    }

    /// `outpost oauth2 set` arguments that make the server the provider of
    /// mail.example.test, with the client id and secret.
    pub fn provider_args(&self) -> Vec<String> {
        let mut args = self.provider_args_without_client();
        args.extend([
            "--client-id".into(),
            CLIENT_ID.into(),
            "--client-secret".into(),
            CLIENT_SECRET.into(),
        ]);
        args
    }

    /// As [`Self::provider_args`], without a client id (as shipped without one).
    pub fn provider_args_without_client(&self) -> Vec<String> {
        [
            "oauth2",
            "set",
            PROVIDER,
            "--name",
            PROVIDER_NAME,
            "--auth-url",
            &self.url("/authorize"),
            "--token-url",
            &self.url("/token"),
            "--scope",
            "smtp",
            "--host",
            "mail.example.test",
        ]
        .map(String::from)
        .to_vec()
    }

    /// The same settings as a settings file's JSON.
    pub fn settings_json(&self) -> serde_json::Value {
        serde_json::json!({"providers": {PROVIDER: {
            "name": PROVIDER_NAME,
            "auth_url": self.url("/authorize"),
            "token_url": self.url("/token"),
            "scope": "smtp",
            "hosts": ["mail.example.test"],
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        }}})
    }

    fn call(&self, method: &str, path: &str) -> String {
        let code = "import ssl,sys,urllib.request as u\n\
             r=u.Request(sys.argv[1],method=sys.argv[2],data=b'' if sys.argv[2]=='POST' else None)\n\
             print(u.urlopen(r,context=ssl._create_unverified_context()).read().decode())";
        let out = Command::new("python3")
            .args(["-c", code])
            .arg(format!("https://127.0.0.1:{}{path}", self.port))
            .arg(method)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// How many requests of each kind the server answered.
    pub fn stats(&self) -> serde_json::Value {
        serde_json::from_str(&self.call("GET", "/admin/stats")).unwrap()
    }

    /// Revokes every token, as when the person removes the app's access.
    pub fn revoke_all(&self) {
        self.call("POST", "/admin/revoke");
    }

    /// Lets every access token and authorization code expire now, as time would (refresh
    /// tokens stay valid).
    pub fn expire_now(&self) {
        self.call("POST", "/admin/expire");
    }

    /// An SMTP server (implicit TLS, certificate for mail.example.test) that checks
    /// OAUTHBEARER and XOAUTH2 tokens with this server.
    pub fn smtpd(&self, ca: &TestCa) -> Smtpd {
        self.smtpd_with(ca, &[])
    }

    /// As [`Self::smtpd`], with `extra` arguments (`--exclude-auth OAUTHBEARER`, say).
    pub fn smtpd_with(&self, ca: &TestCa, extra: &[&str]) -> Smtpd {
        let cert = ca.issue("mail", &["mail.example.test"]);
        let introspect = format!("https://127.0.0.1:{}/introspect", self.port);
        let mut args = vec![
            "--xoauth2-introspect",
            &introspect,
            "--ca",
            ca.ca_pem.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        Smtpd::start_with("tls", Some(&cert), &args)
    }
}

impl Drop for OauthServer {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = std::fs::read_to_string(self.dir.path().join("oauth.log"));
            eprintln!("oauth_server.py said:\n{}", log.unwrap_or_default());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `outpost account add` arguments for [`USER`](super::USER) on mail.example.test at `port`
/// with `security`, signing in with the provider.
pub fn add_args<'a>(port: &'a str, security: &'a str) -> Vec<&'a str> {
    vec![
        "account",
        "add",
        "--email",
        super::USER,
        "--host",
        "mail.example.test",
        "--port",
        port,
        "--security",
        security,
        "--auth",
        "oauth2",
    ]
}

/// An account for [`USER`](super::USER) on the lab's XOAUTH2 server (implicit TLS on `port`),
/// its sign-in in the session keyring.
pub fn lab_account(port: u16) -> outpost::account::Account {
    use outpost::account::{AccountId, AuthMethod, SecretBackend, Security, SmtpSettings};
    outpost::account::Account {
        id: AccountId::generate(),
        email: super::USER.into(),
        display_name: None,
        smtp: SmtpSettings {
            host: "mail.example.test".into(),
            port,
            security: Security::Tls,
            username: super::USER.into(),
            auth: AuthMethod::Oauth2,
        },
        imap: None,
        secret_backend: SecretBackend::Session,
        allow_plaintext_auth: false,
        goa_id: None,
        proxy: None,
        pinned_certificate: None,
        senders: Default::default(),
    }
}

/// The environment that makes `$BROWSER` the test browser, which records what it saw in
/// `log`. `consent` false makes the person decline.
pub fn browser_env(ca: &TestCa, log: &Path, consent: bool) -> Vec<(String, String)> {
    vec![
        ("BROWSER".into(), script("browser.py").display().to_string()),
        ("BROWSER_HOSTS".into(), "auth.example.test=127.0.0.1".into()),
        ("BROWSER_LOG".into(), log.display().to_string()),
        ("SSL_CERT_FILE".into(), ca.ca_pem.display().to_string()),
        (
            "BROWSER_CONSENT".into(),
            if consent { "allow" } else { "deny" }.into(),
        ),
    ]
}
