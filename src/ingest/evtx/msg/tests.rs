//! Hand-built records for every templated Security/System event; the shared helpers.

use super::normalise;
use crate::model::{Fields, Norm};

pub(super) const SEC: &str = "Microsoft-Windows-Security-Auditing";
const SYSMON: &str = "Microsoft-Windows-Sysmon";

/// A record as the EVTX ingest fills it: normalised System fields, System raw fields, then
/// the event's own data. The System `ProcessID` is deliberately a value no template wants.
pub(super) fn rec(
    provider: &str,
    channel: &str,
    eid: &str,
    data: &[(&str, &str)],
) -> Fields<'static> {
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

pub(super) fn sec(eid: &str, data: &[(&str, &str)]) -> Fields<'static> {
    rec(SEC, "Security", eid, data)
}

pub(super) fn sysmon(eid: &str, data: &[(&str, &str)]) -> Fields<'static> {
    rec(SYSMON, "Microsoft-Windows-Sysmon/Operational", eid, data)
}

/// Normalises, checks the message and the listed fields, and that a second run changes nothing.
pub(super) fn check(mut f: Fields<'static>, msg: &str, norm: &[(Norm, &str)]) {
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

/// Pieces copied whole give the message the char-by-char fold gives, whatever is
/// already in it (up to the cap).
#[test]
fn plain_pieces_push_as_the_fold_does() {
    let pieces = [
        "",
        "a",
        "plain text",
        "two  spaces",
        " lead",
        "trail ",
        "tab\there",
        "nl\n",
        "é",
        "C:\\Windows\\System32",
        "\u{b}\u{c}",
        "\u{1c}x",
        "x\u{85}y",
    ];
    use super::{MSG_CAP, Msg};
    for before in [0, 10, MSG_CAP - 12, MSG_CAP - 3, MSG_CAP] {
        for p in pieces {
            for max in [0, 1, 5, 10, usize::MAX] {
                let mut fast = Msg::new();
                let mut slow = Msg::new();
                let fill = "x".repeat(before);
                fast.push_chars(&fill, usize::MAX);
                slow.push_chars(&fill, usize::MAX);
                fast.push(p, max);
                slow.push_chars(p, max);
                assert_eq!(
                    (&fast.s, fast.chars, fast.full),
                    (&slow.s, slow.chars, slow.full),
                    "{before} {p:?} {max}"
                );
            }
        }
    }
}
