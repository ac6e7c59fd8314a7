//! The fictional hospital network the sample incident happens in: hosts, users, addresses
//! and the weekend it happens on. Everything the outputs share lives here.

use chrono::{NaiveDate, Offset, TimeZone};
use chrono_tz::Europe::Berlin;

pub const ZONE: &str = "Europe/Berlin";
pub const DOMAIN: &str = "KLINIKUM";
pub const DNS_DOMAIN: &str = "klinikum-see.local";
pub const DOMAIN_SID: &str = "S-1-5-21-3623811015-3361044348-30300820";

/// Output channels of a Windows host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Chan {
    Security,
    System,
    Sysmon,
    PowerShell,
    Defender,
}

impl Chan {
    pub const ALL: [Chan; 5] = [
        Chan::Security,
        Chan::System,
        Chan::Sysmon,
        Chan::PowerShell,
        Chan::Defender,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Chan::Security => "Security",
            Chan::System => "System",
            Chan::Sysmon => "Microsoft-Windows-Sysmon/Operational",
            Chan::PowerShell => "Microsoft-Windows-PowerShell/Operational",
            Chan::Defender => "Microsoft-Windows-Windows Defender/Operational",
        }
    }

    /// The file name Windows gives the channel's log (`/` becomes `%4`).
    pub fn file_name(self) -> String {
        format!("{}.evtx", self.name().replace('/', "%4"))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Workstation,
    Server,
    DomainController,
}

/// Which EDR covers a host (the hospital is half-way through a migration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edr {
    Mde,
    CrowdStrike,
}

pub struct Host {
    pub name: &'static str,
    pub ip: [u8; 4],
    pub role: Role,
    pub edr: Edr,
    /// Usual interactive user (workstations) or the service account (servers).
    pub user: usize,
    pub powershell_log: bool,
    pub defender_log: bool,
}

impl Host {
    pub fn fqdn(&self) -> String {
        format!("{}.{}", self.name, DNS_DOMAIN)
    }
    pub fn ip_str(&self) -> String {
        ip(self.ip)
    }
    pub fn channels(&self) -> Vec<Chan> {
        Chan::ALL
            .into_iter()
            .filter(|c| match c {
                Chan::PowerShell => self.powershell_log,
                Chan::Defender => self.defender_log,
                _ => true,
            })
            .collect()
    }
    /// Stable per-host id (MDE DeviceId, CrowdStrike aid) derived from the name.
    pub fn device_id(&self) -> String {
        let mut h: u64 = 0x1234_5678_9abc_def0;
        for b in self.name.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        format!(
            "{:016x}{:016x}{:08x}",
            h,
            h.rotate_left(17) ^ 0x5a5a_5a5a_5a5a_5a5a,
            h >> 40
        )
    }
    /// CrowdStrike's 32-digit agent id.
    pub fn aid(&self) -> String {
        self.device_id().chars().take(32).collect()
    }
}

pub struct User {
    pub name: &'static str,
    pub rid: u32,
}

impl User {
    pub fn sid(&self) -> String {
        format!("{DOMAIN_SID}-{}", self.rid)
    }
}

pub const USERS: [User; 9] = [
    User {
        name: "m.keller",
        rid: 1104,
    },
    User {
        name: "j.weber",
        rid: 1105,
    },
    User {
        name: "a.fischer",
        rid: 1112,
    },
    User {
        name: "t.wagner",
        rid: 1118,
    },
    User {
        name: "s.becker",
        rid: 1121,
    },
    User {
        name: "l.hoffmann",
        rid: 1127,
    },
    User {
        name: "k.schulz",
        rid: 1133,
    },
    User {
        name: "adm.schneider",
        rid: 1201,
    },
    User {
        name: "svc_backup",
        rid: 1301,
    },
];
pub const U_KELLER: usize = 0;
pub const U_ADMIN: usize = 7;
pub const U_BACKUP: usize = 8;

pub const HOSTS: [Host; 12] = [
    ws("WS-RECEPTION-01", [10, 20, 1, 21], 0, true, true),
    ws("WS-RECEPTION-02", [10, 20, 1, 22], 1, false, false),
    ws("WS-ADMIN-01", [10, 20, 1, 31], 6, false, false),
    ws("WS-BILLING-01", [10, 20, 1, 41], 4, false, false),
    ws("WS-RAD-01", [10, 20, 2, 51], 2, false, false),
    ws("WS-RAD-02", [10, 20, 2, 52], 2, false, false),
    ws("WS-LAB-01", [10, 20, 2, 61], 3, false, false),
    ws("WS-WARD-03", [10, 20, 2, 73], 5, false, false),
    srv("DC-01", [10, 20, 10, 5], Role::DomainController, U_ADMIN),
    srv("FS-01", [10, 20, 10, 11], Role::Server, U_ADMIN),
    srv("BACKUP-01", [10, 20, 10, 20], Role::Server, U_BACKUP),
    srv("EHR-APP-01", [10, 20, 10, 30], Role::Server, U_ADMIN),
];
pub const H_RECEPTION: usize = 0;
pub const H_DC: usize = 8;
pub const H_FS: usize = 9;
pub const H_BACKUP: usize = 10;

