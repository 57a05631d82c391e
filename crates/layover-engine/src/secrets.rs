//! Secrets at rest: provider tokens and the content keys Layover holds.
//!
//! Every secret is sealed with AES-256-GCM (the secret's name is the associated data, so a sealed
//! value cannot be moved to another name) and stored in the `secrets` table. The 32-byte master
//! key that seals them lives:
//! - in the OS credential store (Windows Credential Manager, macOS Keychain) where one exists;
//! - otherwise in `<data>/secrets.key` (owner-only permissions). This is the fallback on Linux
//!   and whenever the credential store is unavailable; [`SecretStoreKind::KeyFile`] makes the UI
//!   warn that anyone who can read the data folder can read the secrets.
//!
//! `LAYOVER_SECRET_STORE=file` forces the key file (tests, portable installs).
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

impl MasterKey {
    /// Loads (or creates) the master key for the library in `data_root`.
    pub fn load(data_root: &Path) -> Result<Self> {
        let forced_file = std::env::var("LAYOVER_SECRET_STORE").is_ok_and(|v| v == "file");
        if !forced_file {
            match credential_store::load_or_create(data_root) {
                Ok(Some(key)) => {
                    return Ok(Self {
                        key,
                        kind: SecretStoreKind::CredentialStore,
                    });
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(
                    error = %e,
                    "the OS credential store is unavailable; secrets are sealed with a key file instead"
                ),
            }
        }
        let key = key_file(&data_root.join(KEY_FILE))?;
        Ok(Self {
            key,
            kind: SecretStoreKind::KeyFile,
        })
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

#[cfg(any(windows, target_os = "macos"))]
mod credential_store {
    use std::path::Path;

    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use rand_core::{OsRng, RngCore};

    /// One entry per data folder, so two libraries never share a key.
    fn entry(data_root: &Path) -> keyring::Result<keyring::Entry> {
        keyring::Entry::new("Layover", &format!("master-key:{}", data_root.display()))
    }

    pub(super) fn load_or_create(data_root: &Path) -> Result<Option<[u8; 32]>, String> {
        let entry = entry(data_root).map_err(|e| e.to_string())?;
        match entry.get_password() {
            Ok(text) => STANDARD
                .decode(text.trim())
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
                .map(Some)
                .ok_or_else(|| "the credential store entry is not a Layover key".to_owned()),
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

#[cfg(not(any(windows, target_os = "macos")))]
mod credential_store {
    use std::path::Path;

    /// No credential store is used on this platform yet (the Secret Service needs a desktop
    /// session bus that headless and many minimal systems lack): the key file is used.
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
