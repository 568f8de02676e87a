//! Where Outpost keeps its files: XDG directories, or everything under `OUTPOST_HOME`.

use std::path::{Path, PathBuf};

/// Environment variable that moves all of Outpost's files (config, queue, logs) under one folder.
pub const HOME_ENV: &str = "OUTPOST_HOME";

/// The folders Outpost writes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// Settings and the account file.
    pub config_dir: PathBuf,
    /// The outbox and other state.
    pub data_dir: PathBuf,
    /// Log files.
    pub log_dir: PathBuf,
    /// Where the desktop looks for programs to start at login (XDG autostart).
    pub autostart_dir: PathBuf,
    /// The folder `OUTPOST_HOME` names, when it is set: a program Outpost starts on its own
    /// (the background sender) is given it too.
    pub home: Option<PathBuf>,
}

/// No folder could be chosen for Outpost's files.
#[derive(Debug, thiserror::Error)]
#[error("{}", tr!("no-home", var = HOME_ENV))]
pub struct NoHomeDir;

impl Paths {
    /// `OUTPOST_HOME` when set and not empty, else the platform's directories for the app.
    pub fn from_env() -> Result<Self, NoHomeDir> {
        match std::env::var_os(HOME_ENV) {
            Some(home) if !home.is_empty() => Ok(Self::under(Path::new(&home))),
            _ => {
                let dirs = directories::ProjectDirs::from("io.github", "outpostmail", "Outpost")
                    .ok_or(NoHomeDir)?;
                let base = directories::BaseDirs::new().ok_or(NoHomeDir)?;
                Ok(Self {
                    config_dir: dirs.config_dir().to_path_buf(),
                    data_dir: dirs.data_dir().to_path_buf(),
                    log_dir: dirs.data_local_dir().join("logs"),
                    autostart_dir: base.config_dir().join("autostart"),
                    home: None,
                })
            }
        }
    }

    /// Everything under one folder, as `OUTPOST_HOME` does.
    pub fn under(root: &Path) -> Self {
        Self {
            config_dir: root.join("config"),
            data_dir: root.join("data"),
            log_dir: root.join("logs"),
            autostart_dir: root.join("autostart"),
            home: Some(root.to_path_buf()),
        }
    }

    /// The folder of the window's and the sender's log ([`crate::log`]), made (readable by
    /// this user only) when it is not there yet.
    pub fn log_dir(&self) -> std::io::Result<PathBuf> {
        let dir = self.data_dir.join("logs");
        create_private_dir(&dir)?;
        Ok(dir)
    }

    /// The outbox database.
    pub fn outbox_file(&self) -> PathBuf {
        self.data_dir.join("outbox.sqlite")
    }

    /// The lock held by the one worker sending from this outbox.
    pub fn worker_lock_file(&self) -> PathBuf {
        self.data_dir.join("outbox.lock")
    }

    /// The account file.
    pub fn accounts_file(&self) -> PathBuf {
        self.config_dir.join("accounts.json")
    }
}

/// Creates `dir` (and its parents) readable by this user only (`0700` on Unix); an existing
/// folder keeps its permissions.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Replaces `path` with `bytes`, readable by this user only (`0600` on Unix): a temporary
/// file, fsync, rename, fsync of the folder, so a crash leaves the old file or the new one.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        // The write failed already (that error is returned); a temp file left behind is
        // replaced by the next write.
        std::fs::remove_file(&tmp).ok();
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_keeps_every_folder_inside_the_root() {
        let p = Paths::under(Path::new("/tmp/x"));
        for dir in [&p.config_dir, &p.data_dir, &p.log_dir] {
            assert!(dir.starts_with("/tmp/x"));
        }
        assert_eq!(p.accounts_file(), Path::new("/tmp/x/config/accounts.json"));
    }
}
