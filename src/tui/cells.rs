//! What each table cell says, so that 80 columns tell what happened: the message without
//! the id the id column already shows, network rows as `src → dst:port` first (FortiGate
//! rows with the bytes sent and received), sources as a short tag, hosts without their
//! domain and never cut to a prefix two hosts share.

use crate::model::{Fields, Norm};
use crate::timeline::Timeline;
use std::borrow::Cow;
use std::net::IpAddr;

/// The texts of one row (unsanitised: the view sanitises what it draws).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowText {
    pub source: String,
    pub host: String,
    pub id: String,
    /// The message when the id column shows the id whole (the id is not repeated).
    pub message: String,
    /// The message when the id column is hidden or cuts the id: nothing left out.
    pub message_full: String,
}

/// How a row is written.
#[derive(Clone, Copy, Debug, Default)]
pub struct CellOpts {
    /// The id column shows: the message need not repeat the id.
    pub id_shown: bool,
    /// A short tag for the source (narrow terminals) rather than its file name.
    pub tag: bool,
    pub ascii: bool,
}

/// The texts of event `ev`.
pub fn row_text(t: &Timeline, ev: usize, o: CellOpts) -> RowText {
    let f = t.fields(ev);
    let tag = t.tag(ev);
    let id = id_text(&tag).into_owned();
    let msg: Cow<'_, str> = match f.get(Norm::Message) {
        Some(m) => Cow::Borrowed(m),
        None => Cow::Owned(crate::timeline::generic_message(&f)),
    };
    let write = |id_shown: bool| {
        let body = if id_shown { strip_id(&msg, &tag) } else { &msg };
        let shown_action = id_shown.then_some(tag.as_ref());
        network(&f, body, shown_action, o.ascii).unwrap_or_else(|| body.to_string())
    };
    let message = write(o.id_shown);
    let message_full = write(false);
    let source = t.source_of(ev).map_or(String::new(), |s| {
        if o.tag {
            source_tag(&s.label, s.format())
        } else {
            short_label(&s.label).to_string()
        }
    });
    RowText {
        source,
        host: t.host(ev).into_owned(),
        id,
        message,
        message_full,
    }
}

/// Long numeric ids lose their leading zeros (FortiGate's `0000000013` → `13`).
pub fn id_text(tag: &str) -> Cow<'_, str> {
    if tag.len() >= 6 && tag.bytes().all(|b| b.is_ascii_digit()) {
        let t = tag.trim_start_matches('0');
        return Cow::Borrowed(if t.is_empty() { "0" } else { t });
    }
    Cow::Borrowed(tag)
}

/// The message without a leading id the id column shows: `4624 logon …` → `logon …`,
/// `Sysmon 22 DNS …` → `DNS …`, `process ProcessCreated C:\…` → `C:\…`.
pub fn strip_id<'a>(msg: &'a str, id: &str) -> &'a str {
    if id.is_empty() {
        return msg;
    }
    let is_id = |w: &str| w.trim_end_matches(':') == id;
    let mut words = msg.splitn(3, ' ');
    let (a, b) = (words.next().unwrap_or(""), words.next());
    if is_id(a) {
        return msg[a.len()..].trim_start();
    }
    // A one-word prefix before the id (a provider or a category): `Sysmon 22 …`.
    let word = |w: &str| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_'))
    };
    if let Some(b) = b
        && is_id(b)
        && word(a)
    {
        return msg[a.len() + 1 + b.len()..].trim_start();
    }
    msg
}

/// `512B`, `1.2K`, `34K`, `5.0M`, `1.1G`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["K", "M", "G", "T"];
    if n < 1024 {
        return format!("{n}B");
    }
    let mut v = n as f64 / 1024.0;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if v < 10.0 {
        format!("{v:.1}{}", UNITS[u])
    } else {
        format!("{v:.0}{}", UNITS[u])
    }
}

/// `address:port`, bracketing IPv6 addresses.
fn with_port(ip: &str, port: Option<&str>) -> String {
    match port {
        Some(p) if ip.contains(':') => format!("[{ip}]:{p}"),
        Some(p) => format!("{ip}:{p}"),
        None => ip.to_string(),
    }
}

