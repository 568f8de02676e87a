//! A real Dovecot IMAP server (Debian's `dovecot-imapd`), configured and started by the test
//! in a folder of its own on 127.0.0.1 with implicit TLS (the lab's certificate for
//! mail.example.test): users from a passwd file, maildirs under `mail/<user>`, a `\Sent`
//! special-use folder where one exists, and Dovecot's quota plugin for users given a quota.
//! Postfix delivers into the same maildirs ([`super::postfix::Postfix::start_delivering`]).
//! Stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Dovecot {
    pub port: u16,
    pub dir: tempfile::TempDir,
}

/// One IMAP user: login (an address), password, and a storage quota in kilobytes if any.
pub struct ImapUser<'a> {
    pub login: &'a str,
    pub password: &'a str,
    pub quota_kb: Option<u32>,
    /// Whether the user has a Sent folder already.
    pub sent_folder: bool,
}

impl Dovecot {
    /// Starts Dovecot for `users` with `cert` (for mail.example.test).
    pub fn start(cert: &(PathBuf, PathBuf), users: &[ImapUser<'_>]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::set_permissions(d, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let mail = d.join("mail");
        std::fs::create_dir_all(&mail).unwrap();
        let mut passwd = String::new();
        for u in users {
            let quota = u
                .quota_kb
                .map(|kb| format!("userdb_quota_rule=*:storage={kb}k"))
                .unwrap_or_default();
            passwd.push_str(&format!(
                "{}:{{PLAIN}}{}::::::{quota}\n",
                u.login, u.password
            ));
            let maildir = mail.join(local_part(u.login)).join("Maildir");
            for sub in ["cur", "new", "tmp"] {
                std::fs::create_dir_all(maildir.join(sub)).unwrap();
                if u.sent_folder {
                    std::fs::create_dir_all(maildir.join(".Sent").join(sub)).unwrap();
                }
            }
        }
        std::fs::write(d.join("passwd"), passwd).unwrap();
        // Dovecot and Postfix's virtual delivery both write as nobody.
        let chown = Command::new("chown")
            .args(["-R", "nobody:nogroup"])
            .arg(&mail)
            .status()
            .unwrap();
        assert!(chown.success());
        let port = super::free_port();
        Self::write_config(d, cert, port);
        let dovecot = Self { port, dir };
        dovecot.run();
        dovecot
    }

    fn write_config(d: &Path, cert: &(PathBuf, PathBuf), port: u16) {
        let conf = format!(
            "protocols = imap
base_dir = {d}/run
instance_name = outpost-test-{port}
log_path = {d}/dovecot.log
listen = 127.0.0.1
ssl = required
ssl_cert = <{crt}
ssl_key = <{key}
disable_plaintext_auth = yes
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = {d}/passwd
}}
userdb {{
  driver = passwd-file
  args = {d}/passwd
  default_fields = uid=nobody gid=nogroup home={d}/mail/%n
}}
mail_location = maildir:{d}/mail/%n/Maildir
mail_uid = nobody
mail_gid = nogroup
first_valid_uid = 1
mail_plugins = quota
protocol imap {{
  mail_plugins = $mail_plugins imap_quota
}}
plugin {{
  quota = maildir:User quota
}}
namespace inbox {{
  inbox = yes
  separator = .
  mailbox Sent {{
    special_use = \\Sent
  }}
  mailbox Drafts {{
    special_use = \\Drafts
    auto = create
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
",
            d = d.display(),
            crt = cert.0.display(),
            key = cert.1.display(),
        );
        std::fs::write(d.join("dovecot.conf"), conf).unwrap();
    }

    fn conf(&self) -> PathBuf {
        self.dir.path().join("dovecot.conf")
    }

    /// Starts the server (again) on its port and waits until it listens.
    pub fn run(&self) {
        // Its daemon keeps the standard streams it was given: a file, not a pipe to wait on.
        let said = self.dir.path().join("start.out");
        let file = std::fs::File::create(&said).unwrap();
        let status = Command::new("dovecot")
            .arg("-c")
            .arg(self.conf())
            .stdin(std::process::Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .status()
            .expect("dovecot runs (./scripts/test installs dovecot-imapd)");
        assert!(
            status.success(),
            "dovecot failed: {}{}",
            std::fs::read_to_string(&said).unwrap_or_default(),
            self.log()
        );
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "Dovecot listens on {}: {}",
                self.port,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server; its port refuses connections afterwards.
    pub fn stop(&self) {
        Command::new("doveadm")
            .arg("-c")
            .arg(self.conf())
            .arg("stop")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .ok();
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
            && start.elapsed() < Duration::from_secs(10)
        {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What Dovecot logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }

    /// The maildir base Postfix delivers into (`<base>/<user>/Maildir`).
    pub fn mail_base(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    /// Every message in `folder` of `user`, read over IMAP (Python's imaplib, with the lab's
    /// CA), in UID order; with each its flags.
    pub fn fetch(
        &self,
        ca: &Path,
        user: &str,
        password: &str,
        folder: &str,
    ) -> Vec<(String, Vec<u8>)> {
        let script = r#"
import imaplib, ssl, sys, json, base64
ctx = ssl.create_default_context(cafile=sys.argv[1])
# The lab's CA is checked; the name is the lab's, not 127.0.0.1.
ctx.check_hostname = False
m = imaplib.IMAP4_SSL("127.0.0.1", int(sys.argv[2]), ssl_context=ctx)
m.login(sys.argv[3], sys.argv[4])
typ, _ = m.select('"' + sys.argv[5] + '"', readonly=True)
out = []
if typ == "OK":
    typ, data = m.uid("SEARCH", None, "ALL")
    for uid in data[0].split():
        typ, parts = m.uid("FETCH", uid, "(FLAGS BODY.PEEK[])")
        flags = parts[0][0].decode()
        out.append([flags, base64.b64encode(parts[0][1]).decode()])
m.logout()
print(json.dumps(out))
"#;
        let out = Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(ca)
            .arg(self.port.to_string())
            .args([user, password, folder])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "imaplib: {}{}",
            String::from_utf8_lossy(&out.stderr),
            self.log()
        );
        let list: Vec<(String, String)> = serde_json::from_slice(&out.stdout).unwrap();
        use base64::Engine;
        list.into_iter()
            .map(|(flags, b64)| {
                (
                    flags,
                    base64::engine::general_purpose::STANDARD
                        .decode(b64)
                        .unwrap(),
                )
            })
            .collect()
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.stop();
    }
}

fn local_part(login: &str) -> &str {
    login.split('@').next().unwrap_or(login)
}
