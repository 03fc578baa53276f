//! Configuration from environment variables (and an optional `.env`), each documented in the
//! README and `.env.example` with its default.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::media_store::{BucketSettings, MediaStore};

/// A value that must never reach logs or error pages.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Debug)]
pub struct Config {
    /// May carry a database password, hence secret.
    pub database_url: Secret,
    pub addr: SocketAddr,
    /// The URL people and providers reach Switchboard at; webhook signatures are computed over it.
    pub public_url: Url,
    pub log_filter: String,
    pub log_format: LogFormat,
    pub session_idle_timeout: Duration,
    pub session_lifetime: Duration,
    /// The compiled browser bundle and static files (`site/` as cargo-leptos writes it).
    pub site_root: PathBuf,
    /// Enables demo tools (simulating inbound messages); the demo command line sets it.
    pub demo_mode: bool,
    /// Whether this instance runs background work (media downloads, session clean-up); with
    /// several instances, any number of them may.
    pub background_workers: bool,
    /// The local media directory (`SWITCHBOARD_MEDIA_DIR`): where media is kept unless
    /// `SWITCHBOARD_MEDIA_STORE` names a bucket.
    pub media_dir: PathBuf,
    /// Where media sent by contacts (and files sent to them) is kept.
    pub media_store: MediaStore,
    /// The largest media file accepted.
    pub media_max_bytes: u64,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for the sign-in throttle).
    pub trusted_proxies: crate::http::client_address::TrustedProxies,
    /// Lets channel API addresses be http, loopback or private (local fake providers in
    /// sandboxes and tests); off, credentials go only to https and public addresses.
    pub allow_private_provider_urls: bool,
    /// The key channel credentials are sealed under: `SWITCHBOARD_SECRET_KEY`, or else a key
    /// file (`SWITCHBOARD_SECRET_KEY_FILE`, by default beside a SQLite database).
    pub secret_key: crate::secrets::KeySource,
    /// The bearer token `GET /metrics` asks for; unset, the endpoint does not exist.
    pub metrics_token: Option<Secret>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/switchboard.db";
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";

