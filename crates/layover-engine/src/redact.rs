//! Keeping secrets (bearer tokens, content keys, custom data) out of every log line.
//!
//! Three nets, each catching what the previous one might miss:
//! 1. [`Secret`] wraps a value so `Debug`, `Display` and `Serialize` print `[redacted]`; the real
//!    value is only reachable through [`Secret::expose`].
//! 2. [`format_field`] prints any event field whose *name* marks it secret (`token`, `key`,
//!    `authorization`, `*_token`, `*_key`, ...) as `[redacted]`, whatever its type.
//! 3. [`RedactingMakeWriter`] scrubs every formatted line before it reaches stderr or a file:
//!    values registered by [`Secret::new`], JWTs and `Bearer ...` credentials become `[redacted]`.

use std::collections::BTreeSet;
use std::fmt;
use std::io;
use std::sync::{LazyLock, RwLock};

use serde::{Serialize, Serializer};
use tracing::field::Field;
use tracing_subscriber::fmt::MakeWriter;

/// What a redacted value prints as.
pub const REDACTED: &str = "[redacted]";

/// Registered secret values shorter than this are not scrubbed from text: they would match
/// ordinary words and numbers.
const MIN_SCRUB_LEN: usize = 8;
/// Upper bound on remembered values, so a long-running app cannot grow this without limit.
const MAX_REGISTERED: usize = 4096;

static REGISTERED: LazyLock<RwLock<BTreeSet<String>>> = LazyLock::new(Default::default);

/// A value that must never be shown: tokens, keys, passwords, custom data.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T: AsRef<str>> Secret<T> {
    /// Wraps a textual secret and registers it with the log scrubber.
    pub fn new(value: T) -> Self {
        register(value.as_ref());
        Self(value)
    }
}

impl<T> Secret<T> {
    /// Wraps a non-textual secret (key bytes); it is not registered with the scrubber.
    pub fn opaque(value: T) -> Self {
        Self(value)
    }

    /// The real value. Every call site is a place a secret leaves its wrapper: keep them few.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> Serialize for Secret<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

/// Registers a secret value so the log writer scrubs it wherever it appears.
pub fn register(value: &str) {
    let value = value.trim();
    if value.len() < MIN_SCRUB_LEN {
        return;
    }
    let mut set = REGISTERED.write().unwrap_or_else(|p| p.into_inner());
    if set.len() >= MAX_REGISTERED {
        // Forget the oldest-sorted entry; the other two nets still apply to it.
        set.pop_first();
    }
    set.insert(value.to_owned());
}

/// Whether an event field of this name holds a secret.
pub fn is_secret_field(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "token",
        "key",
        "secret",
        "password",
        "authorization",
        "bearer",
        "cookie",
        "custom_data",
        "challenge_custom_data",
        "private_key",
    ];
    const SUFFIXES: &[&str] = &["_token", "_key", "_secret", "_password"];
    let name = name.to_ascii_lowercase();
    EXACT.contains(&name.as_str()) || SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Field formatter for `tracing_subscriber::fmt().fmt_fields(...)`: secret fields by name print
/// as `[redacted]`.
pub fn format_field(
    w: &mut tracing_subscriber::fmt::format::Writer<'_>,
    field: &Field,
    value: &dyn fmt::Debug,
) -> fmt::Result {
    let name = field.name();
    if name == "message" {
        write!(w, "{value:?}")
    } else if is_secret_field(name) {
        write!(w, "{name}={REDACTED}")
    } else {
        write!(w, "{name}={value:?}")
    }
}

/// Replaces every registered secret, JWT and bearer credential in `text` with `[redacted]`.
pub fn scrub(text: &str) -> String {
    let mut out = text.to_owned();
    {
        let set = REGISTERED.read().unwrap_or_else(|p| p.into_inner());
        for secret in set.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
    }
    let out = scrub_bearer(&out);
    scrub_jwts(&out)
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/' | '=')
}

/// `Bearer <credential>` (any case) -> `Bearer [redacted]`.
fn scrub_bearer(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(found) = lower[i..].find("bearer ") {
        let start = i + found + "bearer ".len();
        out.push_str(&text[i..start]);
        let rest = &text[start..];
        let skip_ws = rest.len() - rest.trim_start_matches(' ').len();
        let cred_len: usize = rest[skip_ws..]
            .chars()
            .take_while(|&c| is_token_char(c))
            .map(char::len_utf8)
            .sum();
        // Real credentials are long; "bearer of news" is prose.
        if cred_len >= MIN_SCRUB_LEN {
            out.push_str(&rest[..skip_ws]);
            out.push_str(REDACTED);
            i = start + skip_ws + cred_len;
        } else {
            i = start;
        }
    }
    out.push_str(&text[i..]);
    out
}

/// Three base64url segments starting `eyJ` (a JSON header `{"`) -> `[redacted]`.
fn scrub_jwts(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(found) = text[i..].find("eyJ") {
        let start = i + found;
        out.push_str(&text[i..start]);
        let len = jwt_len(&text[start..]);
        if len > 0 {
            out.push_str(REDACTED);
            i = start + len;
        } else {
            out.push_str("eyJ");
            i = start + 3;
        }
    }
    out.push_str(&text[i..]);
    out
}

/// Length of a JWT at the start of `s`, or 0 if there is none.
fn jwt_len(s: &str) -> usize {
    let b64 = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut len = 0;
    let mut segments = 0;
    let mut seg_len = 0;
    for c in s.chars() {
        if b64(c) {
            seg_len += 1;
        } else if c == '.' && seg_len > 0 && segments < 2 {
            segments += 1;
            seg_len = 0;
        } else {
            break;
        }
        len += c.len_utf8();
    }
    if segments == 2 && len > 20 { len } else { 0 }
}

/// Wraps a [`MakeWriter`] so every line is scrubbed before it is written.
#[derive(Debug, Clone)]
pub struct RedactingMakeWriter<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for RedactingMakeWriter<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter(self.0.make_writer())
    }
}

