//! Secrets at rest: values such as channel credentials (and, later, TOTP seeds) are sealed with
//! XChaCha20-Poly1305 before they reach the database, so a copy of the database without the key
//! reveals none of them.
//!
//! A sealed value reads `sealed:v1:<key id>:<base64(nonce || ciphertext)>`. The key id names the
//! key that sealed it (so a wrong key is reported as such, and a rotation can tell old from new);
//! the nonce is 24 random bytes, new for every seal. Every value is sealed for a *place*, such as
//! `channel:7:secrets`, passed as associated data: a sealed value copied to another row or
//! column does not open there.
//!
//! The key comes from `SWITCHBOARD_SECRET_KEY` (32 bytes, base64 or hex) or else from a key file
//! (`SWITCHBOARD_SECRET_KEY_FILE`), created on first use with mode 0600.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::config::Secret;

const PREFIX: &str = "sealed:v1:";
const NONCE_LEN: usize = 24;

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the secret key file {path} cannot be used: {source}")]
    KeyFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{what} is not a valid secret key: expected 32 bytes in base64 or hex")]
    BadKey { what: String },
    #[error("a sealed value is malformed")]
    Malformed,
    #[error(
        "a value was sealed under secret key {found}, but the configured key is {configured}: \
         start with the key it was sealed under (SWITCHBOARD_SECRET_KEY or the key file)"
    )]
    UnknownKey { found: String, configured: String },
    #[error("a sealed value does not open: it was changed, or sealed for another place")]
    DoesNotOpen,
}

/// A 32-byte key, wiped from memory when dropped.
pub struct SecretKey {
    bytes: Zeroizing<[u8; 32]>,
    id: String,
}

impl SecretKey {
    pub fn generate() -> SecretKey {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut());
        SecretKey::from_bytes(bytes)
    }

    fn from_bytes(bytes: Zeroizing<[u8; 32]>) -> SecretKey {
        // A hash of the key names it without revealing it (the key has 256 random bits).
        let mut hasher = Sha256::new();
        hasher.update(b"switchboard secret key id\0");
        hasher.update(bytes.as_ref());
        let id = hex::encode(&hasher.finalize()[..6]);
        SecretKey { bytes, id }
    }

    /// Reads a key written as base64 (as key files and `rotate` write it) or as 64 hex digits.
    pub fn parse(text: &str, what: &str) -> Result<SecretKey, SealError> {
        let text = text.trim();
        let bad = || SealError::BadKey {
            what: what.to_string(),
        };
        let mut decoded = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(text).map_err(|_| bad())?
        } else {
            STANDARD.decode(text).map_err(|_| bad())?
        };
        let mut bytes = Zeroizing::new([0u8; 32]);
        let fits = decoded.len() == 32;
        if fits {
            bytes.copy_from_slice(&decoded);
        }
        decoded.zeroize();
        if !fits {
            return Err(bad());
        }
        Ok(SecretKey::from_bytes(bytes))
    }

    /// The key as written to a key file or printed for `SWITCHBOARD_SECRET_KEY`.
    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(STANDARD.encode(self.bytes.as_ref()))
    }

    /// A short public name for the key, part of every value it seals.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.bytes.as_ref().into())
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey({})", self.id)
    }
}

/// Whether a stored value is already sealed (values from before sealing are plain text).
pub fn is_sealed(value: &str) -> bool {
    value.starts_with(PREFIX)
}

/// The key that seals, and any others that may still open (a rotation left unfinished).
#[derive(Debug)]
pub struct Keyring {
    current: SecretKey,
    older: Vec<SecretKey>,
}

impl Keyring {
    pub fn new(current: SecretKey) -> Keyring {
        Keyring {
            current,
            older: Vec::new(),
        }
    }

    /// Also opens values sealed under `key`; new values are still sealed under the current key.
    pub fn also_opening(mut self, key: SecretKey) -> Keyring {
        if key.id != self.current.id && self.older.iter().all(|k| k.id != key.id) {
            self.older.push(key);
        }
        self
    }

