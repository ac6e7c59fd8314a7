//! EDR exports: Microsoft Defender for Endpoint advanced hunting (DeviceProcessEvents as the
//! portal's CSV export, DeviceNetworkEvents as flat JSON lines; `Timestamp` UTC ISO 8601)
//! for the workstations, and CrowdStrike FDR NDJSON (ProcessRollup2, NetworkConnectIP4,
//! DnsRequest; `timestamp` epoch ms as a string) for the servers.

use super::Line;
use super::noise::when;
use super::rng::Rng;
use super::scenario::{ConnEv, ProcEv, qualified};
use super::world::*;
use std::io::Write;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum EdrFile {
    MdeProcess,
    MdeNetwork,
    Falcon,
}

impl EdrFile {
    pub const ALL: [EdrFile; 3] = [EdrFile::MdeProcess, EdrFile::MdeNetwork, EdrFile::Falcon];

    pub fn file_name(self) -> &'static str {
        match self {
            EdrFile::MdeProcess => "mde-DeviceProcessEvents.csv",
            EdrFile::MdeNetwork => "mde-DeviceNetworkEvents.json",
            EdrFile::Falcon => "crowdstrike-fdr.ndjson",
        }
    }

    pub fn base_count(self) -> u64 {
        match self {
            EdrFile::MdeProcess => 250,
            EdrFile::MdeNetwork => 350,
            EdrFile::Falcon => 400,
        }
    }

    fn covers(self, host: usize) -> bool {
        let edr = HOSTS.get(host).map(|h| h.edr);
        match self {
            EdrFile::MdeProcess | EdrFile::MdeNetwork => edr == Some(Edr::Mde),
            EdrFile::Falcon => edr == Some(Edr::CrowdStrike),
        }
    }
}

pub const MDE_CSV_HEADER: &str = "Timestamp,DeviceId,DeviceName,ActionType,FileName,FolderPath,SHA256,ProcessId,ProcessCommandLine,AccountDomain,AccountName,AccountSid,InitiatingProcessFileName,InitiatingProcessFolderPath,InitiatingProcessId,InitiatingProcessCommandLine,ReportId\r\n";

/// `2026-03-13T14:47:53.3210000Z`
fn iso_utc(ts: i64) -> String {
    let (y, mo, d, h, mi, s, ns) = utc_parts(ts);
    format!("{y}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:07}Z", ns / 100)
}