const fn ws(name: &'static str, ip: [u8; 4], user: usize, ps: bool, def: bool) -> Host {
    Host {
        name,
        ip,
        role: Role::Workstation,
        edr: Edr::Mde,
        user,
        powershell_log: ps,
        defender_log: def,
    }
}

const fn srv(name: &'static str, ip: [u8; 4], role: Role, user: usize) -> Host {
    Host {
        name,
        ip,
        role,
        edr: Edr::CrowdStrike,
        user,
        powershell_log: true,
        defender_log: true,
    }
}

/// Attacker infrastructure and benign internet peers.
pub const C2_IP: [u8; 4] = [185, 225, 73, 18];
pub const C2_DOMAIN: &str = "cdn-update-check.com";
pub const EXFIL_IP: [u8; 4] = [31, 220, 45, 110];
pub const EXFIL_DOMAIN: &str = "eu-transfer-storage.net";
pub const FW_PUBLIC_IP: [u8; 4] = [193, 27, 14, 66];
pub const BENIGN: [(&str, [u8; 4], u16); 8] = [
    ("www.google.com", [142, 250, 185, 78], 443),
    ("login.microsoftonline.com", [20, 190, 159, 2], 443),
    ("download.windowsupdate.com", [13, 107, 4, 50], 80),
    ("outlook.office365.com", [52, 97, 146, 162], 443),
    ("www.kbv.de", [217, 160, 0, 118], 443),
    ("time.windows.com", [168, 61, 215, 74], 123),
    ("dicom-cloud.telerad.de", [81, 169, 145, 92], 443),
    ("backup.offsite-cloud.de", [94, 130, 52, 17], 443),
];

pub fn ip(a: [u8; 4]) -> String {
    format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3])
}

/// Is the address inside the hospital (10.0.0.0/8)?
pub fn internal(a: [u8; 4]) -> bool {
    a[0] == 10
}

pub const NS: i64 = 1_000_000_000;
pub const MINUTE: i64 = 60 * NS;

/// UTC ns of a local (Europe/Berlin) wall-clock time in March 2026.
pub fn local(day: u32, h: u32, m: u32, s: u32) -> i64 {
    let naive = NaiveDate::from_ymd_opt(2026, 3, day)
        .and_then(|d| d.and_hms_opt(h, m, s))
        .unwrap_or_default();
    Berlin
        .from_local_datetime(&naive)
        .earliest()
        .and_then(|t| t.timestamp_nanos_opt())
        .unwrap_or_default()
}

/// Start and end (UTC ns) of the period the sample covers: Fri 06:00 to Sun 22:00 local.
pub fn window() -> (i64, i64) {
    (local(13, 6, 0, 0), local(15, 22, 0, 0))
}

/// The zone's UTC offset in seconds at `ts` (for formats that write local time).
pub fn offset_secs(ts: i64) -> i32 {
    Berlin.timestamp_nanos(ts).offset().fix().local_minus_utc()
}

/// Civil local time parts at `ts`: (y, mo, d, h, mi, s, ns).
pub fn local_parts(ts: i64) -> (i32, u32, u32, u32, u32, u32, u32) {
    civil_parts(&Berlin, ts)
}

/// Civil UTC parts at `ts`.
pub fn utc_parts(ts: i64) -> (i32, u32, u32, u32, u32, u32, u32) {
    civil_parts(&chrono::Utc, ts)
}

fn civil_parts<Z: TimeZone>(zone: &Z, ts: i64) -> (i32, u32, u32, u32, u32, u32, u32) {
    use chrono::{Datelike, Timelike};
    let t = zone.timestamp_nanos(ts);
    (
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.nanosecond(),
    )
}

/// Relative activity at a local time: office hours on Friday, a quiet weekend.
pub fn activity(ts: i64) -> u64 {
    let (_, _, d, h, ..) = local_parts(ts);
    let weekday = d == 13;
    match (weekday, h) {
        (true, 8..=17) => 100,
        (true, 7 | 18..=19) => 45,
        (false, 8..=19) => 25,
        _ => 8,
    }
}