    pub fn current_id(&self) -> &str {
        self.current.id()
    }

    /// Seals `plaintext` for `place` (e.g. `channel:7:secrets`) under the current key.
    pub fn seal(&self, place: &str, plaintext: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ciphertext = self
            .current
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: place.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 seals any value that fits in memory");
        let mut body = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        body.extend_from_slice(&nonce);
        body.extend_from_slice(&ciphertext);
        format!("{PREFIX}{}:{}", self.current.id, STANDARD.encode(body))
    }

    /// The key id a sealed value names, if it is a sealed value at all.
    pub fn key_id_of(sealed: &str) -> Option<&str> {
        sealed
            .strip_prefix(PREFIX)?
            .split_once(':')
            .map(|(id, _)| id)
    }

    /// Whether this keyring holds the key `sealed` names.
    pub fn can_open(&self, sealed: &str) -> bool {
        Self::key_id_of(sealed).is_some_and(|id| self.key(id).is_some())
    }

    fn key(&self, id: &str) -> Option<&SecretKey> {
        std::iter::once(&self.current)
            .chain(&self.older)
            .find(|key| key.id == id)
    }

    /// Opens a value sealed for `place`; wiped from memory when dropped.
    pub fn open(&self, place: &str, sealed: &str) -> Result<Zeroizing<String>, SealError> {
        let (id, body) = sealed
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once(':'))
            .ok_or(SealError::Malformed)?;
        let key = self.key(id).ok_or_else(|| SealError::UnknownKey {
            found: id.to_string(),
            configured: self.current.id.clone(),
        })?;
        let body = STANDARD.decode(body).map_err(|_| SealError::Malformed)?;
        if body.len() < NONCE_LEN {
            return Err(SealError::Malformed);
        }
        let (nonce, ciphertext) = body.split_at(NONCE_LEN);
        let plaintext = key
            .cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: place.as_bytes(),
                },
            )
            .map_err(|_| SealError::DoesNotOpen)?;
        String::from_utf8(plaintext)
            .map(Zeroizing::new)
            .map_err(|_| SealError::Malformed)
    }
}

/// Where the key comes from (see the README's configuration table).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// `SWITCHBOARD_SECRET_KEY`.
    Environment(Secret),
    /// A key file, created with a new key on first use.
    File(PathBuf),
}

/// The sealing key of this instance, loaded (or the key file created) on first use, so that
/// code paths that never touch a secret never touch the key file.
#[derive(Clone, Debug)]
pub struct Sealer {
    source: KeySource,
    keys: Arc<OnceLock<Keyring>>,
}

impl Sealer {
    pub fn new(source: KeySource) -> Sealer {
        Sealer {
            source,
            keys: Arc::default(),
        }
    }

    /// A sealer with this keyring already loaded (tests, and the rotation).
    pub fn with_keyring(source: KeySource, keys: Keyring) -> Sealer {
        let cell = OnceLock::new();
        let _ = cell.set(keys);
        Sealer {
            source,
            keys: Arc::new(cell),
        }
    }

    pub fn source(&self) -> &KeySource {
        &self.source
    }

    /// The keys, loading them (or creating the key file) the first time.
    pub fn keyring(&self) -> Result<&Keyring, SealError> {
        if let Some(keys) = self.keys.get() {
            return Ok(keys);
        }
        let loaded = load(&self.source)?;
        // Two first uses at once load the same key; either copy will do.
        Ok(self.keys.get_or_init(|| loaded))
    }

    /// Seals `plaintext` for `place` (e.g. `totp:12:seed`): the API other modules use.
    pub fn seal(&self, place: &str, plaintext: &str) -> Result<String, SealError> {
        Ok(self.keyring()?.seal(place, plaintext))
    }

