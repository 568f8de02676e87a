//! Sign-in settings a person or a packager gives: client ids and secrets per provider, other
//! endpoints (a Microsoft 365 tenant), or whole providers the table lacks. JSON files, read in
//! order, later ones winning field by field: `$XDG_CONFIG_DIRS/outpost/oauth2.json` (for
//! packagers, default `/etc/xdg`), then the user's `oauth2.json` beside the account file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::paths::Paths;

/// The settings of one provider; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderConfig {
    /// The name shown on the sign-in button.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The client id registered with the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The client secret, for providers that give desktop apps one (not a user's secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// The authorization endpoint (https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_url: Option<String>,
    /// The token endpoint (https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
    /// Scopes, space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// SMTP hosts that accept this provider's tokens.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    /// The issuer identifier (an `https://` address) whose metadata (RFC 8414) describes
    /// it: set for issuers found by detection, which Outpost registers with by itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

/// One settings file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OauthConfig {
    /// Providers by id (`google`, `microsoft`, … or a new one).
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderConfig>,
}

/// A settings file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// It could not be read or written.
    #[error("{}", tr!(
        "config-io",
        action = *.action,
        path = .path.display().to_string(),
        error = .source.to_string()
    ))]
    Io {
        /// "read" or "write".
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// It is not valid.
    #[error("{}: {problem}", .path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
}

/// A setting as typed: trimmed; blank means not set.
pub fn value(typed: &str) -> Option<String> {
    Some(typed.trim().to_string()).filter(|v| !v.is_empty())
}

/// The user's settings file.
pub fn user_file(paths: &Paths) -> PathBuf {
    paths.config_dir.join("oauth2.json")
}

/// Packagers' settings files, least important first.
pub fn system_files() -> Vec<PathBuf> {
    let dirs = std::env::var("XDG_CONFIG_DIRS")
        .ok()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "/etc/xdg".into());
    let mut files: Vec<PathBuf> = dirs
        .split(':')
        .filter(|d| !d.is_empty())
        .map(|d| Path::new(d).join("outpost").join("oauth2.json"))
        .collect();
    // XDG lists the most important folder first.
    files.reverse();
    files
}

impl OauthConfig {
    /// Reads `path`; a missing file is an empty one.
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => {
                return Err(ConfigError::Io {
                    action: "read",
                    path: path.into(),
                    source,
                });
            }
        };
        let config: Self = serde_json::from_str(&text).map_err(|e| ConfigError::Invalid {
            path: path.into(),
            problem: tr!("config-not-valid", error = e.to_string()),
        })?;
        config.check(path)?;
        Ok(config)
    }

    /// Writes `path` (0600: it may hold client secrets).
    pub fn write(&self, path: &Path) -> Result<(), ConfigError> {
        self.check(path)?;
        let io = |source| ConfigError::Io {
            action: "write",
            path: path.into(),
            source,
        };
        if let Some(dir) = path.parent() {
            crate::paths::create_private_dir(dir).map_err(io)?;
        }
        #[expect(
            clippy::expect_used,
            reason = "strings and numbers always serialize to JSON"
        )]
        let mut json = serde_json::to_vec_pretty(self).expect("settings serialize");
        json.push(b'\n');
        crate::paths::write_private(path, &json).map_err(io)
    }

    /// Endpoints must be HTTPS: a code or token sent in clear could be taken on the way.
    fn check(&self, path: &Path) -> Result<(), ConfigError> {
        for (id, p) in &self.providers {
            for url in [&p.auth_url, &p.token_url, &p.issuer].into_iter().flatten() {
                if !url.starts_with("https://") || url::Url::parse(url).is_err() {
                    return Err(ConfigError::Invalid {
                        path: path.into(),
                        problem: format!(
                            "provider '{id}': '{url}' is not an https:// address; sign-in \
                             endpoints must be encrypted"
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// The packagers' files, then the user's.
    pub fn layers(paths: &Paths) -> Result<Vec<(PathBuf, Self)>, ConfigError> {
        system_files()
            .into_iter()
            .chain([user_file(paths)])
            .map(|p| Self::read(&p).map(|c| (p, c)))
            .collect()
    }
}
