//! Opening the endpoint an environment of the project describes.
//!
//! Project files are shared, so they hold no secrets: a URL may say
//! `postgres://sync:${PGPASSWORD}@db/fno`, and the variable is expanded here, when connecting. A
//! variable that is not set is an error naming it (never an empty password). A SQLite URL is a path
//! relative to the project file (`sqlite:` and `sqlite://` prefixes are accepted). URLs are logged
//! only through [`redact_url`], which hides any password.

use std::path::{Path, PathBuf};

use crate::model::{EndpointKind, Environment};

use super::postgres::{PostgresEndpoint, PostgresOptions};
use super::sqlite::{SqliteEndpoint, SqliteOptions};
use super::{Endpoint, EndpointError, Result};

/// Where the values of `${NAME}` in a URL come from: the process environment for the CLI; the
/// desktop app adds the OS keychain behind it.
pub trait SecretSource: Send + Sync {
    /// The value of `name`, if there is one.
    fn secret(&self, name: &str) -> Option<String>;
}

/// `${NAME}` from the process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvironmentVariables;

impl SecretSource for EnvironmentVariables {
    fn secret(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

/// Opens the endpoint of `environment`; relative SQLite paths are taken from `project_dir`.
pub async fn connect(environment: &Environment, project_dir: &Path) -> Result<Box<dyn Endpoint>> {
    connect_with_secrets(environment, project_dir, &EnvironmentVariables).await
}

/// [`connect`], taking the values of `${NAME}` from `secrets`.
pub async fn connect_with_secrets(
    environment: &Environment,
    project_dir: &Path,
    secrets: &dyn SecretSource,
) -> Result<Box<dyn Endpoint>> {
    let url = expand_env(&environment.id, &environment.url, |name| {
        secrets.secret(name)
    })?;
    match environment.kind {
        EndpointKind::Sqlite => {
            let path = sqlite_path(project_dir, &url);
            if !path.exists() {
                return Err(EndpointError::SqliteFileMissing {
                    environment: environment.id.clone(),
                    path,
                });
            }
            let label = format!("environment \"{}\" ({})", environment.id, path.display());
            tracing::info!(endpoint = %label, "opening SQLite endpoint");
            let endpoint =
                SqliteEndpoint::open(label, environment.side, &path, SqliteOptions::default())
                    .await?;
            Ok(Box::new(endpoint))
        }
        EndpointKind::Postgres => {
            let label = format!("environment \"{}\" ({})", environment.id, redact_url(&url));
            tracing::info!(endpoint = %label, "opening PostgreSQL endpoint");
            let endpoint =
                PostgresEndpoint::open(label, environment.side, &url, PostgresOptions::default())
                    .await
                    .map_err(|error| match error {
                        EndpointError::InvalidUrl { reason, .. } => EndpointError::InvalidUrl {
                            environment: environment.id.clone(),
                            url: redact_url(&environment.url),
                            reason,
                        },
                        other => other,
                    })?;
            Ok(Box::new(endpoint))
        }
    }
}

/// The SQLite file a URL names, relative to the project directory.
pub fn sqlite_path(project_dir: &Path, url: &str) -> PathBuf {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = Path::new(path);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        project_dir.join(path)
    }
}

/// Replaces every `${NAME}` in `text` by `lookup(NAME)`; a name without a value is an error naming
/// it and the environment. `$` not followed by `{` is kept as it is.
pub fn expand_env(
    environment: &str,
    text: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err(EndpointError::InvalidUrl {
                environment: environment.to_string(),
                url: redact_url(text),
                reason: "\"${\" without a closing \"}\"".to_string(),
            });
        };
        let name = &after[..end];
        let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(EndpointError::InvalidUrl {
                environment: environment.to_string(),
                url: redact_url(text),
                reason: format!("\"${{{name}}}\" is not an environment variable name"),
            });
        }
        let value = lookup(name).ok_or_else(|| EndpointError::MissingVariable {
            environment: environment.to_string(),
            variable: name.to_string(),
        })?;
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `url` with any password replaced by `***`, fit for logs and messages. Text that is not a URL
/// with credentials is returned unchanged.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            if parsed.set_password(Some("***")).is_ok() {
                parsed.to_string()
            } else {
                "<url with a password>".to_string()
            }
        }
        Ok(_) => url.to_string(),
        // Unparseable: hide whatever sits between "://" and "@", if anything.
        Err(_) => match (url.find("://"), url.rfind('@')) {
            (Some(scheme_end), Some(at)) if at > scheme_end => {
                format!("{}***{}", &url[..scheme_end + 3], &url[at..])
            }
            _ => url.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://sync:s3cret@db:5432/fno"),
            "postgres://sync:***@db:5432/fno"
        );
        assert_eq!(
            redact_url("postgres://sync@db/fno"),
            "postgres://sync@db/fno"
        );
        assert!(!redact_url("postgres://u:p%40ss w@@db/fno").contains("ss w"));
    }

    #[test]
    fn sqlite_paths_are_relative_to_the_project() {
        let dir = Path::new("/projects/demo");
        assert_eq!(sqlite_path(dir, "fno.db"), dir.join("fno.db"));
        assert_eq!(
            sqlite_path(dir, "sqlite:data/fno.db"),
            dir.join("data/fno.db")
        );
        assert_eq!(sqlite_path(dir, "/abs/x.db"), PathBuf::from("/abs/x.db"));
    }
}
