//! The license server's configuration, as data: keys, per-KID templates, token restriction
//! and the clock.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use layover_drm::Kid;

use super::jwt::JwtConfig;

/// The server's idea of now, Unix seconds. Injectable so tests never sleep.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> i64 + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self(Arc::new(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        }))
    }

    /// Always `t`.
    pub fn fixed(t: i64) -> Self {
        Self(Arc::new(move || t))
    }

    /// Whatever `f` says (e.g. reading an `AtomicI64` a test moves forward).
    pub fn from_fn(f: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    /// Now.
    pub fn now(&self) -> i64 {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Clock(now={})", self.now())
    }
}

/// What a license grants, in the spirit of an AMS PlayReady license template. Times are Unix
/// seconds; relative values count from the server's clock at issue time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateConfig {
    /// Persistent (may be stored offline) or not.
    pub persistent: bool,
    /// Not valid before (absolute).
    pub begin: Option<i64>,
    /// Not valid after (absolute). Wins over `relative_expiration`.
    pub expiration: Option<i64>,
    /// Not valid after issue time + this many seconds.
    pub relative_expiration: Option<u64>,
    /// Playback window from first play, seconds.
    pub first_play_expiration: Option<u32>,
    /// Grace period, written as given.
    pub grace_period: Option<u32>,
    /// Security level (150, 2000, 3000).
    pub security_level: u16,
}

impl Default for TemplateConfig {
    /// Persistent, unlimited, SL2000.
    fn default() -> Self {
        Self {
            persistent: true,
            begin: None,
            expiration: None,
            relative_expiration: None,
            first_play_expiration: None,
            grace_period: None,
            security_level: 2000,
        }
    }
}

impl TemplateConfig {
    /// The demo default: persistent, 30 days from issue, 48 h from first play.
    pub fn demo() -> Self {
        Self {
            relative_expiration: Some(30 * 24 * 3600),
            first_play_expiration: Some(48 * 3600),
            ..Self::default()
        }
    }

    /// Applies a `cfg=(persist:true,firstexp:60,relexp:3600,begin:<unix>,end:<unix>,grace:N,sl:2000)`
    /// override (parentheses optional; keys in any order; unknown keys are an error).
    pub fn with_overrides(&self, cfg: &str) -> Result<Self, String> {
        let mut t = self.clone();
        let inner = cfg.trim().trim_start_matches('(').trim_end_matches(')');
        for item in inner.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (key, value) = item
                .split_once(':')
                .ok_or_else(|| format!("cfg item `{item}` is not key:value"))?;
            let num = |what: &str| -> Result<i64, String> {
                value
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| format!("cfg {key}: {what} expected, got `{value}`"))
            };
            let u32v = |what: &str| -> Result<u32, String> {
                u32::try_from(num(what)?).map_err(|_| format!("cfg {key}: out of range"))
            };
            match key.trim() {
                "persist" => {
                    t.persistent = match value.trim() {
                        "true" | "1" => true,
                        "false" | "0" => false,
                        _ => return Err(format!("cfg persist: true or false, got `{value}`")),
                    }
                }
                "firstexp" => t.first_play_expiration = Some(u32v("seconds")?),
                "relexp" => {
                    t.relative_expiration = Some(
                        u64::try_from(num("seconds")?)
                            .map_err(|_| "cfg relexp: out of range".to_owned())?,
                    );
                    t.expiration = None;
                }
                "begin" => t.begin = Some(num("Unix seconds")?),
                "end" => t.expiration = Some(num("Unix seconds")?),
                "grace" => t.grace_period = Some(u32v("a number")?),
                "sl" => {
                    t.security_level = u16::try_from(num("a security level")?)
                        .map_err(|_| "cfg sl: out of range".to_owned())?
                }
                other => {
                    return Err(format!(
                        "unknown cfg key `{other}`; use persist, firstexp, relexp, begin, end, grace, sl"
                    ));
                }
            }
        }
        Ok(t)
    }

    /// The end of the license window for a license issued at `now`.
    pub fn end_at(&self, now: i64) -> Option<i64> {
        self.expiration.or_else(|| {
            self.relative_expiration
                .map(|r| now.saturating_add(i64::try_from(r).unwrap_or(i64::MAX)))
        })
    }
}