/// A network row: `src → dst:port proto [action] [↑sent ↓received] · the rest of the
/// message` (what the summary says already is taken out of the rest): where to comes
/// first, before a long command line. `None` for rows without a destination address.
fn network(f: &Fields<'_>, msg: &str, id_shown: Option<&str>, ascii: bool) -> Option<String> {
    let dst = f.get(Norm::DstIp)?;
    let (src, sport) = (f.get(Norm::SrcIp), f.get(Norm::SrcPort));
    // A destination port only the text gives (`203.0.113.9:443`) is still the port.
    let port_in_text = || {
        msg.split(' ').find_map(|w| {
            let w = w.strip_prefix('[').unwrap_or(w);
            let p = w
                .strip_prefix(dst)?
                .trim_start_matches(']')
                .strip_prefix(':')?;
            (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())).then_some(p)
        })
    };
    let dport = f.get(Norm::DstPort).or_else(port_in_text);
    let (action, proto) = (f.get(Norm::Action), f.get(Norm::Proto));
    let mut s = String::new();
    if let Some(src) = src {
        s.push_str(src);
        s.push_str(if ascii { " -> " } else { " → " });
    }
    s.push_str(&with_port(dst, dport));
    if let Some(p) = proto {
        s.push(' ');
        s.push_str(&p.to_ascii_lowercase());
    }
    if let Some(a) = action.filter(|a| Some(*a) != id_shown) {
        s.push(' ');
        s.push_str(a);
    }
    let bytes = |k: &str| f.raw(k).and_then(|v| v.trim().parse::<u64>().ok());
    if let (Some(sent), Some(rcvd)) = (bytes("sentbyte"), bytes("rcvdbyte")) {
        let (up, down) = if ascii {
            ("out:", "in:")
        } else {
            ("↑", "↓")
        };
        s.push_str(&format!(
            " {up}{} {down}{}",
            human_bytes(sent),
            human_bytes(rcvd)
        ));
    }
    // The rest of the message, without what the summary says.
    let said: Vec<String> = [
        Some("->".to_string()),
        Some("→".to_string()),
        Some("network".to_string()),
        action.map(str::to_string),
        proto.map(str::to_string),
        f.get(Norm::Category).map(str::to_string),
        src.map(str::to_string),
        src.map(|ip| with_port(ip, sport)),
        src.map(|ip| format!("{ip}:{}", sport.unwrap_or(""))),
        Some(dst.to_string()),
        Some(with_port(dst, dport)),
        Some(format!("{dst}:{}", dport.unwrap_or(""))),
    ]
    .into_iter()
    .flatten()
    .collect();
    // The source as `ip:port`, whatever the port (the summary leaves source ports out).
    let at_port = |w: &str, ip: Option<&str>| -> bool {
        let Some(ip) = ip else { return false };
        let port = match w.strip_prefix('[') {
            Some(v6) => v6.strip_prefix(ip).and_then(|r| r.strip_prefix("]:")),
            None => w.strip_prefix(ip).and_then(|r| r.strip_prefix(':')),
        };
        port.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    };
    let rest: Vec<&str> = msg
        .split(' ')
        .filter(|w| {
            !w.is_empty() && !said.iter().any(|x| x.eq_ignore_ascii_case(w)) && !at_port(w, src)
        })
        .collect();
    if !rest.is_empty() {
        s.push_str(if ascii { " | " } else { " · " });
        s.push_str(&rest.join(" "));
    }
    Some(s)
}

/// The part of a source's path worth a narrow column: the file name without its
/// extension, and for Windows channel logs without `Microsoft-Windows-` and
/// `%4Operational` (`Microsoft-Windows-Sysmon%4Operational.evtx` → `Sysmon`).
pub fn short_label(label: &str) -> &str {
    let name = label.rsplit(['/', '\\']).next().unwrap_or(label);
    let name = [
        ".evtx", ".log", ".ndjson", ".jsonl", ".json", ".csv", ".gz", ".zst",
    ]
    .iter()
    .fold(name, |n, ext| n.strip_suffix(ext).unwrap_or(n));
    let name = name.strip_prefix("Microsoft-Windows-").unwrap_or(name);
    match name.find("%4") {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    }
}

/// A source in at most three characters: the channel of an EVTX file (`Sec`, `Sys`,
/// `Smn` for Sysmon, `PS`, `Def`), else the format (`FGT`, `NF`, `ASA`, `MDE`, `CS`).
pub fn source_tag(label: &str, format: &str) -> String {
    if format == "evtx" {
        let name = short_label(label);
        let known = [
            ("Security", "Sec"),
            ("System", "Sys"),
            ("Sysmon", "Smn"),
            ("PowerShell", "PS"),
            ("Windows PowerShell", "PS"),
            ("Windows Defender", "Def"),
            ("Application", "App"),
            ("TaskScheduler", "Tsk"),
            ("Bits-Client", "BIT"),
            ("WMI-Activity", "WMI"),
        ];
        if let Some((_, t)) = known.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            return (*t).to_string();
        }
        if name.starts_with("TerminalServices") || name.starts_with("RemoteDesktop") {
            return "RDP".into();
        }
        return name.chars().take(3).collect();
    }
    let known = [
        ("asa", "ASA"),
        ("carbonblack", "CB"),
        ("cef", "CEF"),
        ("checkpoint", "CP"),
        ("crowdstrike", "CS"),
        ("ecs", "ECS"),
        ("filterlog", "PF"),
        ("fortigate", "FGT"),
        ("mde", "MDE"),
        ("netfilter", "NF"),
        ("panos", "PAN"),
        ("sentinelone", "S1"),
        ("sophos", "SOP"),
        ("srx", "SRX"),
        ("syslog", "SL"),
        ("velociraptor", "VR"),
        ("wfw", "WFW"),
        ("winjson", "WJ"),
    ];
    match known.iter().find(|(f, _)| *f == format) {
        Some((_, t)) => (*t).to_string(),
        None => format.chars().take(3).collect::<String>().to_uppercase(),
    }
}

