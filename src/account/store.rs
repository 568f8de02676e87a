//! The account file: versioned JSON, written atomically, never overwritten when it cannot be read.

use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::model::Identity;
use super::model::{Account, AccountId};

/// The newest account file version this build reads and writes.
pub const FILE_VERSION: u32 = 1;

/// Every account, and which one is the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accounts {
    /// The account used when none is named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<AccountId>,
    /// All accounts, in the order they were added.
    #[serde(default)]
    pub accounts: Vec<Account>,
}

impl Accounts {
    /// The account with this address (compared without regard to case).
    pub fn by_email(&self, email: &str) -> Option<&Account> {
        self.accounts
            .iter()
            .find(|a| a.email.eq_ignore_ascii_case(email.trim()))
    }

    /// The account that sends as `email` (its own address or one of its identities), and
    /// that identity.
    pub fn sender(&self, email: &str) -> Option<(&Account, Identity)> {
        self.accounts
            .iter()
            .find_map(|a| a.identity(email).map(|i| (a, i)))
    }

    /// The account a message is sent from when none is named: the default, else the first.
    pub fn default_sender(&self) -> Option<&Account> {
        self.default
            .as_ref()
            .and_then(|id| self.by_id(id))
            .or_else(|| self.accounts.first())
    }

    /// The account with this id.
    pub fn by_id(&self, id: &AccountId) -> Option<&Account> {
        self.accounts.iter().find(|a| &a.id == id)
    }

    /// Adds an account, or replaces the one with the same id. The first account becomes default.
    pub fn upsert(&mut self, account: Account) {
        match self.accounts.iter_mut().find(|a| a.id == account.id) {
            Some(slot) => *slot = account,
            None => {
                if self.default.is_none() {
                    self.default = Some(account.id.clone());
                }
                self.accounts.push(account);
            }
        }
    }

    /// Removes the account with this id; the default moves to the first remaining account.
    pub fn remove(&mut self, id: &AccountId) -> Option<Account> {
        let pos = self.accounts.iter().position(|a| &a.id == id)?;
        let removed = self.accounts.remove(pos);
        if self.default.as_ref() == Some(id) {
            self.default = self.accounts.first().map(|a| a.id.clone());
        }
        Some(removed)
    }
}

#[derive(Serialize, Deserialize)]
struct FileV1 {
    version: u32,
    #[serde(flatten)]
    accounts: Accounts,
}

/// Why the account file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file system refused.
    #[error("{}", tr!(
        "store-error-io",
        action = *.action,
        path = .path.display().to_string(),
        error = .source.to_string()
    ))]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// The file is not an account file this build understands.
    #[error("{}", tr!(
        "store-error-corrupt",
        path = .path.display().to_string(),
        detail = .detail.as_str()
    ))]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column when known.
        detail: String,
    },
    /// The file was written by a newer Outpost.
    #[error("{}", tr!(
        "store-error-too-new",
        path = .path.display().to_string(),
        found = *.found,
        supported = *.supported
    ))]
    TooNew {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: u64,
        /// The version this build knows.
        supported: u32,
    },
}

/// Reads and writes the account file.
#[derive(Debug, Clone)]
pub struct AccountStore {
    path: PathBuf,
}