/// Everything the license server knows.
#[derive(Clone, Default)]
pub struct LicenseServerConfig {
    /// Content keys by KID (`tenc` order).
    pub keys: BTreeMap<Kid, [u8; 16]>,
    /// Template for KIDs without their own.
    pub default_template: TemplateConfig,
    /// Per-KID templates.
    pub templates: BTreeMap<Kid, TemplateConfig>,
    /// Token restriction; `None`: no token needed.
    pub jwt: Option<JwtConfig>,
    /// The server's clock.
    pub clock: Clock,
}

impl fmt::Debug for LicenseServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LicenseServerConfig")
            .field("kids", &self.keys.keys().collect::<Vec<_>>())
            .field("default_template", &self.default_template)
            .field("templates", &self.templates)
            .field("jwt", &self.jwt)
            .field("clock", &self.clock)
            .finish()
    }
}

/// `VIDEO_KID` of `assets/media/test-keys.env`.
pub const DEMO_VIDEO_KID: Kid = Kid::from_bytes([
    0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x40, 0x71, 0x82, 0x93, 0xa4, 0xb5, 0xc6, 0xd7, 0xe8, 0xf9,
]);
/// `VIDEO_KEY` of `assets/media/test-keys.env` (a published test key that protects nothing).
pub const DEMO_VIDEO_KEY: [u8; 16] = [
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
];
/// `AUDIO_KID` of `assets/media/test-keys.env`.
pub const DEMO_AUDIO_KID: Kid = Kid::from_bytes([
    0xf1, 0xe2, 0xd3, 0xc4, 0xb5, 0xa6, 0x47, 0x38, 0x92, 0x81, 0x70, 0x6f, 0x5e, 0x4d, 0x3c, 0x2b,
]);
/// `AUDIO_KEY` of `assets/media/test-keys.env`.
pub const DEMO_AUDIO_KEY: [u8; 16] = [
    0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f,
];

impl LicenseServerConfig {
    /// No keys, unlimited persistent licenses, no token, system clock.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The fixtures' known test keys (video and audio), persistent licenses for 30 days from
    /// issue with a 48 h first-play window, no token, system clock.
    pub fn demo() -> Self {
        let mut c = Self {
            default_template: TemplateConfig::demo(),
            ..Self::default()
        };
        c.keys.insert(DEMO_VIDEO_KID, DEMO_VIDEO_KEY);
        c.keys.insert(DEMO_AUDIO_KID, DEMO_AUDIO_KEY);
        c
    }

    /// Adds a key (builder style).
    pub fn with_key(mut self, kid: Kid, key: [u8; 16]) -> Self {
        self.keys.insert(kid, key);
        self
    }

    /// The template for `kid`.
    pub fn template_for(&self, kid: &Kid) -> &TemplateConfig {
        self.templates.get(kid).unwrap_or(&self.default_template)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_keys_match_the_env_file() {
        let env = include_str!("../../../../assets/media/test-keys.env");
        let get = |name: &str| {
            env.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}=")))
                .unwrap()
                .to_owned()
        };
        assert_eq!(DEMO_VIDEO_KID, Kid::parse_hex(&get("VIDEO_KID")).unwrap());
        assert_eq!(DEMO_AUDIO_KID, Kid::parse_hex(&get("AUDIO_KID")).unwrap());
        assert_eq!(DEMO_VIDEO_KEY, Kid::parse_hex(&get("VIDEO_KEY")).unwrap().0);
        assert_eq!(DEMO_AUDIO_KEY, Kid::parse_hex(&get("AUDIO_KEY")).unwrap().0);
    }

    #[test]
    fn cfg_overrides() {
        let t = TemplateConfig::demo()
            .with_overrides("(persist:false,firstexp:60,relexp:3600,begin:10,grace:5,sl:3000)")
            .unwrap();
        assert!(!t.persistent);
        assert_eq!(t.first_play_expiration, Some(60));
        assert_eq!(t.end_at(100), Some(3700));
        assert_eq!(t.begin, Some(10));
        assert_eq!(t.grace_period, Some(5));
        assert_eq!(t.security_level, 3000);
        let t = t.with_overrides("end:999").unwrap();
        assert_eq!(t.end_at(100), Some(999));
        assert!(t.with_overrides("bogus:1").is_err());
        assert!(t.with_overrides("persist:maybe").is_err());
        assert!(t.with_overrides("firstexp").is_err());
    }
}
