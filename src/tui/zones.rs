//! Display zones: UTC, this machine's zone and `--display-tz`, cycled with `T`.

use crate::model::TzSpec;

/// The zone of this machine: `TZ`, `/etc/timezone`, the `/etc/localtime` link, or else
/// the current fixed offset.
pub fn local_zone() -> TzSpec {
    let named = std::env::var("TZ")
        .ok()
        .map(|s| s.trim_start_matches(':').to_string())
        .or_else(|| std::fs::read_to_string("/etc/timezone").ok())
        .or_else(|| {
            let p = std::fs::read_link("/etc/localtime").ok()?;
            let s = p.to_string_lossy().into_owned();
            s.split_once("zoneinfo/").map(|(_, z)| z.to_string())
        });
    if let Some(z) = named.and_then(|n| n.trim().parse::<TzSpec>().ok()) {
        return z;
    }
    use chrono::Offset;
    TzSpec::Fixed(chrono::Local::now().offset().fix())
}

/// Zones that are UTC under another name (`Etc/UTC` is a common `/etc/localtime`).
fn is_utc(z: &TzSpec) -> bool {
    match z {
        TzSpec::Utc => true,
        TzSpec::Fixed(o) => o.local_minus_utc() == 0,
        TzSpec::Named(t) => matches!(
            t.name(),
            "UTC"
                | "Etc/UTC"
                | "Etc/UCT"
                | "UCT"
                | "Universal"
                | "Etc/Universal"
                | "Zulu"
                | "Etc/Zulu"
        ),
    }
}

/// UTC, local, `--display-tz`, without repeats; the first shown is `--display-tz` if set.
pub fn zones(local: TzSpec, display: Option<TzSpec>) -> (Vec<(String, TzSpec)>, usize) {
    let mut v: Vec<(String, TzSpec)> = vec![("UTC".into(), TzSpec::Utc)];
    if !is_utc(&local) {
        v.push((format!("local {local}"), local));
    }
    let mut start = 0;
    if let Some(d) = display {
        let same = |z: &TzSpec| *z == d || (is_utc(z) && is_utc(&d));
        match v.iter().position(|(_, z)| same(z)) {
            Some(i) => start = i,
            None => {
                v.push((d.to_string(), d));
                start = v.len() - 1;
            }
        }
    }
    (v, start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_cycle_has_no_repeats() {
        let paris: TzSpec = "Europe/Paris".parse().unwrap();
        let etc_utc: TzSpec = "Etc/UTC".parse().unwrap();
        let (v, start) = zones(etc_utc, None);
        assert_eq!((v.len(), start), (1, 0));
        let (v, start) = zones(paris, Some(paris));
        assert_eq!(v.len(), 2);
        assert_eq!(v[start].1, paris);
        let tokyo: TzSpec = "Asia/Tokyo".parse().unwrap();
        let (v, start) = zones(paris, Some(tokyo));
        let names: Vec<&str> = v.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(names, ["UTC", "local Europe/Paris", "Asia/Tokyo"]);
        assert_eq!(start, 2);
        let (v, start) = zones(paris, Some("+00:00".parse().unwrap()));
        assert_eq!((v.len(), start), (2, 0));
    }
}
