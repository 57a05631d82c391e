//! One app window per data folder: a second launch on the same folder asks the first to come to
//! the front and exits; launches on other folders are independent.
//!
//! The first launch holds an exclusive OS lock on `<data>/layover-app.lock` for as long as it
//! runs (the OS drops it when the process ends, however it ends, so a killed app never blocks
//! the next launch) and listens on a loopback port that it writes, with a secret made for this
//! launch, to `<data>/layover-app.address`. A later launch that cannot take the lock reads that
//! file, connects, sends the secret and `focus`, and waits for `ok`. Another local program that
//! does not know the secret is ignored. Per data folder on purpose: the usual single-instance
//! plugins key on the app's id, which would merge the test suite's parallel apps into one.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rand_core::{OsRng, RngCore};

use crate::error::{Error, Result};

/// The lock the running app holds.
pub const LOCK_FILE: &str = "layover-app.lock";
/// Where the running app says how to reach it: `<port> <secret>`.
pub const ADDRESS_FILE: &str = "layover-app.address";

/// How long one exchange with the running app may take.
const EXCHANGE: Duration = Duration::from_secs(2);

/// What a launch turned out to be.
#[derive(Debug)]
pub enum Claim {
    /// The first app on this folder: keep the [`Instance`] for as long as the window is open.
    First(Instance),
    /// An app already runs on this folder and was asked to come to the front: exit.
    Focused,
}

/// The running app's hold on its data folder.
#[derive(Debug)]
pub struct Instance {
    _lock: File,
    listener: TcpListener,
    secret: String,
}

