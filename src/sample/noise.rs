//! Benign background per output file: logons, service changes, updates, browsing, DNS,
//! backup jobs. Each file draws from its own RNG stream, so files can be written in
//! parallel and stay byte-identical for a seed. `scale` multiplies the counts.

use super::rng::Rng;
use super::scenario::{qualified, sysmon_time};
use super::winevents::{Kind, WinEv};
use super::world::*;

/// A time in the sample window, weighted by office hours.
pub fn when(rng: &mut Rng) -> i64 {
    let (start, end) = window();
    loop {
        let t = start + rng.below((end - start) as u64) as i64;
        if rng.below(100) < activity(t) {
            return t;
        }
    }
}

/// Base number of background events per EVTX channel at scale 1 (kept small so the
/// bundled `samples/` stay a few MB; `--scale` multiplies).
pub fn evtx_count(host: &Host, chan: Chan) -> u64 {
    let server = host.role != Role::Workstation;
    match (chan, server) {
        (Chan::Security, true) => 160,
        (Chan::Security, false) => 45,
        (Chan::System, _) => 20,
        (Chan::Sysmon, true) => 100,
        (Chan::Sysmon, false) => 50,
        (Chan::PowerShell, _) => 12,
        (Chan::Defender, _) => 8,
    }
}

const BENIGN_PROCS: [(&str, &str); 6] = [
    (
        "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
        "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer",
    ),
    (
        "C:\\Windows\\System32\\svchost.exe",
        "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule",
    ),
    (
        "C:\\Windows\\System32\\taskhostw.exe",
        "taskhostw.exe Install $(Arg0)",
    ),
    (
        "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE",
        "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\" ",
    ),
    (
        "C:\\Program Files\\Orbis\\OrbisClient.exe",
        "\"C:\\Program Files\\Orbis\\OrbisClient.exe\" /server:EHR-APP-01",
    ),
    (
        "C:\\Windows\\System32\\backgroundTaskHost.exe",
        "\"C:\\Windows\\system32\\backgroundTaskHost.exe\" -ServerName:App.AppXmtcan0h2tfbfy7k9kn8hbxb6dmzz1zh0.mca",
    ),
];