impl Config {
    /// Reads `.env` if present, then the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str, default: &str| lookup(name).unwrap_or_else(|| default.to_string());
        let addr: SocketAddr = parse("SWITCHBOARD_ADDR", &get("SWITCHBOARD_ADDR", DEFAULT_ADDR))?;
        let public_url = get("SWITCHBOARD_PUBLIC_URL", &format!("http://{addr}"));
        let public_url = Url::parse(&public_url).map_err(|error| ConfigError::Invalid {
            name: "SWITCHBOARD_PUBLIC_URL",
            reason: error.to_string(),
        })?;
        let log_format = match get("SWITCHBOARD_LOG_FORMAT", "text").as_str() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                return Err(ConfigError::Invalid {
                    name: "SWITCHBOARD_LOG_FORMAT",
                    reason: format!("expected text or json, got {other}"),
                });
            }
        };
        let idle_minutes: u64 = parse(
            "SWITCHBOARD_SESSION_IDLE_MINUTES",
            &get("SWITCHBOARD_SESSION_IDLE_MINUTES", "120"),
        )?;
        let lifetime_hours: u64 = parse(
            "SWITCHBOARD_SESSION_LIFETIME_HOURS",
            &get("SWITCHBOARD_SESSION_LIFETIME_HOURS", "12"),
        )?;
        let database_url = get("DATABASE_URL", DEFAULT_DATABASE_URL);
        let secret_key = match lookup("SWITCHBOARD_SECRET_KEY").filter(|v| !v.trim().is_empty()) {
            Some(value) => {
                // Checked now so a bad key stops the start, not the first send.
                crate::secrets::SecretKey::parse(&value, "SWITCHBOARD_SECRET_KEY").map_err(
                    |error| ConfigError::Invalid {
                        name: "SWITCHBOARD_SECRET_KEY",
                        reason: error.to_string(),
                    },
                )?;
                crate::secrets::KeySource::Environment(Secret::new(value))
            }
            None => crate::secrets::KeySource::File(
                lookup("SWITCHBOARD_SECRET_KEY_FILE")
                    .filter(|v| !v.trim().is_empty())
                    .map(PathBuf::from)
                    .unwrap_or_else(|| default_key_file(&database_url)),
            ),
        };
        let media_dir = PathBuf::from(get("SWITCHBOARD_MEDIA_DIR", "data/media"));
        let media_store = media_store(&lookup, &media_dir)?;
        Ok(Config {
            secret_key,
            metrics_token: lookup("SWITCHBOARD_METRICS_TOKEN")
                .filter(|token| !token.trim().is_empty())
                .map(Secret::new),
            database_url: Secret::new(database_url),
            addr,
            public_url,
            log_filter: get("SWITCHBOARD_LOG", "info"),
            log_format,
            session_idle_timeout: Duration::from_secs(idle_minutes * 60),
            session_lifetime: Duration::from_secs(lifetime_hours * 3600),
            background_workers: parse(
                "SWITCHBOARD_BACKGROUND_WORKERS",
                &get("SWITCHBOARD_BACKGROUND_WORKERS", "true"),
            )?,
            media_dir,
            media_store,
            media_max_bytes: parse(
                "SWITCHBOARD_MEDIA_MAX_BYTES",
                &get("SWITCHBOARD_MEDIA_MAX_BYTES", "26214400"),
            )?,
            demo_mode: parse(
                "SWITCHBOARD_DEMO_MODE",
                &get("SWITCHBOARD_DEMO_MODE", "false"),
            )?,
            trusted_proxies: crate::http::client_address::TrustedProxies::parse(&get(
                "SWITCHBOARD_TRUSTED_PROXIES",
                "",
            ))
            .map_err(|reason| ConfigError::Invalid {
                name: "SWITCHBOARD_TRUSTED_PROXIES",
                reason,
            })?,
            allow_private_provider_urls: parse(
                "SWITCHBOARD_ALLOW_PRIVATE_PROVIDER_URLS",
                &get("SWITCHBOARD_ALLOW_PRIVATE_PROVIDER_URLS", "false"),
            )?,
            site_root: lookup("SWITCHBOARD_SITE_ROOT")
                .map(PathBuf::from)
                .unwrap_or_else(default_site_root),
        })
    }

    pub fn service_settings(&self) -> crate::services::ServiceSettings {
        crate::services::ServiceSettings {
            public_url: self.public_url.clone(),
            demo_mode: self.demo_mode,
            media: crate::services::MediaSettings {
                store: self.media_store.clone(),
                max_bytes: self.media_max_bytes,
            },
            allow_private_provider_urls: self.allow_private_provider_urls,
            sealer: crate::secrets::Sealer::new(self.secret_key.clone()),
        }
    }

    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

/// The media directory, or the bucket `SWITCHBOARD_MEDIA_STORE` names (`s3://bucket/prefix`)
/// with the usual `AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID` and
/// `AWS_SECRET_ACCESS_KEY`.
fn media_store(
    lookup: &impl Fn(&str) -> Option<String>,
    media_dir: &std::path::Path,
) -> Result<MediaStore, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid {
        name: "SWITCHBOARD_MEDIA_STORE",
        reason,
    };
    let named = lookup("SWITCHBOARD_MEDIA_STORE").filter(|value| !value.trim().is_empty());
    let Some(url) = named else {
        return Ok(MediaStore::Directory(media_dir.to_path_buf()));
    };
    let (bucket, prefix) = BucketSettings::parse_url(url.trim())
        .ok_or_else(|| invalid(format!("expected s3://bucket/folder, got {url:?}")))?
        .map_err(invalid)?;
    let setting = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
    MediaStore::bucket(&BucketSettings {
        bucket,
        prefix,
        endpoint: setting("AWS_ENDPOINT_URL").or_else(|| setting("AWS_ENDPOINT")),
        region: setting("AWS_REGION")
            .or_else(|| setting("AWS_DEFAULT_REGION"))
            .unwrap_or_else(|| "us-east-1".to_owned()),
        access_key_id: setting("AWS_ACCESS_KEY_ID"),
        secret_access_key: setting("AWS_SECRET_ACCESS_KEY").map(Secret::new),
    })
    .map_err(invalid)
}

fn parse<T: std::str::FromStr>(name: &'static str, value: &str) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|error: T::Err| ConfigError::Invalid {
        name,
        reason: error.to_string(),
    })
}

pub const DEFAULT_SECRET_KEY_FILE: &str = "data/secret.key";

