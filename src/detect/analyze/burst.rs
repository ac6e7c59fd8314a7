//! Failed-logon bursts: many failed logons (Security 4625, Kerberos pre-authentication
//! 4771) on one host from one source in a short time — password guessing or spraying.
//! The finding is the first failure of the first burst, with how many failures and
//! accounts it had: the moment someone started trying, not the 48th try.

use super::scan::Collected;
use super::{Finding, Kind, span_text};
use rustc_hash::FxHashSet;

/// A burst: at least `MIN` failures within `WINDOW` (a user mistyping twice is not one).
const MIN: usize = 10;
const WINDOW: i64 = 10 * 60 * 1_000_000_000;
/// Accounts remembered per source: enough to tell spraying from guessing one password.
const USERS_KEPT: usize = 1000;

/// Failed logons on one host from one source, in timeline order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Failures {
    /// The host as shown.
    pub host: String,
    /// (time, timeline index) of each failure.
    pub times: Vec<(i64, usize)>,
    /// Accounts tried (case-folded), at most `USERS_KEPT`.
    pub users: FxHashSet<String>,
}

impl Failures {
    pub fn add(&mut self, ts: i64, event: usize, user: &str) {
        self.times.push((ts, event));
        if self.users.len() < USERS_KEPT {
            self.users.insert(user.to_lowercase());
        }
    }

    /// Appends the failures of a later block (blocks come in timeline order).
    pub fn absorb(&mut self, o: Failures) {
        self.times.extend(o.times);
        for u in o.users {
            if self.users.len() >= USERS_KEPT {
                break;
            }
            self.users.insert(u);
        }
    }
}

/// Whether an EVTX record is a failed logon.
pub(crate) fn is_failed_logon(channel: &str, event_id: &str) -> bool {
    channel == "Security" && matches!(event_id, "4625" | "4771")
}

pub(super) fn findings(seen: &Collected) -> Vec<Finding> {
    let mut out = Vec::new();
    for ((_, from), f) in &seen.failures {
        let Some((start, end)) = first_burst(&f.times) else {
            continue;
        };
        let (Some(&(t0, event)), Some(&(t1, _))) = (f.times.get(start), f.times.get(end - 1))
        else {
            continue;
        };
        let accounts = match f.users.len() {
            1 => "1 account".to_owned(),
            n if n >= USERS_KEPT => format!("{n}+ accounts"),
            n => format!("{n} accounts"),
        };
        out.push(Finding {
            kind: Kind::LogonFailures,
            event,
            host: f.host.clone(),
            reason: format!(
                "{} failed logons on {} from {from} in {} ({accounts})",
                end - start,
                f.host,
                span_text(t1 - t0)
            ),
            rarity: None,
            strength: Kind::LogonFailures.strength(),
        });
    }
    out.sort_by_key(|f| f.event);
    out
}

/// The first run of `MIN` failures within `WINDOW`, extended while each next failure
/// follows the last within `WINDOW`: (index of its first, index past its last).
fn first_burst(times: &[(i64, usize)]) -> Option<(usize, usize)> {
    let mut lo = 0;
    for (hi, &(t, _)) in times.iter().enumerate() {
        while times.get(lo).is_some_and(|&(l, _)| t - l > WINDOW) {
            lo += 1;
        }
        if hi + 1 - lo >= MIN {
            let mut end = hi + 1;
            while let (Some(&(a, _)), Some(&(b, _))) = (times.get(end - 1), times.get(end)) {
                if b - a > WINDOW {
                    break;
                }
                end += 1;
            }
            return Some((lo, end));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN_NS: i64 = 60 * 1_000_000_000;

    fn at(minutes: &[i64]) -> Vec<(i64, usize)> {
        minutes
            .iter()
            .enumerate()
            .map(|(i, &m)| (m * MIN_NS, i))
            .collect()
    }

    #[test]
    fn a_burst_starts_at_its_first_failure_and_runs_on() {
        // Two stray failures, then twelve a minute apart, then one an hour later.
        let mut m = vec![0, 30];
        m.extend(100..112);
        m.push(200);
        assert_eq!(first_burst(&at(&m)), Some((2, 14)));
    }

    #[test]
    fn scattered_failures_are_no_burst() {
        let m: Vec<i64> = (0..50).map(|i| i * 11).collect();
        assert_eq!(first_burst(&at(&m)), None);
        assert_eq!(first_burst(&at(&[1; 9])), None);
        assert_eq!(first_burst(&[]), None);
        assert_eq!(first_burst(&at(&[5; 10])), Some((0, 10)));
    }

    #[test]
    fn finding_names_counts_accounts_and_span() {
        let mut c = Collected::default();
        let mut f = Failures {
            host: "DC-01".into(),
            ..Default::default()
        };
        for i in 0..12 {
            f.add(i * MIN_NS / 2, 100 + i as usize, &format!("user{}", i % 4));
        }
        c.failures.insert(("dc-01".into(), "10.0.0.7".into()), f);
        let out = findings(&c);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].event, 100);
        assert_eq!(out[0].kind, Kind::LogonFailures);
        assert_eq!(
            out[0].reason,
            "12 failed logons on DC-01 from 10.0.0.7 in 5m 30s (4 accounts)"
        );
    }
}