    /// Opens what [`Sealer::seal`] sealed for the same `place`.
    pub fn open(&self, place: &str, sealed: &str) -> Result<Zeroizing<String>, SealError> {
        self.keyring()?.open(place, sealed)
    }
}

/// The file a rotation writes the new key to before it re-seals anything; renamed over the key
/// file once the database holds only values sealed under it.
pub fn pending_key_file(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".new");
    PathBuf::from(name)
}

fn load(source: &KeySource) -> Result<Keyring, SealError> {
    match source {
        KeySource::Environment(value) => Ok(Keyring::new(SecretKey::parse(
            value.expose(),
            "SWITCHBOARD_SECRET_KEY",
        )?)),
        KeySource::File(path) => {
            let current = match read_key_file(path)? {
                Some(key) => key,
                None => create_key_file(path)?,
            };
            let mut keys = Keyring::new(current);
            // A rotation stopped between re-sealing and renaming leaves the new key beside the
            // old one; values may be sealed under either, so both open until it is run again.
            if let Some(pending) = read_key_file(&pending_key_file(path))? {
                tracing::warn!(
                    path = %pending_key_file(path).display(),
                    "a secret key rotation did not finish: run `switchboard secrets rotate` again"
                );
                keys = keys.also_opening(pending);
            }
            Ok(keys)
        }
    }
}

fn key_file_error(path: &Path) -> impl FnOnce(std::io::Error) -> SealError + '_ {
    move |source| SealError::KeyFile {
        path: path.to_path_buf(),
        source,
    }
}

fn read_key_file(path: &Path) -> Result<Option<SecretKey>, SealError> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let text = Zeroizing::new(text);
            warn_if_readable_by_others(path);
            SecretKey::parse(&text, &path.display().to_string()).map(Some)
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(key_file_error(path)(error)),
    }
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(metadata) = std::fs::metadata(path)
        && metadata.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(path = %path.display(), "the secret key file is readable by others: chmod 600 it");
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

fn create_key_file(path: &Path) -> Result<SecretKey, SealError> {
    let key = SecretKey::generate();
    match write_key_file(path, &key) {
        Ok(()) => {
            tracing::info!(path = %path.display(), key = key.id(), "created a secret key file");
            Ok(key)
        }
        // Another instance created it first: use theirs.
        Err(SealError::KeyFile { source, .. })
            if source.kind() == std::io::ErrorKind::AlreadyExists =>
        {
            read_key_file(path)?.ok_or_else(|| SealError::KeyFile {
                path: path.to_path_buf(),
                source,
            })
        }
        Err(error) => Err(error),
    }
}

