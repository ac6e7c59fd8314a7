//! The intrusion itself: every attacker step as events in each source that would see it
//! (Sysmon, Security, System, PowerShell, Defender, EDR, firewalls), consistent across
//! sources (same hosts, addresses, processes, times). Background noise is in `noise.rs`.

use super::rng::Rng;
use super::winevents::{Kind, WinEv};
use super::world::*;

/// A network flow as the firewalls see it.
#[derive(Clone)]
pub struct Flow {
    pub ts: i64,
    pub src: [u8; 4],
    pub sport: u16,
    pub dst: [u8; 4],
    pub dport: u16,
    /// 6 TCP, 17 UDP.
    pub proto: u8,
    pub allow: bool,
    pub sent: u64,
    pub rcvd: u64,
    pub dur: u32,
    pub gt: Option<&'static str>,
}

/// A process start as the EDR sees it.
#[derive(Clone)]
pub struct ProcEv {
    pub ts: i64,
    pub host: usize,
    pub pid: u32,
    pub image: String,
    pub cmdline: String,
    pub ppid: u32,
    pub parent_image: String,
    pub parent_cmdline: String,
    pub user: String,
    pub sha256: String,
    pub gt: Option<&'static str>,
}

/// An outbound connection (or DNS query when `dns` is set) as the EDR sees it.
#[derive(Clone)]
pub struct ConnEv {
    pub ts: i64,
    pub host: usize,
    pub pid: u32,
    pub image: String,
    pub cmdline: String,
    pub user: String,
    pub lport: u16,
    pub remote: [u8; 4],
    pub rport: u16,
    pub proto: u8,
    pub dns: Option<String>,
    pub gt: Option<&'static str>,
}

#[derive(Default)]
pub struct Story {
    pub win: Vec<WinEv>,
    pub flows: Vec<Flow>,
    pub procs: Vec<ProcEv>,
    pub conns: Vec<ConnEv>,
}

/// A running process the story refers to later (parent, source of connections).
#[derive(Clone)]
pub struct P {
    pub host: usize,
    pub pid: u32,
    pub guid: String,
    pub image: String,
    pub cmdline: String,
    pub user: String,
}

/// A Sysmon event of process `p`: the fields each starts with (`RuleName`, `UtcTime`,
/// `ProcessGuid`, `ProcessId`), then `rest`.
fn sysmon_ev(ts: i64, p: &P, kind: Kind, rest: &[(&str, &str)]) -> WinEv {
    let (utc, pid) = (sysmon_time(ts), p.pid.to_string());
    let mut fields = vec![
        ("RuleName", "-"),
        ("UtcTime", utc.as_str()),
        ("ProcessGuid", p.guid.as_str()),
        ("ProcessId", pid.as_str()),
    ];
    fields.extend_from_slice(rest);
    WinEv::new(ts, p.host, kind, 3412, &fields)
}

/// Sysmon's `UtcTime` text.
pub fn sysmon_time(ts: i64) -> String {
    let (y, mo, d, h, mi, s, ns) = utc_parts(ts);
    format!(
        "{y}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{:03}",
        ns / 1_000_000
    )
}

pub fn qualified(user: &str) -> String {
    if user.starts_with("NT AUTHORITY") {
        user.to_string()
    } else {
        format!("{DOMAIN}\\{user}")
    }
}

struct Ctx {
    rng: Rng,
    s: Story,
}

impl Ctx {
    fn pid(&mut self) -> u32 {
        (self.rng.range(600, 16000) as u32) & !3
    }

    fn existing(&mut self, host: usize, image: &str, cmdline: &str, user: &str) -> P {
        P {
            host,
            pid: self.pid(),
            guid: self.rng.guid(),
            image: image.to_string(),
            cmdline: cmdline.to_string(),
            user: qualified(user),
        }
    }

    /// A process start: Sysmon 1 and the EDR's process event.
    fn proc(
        &mut self,
        ts: i64,
        parent: &P,
        image: &str,
        cmdline: &str,
        gt: Option<&'static str>,
    ) -> P {
        let p = P {
            host: parent.host,
            pid: self.pid(),
            guid: self.rng.guid(),
            image: image.to_string(),
            cmdline: cmdline.to_string(),
            user: parent.user.clone(),
        };
        let sha = self.rng.hex(64);
        let file = image.rsplit('\\').next().unwrap_or(image);
        let mut ev = sysmon_ev(
            ts,
            &p,
            Kind::SysmonProcess1,
            &[
                ("Image", image),
                ("FileVersion", "-"),
                ("Description", "-"),
                ("Product", "-"),
                ("Company", "-"),
                ("OriginalFileName", file),
                ("CommandLine", cmdline),
                ("CurrentDirectory", "C:\\Windows\\system32\\"),
                ("User", &p.user),
                ("LogonGuid", &self.rng.guid()),
                ("LogonId", "0x3e7"),
                ("TerminalSessionId", "1"),
                ("IntegrityLevel", "High"),
                ("Hashes", &format!("SHA256={}", sha.to_uppercase())),
                ("ParentProcessGuid", &parent.guid),
                ("ParentProcessId", &parent.pid.to_string()),
                ("ParentImage", &parent.image),
                ("ParentCommandLine", &parent.cmdline),
                ("ParentUser", &parent.user),
            ],
        )
        .sid("S-1-5-18");
        ev.gt = gt;
        self.s.win.push(ev);
        self.s.procs.push(ProcEv {
            ts: ts + 3_000_000,
            host: p.host,
            pid: p.pid,
            image: image.to_string(),
            cmdline: cmdline.to_string(),
            ppid: parent.pid,
            parent_image: parent.image.clone(),
            parent_cmdline: parent.cmdline.clone(),
            user: p.user.clone(),
            sha256: sha,
            gt,
        });
        p
    }