/// A host without its domain (`WS-01.corp.local` → `WS-01`); addresses stay whole.
pub fn short_host(h: &str) -> &str {
    if h.parse::<IpAddr>().is_ok() {
        return h;
    }
    match h.split_once('.') {
        Some((first, rest)) if !first.is_empty() && !rest.is_empty() => first,
        _ => h,
    }
}

/// Hosts as the column shows them: without their domain, unless two hosts on screen in
/// different domains would then read the same (`FS-01.a.local`, `FS-01.b.local`); a bare
/// `FS-01` is the same host as `FS-01.a.local` (as `host:` filters take it).
pub fn shown_hosts(hosts: &[&str]) -> Vec<String> {
    let domain = |h: &str| h.len() > short_host(h).len();
    hosts
        .iter()
        .map(|h| {
            let s = short_host(h);
            let clash = domain(h)
                && hosts.iter().any(|o| {
                    domain(o) && !o.eq_ignore_ascii_case(h) && short_host(o).eq_ignore_ascii_case(s)
                });
            if clash { h.to_string() } else { s.to_string() }
        })
        .collect()
}

fn width(s: &str) -> usize {
    super::layout::text_width(s)
}

/// `names` cut to `w` cells where longer, so that different names never read the same:
/// the head and the tail are kept around `…` (`WS-RECEPTION-01` at 12 cells →
/// `WS-RECE…N-01`), with the longest head that keeps every name on screen apart.
pub fn fit_names(names: &[String], w: usize, ascii: bool) -> Vec<String> {
    let ell = if ascii { "~" } else { "…" };
    let cut = |s: &str, head: usize| -> String {
        if width(s) <= w {
            return s.to_string();
        }
        let chars: Vec<char> = s.chars().collect();
        let tail = w.saturating_sub(head + 1);
        let h: String = chars.iter().take(head).collect();
        let t: String = chars[chars.len().saturating_sub(tail)..].iter().collect();
        format!("{h}{ell}{t}")
    };
    if w < 2 || names.iter().all(|n| width(n) <= w) {
        return names.iter().map(|n| cut(n, w.saturating_sub(1))).collect();
    }
    let distinct = |v: &[String]| {
        names.iter().zip(v).all(|(a, sa)| {
            names
                .iter()
                .zip(v)
                .all(|(b, sb)| a.eq_ignore_ascii_case(b) || !sa.eq_ignore_ascii_case(sb))
        })
    };
    // A tail of three or more (`-01`) reads better than a longer head.
    let most = if w >= 8 { w - 4 } else { w - 2 };
    for head in (0..=most).rev() {
        let v: Vec<String> = names.iter().map(|n| cut(n, head)).collect();
        if distinct(&v) {
            return v;
        }
    }
    names.iter().map(|n| cut(n, 0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_labels_and_tags_keep_what_tells_sources_apart() {
        let cases = [
            (
                "samples/evtx/WS-01/Microsoft-Windows-Sysmon%4Operational.evtx",
                "Sysmon",
            ),
            ("C:\\logs\\Security.evtx", "Security"),
            ("fw/fortigate-perimeter.log", "fortigate-perimeter"),
            ("edr/mde-DeviceProcessEvents.csv", "mde-DeviceProcessEvents"),
            ("x/%4odd.evtx", "%4odd"),
            ("", ""),
        ];
        for (label, want) in cases {
            assert_eq!(short_label(label), want, "{label}");
        }
        let tag = |l: &str, f: &str| source_tag(l, f);
        assert_eq!(tag("a/Security.evtx", "evtx"), "Sec");
        assert_eq!(tag("a/System.evtx", "evtx"), "Sys");
        assert_eq!(
            tag("a/Microsoft-Windows-Sysmon%4Operational.evtx", "evtx"),
            "Smn"
        );
        assert_eq!(
            tag("a/Microsoft-Windows-PowerShell%4Operational.evtx", "evtx"),
            "PS"
        );
        assert_eq!(tag("fw/fortigate-perimeter.log", "fortigate"), "FGT");
        assert_eq!(tag("x.log", "newfmt"), "NEW");
    }

    #[test]
    fn the_message_does_not_repeat_the_id() {
        assert_eq!(strip_id("4624 logon type 3", "4624"), "logon type 3");
        assert_eq!(strip_id("Sysmon 22 DNS a.b", "22"), "DNS a.b");
        assert_eq!(
            strip_id("PowerShell 4104 script block: x", "4104"),
            "script block: x"
        );
        assert_eq!(
            strip_id("Microsoft-Windows-WindowsUpdateClient 19: t=1", "19"),
            "t=1"
        );
        assert_eq!(
            strip_id("process ProcessCreated C:\\a.exe -k", "ProcessCreated"),
            "C:\\a.exe -k"
        );
        // Only a leading id: one inside the message stays.
        assert_eq!(
            strip_id("allow tcp (302013 built)", "302013"),
            "allow tcp (302013 built)"
        );
        assert_eq!(strip_id("C:\\x 4624", "4624"), "C:\\x 4624");
        assert_eq!(strip_id("anything", ""), "anything");
        assert_eq!(id_text("0000000013"), "13");
        assert_eq!(id_text("4624"), "4624");
        assert_eq!(id_text("000000"), "0");
    }

    #[test]
    fn hosts_lose_their_domain_and_are_never_cut_to_a_shared_prefix() {
        assert_eq!(short_host("FS-01.klinikum-see.local"), "FS-01");
        assert_eq!(short_host("10.20.1.5"), "10.20.1.5");
        assert_eq!(short_host("fw-int"), "fw-int");
        assert_eq!(
            shown_hosts(&["FS-01.a.local", "FS-01.b.local", "DC-01.a.local"]),
            ["FS-01.a.local", "FS-01.b.local", "DC-01"]
        );
        // The same host in another case, or without its domain, is the same host.
        assert_eq!(
            shown_hosts(&["ws-lab-01.corp.local", "WS-LAB-01.corp.local", "WS-LAB-01"]),
            ["ws-lab-01", "WS-LAB-01", "WS-LAB-01"]
        );
        let names: Vec<String> = ["WS-RECEPTION-01", "WS-RECEPTION-02", "DC-01"]
            .map(String::from)
            .into();
        let fit = fit_names(&names, 12, false);
        assert_eq!(fit, ["WS-RECEP…-01", "WS-RECEP…-02", "DC-01"]);
        // Names that differ only in the middle keep the middle.
        let names: Vec<String> = ["SRV-APP-PROD-01", "SRV-APP-TEST-01"]
            .map(String::from)
            .into();
        let fit = fit_names(&names, 12, true);
        assert_ne!(fit[0], fit[1], "{fit:?}");
        assert!(fit.iter().all(|f| width(f) <= 12), "{fit:?}");
        // The same name twice is cut the same way.
        let names: Vec<String> = ["LAPTOP-ABCDEFGH", "laptop-abcdefgh"]
            .map(String::from)
            .into();
        let fit = fit_names(&names, 8, false);
        assert!(fit[0].eq_ignore_ascii_case(&fit[1]), "{fit:?}");
    }

    #[test]
    fn network_rows_lead_with_source_and_destination() {
        let mut f = Fields::new();
        f.set(Norm::SrcIp, "10.20.2.51");
        f.set(Norm::SrcPort, "61337");
        f.set(Norm::DstIp, "168.61.215.74");
        f.set(Norm::DstPort, "123");
        f.set(Norm::Proto, "udp");
        f.set(Norm::Action, "close");
        f.push_raw("sentbyte", "1300");
        f.push_raw("rcvdbyte", "5242880");
        let msg = "close udp 10.20.2.51:61337 -> 168.61.215.74:123 (policy 12)";
        assert_eq!(
            network(&f, msg, Some("13"), false).unwrap(),
            "10.20.2.51 → 168.61.215.74:123 udp close ↑1.3K ↓5.0M · (policy 12)"
        );
        // The action the id column shows is not said twice; a long command line comes
        // after the addresses.
        let mut f = Fields::new();
        f.set(Norm::SrcIp, "10.20.1.21");
        f.set(Norm::DstIp, "fe80::1");
        f.set(Norm::DstPort, "443");
        f.set(Norm::Action, "ConnectionSuccess");
        let msg = "\"VeeamAgent.exe\" -job FS01-nightly 10.20.1.21:52797 -> fe80::1 user m.keller";
        assert_eq!(
            network(&f, msg, Some("ConnectionSuccess"), true).unwrap(),
            "10.20.1.21 -> [fe80::1]:443 | \"VeeamAgent.exe\" -job FS01-nightly user m.keller"
        );
        assert!(network(&Fields::new(), "x", None, false).is_none());
        assert_eq!(human_bytes(512), "512B");
        assert_eq!(human_bytes(34 * 1024), "34K");
    }
}