impl AccountStore {
    /// A store for the file at `path` (which need not exist yet).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The file this store reads and writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads all accounts; a missing file means no accounts.
    pub fn load(&self) -> Result<Accounts, StoreError> {
        let bytes = match fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Accounts::default()),
            Err(source) => return Err(self.io("read", &self.path, source)),
        };
        self.parse(&bytes)
    }

    fn parse(&self, bytes: &[u8]) -> Result<Accounts, StoreError> {
        let corrupt = |detail: String| StoreError::Corrupt {
            path: self.path.clone(),
            detail,
        };
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
        let version = value
            .get("version")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| corrupt(tr!("store-no-version")))?;
        if version > u64::from(FILE_VERSION) {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: version,
                supported: FILE_VERSION,
            });
        }
        // Version 1 is the first format: there is nothing older to migrate from yet.
        let file: FileV1 = serde_json::from_value(value).map_err(|e| corrupt(e.to_string()))?;
        Ok(file.accounts)
    }

    /// Loads, lets `change` modify the accounts, and saves, holding a lock so that two Outpost
    /// processes cannot lose each other's changes. Nothing is written when `change` fails.
    pub fn update<T, E>(
        &self,
        change: impl FnOnce(&mut Accounts) -> Result<T, E>,
    ) -> Result<Result<T, E>, StoreError> {
        let dir = self.ensure_dir()?;
        let lock_path = dir.join(".accounts.lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| self.io("open", &lock_path, e))?;
        lock.lock().map_err(|e| self.io("lock", &lock_path, e))?;
        let mut accounts = self.load()?;
        let result = change(&mut accounts);
        if result.is_ok() {
            self.write(&accounts)?;
        }
        Ok(result)
    }

    /// Notes on the identity `email` of the account with id `account` that its server
    /// refused to send as it, in the server's `words`; false when there is no such identity
    /// (the account's own address is not marked: its refused messages say so).
    pub fn note_refused_identity(
        &self,
        account: &str,
        email: &str,
        words: &str,
    ) -> Result<bool, StoreError> {
        self.update(|accs| {
            let identity = accs
                .accounts
                .iter_mut()
                .filter(|a| a.id.as_str() == account)
                .flat_map(|a| a.senders.identities.iter_mut())
                .find(|i| i.email.eq_ignore_ascii_case(email));
            match identity {
                Some(i) => {
                    i.refused = Some(words.to_string());
                    Ok(true)
                }
                None => Err(()),
            }
        })
        .map(|r| r.is_ok())
    }

    /// Replaces the file with `accounts`: temp file, fsync, rename, fsync of the folder.
    /// Refuses when the file on disk is damaged or newer, so it is never overwritten.
    pub fn save(&self, accounts: &Accounts) -> Result<(), StoreError> {
        self.ensure_dir()?;
        self.load()?;
        self.write(accounts)
    }

    fn write(&self, accounts: &Accounts) -> Result<(), StoreError> {
        let file = FileV1 {
            version: FILE_VERSION,
            accounts: accounts.clone(),
        };
        #[expect(
            clippy::expect_used,
            reason = "strings, numbers and enums always serialize to JSON"
        )]
        let mut json = serde_json::to_vec_pretty(&file).expect("accounts serialize to JSON");
        json.push(b'\n');
        crate::paths::write_private(&self.path, &json).map_err(|e| self.io("write", &self.path, e))
    }

    fn ensure_dir(&self) -> Result<PathBuf, StoreError> {
        let dir = self.path.parent().unwrap_or(Path::new(".")).to_path_buf();
        crate::paths::create_private_dir(&dir).map_err(|e| self.io("create", &dir, e))?;
        Ok(dir)
    }

    fn io(&self, action: &'static str, path: &Path, source: io::Error) -> StoreError {
        StoreError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{AuthMethod, SecretBackend, Security, SmtpSettings};

    fn account(email: &str) -> Account {
        Account {
            id: AccountId::generate(),
            email: email.into(),
            display_name: None,
            smtp: SmtpSettings {
                host: "smtp.example.org".into(),
                port: 587,
                security: Security::Starttls,
                username: email.into(),
                auth: AuthMethod::Password,
            },
            imap: None,
            secret_backend: SecretBackend::System,
            allow_plaintext_auth: false,
            goa_id: None,
            proxy: None,
            pinned_certificate: None,
            senders: crate::account::Senders::default(),
        }
    }

    #[test]
    fn round_trips_and_keeps_the_first_account_as_default() {
        let dir = tempfile::tempdir().unwrap();
        let store = AccountStore::new(dir.path().join("config/accounts.json"));
        assert_eq!(store.load().unwrap(), Accounts::default());
        let (a, b) = (account("a@example.org"), account("b@example.org"));
        store
            .update(|accs| {
                accs.upsert(a.clone());
                accs.upsert(b.clone());
                Ok::<_, ()>(())
            })
            .unwrap()
            .unwrap();
        let loaded = store.load().unwrap();
        assert_eq!(loaded.accounts, vec![a.clone(), b.clone()]);
        assert_eq!(loaded.default, Some(a.id.clone()));
        assert_eq!(loaded.by_email("B@EXAMPLE.ORG"), Some(&b));
        store
            .update(|accs| accs.remove(&a.id).map(|_| ()).ok_or(()))
            .unwrap()
            .unwrap();
        assert_eq!(store.load().unwrap().default, Some(b.id));
    }

    #[test]
    fn a_failed_change_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = AccountStore::new(dir.path().join("accounts.json"));
        let r = store.update(|accs| {
            accs.upsert(account("a@example.org"));
            Err::<(), _>("no")
        });
        assert_eq!(r.unwrap(), Err("no"));
        assert!(!store.path().exists());
    }

    #[test]
    fn a_damaged_file_is_reported_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("accounts.json");
        fs::write(&path, b"{\"version\": 1, \"accounts\": [").unwrap();
        let store = AccountStore::new(&path);
        let err = store.load().unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("line 1"), "{err}");
        assert!(store.save(&Accounts::default()).is_err());
        assert!(store.update(|_| Ok::<_, ()>(())).is_err());
        assert_eq!(
            fs::read(&path).unwrap(),
            b"{\"version\": 1, \"accounts\": ["
        );
    }

    #[test]
    fn a_newer_file_is_reported_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("accounts.json");
        fs::write(&path, b"{\"version\": 7, \"accounts\": []}").unwrap();
        let store = AccountStore::new(&path);
        let err = store.load().unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::TooNew {
                    found: 7,
                    supported: 1,
                    ..
                }
            ),
            "{err}"
        );
        assert!(store.save(&Accounts::default()).is_err());
        assert_eq!(
            fs::read(&path).unwrap(),
            b"{\"version\": 7, \"accounts\": []}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private_to_its_owner() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = AccountStore::new(dir.path().join("cfg/accounts.json"));
        store.save(&Accounts::default()).unwrap();
        let mode = fs::metadata(store.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "mode {mode:o}");
    }
}