/// One background event for `host`'s `chan` log.
pub fn evtx_event(rng: &mut Rng, hi: usize, chan: Chan) -> WinEv {
    let host = &HOSTS[hi];
    let ts = when(rng);
    let user = if host.role == Role::Workstation || rng.chance(30) {
        &USERS[host.user]
    } else {
        rng.pick(&USERS)
    };
    let pid = (rng.range(400, 12000) as u32) & !3;
    match chan {
        Chan::Security => {
            let k = rng.below(10);
            if k < 5 {
                let from = if host.role == Role::Workstation { [127, 0, 0, 1] } else { HOSTS[rng.below(8) as usize].ip };
                let ltype = if host.role == Role::Workstation { "2" } else { "3" };
                WinEv::new(ts, hi, Kind::Logon4624, 684, &[
                    ("SubjectUserSid", "S-1-5-18"), ("SubjectUserName", &format!("{}$", host.name)),
                    ("SubjectDomainName", DOMAIN), ("SubjectLogonId", "0x3e7"),
                    ("TargetUserSid", &user.sid()), ("TargetUserName", user.name),
                    ("TargetDomainName", DOMAIN), ("TargetLogonId", &format!("0x{:x}", rng.range(0x100000, 0xffffff))),
                    ("LogonType", ltype), ("LogonProcessName", "Kerberos"),
                    ("AuthenticationPackageName", "Kerberos"), ("WorkstationName", "-"),
                    ("LogonGuid", &rng.guid()), ("TransmittedServices", "-"), ("LmPackageName", "-"),
                    ("KeyLength", "0"), ("ProcessId", "0x2a4"), ("ProcessName", "C:\\Windows\\System32\\lsass.exe"),
                    ("IpAddress", &ip(from)), ("IpPort", "0"), ("ImpersonationLevel", "%%1833"),
                    ("RestrictedAdminMode", "-"), ("TargetOutboundUserName", "-"),
                    ("TargetOutboundDomainName", "-"), ("VirtualAccount", "%%1843"),
                    ("TargetLinkedLogonId", "0x0"), ("ElevatedToken", "%%1842"),
                ])
            } else if k < 8 {
                WinEv::new(ts, hi, Kind::Logoff4634, 684, &[
                    ("TargetUserSid", &user.sid()), ("TargetUserName", user.name),
                    ("TargetDomainName", DOMAIN), ("TargetLogonId", &format!("0x{:x}", rng.range(0x100000, 0xffffff))),
                    ("LogonType", "3"),
                ])
            } else if k < 9 || !host.name.starts_with("FS") {
                WinEv::new(ts, hi, Kind::SpecialPriv4672, 684, &[
                    ("SubjectUserSid", "S-1-5-18"), ("SubjectUserName", "SYSTEM"),
                    ("SubjectDomainName", "NT AUTHORITY"), ("SubjectLogonId", "0x3e7"),
                    ("PrivilegeList", "SeAssignPrimaryTokenPrivilege\r\n\t\t\tSeTcbPrivilege\r\n\t\t\tSeSecurityPrivilege"),
                ])
            } else {
                let from = ip(HOSTS[rng.below(8) as usize].ip);
                WinEv::new(ts, hi, Kind::ShareAccess5140, 4, &[
                    ("SubjectUserSid", &user.sid()), ("SubjectUserName", user.name),
                    ("SubjectDomainName", DOMAIN), ("SubjectLogonId", "0x4c1a2e"),
                    ("ObjectType", "File"), ("IpAddress", &from), ("IpPort", &rng.range(49152, 65000).to_string()),
                    ("ShareName", "\\\\*\\Patientenakten"), ("ShareLocalPath", "\\??\\D:\\Patientenakten"),
                    ("AccessMask", "0x1"), ("AccessList", "%%4416\r\n\t\t\t\t"),
                ])
            }
        }
        Chan::System => {
            if rng.chance(85) {
                let svc = *rng.pick(&["Windows Update", "Background Intelligent Transfer Service", "Windows Modules Installer", "Microsoft Defender Antivirus Network Inspection Service", "WinHTTP Web Proxy Auto-Discovery Service"]);
                let state = if rng.chance(50) { "running" } else { "stopped" };
                WinEv::new(ts, hi, Kind::ServiceState7036, 780, &[("param1", svc), ("param2", state), ("Binary", "")])
            } else {
                WinEv::new(ts, hi, Kind::UpdateInstalled19, 3104, &[
                    ("updateTitle", "2026-03 Cumulative Update for Windows 11 Version 23H2 for x64-based Systems (KB5079473)"),
                    ("updateGuid", &rng.guid()), ("updateRevisionNumber", "1"),
                    ("serviceGuid", "{7971f918-a847-4430-9279-4a52d1efe18d}"),
                ]).sid("S-1-5-18")
            }
        }
        Chan::Sysmon => {
            let (image, cmd) = *rng.pick(&BENIGN_PROCS);
            let guid = rng.guid();
            let u = qualified(user.name);
            let t = sysmon_time(ts);
            let k = rng.below(10);
            if k < 4 {
                WinEv::new(ts, hi, Kind::SysmonProcess1, 3412, &[
                    ("RuleName", "-"), ("UtcTime", &t), ("ProcessGuid", &guid),
                    ("ProcessId", &pid.to_string()), ("Image", image), ("FileVersion", "-"),
                    ("Description", "-"), ("Product", "-"), ("Company", "-"), ("OriginalFileName", "-"),
                    ("CommandLine", cmd), ("CurrentDirectory", "C:\\Windows\\system32\\"), ("User", &u),
                    ("LogonGuid", &rng.guid()), ("LogonId", "0x4c1a2e"), ("TerminalSessionId", "1"),
                    ("IntegrityLevel", "Medium"), ("Hashes", &format!("SHA256={}", rng.hex(64).to_uppercase())),
                    ("ParentProcessGuid", &rng.guid()), ("ParentProcessId", "5284"),
                    ("ParentImage", "C:\\Windows\\explorer.exe"), ("ParentCommandLine", "C:\\Windows\\Explorer.EXE"),
                    ("ParentUser", &u),
                ])
            } else if k < 7 {
                let (name, dst, port) = *rng.pick(&BENIGN);
                WinEv::new(ts, hi, Kind::SysmonNet3, 3412, &[
                    ("RuleName", "-"), ("UtcTime", &t), ("ProcessGuid", &guid), ("ProcessId", &pid.to_string()),
                    ("Image", image), ("User", &u), ("Protocol", "tcp"), ("Initiated", "true"),
                    ("SourceIsIpv6", "false"), ("SourceIp", &host.ip_str()), ("SourceHostname", &host.fqdn()),
                    ("SourcePort", &rng.range(49152, 65000).to_string()), ("SourcePortName", "-"),
                    ("DestinationIsIpv6", "false"), ("DestinationIp", &ip(dst)), ("DestinationHostname", name),
                    ("DestinationPort", &port.to_string()), ("DestinationPortName", if port == 443 { "https" } else { "-" }),
                ])
            } else if k < 9 {
                let (name, dst, _) = *rng.pick(&BENIGN);
                WinEv::new(ts, hi, Kind::SysmonDns22, 3412, &[
                    ("RuleName", "-"), ("UtcTime", &t), ("ProcessGuid", &guid), ("ProcessId", &pid.to_string()),
                    ("QueryName", name), ("QueryStatus", "0"), ("QueryResults", &format!("::ffff:{};", ip(dst))),
                    ("Image", image), ("User", &u),
                ])
            } else {
                let path = format!("C:\\Users\\{}\\AppData\\Local\\Temp\\{}.tmp", user.name, rng.hex(8));
                WinEv::new(ts, hi, Kind::SysmonFile11, 3412, &[
                    ("RuleName", "-"), ("UtcTime", &t), ("ProcessGuid", &guid), ("ProcessId", &pid.to_string()),
                    ("Image", image), ("TargetFilename", &path), ("CreationUtcTime", &t), ("User", &u),
                ])
            }
            .sid("S-1-5-18")
        }
        Chan::PowerShell => WinEv::new(ts, hi, Kind::PsScript4104, 4412, &[
            ("MessageNumber", "1"), ("MessageTotal", "1"),
            ("ScriptBlockText", *rng.pick(&["Get-Service | Where-Object {$_.Status -eq 'Stopped'}", "Import-Module ActiveDirectory", "Get-ChildItem D:\\Patientenakten -Recurse | Measure-Object -Property Length -Sum", "prompt"])),
            ("ScriptBlockId", &rng.guid()), ("Path", ""),
        ]).sid(&USERS[U_ADMIN].sid()),
        Chan::Defender => {
            if rng.chance(50) {
                WinEv::new(ts, hi, Kind::DefenderSig2000, 3120, &[
                    ("Product Name", "Microsoft Defender Antivirus"), ("Product Version", "4.18.24090.11"),
                    ("Current Signature Version", "1.445.312.0"), ("Previous Signature Version", "1.445.298.0"),
                    ("Signature Type Index", "1"), ("Signature Type", "AntiVirus"), ("Update Type Index", "2"),
                    ("Update Type", "Delta"), ("User", "NT AUTHORITY\\SYSTEM"),
                    ("Current Engine Version", "1.1.24090.11"), ("Previous Engine Version", "1.1.24090.11"),
                ])
            } else {
                WinEv::new(ts, hi, Kind::DefenderScan1000, 3120, &[
                    ("Product Name", "Microsoft Defender Antivirus"), ("Product Version", "4.18.24090.11"),
                    ("Scan ID", &rng.guid()), ("Scan Type Index", "1"), ("Scan Type", "Antimalware"),
                    ("Scan Parameters Index", "1"), ("Scan Parameters", "Quick Scan"),
                    ("Domain", "NT AUTHORITY"), ("User", "SYSTEM"), ("SID", "S-1-5-18"),
                ])
            }
            .sid("S-1-5-18")
        }
    }
}