/// Writes a new key file readable by its owner only; refuses to replace an existing file.
pub fn write_key_file(path: &Path, key: &SecretKey) -> Result<(), SealError> {
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(key_file_error(path))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Created with this mode, not chmod-ed afterwards: never readable by others, even briefly.
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(key_file_error(path))?;
    let text = key.to_base64();
    file.write_all(text.as_bytes())
        .and_then(|()| file.write_all(b"\n"))
        .and_then(|()| file.sync_all())
        .map_err(key_file_error(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keyring {
        Keyring::new(SecretKey::generate())
    }

    #[test]
    fn a_sealed_value_opens_in_its_place_only() {
        let keys = keys();
        let sealed = keys.seal("channel:1:secrets", "EAAG-token");
        assert!(is_sealed(&sealed));
        assert!(sealed.starts_with(&format!("sealed:v1:{}:", keys.current_id())));
        assert!(!sealed.contains("EAAG"));
        assert_eq!(
            keys.open("channel:1:secrets", &sealed).unwrap().as_str(),
            "EAAG-token"
        );
        assert!(matches!(
            keys.open("channel:2:secrets", &sealed),
            Err(SealError::DoesNotOpen)
        ));
    }

    #[test]
    fn every_seal_has_its_own_nonce() {
        let keys = keys();
        assert_ne!(keys.seal("p", "same"), keys.seal("p", "same"));
    }

    #[test]
    fn a_changed_value_does_not_open() {
        let keys = keys();
        let sealed = keys.seal("p", "secret");
        let (head, body) = sealed.rsplit_once(':').unwrap();
        let mut bytes = STANDARD.decode(body).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let tampered = format!("{head}:{}", STANDARD.encode(bytes));
        assert!(matches!(
            keys.open("p", &tampered),
            Err(SealError::DoesNotOpen)
        ));
        assert!(matches!(
            keys.open("p", "sealed:v1:abc"),
            Err(SealError::Malformed)
        ));
        assert!(matches!(keys.open("p", "plain"), Err(SealError::Malformed)));
    }

    #[test]
    fn another_key_is_named_not_tried() {
        let sealed = keys().seal("p", "secret");
        let other = keys();
        let error = other.open("p", &sealed).unwrap_err();
        assert!(matches!(error, SealError::UnknownKey { .. }));
        assert!(error.to_string().contains(other.current_id()));
        // A key pretending to have the right id still cannot open it.
        let forged = sealed.replacen(Keyring::key_id_of(&sealed).unwrap(), other.current_id(), 1);
        assert!(matches!(
            other.open("p", &forged),
            Err(SealError::DoesNotOpen)
        ));
    }

    #[test]
    fn an_older_key_still_opens_but_never_seals() {
        let old = SecretKey::generate();
        let old_id = old.id().to_string();
        let sealed =
            Keyring::new(SecretKey::parse(&old.to_base64(), "old").unwrap()).seal("p", "v");
        let keys = Keyring::new(SecretKey::generate()).also_opening(old);
        assert_eq!(keys.open("p", &sealed).unwrap().as_str(), "v");
        assert_ne!(
            Keyring::key_id_of(&keys.seal("p", "v")),
            Some(old_id.as_str())
        );
    }

    #[test]
    fn keys_parse_from_base64_or_hex_of_32_bytes() {
        let key = SecretKey::generate();
        let hex_text = hex::encode(key.bytes.as_ref());
        assert_eq!(SecretKey::parse(&hex_text, "k").unwrap().id(), key.id());
        assert_eq!(
            SecretKey::parse(&format!(" {}\n", key.to_base64().as_str()), "k")
                .unwrap()
                .id(),
            key.id()
        );
        assert!(SecretKey::parse("c2hvcnQ=", "k").is_err());
        let error = SecretKey::parse("not a key", "SWITCHBOARD_SECRET_KEY").unwrap_err();
        assert!(error.to_string().contains("SWITCHBOARD_SECRET_KEY"));
        assert!(!format!("{key:?}").contains(key.to_base64().as_str()));
    }

    #[test]
    fn the_key_file_is_created_once_for_its_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("secret.key");
        let first = Sealer::new(KeySource::File(path.clone()));
        let sealed = first.seal("p", "v").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = Sealer::new(KeySource::File(path));
        assert_eq!(again.open("p", &sealed).unwrap().as_str(), "v");
    }

    #[test]
    fn a_rotation_stopped_half_way_leaves_both_keys_opening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        let old = Sealer::new(KeySource::File(path.clone()));
        let under_old = old.seal("p", "old").unwrap();
        let pending = SecretKey::generate();
        write_key_file(&pending_key_file(&path), &pending).unwrap();
        let under_pending = Keyring::new(pending).seal("p", "new");

        let restarted = Sealer::new(KeySource::File(path));
        assert_eq!(restarted.open("p", &under_old).unwrap().as_str(), "old");
        assert_eq!(restarted.open("p", &under_pending).unwrap().as_str(), "new");
        assert!(
            write_key_file(
                &pending_key_file(dir.path().join("secret.key").as_path()),
                &SecretKey::generate()
            )
            .is_err(),
            "a key file is never overwritten"
        );
    }
}