fn json_str(out: &mut Vec<u8>, s: &str) {
    // serde_json escapes exactly as JSON requires; writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

fn csv_cell(out: &mut Vec<u8>, s: &str) {
    if s.contains([',', '"', '\r', '\n']) {
        out.push(b'"');
        out.extend_from_slice(s.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

fn base(path: &str) -> &str {
    path.rsplit('\\').next().unwrap_or(path)
}

fn split_user(user: &str) -> (&str, &str) {
    user.split_once('\\').unwrap_or(("", user))
}

/// The account SID for `DOMAIN\user`, or SYSTEM's.
fn sid_of(user: &str) -> String {
    let (_, name) = split_user(user);
    USERS
        .iter()
        .find(|u| u.name == name)
        .map(|u| u.sid())
        .unwrap_or_else(|| "S-1-5-18".to_string())
}

pub fn render_proc(file: EdrFile, p: &ProcEv, seq: u64, out: &mut Vec<Line>) {
    if !file.covers(p.host) {
        return;
    }
    let host = &HOSTS[p.host];
    let mut l = Vec::with_capacity(600);
    let (dom, name) = split_user(&p.user);
    match file {
        EdrFile::MdeProcess => {
            let cells: [&str; 17] = [
                &iso_utc(p.ts),
                &host.device_id(),
                &host.fqdn().to_lowercase(),
                "ProcessCreated",
                base(&p.image),
                &p.image,
                &p.sha256,
                &p.pid.to_string(),
                &p.cmdline,
                &dom.to_lowercase(),
                name,
                &sid_of(&p.user),
                base(&p.parent_image),
                &p.parent_image,
                &p.ppid.to_string(),
                &p.parent_cmdline,
                &(10_000 + seq).to_string(),
            ];
            for (i, c) in cells.iter().enumerate() {
                if i > 0 {
                    l.push(b',');
                }
                csv_cell(&mut l, c);
            }
        }
        EdrFile::Falcon => {
            l.extend_from_slice(b"{\"event_simpleName\":\"ProcessRollup2\",\"name\":\"ProcessRollup2V19\",\"event_platform\":\"Win\",\"aid\":");
            json_str(&mut l, &host.aid());
            let _ = write!(
                l,
                ",\"cid\":\"c0ffee15754bcfb5f9152ec7ac90ac11\",\"aip\":\"{}\",\"ComputerName\":\"{}\",\"timestamp\":\"{}\",\"ProcessStartTime\":\"{}.{:03}\",\"TargetProcessId\":\"{}\",\"RawProcessId\":\"{}\",\"ParentProcessId\":\"{}\",\"ParentBaseFileName\":",
                ip(FW_PUBLIC_IP),
                host.name,
                p.ts / 1_000_000,
                p.ts / NS,
                p.ts / 1_000_000 % 1000,
                u64::from(p.pid) * 1_000_003 + 7,
                p.pid,
                u64::from(p.ppid) * 1_000_003 + 7
            );
            json_str(&mut l, base(&p.parent_image));
            l.extend_from_slice(b",\"ImageFileName\":");
            json_str(
                &mut l,
                &p.image.replacen("C:", "\\Device\\HarddiskVolume3", 1),
            );
            l.extend_from_slice(b",\"CommandLine\":");
            json_str(&mut l, &p.cmdline);
            let _ = write!(l, ",\"SHA256HashData\":\"{}\",\"UserName\":", p.sha256);
            json_str(&mut l, name);
            let _ = write!(
                l,
                ",\"UserSid\":\"{}\",\"id\":\"{}\"}}",
                sid_of(&p.user),
                event_id(seq, p.ts)
            );
        }
        EdrFile::MdeNetwork => return,
    }
    out.push(Line {
        ts: p.ts,
        text: l,
        gt: p.gt,
    });
}

fn event_id(seq: u64, ts: i64) -> String {
    format!(
        "{:08x}-1111-11f0-{:04x}-{:012x}",
        seq & 0xffff_ffff,
        (ts / NS) & 0xffff,
        seq.wrapping_mul(0x9e37_79b9) & 0xffff_ffff_ffff
    )
}

pub fn render_conn(file: EdrFile, c: &ConnEv, seq: u64, out: &mut Vec<Line>) {
    if !file.covers(c.host) {
        return;
    }
    let host = &HOSTS[c.host];
    let mut l = Vec::with_capacity(600);
    match file {
        EdrFile::MdeNetwork => {
            let (dom, name) = split_user(&c.user);
            let _ = write!(
                l,
                "{{\"Timestamp\":\"{}\",\"DeviceId\":\"{}\",\"DeviceName\":\"{}\",\"ActionType\":\"{}\",\"RemoteIP\":\"{}\",\"RemotePort\":{},\"RemoteUrl\":",
                iso_utc(c.ts),
                &host.device_id(),
                host.fqdn().to_lowercase(),
                if c.dns.is_some() {
                    "DnsConnectionInspected"
                } else {
                    "ConnectionSuccess"
                },
                ip(c.remote),
                c.rport
            );
            json_str(&mut l, c.dns.as_deref().unwrap_or(""));
            let _ = write!(
                l,
                ",\"LocalIP\":\"{}\",\"LocalPort\":{},\"Protocol\":\"{}\",\"LocalIPType\":\"Private\",\"RemoteIPType\":\"{}\",\"InitiatingProcessFileName\":",
                host.ip_str(),
                c.lport,
                if c.proto == 17 { "Udp" } else { "Tcp" },
                if internal(c.remote) {
                    "Private"
                } else {
                    "Public"
                }
            );
            json_str(&mut l, base(&c.image));
            l.extend_from_slice(b",\"InitiatingProcessFolderPath\":");
            json_str(&mut l, &c.image.to_lowercase());
            let _ = write!(
                l,
                ",\"InitiatingProcessId\":{},\"InitiatingProcessCommandLine\":",
                c.pid
            );
            json_str(&mut l, &c.cmdline);
            l.extend_from_slice(b",\"InitiatingProcessAccountDomain\":");
            json_str(&mut l, &dom.to_lowercase());
            l.extend_from_slice(b",\"InitiatingProcessAccountName\":");
            json_str(&mut l, name);
            let _ = write!(l, ",\"ReportId\":{}}}", 20_000 + seq);
        }
        EdrFile::Falcon => {
            let ctx = u64::from(c.pid) * 1_000_003 + 7;
            match &c.dns {
                Some(domain) => {
                    let _ = write!(
                        l,
                        "{{\"event_simpleName\":\"DnsRequest\",\"ContextTimeStamp\":\"{}.{:03}\",\"ContextProcessId\":\"{ctx}\",\"DomainName\":",
                        c.ts / NS,
                        c.ts / 1_000_000 % 1000
                    );
                    json_str(&mut l, domain);
                    let _ = write!(
                        l,
                        ",\"RequestType\":\"1\",\"event_platform\":\"Win\",\"name\":\"DnsRequestV4\",\"aid\":\"{}\",\"ComputerName\":\"{}\",\"timestamp\":\"{}\",\"id\":\"{}\"}}",
                        host.aid(),
                        host.name,
                        c.ts / 1_000_000,
                        event_id(seq, c.ts)
                    );
                }
                None => {
                    let _ = write!(
                        l,
                        "{{\"LocalAddressIP4\":\"{}\",\"event_simpleName\":\"NetworkConnectIP4\",\"ContextTimeStamp\":\"{}.{:03}\",\"ConnectionFlags\":\"0\",\"ContextProcessId\":\"{ctx}\",\"RemotePort\":\"{}\",\"event_platform\":\"Win\",\"LocalPort\":\"{}\",\"name\":\"NetworkConnectIP4V5\",\"id\":\"{}\",\"Protocol\":\"{}\",\"aid\":\"{}\",\"ComputerName\":\"{}\",\"RemoteAddressIP4\":\"{}\",\"ConnectionDirection\":\"0\",\"InContext\":\"0\",\"timestamp\":\"{}\"}}",
                        host.ip_str(),
                        c.ts / NS,
                        c.ts / 1_000_000 % 1000,
                        c.rport,
                        c.lport,
                        event_id(seq, c.ts),
                        c.proto,
                        host.aid(),
                        host.name,
                        ip(c.remote),
                        c.ts / 1_000_000
                    );
                }
            }
        }
        EdrFile::MdeProcess => return,
    }
    out.push(Line {
        ts: c.ts,
        text: l,
        gt: c.gt,
    });
}

const NOISE: [(&str, &str, &str); 5] = [
    (
        "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
        "\"chrome.exe\" --type=utility --utility-sub-type=network.mojom.NetworkService",
        "C:\\Windows\\explorer.exe",
    ),
    (
        "C:\\Windows\\System32\\svchost.exe",
        "C:\\Windows\\system32\\svchost.exe -k UnistackSvcGroup",
        "C:\\Windows\\System32\\services.exe",
    ),
    (
        "C:\\Program Files\\Orbis\\OrbisClient.exe",
        "\"C:\\Program Files\\Orbis\\OrbisClient.exe\" /server:EHR-APP-01",
        "C:\\Windows\\explorer.exe",
    ),
    (
        "C:\\Program Files\\Veeam\\Backup and Replication\\Backup\\VeeamAgent.exe",
        "\"VeeamAgent.exe\" -job FS01-nightly",
        "C:\\Program Files\\Veeam\\Backup and Replication\\Backup\\Veeam.Backup.Manager.exe",
    ),
    (
        "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe",
        "C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding",
        "C:\\Windows\\System32\\svchost.exe",
    ),
];

/// One background event for this EDR file.
pub fn background(rng: &mut Rng, file: EdrFile, seq: u64, out: &mut Vec<Line>) {
    let hosts: Vec<usize> = (0..HOSTS.len()).filter(|&h| file.covers(h)).collect();
    let host = *rng.pick(&hosts);
    let ts = when(rng);
    let (image, cmd, parent) = *rng.pick(&NOISE);
    let user = qualified(USERS[HOSTS[host].user].name);
    let pid = (rng.range(400, 12000) as u32) & !3;
    let process = file == EdrFile::MdeProcess || (file == EdrFile::Falcon && rng.chance(40));
    if process {
        let p = ProcEv {
            ts,
            host,
            pid,
            image: image.to_string(),
            cmdline: cmd.to_string(),
            ppid: (rng.range(400, 9000) as u32) & !3,
            parent_image: parent.to_string(),
            parent_cmdline: parent.to_string(),
            user,
            sha256: rng.hex(64),
            gt: None,
        };
        render_proc(file, &p, seq, out);
    } else {
        let (name, remote, port) = *rng.pick(&BENIGN);
        let dns = rng.chance(30);
        let c = ConnEv {
            ts,
            host,
            pid,
            image: image.to_string(),
            cmdline: cmd.to_string(),
            user,
            lport: if dns {
                0
            } else {
                rng.range(49152, 65000) as u16
            },
            remote,
            rport: if dns { 53 } else { port },
            proto: if dns { 17 } else { 6 },
            dns: dns.then(|| name.to_string()),
            gt: None,
        };
        render_conn(file, &c, seq, out);
    }
}