    /// An outbound connection: Sysmon 3, the EDR network event and the firewall flow.
    #[allow(clippy::too_many_arguments)]
    fn connect(
        &mut self,
        ts: i64,
        p: &P,
        dst: [u8; 4],
        dport: u16,
        sent: u64,
        rcvd: u64,
        dur: u32,
        gt: Option<&'static str>,
    ) {
        let host = &HOSTS[p.host];
        let sport = self.rng.range(49152, 65000) as u16;
        // The endpoint's records of a story connection are early-detection points as much
        // as the perimeter's line: each names the same connection (and the process).
        let mut ev = sysmon_ev(
            ts,
            p,
            Kind::SysmonNet3,
            &[
                ("Image", &p.image),
                ("User", &p.user),
                ("Protocol", "tcp"),
                ("Initiated", "true"),
                ("SourceIsIpv6", "false"),
                ("SourceIp", &host.ip_str()),
                ("SourceHostname", &host.fqdn()),
                ("SourcePort", &sport.to_string()),
                ("SourcePortName", "-"),
                ("DestinationIsIpv6", "false"),
                ("DestinationIp", &ip(dst)),
                ("DestinationHostname", "-"),
                ("DestinationPort", &dport.to_string()),
                (
                    "DestinationPortName",
                    if dport == 443 { "https" } else { "-" },
                ),
            ],
        )
        .sid("S-1-5-18");
        ev.gt = gt;
        self.s.win.push(ev);
        self.s.conns.push(ConnEv {
            ts: ts + 1_000_000,
            host: p.host,
            pid: p.pid,
            image: p.image.clone(),
            cmdline: p.cmdline.clone(),
            user: p.user.clone(),
            lport: sport,
            remote: dst,
            rport: dport,
            proto: 6,
            dns: None,
            gt,
        });
        self.s.flows.push(Flow {
            ts: ts + 2_000_000,
            src: host.ip,
            sport,
            dst,
            dport,
            proto: 6,
            allow: true,
            sent,
            rcvd,
            dur,
            gt,
        });
    }

    /// A DNS lookup: Sysmon 22 and the EDR's DNS event.
    fn dns(&mut self, ts: i64, p: &P, name: &str, answer: [u8; 4]) {
        self.s.win.push(
            sysmon_ev(
                ts,
                p,
                Kind::SysmonDns22,
                &[
                    ("QueryName", name),
                    ("QueryStatus", "0"),
                    ("QueryResults", &format!("::ffff:{};", ip(answer))),
                    ("Image", &p.image),
                    ("User", &p.user),
                ],
            )
            .sid("S-1-5-18"),
        );
        self.s.conns.push(ConnEv {
            ts: ts + 500_000,
            host: p.host,
            pid: p.pid,
            image: p.image.clone(),
            cmdline: p.cmdline.clone(),
            user: p.user.clone(),
            lport: 0,
            // The query goes to the hospital's resolver on the DC.
            remote: HOSTS[H_DC].ip,
            rport: 53,
            proto: 17,
            dns: Some(name.to_string()),
            gt: None,
        });
    }

    fn file(&mut self, ts: i64, p: &P, path: &str, gt: Option<&'static str>) {
        let t = sysmon_time(ts);
        let mut ev = sysmon_ev(
            ts,
            p,
            Kind::SysmonFile11,
            &[
                ("Image", &p.image),
                ("TargetFilename", path),
                ("CreationUtcTime", &t),
                ("User", &p.user),
            ],
        )
        .sid("S-1-5-18");
        ev.gt = gt;
        self.s.win.push(ev);
    }

    fn win(&mut self, ev: WinEv) {
        self.s.win.push(ev);
    }
}

mod steps;

/// The whole attack, deterministic for `seed`.
pub fn story(seed: u64) -> Story {
    let mut c = Ctx {
        rng: Rng::fork(seed, "story"),
        s: Story::default(),
    };
    steps::run(&mut c);
    c.s.win.sort_by_key(|e| e.ts);
    c.s.flows.sort_by_key(|f| f.ts);
    c.s.procs.sort_by_key(|p| p.ts);
    c.s.conns.sort_by_key(|p| p.ts);
    c.s
}
