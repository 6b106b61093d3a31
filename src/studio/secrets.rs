//! Passwords of environments: the OS keychain first, environment variables as the fallback.
//!
//! Project files are shared and kept in git, so a URL names its password as `${NAME}` and never
//! holds it. The app stores the value under `NAME` in the OS keychain (Secret Service on Linux,
//! Keychain on macOS, Credential Manager on Windows, through the `keyring` crate). When the
//! process environment has `NAME`, it wins: that is how the CLI, CI and a bare Linux box without
//! a keychain service provide passwords. When no keychain service runs, storing a password is an
//! error that says so and names the variable to set instead; the value is never written
//! anywhere else, and it never appears in logs.

use serde::Serialize;

use crate::endpoint::SecretSource;

/// The keychain service name the app's entries are stored under.
pub const KEYCHAIN_SERVICE: &str = "dualwrite-studio";

/// Why a password could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The name cannot be a `${NAME}` reference.
    #[error("\"{0}\" cannot name a password: use letters, digits and underscores, as in ${{FNO_PASSWORD}}")]
    InvalidName(String),
    /// No keychain service answers (typical on a bare Linux box or in CI).
    #[error("no keychain service is available ({reason}); set the environment variable {name} before starting the app instead")]
    KeychainUnavailable { name: String, reason: String },
}

/// Where the value of a `${NAME}` reference comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum SecretOrigin {
    /// The process environment has the variable.
    EnvironmentVariable,
    /// The OS keychain has an entry.
    Keychain,
    /// Nowhere: connecting will fail until it is stored or set.
    Missing,
}

/// What the app knows about one password, without its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SecretStatus {
    pub name: String,
    pub origin: SecretOrigin,
    /// Whether a keychain service answered.
    pub keychain_available: bool,
    /// For people: where the value comes from, or what to do.
    pub message: String,
}

/// Passwords from the environment, then the keychain.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeychainSecrets;

impl KeychainSecrets {
    /// Stores `value` under `name` in the keychain.
    pub fn store(&self, name: &str, value: &str) -> Result<SecretStatus, SecretError> {
        check_name(name)?;
        let entry = entry(name)?;
        entry
            .set_password(value)
            .map_err(|error| unavailable(name, &error))?;
        tracing::info!(name, "password stored in the keychain");
        Ok(self.status(name))
    }

    /// Removes the keychain entry of `name`, if any.
    pub fn forget(&self, name: &str) -> Result<SecretStatus, SecretError> {
        check_name(name)?;
        match entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(self.status(name)),
            Err(error) => Err(unavailable(name, &error)),
        }
    }

    /// Where `name` would be taken from now.
    pub fn status(&self, name: &str) -> SecretStatus {
        let keychain = entry(name).map(|e| e.get_password());
        let keychain_available = !matches!(
            keychain,
            Err(_)
                | Ok(Err(keyring::Error::PlatformFailure(_)))
                | Ok(Err(keyring::Error::NoStorageAccess(_)))
        );
        let (origin, message) = if std::env::var_os(name).is_some() {
            (
                SecretOrigin::EnvironmentVariable,
                format!("taken from the environment variable {name}"),
            )
        } else if matches!(keychain, Ok(Ok(_))) {
            (
                SecretOrigin::Keychain,
                "stored in the OS keychain".to_string(),
            )
        } else if keychain_available {
            (
                SecretOrigin::Missing,
                format!("not set: store the password in the keychain, or set the environment variable {name}"),
            )
        } else {
            (
                SecretOrigin::Missing,
                format!("not set, and no keychain service is available: set the environment variable {name} before starting the app"),
            )
        };
        SecretStatus {
            name: name.to_string(),
            origin,
            keychain_available,
            message,
        }
    }
}

impl SecretSource for KeychainSecrets {
    fn secret(&self, name: &str) -> Option<String> {
        if let Ok(value) = std::env::var(name) {
            return Some(value);
        }
        entry(name).ok()?.get_password().ok()
    }
}

/// The `${NAME}` references of a URL, in order, without duplicates.
pub fn references(url: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = url;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let name = after[..end].to_string();
        if !names.contains(&name) {
            names.push(name);
        }
        rest = &after[end + 1..];
    }
    names
}

fn check_name(name: &str) -> Result<(), SecretError> {
    let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(SecretError::InvalidName(name.to_string()))
    }
}

fn entry(name: &str) -> Result<keyring::Entry, SecretError> {
    keyring::Entry::new(KEYCHAIN_SERVICE, name).map_err(|error| unavailable(name, &error))
}

fn unavailable(name: &str, error: &keyring::Error) -> SecretError {
    SecretError::KeychainUnavailable {
        name: name.to_string(),
        reason: error.to_string(),
    }
}