/// Beside a SQLite database file, so the two are found (and backed up, or not) together;
/// `data/secret.key` for PostgreSQL or an in-memory database.
fn default_key_file(database_url: &str) -> PathBuf {
    match crate::store::sqlite_file(database_url)
        .as_deref()
        .and_then(std::path::Path::parent)
    {
        Some(dir) => dir.join("secret.key"),
        None => PathBuf::from(DEFAULT_SECRET_KEY_FILE),
    }
}

/// A deployed binary finds `site/` beside itself; in the source tree cargo-leptos writes
/// `target/site`.
fn default_site_root() -> PathBuf {
    let beside_binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("site")));
    match beside_binary {
        Some(dir) if dir.is_dir() => dir,
        _ => PathBuf::from("target/site"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let config = Config::from_lookup(|_| None).unwrap();
        assert_eq!(config.database_url.expose(), DEFAULT_DATABASE_URL);
        assert_eq!(config.addr.to_string(), DEFAULT_ADDR);
        assert_eq!(config.public_url.as_str(), "http://127.0.0.1:3000/");
        assert_eq!(config.session_idle_timeout, Duration::from_secs(7200));
        assert!(!config.is_https());
        assert!(!config.allow_private_provider_urls);
        assert!(config.metrics_token.is_none());
    }

    #[test]
    fn secrets_do_not_print() {
        let config = Config::from_lookup(|name| {
            (name == "DATABASE_URL").then(|| "postgres://sb:hunter2@db/sb".to_string())
        })
        .unwrap();
        assert!(!format!("{config:?}").contains("hunter2"));
        let config = Config::from_lookup(|name| {
            (name == "SWITCHBOARD_METRICS_TOKEN").then(|| "scrape-hunter3".to_string())
        })
        .unwrap();
        assert!(config.metrics_token.is_some());
        assert!(!format!("{config:?}").contains("scrape-hunter3"));
    }

    #[test]
    fn private_provider_urls_are_allowed_only_when_asked() {
        let config = Config::from_lookup(|name| {
            (name == "SWITCHBOARD_ALLOW_PRIVATE_PROVIDER_URLS").then(|| "true".to_string())
        })
        .unwrap();
        assert!(config.allow_private_provider_urls);
        assert!(config.service_settings().allow_private_provider_urls);
        let error = Config::from_lookup(|name| {
            (name == "SWITCHBOARD_ALLOW_PRIVATE_PROVIDER_URLS").then(|| "yes".to_string())
        })
        .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("SWITCHBOARD_ALLOW_PRIVATE_PROVIDER_URLS")
        );
    }

    #[test]
    fn the_secret_key_comes_from_the_environment_or_a_file_beside_the_database() {
        use crate::secrets::KeySource;
        let config = Config::from_lookup(|_| None).unwrap();
        assert_eq!(
            config.secret_key,
            KeySource::File(PathBuf::from("data/secret.key"))
        );
        let config = Config::from_lookup(|name| {
            (name == "DATABASE_URL").then(|| "sqlite:///srv/sb/switchboard.db?mode=rwc".to_string())
        })
        .unwrap();
        assert_eq!(
            config.secret_key,
            KeySource::File(PathBuf::from("/srv/sb/secret.key"))
        );
        let config = Config::from_lookup(|name| {
            (name == "DATABASE_URL").then(|| "postgres://db/sb".to_string())
        })
        .unwrap();
        assert_eq!(
            config.secret_key,
            KeySource::File(PathBuf::from("data/secret.key"))
        );
        let key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        let config = Config::from_lookup(|name| match name {
            "SWITCHBOARD_SECRET_KEY" => Some(key.to_string()),
            "SWITCHBOARD_SECRET_KEY_FILE" => Some("/ignored".to_string()),
            _ => None,
        })
        .unwrap();
        assert!(matches!(config.secret_key, KeySource::Environment(_)));
        assert!(!format!("{config:?}").contains(key));
        let error = Config::from_lookup(|name| {
            (name == "SWITCHBOARD_SECRET_KEY").then(|| "too short".to_string())
        })
        .unwrap_err();
        assert!(error.to_string().contains("SWITCHBOARD_SECRET_KEY"));
        assert!(!error.to_string().contains("too short"));
    }

    #[test]
    fn bad_values_are_named() {
        let error = Config::from_lookup(|name| {
            (name == "SWITCHBOARD_ADDR").then(|| "not an address".to_string())
        })
        .unwrap_err();
        assert!(error.to_string().contains("SWITCHBOARD_ADDR"));
    }
}
