//! Secrets at rest: provider tokens and the content keys Layover holds.
//!
//! Every secret is sealed with AES-256-GCM (the secret's name is the associated data, so a sealed
//! value cannot be moved to another name) and stored in the `secrets` table. The 32-byte master
//! key that seals them lives:
//! - in the OS credential store (Windows Credential Manager, macOS Keychain, the Secret Service
//!   on Linux desktops: GNOME Keyring, KWallet) where one is reachable when the library first
//!   needs a secret;
//! - otherwise in `<data>/secrets.key` (owner-only permissions); [`SecretStoreKind::KeyFile`]
//!   makes the UI warn that anyone who can read the data folder can read the secrets.
//!
//! The choice is recorded in `<data>/secrets.store` and never changes by itself.
//!
//! `LAYOVER_SECRET_STORE=file` forces the key file (tests, portable installs), and a library in
//! the temporary folder always uses one, so test runs never write to the user's keyring.
//! Nothing here logs a secret: values only leave as [`Secret`].

use std::path::{Path, PathBuf};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use rand_core::{OsRng, RngCore};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::redact::Secret;

/// Where the master key lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SecretStoreKind {
    /// The OS credential store.
    CredentialStore,
    /// A key file in the data folder: encrypted at rest, but only as safe as the folder.
    KeyFile,
}

/// The master key and where it came from.
#[derive(Clone)]
pub struct MasterKey {
    key: [u8; 32],
    kind: SecretStoreKind,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

const NONCE_LEN: usize = 12;
const KEY_FILE: &str = "secrets.key";
/// Records where this library's master key lives, so it is always looked for there.
const STORE_MARKER: &str = "secrets.store";
const MARK_KEY_FILE: &str = "key-file";
const MARK_CREDENTIAL_STORE: &str = "credential-store";

impl MasterKey {
    /// Loads (or creates) the master key for the library in `data_root`.
    ///
    /// The first time, the OS credential store is tried, then the key file; the choice is
    /// written to `<data>/secrets.store` and kept. A library whose key is in the credential
    /// store never silently switches to a new key file (that would orphan every sealed
    /// secret): when the store cannot be reached (say, a CLI over SSH on a desktop whose
    /// keyring is locked), secrets are unavailable with an error that says so.
    pub fn load(data_root: &Path) -> Result<Self> {
        // A library in the temporary folder (tests, scratch runs) is not meant to last: its
        // key stays beside it rather than in the user's keyring.
        let in_temp = data_root.starts_with(std::env::temp_dir());
        let forced_file =
            in_temp || std::env::var("LAYOVER_SECRET_STORE").is_ok_and(|v| v == "file");
        Self::load_with(data_root, forced_file)
    }

    /// [`MasterKey::load`] with the `LAYOVER_SECRET_STORE=file` switch given.
    fn load_with(data_root: &Path, forced_file: bool) -> Result<Self> {
        let marker_path = data_root.join(STORE_MARKER);
        let marker = std::fs::read_to_string(&marker_path).ok();
        let key_path = data_root.join(KEY_FILE);
        let from_file = |key_path: &PathBuf| -> Result<Self> {
            Ok(Self {
                key: key_file(key_path)?,
                kind: SecretStoreKind::KeyFile,
            })
        };
        match marker.as_deref().map(str::trim) {
            Some(MARK_KEY_FILE) => from_file(&key_path),
            Some(MARK_CREDENTIAL_STORE) => {
                let unreachable = |why: String| {
                    Error::Secrets(format!(
                        "this library's secrets (provider tokens, content keys) are sealed with a \
                         key kept in the OS credential store, which {why}; start Layover from \
                         the desktop session that owns the keyring (everything else works meanwhile)"
                    ))
                };
                if forced_file {
                    return Err(unreachable(
                        "LAYOVER_SECRET_STORE=file tells Layover not to use".into(),
                    ));
                }
                match credential_store::load(data_root) {
                    Ok(Some(key)) => Ok(Self {
                        key,
                        kind: SecretStoreKind::CredentialStore,
                    }),
                    Ok(None) => Err(unreachable(
                        "no longer has the entry (it was deleted); remove secrets.store and \
                         secrets from Settings, then enter provider tokens again"
                            .into(),
                    )),
                    Err(e) => Err(unreachable(format!("cannot be reached ({e})"))),
                }
            }
            _ => {
                // First use (or a library from before the marker): an existing key file stays.
                let chosen = if !forced_file && !key_path.exists() {
                    match credential_store::load_or_create(data_root) {
                        Ok(Some(key)) => Some(key),
                        Ok(None) => None,
                        Err(e) => {
                            tracing::warn!(
                                error = %e,
                                "the OS credential store is unavailable; secrets are sealed with a key file instead"
                            );
                            None
                        }
                    }
                } else {
                    None
                };
                let (out, mark) = match chosen {
                    Some(key) => (
                        Self {
                            key,
                            kind: SecretStoreKind::CredentialStore,
                        },
                        MARK_CREDENTIAL_STORE,
                    ),
                    None => (from_file(&key_path)?, MARK_KEY_FILE),
                };
                std::fs::write(&marker_path, format!("{mark}\n")).map_err(|source| {
                    Error::WriteFile {
                        path: marker_path.clone(),
                        source,
                    }
                })?;
                Ok(out)
            }
        }
    }

    /// Where the key lives.
    pub fn kind(&self) -> SecretStoreKind {
        self.kind
    }