/// An [`io::Write`] that scrubs what passes through it.
///
/// The fmt layer formats a whole event into a buffer and writes it in one call, so a secret is
/// never split across two writes.
#[derive(Debug)]
pub struct RedactingWriter<W>(W);

impl<W: io::Write> io::Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(scrub(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("tok-abcdefghij".to_owned());
        assert_eq!(format!("{s} {s:?}"), "[redacted] [redacted]");
        assert_eq!(serde_json::to_string(&s).expect("json"), "\"[redacted]\"");
        assert_eq!(s.expose(), "tok-abcdefghij");
    }

    #[test]
    fn field_names_marking_secrets() {
        for name in [
            "token",
            "Authorization",
            "content_key",
            "bearer",
            "refresh_token",
            "key",
        ] {
            assert!(is_secret_field(name), "{name}");
        }
        for name in ["kid", "key_id", "url", "keys_count", "title"] {
            assert!(!is_secret_field(name), "{name}");
        }
    }

    #[test]
    fn scrubs_bearer_and_jwt_but_keeps_the_rest() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        let line = format!("GET /PlayReady/ Authorization: Bearer abc.def-123 token {jwt} done");
        let out = scrub(&line);
        assert!(!out.contains("abc.def-123"), "{out}");
        assert!(!out.contains("dozjgNryP4"), "{out}");
        assert!(
            out.starts_with(
                "GET /PlayReady/ Authorization: Bearer [redacted] token [redacted] done"
            ),
            "{out}"
        );
    }

    #[test]
    fn ordinary_text_is_untouched() {
        let line = "eyJ is not a token; bearer of news; version 1.2.3";
        assert_eq!(scrub(line), line);
    }

    #[test]
    fn registered_values_are_scrubbed_anywhere() {
        register("0123456789abcdef0123456789abcdef");
        let out = scrub("key=0123456789abcdef0123456789abcdef!");
        assert_eq!(out, "key=[redacted]!");
        register("short"); // too short to scrub safely
        assert_eq!(scrub("a short word"), "a short word");
    }

    proptest::proptest! {
        #[test]
        fn scrub_never_panics_and_removes_bearer_credentials(
            prefix in "\\PC{0,40}", cred in "[A-Za-z0-9_.-]{12,40}", suffix in "[ ,;]\\PC{0,40}"
        ) {
            let line = format!("{prefix} Bearer {cred}{suffix}");
            let out = scrub(&line);
            let leaked = format!("Bearer {cred}");
            proptest::prop_assert!(!out.contains(&leaked), "{} leaked in {}", leaked, out);
        }
    }
}
