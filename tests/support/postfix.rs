//! A real Postfix submission server (Debian's `postfix`, with Cyrus SASL logins from a sasldb
//! made by `saslpasswd2` of `sasl2-bin`), configured and started by the test in a folder of
//! its own on 127.0.0.1: STARTTLS, AUTH PLAIN/LOGIN only after TLS, relaying for logged-in
//! users only, `reject_sender_login_mismatch` with a sender-login map, and every accepted
//! message discarded. Needs root (Postfix's master runs as root, as packaged); stopped when
//! dropped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Postfix {
    pub port: u16,
    pub dir: tempfile::TempDir,
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what} runs: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Postfix {
    /// Starts Postfix with `cert` (for mail.example.test), the SASL `logins` (address,
    /// password), and `senders`: which login may send from which address.
    pub fn start(
        cert: &(PathBuf, PathBuf),
        logins: &[(&str, &str)],
        senders: &[(&str, &str)],
    ) -> Self {
        Self::start_delivering(cert, logins, senders, None)
    }

    /// [`Self::start`], delivering mail for `deliver`'s addresses (in example.test) into the
    /// maildirs under its folder (`<folder>/<user>/Maildir`, Dovecot's); the rest is
    /// discarded.
    pub fn start_delivering(
        cert: &(PathBuf, PathBuf),
        logins: &[(&str, &str)],
        senders: &[(&str, &str)],
        deliver: Option<(&Path, &[&str])>,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // Postfix's unprivileged processes must reach the folder; the lock lives in data/.
        std::fs::set_permissions(d, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        for sub in ["conf/sasl", "queue", "data"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        run(
            Command::new("chown").args(["postfix"]).arg(d.join("data")),
            "chown postfix data",
        );
        let map: Vec<String> = senders
            .iter()
            .map(|(from, login)| format!("{from}={login}"))
            .collect();
        let main = format!(
            "compatibility_level = 3.6
queue_directory = {d}/queue
data_directory = {d}/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mail.example.test
mydestination =
maillog_file = {d}/maillog
maillog_file_prefixes = {d}
smtpd_tls_cert_file = {crt}
smtpd_tls_key_file = {key}
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtpd_sender_login_maps = inline:{{ {map} }}
smtpd_sender_restrictions = reject_sender_login_mismatch
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
default_transport = discard
{virtual}",
            virtual = match deliver {
                None => String::new(),
                Some((base, users)) => {
                    let maps: Vec<String> = users
                        .iter()
                        .map(|u| format!("{u}={}/Maildir/", u.split('@').next().unwrap()))
                        .collect();
                    format!(
                        "virtual_mailbox_domains = example.test
virtual_mailbox_base = {}
virtual_mailbox_maps = inline:{{ {} }}
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
virtual_mailbox_limit = 0
",
                        base.display(),
                        maps.join(", ")
                    )
                }
            },
            d = d.display(),
            crt = cert.0.display(),
            key = cert.1.display(),
            map = map.join(", "),
        );
        std::fs::write(d.join("conf/main.cf"), main).unwrap();
        let services = [
            "pickup unix n - n 60 1 pickup",
            "cleanup unix n - n - 0 cleanup",
            "qmgr unix n - n 300 1 qmgr",
            "tlsmgr unix - - n 1000? 1 tlsmgr",
            "rewrite unix - - n - - trivial-rewrite",
            "bounce unix - - n - 0 bounce",
            "defer unix - - n - 0 bounce",
            "trace unix - - n - 0 bounce",
            "verify unix - - n - 1 verify",
            "flush unix n - n 1000? 0 flush",
            "proxymap unix - - n - - proxymap",
            "smtp unix - - n - - smtp",
            "relay unix - - n - - smtp",
            "showq unix n - n - - showq",
            "error unix - - n - - error",
            "retry unix - - n - - error",
            "discard unix - - n - - discard",
            "virtual unix - n n - - virtual",
            "local unix - n n - - local",
            "anvil unix - - n - 1 anvil",
            "scache unix - - n - 1 scache",
            "postlog unix-dgram n - n - 1 postlogd",
        ];
        // Debian's Postfix reads Cyrus SASL's settings from $config_directory/sasl/.
        let sasldb = d.join("sasldb2");
        std::fs::write(
            d.join("conf/sasl/smtpd.conf"),
            format!(
                "pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\n\
                 sasldb_path: {}\n",
                sasldb.display()
            ),
        )
        .unwrap();
        for (login, password) in logins {
            let (user, realm) = login.split_once('@').expect("a login is an address");
            let mut child = Command::new("saslpasswd2")
                .args(["-f"])
                .arg(&sasldb)
                .args(["-p", "-c", "-u", realm, user])
                .stdin(Stdio::piped())
                .spawn()
                .expect("saslpasswd2 runs (./scripts/test installs sasl2-bin)");
            child
                .stdin
                .take()
                .unwrap()
                .write_all(password.as_bytes())
                .unwrap();
            assert!(child.wait().unwrap().success(), "saslpasswd2 {login}");
        }
        run(
            Command::new("chown").arg("postfix").arg(&sasldb),
            "chown postfix sasldb2",
        );
        // A port found free may be taken before Postfix binds it: then `postfix start`
        // fails with "Address already in use", and another port is tried.
        for _ in 0..5 {
            let port = super::free_port();
            let master = format!(
                "127.0.0.1:{port} inet n - n - - smtpd\n{}\n",
                services.join("\n")
            );
            std::fs::write(d.join("conf/master.cf"), master).unwrap();
            let out = Command::new("postfix")
                .arg("-c")
                .arg(d.join("conf"))
                .arg("start")
                .output()
                .expect("postfix runs (./scripts/test installs it)");
            let log = std::fs::read_to_string(d.join("maillog")).unwrap_or_default();
            if !out.status.success() && log.contains("Address already in use") {
                std::fs::remove_file(d.join("maillog")).ok();
                continue;
            }
            assert!(
                out.status.success(),
                "postfix start failed: {}{}{log}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let start = Instant::now();
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(
                    start.elapsed() < Duration::from_secs(10),
                    "Postfix listens on {port}: {}",
                    std::fs::read_to_string(d.join("maillog")).unwrap_or_default()
                );
                std::thread::sleep(Duration::from_millis(50));
            }
            return Self { port, dir };
        }
        panic!("Postfix did not start listening (five ports tried)")
    }

    /// What Postfix logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("maillog")).unwrap_or_default()
    }

    fn conf(&self) -> PathBuf {
        Path::new(self.dir.path()).join("conf")
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        let _ = Command::new("postfix")
            .arg("-c")
            .arg(self.conf())
            .arg("abort")
            .output();
    }
}