    /// Seals `plain` under this key, bound to `name`.
    pub fn seal(&self, name: &str, plain: &[u8]) -> Result<Vec<u8>> {
        let cipher = Aes256Gcm::new(&Key::<Aes256Gcm>::from(self.key));
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plain,
                    aad: name.as_bytes(),
                },
            )
            .map_err(|_| Error::Secrets(format!("could not seal the secret {name}")))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens what [`MasterKey::seal`] sealed under the same name.
    pub fn open(&self, name: &str, sealed: &[u8]) -> Result<Secret<Vec<u8>>> {
        if sealed.len() < NONCE_LEN + 16 {
            return Err(Error::Secrets(format!(
                "the sealed secret {name} is truncated"
            )));
        }
        let cipher = Aes256Gcm::new(&Key::<Aes256Gcm>::from(self.key));
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().unwrap_or_default();
        cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: body,
                    aad: name.as_bytes(),
                },
            )
            .map(Secret::opaque)
            .map_err(|_| {
                Error::Secrets(format!(
                    "the secret {name} cannot be opened: it was sealed under another master key \
                     (the credential store entry or secrets.key was replaced); enter it again"
                ))
            })
    }
}

/// Reads the key file, creating it (owner-only) with a fresh key when missing.
fn key_file(path: &PathBuf) -> Result<[u8; 32]> {
    match std::fs::read(path) {
        Ok(bytes) => <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
            Error::Secrets(format!(
                "{} is not a Layover key file (it should hold 32 bytes); move it away and enter \
                 provider tokens again",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; 32];
            OsRng.fill_bytes(&mut key);
            write_private(path, &key).map_err(|source| Error::WriteFile {
                path: path.clone(),
                source,
            })?;
            Ok(key)
        }
        Err(source) => Err(Error::ReadFile {
            path: path.clone(),
            source,
        }),
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(any(windows, target_os = "macos", target_os = "linux"))]
mod credential_store {
    use std::path::Path;

    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use rand_core::{OsRng, RngCore};

    /// One entry per data folder, so two libraries never share a key.
    fn entry(data_root: &Path) -> keyring::Result<keyring::Entry> {
        keyring::Entry::new("Layover", &format!("master-key:{}", data_root.display()))
    }

    /// The stored key (`None`: no entry).
    pub(super) fn load(data_root: &Path) -> Result<Option<[u8; 32]>, String> {
        let entry = entry(data_root).map_err(|e| e.to_string())?;
        match entry.get_password() {
            Ok(text) => decode(&text).map(Some),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    fn decode(text: &str) -> Result<[u8; 32], String> {
        STANDARD
            .decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
            .ok_or_else(|| "the credential store entry is not a Layover key".to_owned())
    }

    pub(super) fn load_or_create(data_root: &Path) -> Result<Option<[u8; 32]>, String> {
        let entry = entry(data_root).map_err(|e| e.to_string())?;
        match entry.get_password() {
            Ok(text) => decode(&text).map(Some),
            Err(keyring::Error::NoEntry) => {
                let mut key = [0u8; 32];
                OsRng.fill_bytes(&mut key);
                entry
                    .set_password(&STANDARD.encode(key))
                    .map_err(|e| e.to_string())?;
                Ok(Some(key))
            }
            Err(e) => Err(e.to_string()),
        }
    }
}

#[cfg(not(any(windows, target_os = "macos", target_os = "linux")))]
mod credential_store {
    use std::path::Path;

    /// No credential store is used on this platform: the key file is used.
    pub(super) fn load(_data_root: &Path) -> Result<Option<[u8; 32]>, String> {
        Ok(None)
    }

    pub(super) fn load_or_create(_data_root: &Path) -> Result<Option<[u8; 32]>, String> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> MasterKey {
        MasterKey {
            key: [9; 32],
            kind: SecretStoreKind::KeyFile,
        }
    }

    #[test]
    fn sealed_secrets_open_only_under_their_name_and_key() {
        let k = key();
        let sealed = k.seal("provider/1/token", b"eyJ.secret").unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert_eq!(
            k.open("provider/1/token", &sealed).unwrap().expose(),
            b"eyJ.secret"
        );
        assert!(k.open("provider/2/token", &sealed).is_err());
        let other = MasterKey {
            key: [8; 32],
            kind: SecretStoreKind::KeyFile,
        };
        assert!(other.open("provider/1/token", &sealed).is_err());
        assert!(k.open("provider/1/token", &sealed[..10]).is_err());
    }

    #[test]
    fn the_first_choice_of_store_is_recorded_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let a = MasterKey::load_with(dir.path(), true).unwrap();
        assert_eq!(a.kind(), SecretStoreKind::KeyFile);
        assert_eq!(
            std::fs::read_to_string(dir.path().join(STORE_MARKER))
                .unwrap()
                .trim(),
            MARK_KEY_FILE
        );
        // Later loads, with or without the switch, use the same key.
        let b = MasterKey::load_with(dir.path(), false).unwrap();
        assert_eq!((b.kind(), b.key), (SecretStoreKind::KeyFile, a.key));

        // A library whose key is in the credential store never falls back to a new key file.
        let other = tempfile::tempdir().unwrap();
        std::fs::write(other.path().join(STORE_MARKER), "credential-store\n").unwrap();
        let e = MasterKey::load_with(other.path(), true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("OS credential store"), "{e}");
        assert!(!other.path().join(KEY_FILE).exists());
    }

    #[test]
    fn key_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE);
        let a = key_file(&path).unwrap();
        let b = key_file(&path).unwrap();
        assert_eq!(a, b);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "key file must be owner-only");
        }
        std::fs::write(&path, b"short").unwrap();
        assert!(
            key_file(&path)
                .unwrap_err()
                .to_string()
                .contains("32 bytes")
        );
    }
}