/// Claims `data_root` for this process, or asks the app that holds it to focus its window.
/// Waits up to `wait` for a holder that is still starting (its address not written yet) or
/// just quitting (its lock about to be released); a holder that never answers is an error.
pub fn claim(data_root: &Path, wait: Duration) -> Result<Claim> {
    std::fs::create_dir_all(data_root).map_err(|source| Error::DataDir {
        path: data_root.to_owned(),
        source,
    })?;
    let deadline = Instant::now() + wait;
    loop {
        if let Some(instance) = try_first(data_root)? {
            return Ok(Claim::First(instance));
        }
        if ask_to_focus(data_root).is_ok() {
            return Ok(Claim::Focused);
        }
        if Instant::now() >= deadline {
            return Err(Error::Internal(format!(
                "Layover is already running on the data folder {} but does not answer; \
                 close it (or end its process) and start again",
                data_root.display()
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn write_err(path: PathBuf) -> impl FnOnce(std::io::Error) -> Error {
    move |source| Error::WriteFile { path, source }
}

/// Takes the lock and starts listening, or `None` when another process holds the lock.
fn try_first(root: &Path) -> Result<Option<Instance>> {
    let lock_path = root.join(LOCK_FILE);
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(write_err(lock_path.clone()))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Ok(None),
        Err(TryLockError::Error(e)) => return Err(write_err(lock_path)(e)),
    }
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| Error::Internal(format!("no loopback port for the app: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| Error::Internal(format!("no loopback port for the app: {e}")))?
        .port();
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    // Written whole, then renamed, so a reader never sees half an address.
    let address = root.join(ADDRESS_FILE);
    let part = root.join(format!("{ADDRESS_FILE}.part"));
    std::fs::write(&part, format!("{port} {secret}\n")).map_err(write_err(part.clone()))?;
    std::fs::rename(&part, &address).map_err(write_err(address))?;
    Ok(Some(Instance {
        _lock: lock,
        listener,
        secret,
    }))
}

/// Reads the running app's address and asks it to focus; any failure means "not yet".
fn ask_to_focus(root: &Path) -> std::io::Result<()> {
    let text = std::fs::read_to_string(root.join(ADDRESS_FILE))?;
    let (port, secret) = parse_address(&text).ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidData, "unreadable address file")
    })?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, EXCHANGE)?;
    stream.set_read_timeout(Some(EXCHANGE))?;
    stream.set_write_timeout(Some(EXCHANGE))?;
    stream.write_all(format!("{secret} focus\n").as_bytes())?;
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer)?;
    if answer.trim() == "ok" {
        Ok(())
    } else {
        Err(std::io::Error::other("the running app refused"))
    }
}

fn parse_address(text: &str) -> Option<(u16, &str)> {
    let mut parts = text.split_whitespace();
    let port = parts.next()?.parse().ok()?;
    let secret = parts.next()?;
    (parts.next().is_none() && secret.len() == 32).then_some((port, secret))
}

impl Instance {
    /// The loopback port later launches connect to.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Answers later launches on a thread of its own until the process ends, calling `focus`
    /// for each one that knows the secret. Keeps the lock held meanwhile.
    pub fn serve(self, focus: impl Fn() + Send + 'static) {
        std::thread::Builder::new()
            .name("layover-instance".into())
            .spawn(move || {
                for stream in self.listener.incoming().flatten() {
                    self.answer(stream, &focus);
                }
            })
            .map(drop)
            .unwrap_or_else(|e| tracing::warn!(error = %e, "single-instance listener not started"));
    }

    /// Reads one request and, when it is a focus request with the right secret, focuses and
    /// answers `ok` (so the caller exits only once the window was asked to come forward).
    fn answer(&self, stream: TcpStream, focus: &impl Fn()) {
        let _ = stream.set_read_timeout(Some(EXCHANGE));
        let _ = stream.set_write_timeout(Some(EXCHANGE));
        let mut line = String::new();
        // A request is one short line; anything longer is not ours.
        let Ok(mut reader) = stream.try_clone().map(|s| BufReader::new(s.take(128))) else {
            return;
        };
        if reader.read_line(&mut line).is_err() {
            return;
        }
        let ok = line.trim_end() == format!("{} focus", self.secret);
        if ok {
            tracing::info!("another launch on this data folder: focusing the window");
            focus();
        }
        let mut stream = stream;
        let _ = stream.write_all(if ok { b"ok\n" } else { b"no\n" });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    const WAIT: Duration = Duration::from_secs(3);

    fn first(root: &Path) -> Instance {
        match claim(root, WAIT).unwrap() {
            Claim::First(i) => i,
            Claim::Focused => panic!("expected to be first on {}", root.display()),
        }
    }

    #[test]
    fn a_second_launch_focuses_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let focused = Arc::new(AtomicUsize::new(0));
        let seen = focused.clone();
        first(dir.path()).serve(move || {
            seen.fetch_add(1, Ordering::SeqCst);
        });
        for n in 1..=2 {
            assert!(matches!(claim(dir.path(), WAIT).unwrap(), Claim::Focused));
            assert_eq!(focused.load(Ordering::SeqCst), n);
        }
    }

    #[test]
    fn other_folders_are_independent() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let one = first(a.path());
        let two = first(b.path());
        assert_ne!(one.port(), two.port());
    }

    #[test]
    fn a_lock_left_by_an_ended_app_does_not_block() {
        let dir = tempfile::tempdir().unwrap();
        drop(first(dir.path()));
        // Its files are still there, pointing at a port nobody listens on.
        assert!(dir.path().join(LOCK_FILE).exists());
        assert!(dir.path().join(ADDRESS_FILE).exists());
        let new = first(dir.path());
        let text = std::fs::read_to_string(dir.path().join(ADDRESS_FILE)).unwrap();
        assert_eq!(parse_address(&text).unwrap().0, new.port());
        assert_ne!(new.port(), 0);
    }

    #[test]
    fn a_caller_without_the_secret_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let focused = Arc::new(AtomicUsize::new(0));
        let seen = focused.clone();
        let instance = first(dir.path());
        let port = instance.port();
        instance.serve(move || {
            seen.fetch_add(1, Ordering::SeqCst);
        });
        let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
        s.write_all(b"00000000000000000000000000000000 focus\n")
            .unwrap();
        let mut answer = String::new();
        BufReader::new(s).read_line(&mut answer).unwrap();
        assert_eq!(answer, "no\n");
        assert_eq!(focused.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn a_holder_that_never_answers_is_an_error_naming_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        // Holds the lock but never serves.
        let _silent = first(dir.path());
        let e = claim(dir.path(), Duration::from_millis(300)).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("already running"), "{text}");
        assert!(text.contains(&dir.path().display().to_string()), "{text}");
    }

    #[test]
    fn address_files_are_read_strictly() {
        let secret = "ab".repeat(16);
        assert_eq!(
            parse_address(&format!("4242 {secret}\n")),
            Some((4242, secret.as_str()))
        );
        assert_eq!(parse_address(""), None);
        assert_eq!(parse_address("70000 x"), None);
        assert_eq!(parse_address(&format!("1 {secret} extra")), None);
        assert_eq!(parse_address("1 short"), None);
    }
}
