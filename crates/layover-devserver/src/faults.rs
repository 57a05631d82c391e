//! Faults on demand, so downloads and license requests can be tested against every way an
//! origin misbehaves. A fault comes from the request's `?fault=` query (one request) or from a
//! plan set through `POST /_faults` (the next N requests under a path prefix).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

/// One way to misbehave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Announce the full length, send this many body bytes, then drop the connection.
    Drop {
        /// Bytes sent before the drop.
        after_bytes: u64,
    },
    /// Answer with this status (e.g. 500, 503, 404, 401) and an optional `Retry-After`.
    Status {
        /// The HTTP status.
        code: u16,
        /// `Retry-After` seconds, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
    /// Send the body at this many bytes per second.
    Slow {
        /// Throughput.
        bytes_per_sec: u64,
    },
    /// Send only the first this many bytes as if they were the whole file (a `Content-Length`
    /// that matches the cut body, as a broken cache or proxy does): nothing in HTTP says it is
    /// short, only the content does.
    Truncate {
        /// Bytes kept.
        keep_bytes: u64,
    },
    /// Answer 200 with an HTML error page instead of the file (what some CDNs do).
    Html,
    /// Ignore `Range` and always send the whole file with 200.
    IgnoreRange,
}

impl Fault {
    /// Parses the `?fault=` form: `drop:1000`, `status:503:7`, `slow:65536`, `truncate:1000`,
    /// `html`, `ignore-range`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut parts = s.split(':');
        let kind = parts.next().unwrap_or_default();
        let mut num = |what: &str| -> Result<u64, String> {
            parts
                .next()
                .ok_or_else(|| format!("fault `{s}` needs {what}"))?
                .parse()
                .map_err(|_| format!("fault `{s}`: {what} must be a number"))
        };
        match kind {
            "drop" => Ok(Self::Drop {
                after_bytes: num("a byte count")?,
            }),
            "status" => {
                let code = u16::try_from(num("a status code")?)
                    .map_err(|_| format!("fault `{s}`: bad status"))?;
                if !(100..=599).contains(&code) {
                    return Err(format!("fault `{s}`: status must be 100-599"));
                }
                let retry_after = num("retry-after seconds").ok();
                Ok(Self::Status { code, retry_after })
            }
            "slow" => Ok(Self::Slow {
                bytes_per_sec: num("bytes per second")?.max(1),
            }),
            "truncate" => Ok(Self::Truncate {
                keep_bytes: num("a byte count")?,
            }),
            "html" => Ok(Self::Html),
            "ignore-range" => Ok(Self::IgnoreRange),
            _ => Err(format!(
                "unknown fault `{s}`; use drop:BYTES, status:CODE[:RETRY_AFTER], slow:BYTES_PER_SEC, truncate:BYTES, html or ignore-range"
            )),
        }
    }
}

/// A fault for the next `times` requests whose path starts with `path_prefix`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultPlan {
    /// What to do.
    pub fault: Fault,
    /// How many requests it applies to.
    pub times: u32,
    /// Only paths starting with this (`/media/` by default: every media file).
    #[serde(default = "default_prefix")]
    pub path_prefix: String,
}

fn default_prefix() -> String {
    "/".into()
}

/// The server's plans, shared with whoever controls it (tests, the CLI, the app's Settings).
#[derive(Debug, Clone, Default)]
pub struct Faults(Arc<Mutex<VecDeque<FaultPlan>>>);

impl Faults {
    /// Adds a plan after the existing ones.
    pub fn push(&self, plan: FaultPlan) {
        if plan.times > 0 {
            self.lock().push_back(plan);
        }
    }

    /// Removes every plan.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// The plans still pending.
    pub fn pending(&self) -> Vec<FaultPlan> {
        self.lock().iter().cloned().collect()
    }

    /// The fault for a request to `path`, using up one application of the first matching plan.
    pub fn take(&self, path: &str) -> Option<Fault> {
        let mut plans = self.lock();
        let i = plans
            .iter()
            .position(|p| path.starts_with(&p.path_prefix))?;
        let plan = &mut plans[i];
        plan.times -= 1;
        let fault = plan.fault.clone();
        if plan.times == 0 {
            plans.remove(i);
        }
        Some(fault)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<FaultPlan>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_forms() {
        assert_eq!(
            Fault::parse("drop:1000"),
            Ok(Fault::Drop { after_bytes: 1000 })
        );
        assert_eq!(
            Fault::parse("status:503:7"),
            Ok(Fault::Status {
                code: 503,
                retry_after: Some(7)
            })
        );
        assert_eq!(
            Fault::parse("status:500"),
            Ok(Fault::Status {
                code: 500,
                retry_after: None
            })
        );
        assert_eq!(Fault::parse("html"), Ok(Fault::Html));
        assert_eq!(
            Fault::parse("truncate:10"),
            Ok(Fault::Truncate { keep_bytes: 10 })
        );
        assert!(Fault::parse("truncate").is_err_and(|e| e.contains("byte count")));
        assert!(Fault::parse("status:999").is_err());
        assert!(Fault::parse("explode").is_err_and(|e| e.contains("drop:BYTES")));
    }

    #[test]
    fn plans_are_used_up_in_order_and_by_prefix() {
        let f = Faults::default();
        f.push(FaultPlan {
            fault: Fault::Html,
            times: 1,
            path_prefix: "/media/a".into(),
        });
        f.push(FaultPlan {
            fault: Fault::Slow { bytes_per_sec: 10 },
            times: 2,
            path_prefix: "/".into(),
        });
        assert_eq!(
            f.take("/media/b/x"),
            Some(Fault::Slow { bytes_per_sec: 10 })
        );
        assert_eq!(f.take("/media/a/x"), Some(Fault::Html));
        assert_eq!(
            f.take("/media/a/x"),
            Some(Fault::Slow { bytes_per_sec: 10 })
        );
        assert_eq!(f.take("/media/a/x"), None);
        assert!(f.pending().is_empty());
    }
}
