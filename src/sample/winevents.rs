//! The Windows event kinds the sample writes: provider, id, channel and the EventData names
//! Windows uses for each (Security auditing, Service Control Manager, Sysmon, PowerShell,
//! Defender), and the event value the outputs share.

use super::evtx_writer::Shape;
use super::world::Chan;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Logon4624,
    LogonFail4625,
    Logoff4634,
    ExplicitCred4648,
    SpecialPriv4672,
    UserCreated4720,
    GroupAdd4732,
    TaskCreated4698,
    ShareAccess5140,
    ShareFile5145,
    LogCleared1102,
    ServiceInstall7045,
    ServiceState7036,
    SystemLogCleared104,
    UpdateInstalled19,
    SysmonProcess1,
    SysmonNet3,
    SysmonLsass10,
    SysmonFile11,
    SysmonReg13,
    SysmonDns22,
    PsScript4104,
    DefenderRtpOff5001,
    DefenderScan1000,
    DefenderSig2000,
}

const SEC: &str = "Microsoft-Windows-Security-Auditing";
const SEC_GUID: &str = "{54849625-5478-4994-A5BA-3E3B0328C30D}";
const SCM: &str = "Service Control Manager";
const SCM_GUID: &str = "{555908d1-a6d7-4695-8e1e-26931d2012f4}";
const EVTLOG: &str = "Microsoft-Windows-Eventlog";
const EVTLOG_GUID: &str = "{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}";
const SYSMON: &str = "Microsoft-Windows-Sysmon";
const SYSMON_GUID: &str = "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}";
const PS: &str = "Microsoft-Windows-PowerShell";
const PS_GUID: &str = "{A0C1853B-5C40-4B15-8766-3CF1C58F985A}";
const DEF: &str = "Microsoft-Windows-Windows Defender";
const DEF_GUID: &str = "{11CD958A-C507-4EF3-B3F2-5FD9DFBD2C78}";
const WU: &str = "Microsoft-Windows-WindowsUpdateClient";
const WU_GUID: &str = "{945A8954-C147-4ACD-923F-40C45405A658}";

const AUDIT_OK: u64 = 0x8020_0000_0000_0000;
const AUDIT_FAIL: u64 = 0x8010_0000_0000_0000;
const SYSMON_KW: u64 = 0x8000_0000_0000_0000;

pub const LOGON_4624: &[&str] = &[
    "SubjectUserSid",
    "SubjectUserName",
    "SubjectDomainName",
    "SubjectLogonId",
    "TargetUserSid",
    "TargetUserName",
    "TargetDomainName",
    "TargetLogonId",
    "LogonType",
    "LogonProcessName",
    "AuthenticationPackageName",
    "WorkstationName",
    "LogonGuid",
    "TransmittedServices",
    "LmPackageName",
    "KeyLength",
    "ProcessId",
    "ProcessName",
    "IpAddress",
    "IpPort",
    "ImpersonationLevel",
    "RestrictedAdminMode",
    "TargetOutboundUserName",
    "TargetOutboundDomainName",
    "VirtualAccount",
    "TargetLinkedLogonId",
    "ElevatedToken",
];
pub const FAIL_4625: &[&str] = &[
    "SubjectUserSid",
    "SubjectUserName",
    "SubjectDomainName",
    "SubjectLogonId",
    "TargetUserSid",
    "TargetUserName",
    "TargetDomainName",
    "Status",
    "FailureReason",
    "SubStatus",
    "LogonType",
    "LogonProcessName",
    "AuthenticationPackageName",
    "WorkstationName",
    "TransmittedServices",
    "LmPackageName",
    "KeyLength",
    "ProcessId",
    "ProcessName",
    "IpAddress",
    "IpPort",
];
pub const LOGOFF_4634: &[&str] = &[
    "TargetUserSid",
    "TargetUserName",
    "TargetDomainName",
    "TargetLogonId",
    "LogonType",
];
pub const EXPLICIT_4648: &[&str] = &[
    "SubjectUserSid",
    "SubjectUserName",
    "SubjectDomainName",
    "SubjectLogonId",
    "LogonGuid",
    "TargetUserName",
    "TargetDomainName",
    "TargetLogonGuid",
    "TargetServerName",
    "TargetInfo",
    "ProcessId",
    "ProcessName",
    "IpAddress",
    "IpPort",
];
pub const PRIV_4672: &[&str] = &[
    "SubjectUserSid",
    "SubjectUserName",
    "SubjectDomainName",
    "SubjectLogonId",
    "PrivilegeList",
];
pub const USER_4720: &[&str] = &[
    "TargetUserName",
    "TargetDomainName",
    "TargetSid",
    "SubjectUserSid",
    "SubjectUserName",
    "SubjectDomainName",
    "SubjectLogonId",
    "PrivilegeList",
    "SamAccountName",
    "DisplayName",
    "UserPrincipalName",
    "HomeDirectory",
    "HomePath",
    "ScriptPath",
    "ProfilePath",
    "UserWorkstations",
    "PasswordLastSet",
    "AccountExpires",
    "PrimaryGroupId",
    "AllowedToDelegateTo",
    "OldUacValue",
    "NewUacValue",
    "UserAccountControl",
    "UserParameters",
    "SidHistory",
    "LogonHours",
];
pub const GROUP_4732: &[&str] = &[
    "MemberName",
    "MemberSid",
    "TargetUserName",
    "TargetDomainName",
    "TargetSid",
    "SubjectUserSid",
    "SubjectUserName",
    "SubjectDomainName",
    "SubjectLogonId",
    "PrivilegeList",
];
pub const TASK_4698: &[&str] = &[
    "SubjectUserSid",
    "SubjectUserName",
    "SubjectDomainName",
    "SubjectLogonId",
    "TaskName",
    "TaskContent",
];
pub const SHARE_5140: &[&str] = &[
    "SubjectUserSid",
    "SubjectUserName",
    "SubjectDomainName",
    "SubjectLogonId",
    "ObjectType",
    "IpAddress",
    "IpPort",
    "ShareName",
    "ShareLocalPath",
    "AccessMask",
    "AccessList",
];
pub const SHARE_5145: &[&str] = &[
    "SubjectUserSid",
    "SubjectUserName",
    "SubjectDomainName",
    "SubjectLogonId",
    "ObjectType",
    "IpAddress",
    "IpPort",
    "ShareName",
    "ShareLocalPath",
    "RelativeTargetName",
    "AccessMask",
    "AccessList",
    "AccessReason",
];
pub const CLEARED_1102: &[&str] = &[
    "SubjectUserSid",
    "SubjectUserName",
    "SubjectDomainName",
    "SubjectLogonId",
];
pub const SERVICE_7045: &[&str] = &[
    "ServiceName",
    "ImagePath",
    "ServiceType",
    "StartType",
    "AccountName",
];
pub const STATE_7036: &[&str] = &["param1", "param2", "Binary"];
pub const CLEARED_104: &[&str] = &[
    "SubjectUserName",
    "SubjectDomainName",
    "Channel",
    "BackupPath",
];
pub const UPDATE_19: &[&str] = &[
    "updateTitle",
    "updateGuid",
    "updateRevisionNumber",
    "serviceGuid",
];
pub const SYSMON_1: &[&str] = &[
    "RuleName",
    "UtcTime",
    "ProcessGuid",
    "ProcessId",
    "Image",
    "FileVersion",
    "Description",
    "Product",
    "Company",
    "OriginalFileName",
    "CommandLine",
    "CurrentDirectory",
    "User",
    "LogonGuid",
    "LogonId",
    "TerminalSessionId",
    "IntegrityLevel",
    "Hashes",
    "ParentProcessGuid",
    "ParentProcessId",
    "ParentImage",
    "ParentCommandLine",
    "ParentUser",
];
pub const SYSMON_3: &[&str] = &[
    "RuleName",
    "UtcTime",
    "ProcessGuid",
    "ProcessId",
    "Image",
    "User",
    "Protocol",
    "Initiated",
    "SourceIsIpv6",
    "SourceIp",
    "SourceHostname",
    "SourcePort",
    "SourcePortName",
    "DestinationIsIpv6",
    "DestinationIp",
    "DestinationHostname",
    "DestinationPort",
    "DestinationPortName",
];
pub const SYSMON_10: &[&str] = &[
    "RuleName",
    "UtcTime",
    "SourceProcessGUID",
    "SourceProcessId",
    "SourceThreadId",
    "SourceImage",
    "TargetProcessGUID",
    "TargetProcessId",
    "TargetImage",
    "GrantedAccess",
    "CallTrace",
    "SourceUser",
    "TargetUser",
];
pub const SYSMON_11: &[&str] = &[
    "RuleName",
    "UtcTime",
    "ProcessGuid",
    "ProcessId",
    "Image",
    "TargetFilename",
    "CreationUtcTime",
    "User",
];
pub const SYSMON_13: &[&str] = &[
    "RuleName",
    "EventType",
    "UtcTime",
    "ProcessGuid",
    "ProcessId",
    "Image",
    "TargetObject",
    "Details",
    "User",
];
pub const SYSMON_22: &[&str] = &[
    "RuleName",
    "UtcTime",
    "ProcessGuid",
    "ProcessId",
    "QueryName",
    "QueryStatus",
    "QueryResults",
    "Image",
    "User",
];
pub const PS_4104: &[&str] = &[
    "MessageNumber",
    "MessageTotal",
    "ScriptBlockText",
    "ScriptBlockId",
    "Path",
];
pub const DEF_5001: &[&str] = &["Product Name", "Product Version"];
pub const DEF_1000: &[&str] = &[
    "Product Name",
    "Product Version",
    "Scan ID",
    "Scan Type Index",
    "Scan Type",
    "Scan Parameters Index",
    "Scan Parameters",
    "Domain",
    "User",
    "SID",
];
pub const DEF_2000: &[&str] = &[
    "Product Name",
    "Product Version",
    "Current Signature Version",
    "Previous Signature Version",
    "Signature Type Index",
    "Signature Type",
    "Update Type Index",
    "Update Type",
    "User",
    "Current Engine Version",
    "Previous Engine Version",
];

impl Kind {
    pub const ALL: [Kind; 25] = [
        Kind::Logon4624,
        Kind::LogonFail4625,
        Kind::Logoff4634,
        Kind::ExplicitCred4648,
        Kind::SpecialPriv4672,
        Kind::UserCreated4720,
        Kind::GroupAdd4732,
        Kind::TaskCreated4698,
        Kind::ShareAccess5140,
        Kind::ShareFile5145,
        Kind::LogCleared1102,
        Kind::ServiceInstall7045,
        Kind::ServiceState7036,
        Kind::SystemLogCleared104,
        Kind::UpdateInstalled19,
        Kind::SysmonProcess1,
        Kind::SysmonNet3,
        Kind::SysmonLsass10,
        Kind::SysmonFile11,
        Kind::SysmonReg13,
        Kind::SysmonDns22,
        Kind::PsScript4104,
        Kind::DefenderRtpOff5001,
        Kind::DefenderScan1000,
        Kind::DefenderSig2000,
    ];

    pub fn chan(self) -> Chan {
        use Kind::*;
        match self {
            Logon4624 | LogonFail4625 | Logoff4634 | ExplicitCred4648 | SpecialPriv4672
            | UserCreated4720 | GroupAdd4732 | TaskCreated4698 | ShareAccess5140
            | ShareFile5145 | LogCleared1102 => Chan::Security,
            ServiceInstall7045 | ServiceState7036 | SystemLogCleared104 | UpdateInstalled19 => {
                Chan::System
            }
            SysmonProcess1 | SysmonNet3 | SysmonLsass10 | SysmonFile11 | SysmonReg13
            | SysmonDns22 => Chan::Sysmon,
            PsScript4104 => Chan::PowerShell,
            DefenderRtpOff5001 | DefenderScan1000 | DefenderSig2000 => Chan::Defender,
        }
    }

    pub fn shape(self) -> &'static Shape {
        &SHAPES[self as usize]
    }

    fn make(self) -> Shape {
        use Kind::*;
        let s = Shape::new;
        match self {
            Logon4624 => s(SEC, SEC_GUID, 4624, 2, 0, 12544, AUDIT_OK, LOGON_4624),
            LogonFail4625 => s(SEC, SEC_GUID, 4625, 0, 0, 12544, AUDIT_FAIL, FAIL_4625),
            Logoff4634 => s(SEC, SEC_GUID, 4634, 0, 0, 12545, AUDIT_OK, LOGOFF_4634),
            ExplicitCred4648 => s(SEC, SEC_GUID, 4648, 0, 0, 12544, AUDIT_OK, EXPLICIT_4648),
            SpecialPriv4672 => s(SEC, SEC_GUID, 4672, 0, 0, 12548, AUDIT_OK, PRIV_4672),
            UserCreated4720 => s(SEC, SEC_GUID, 4720, 0, 0, 13824, AUDIT_OK, USER_4720),
            GroupAdd4732 => s(SEC, SEC_GUID, 4732, 0, 0, 13826, AUDIT_OK, GROUP_4732),
            TaskCreated4698 => s(SEC, SEC_GUID, 4698, 1, 0, 12804, AUDIT_OK, TASK_4698),
            ShareAccess5140 => s(SEC, SEC_GUID, 5140, 1, 0, 12808, AUDIT_OK, SHARE_5140),
            ShareFile5145 => s(SEC, SEC_GUID, 5145, 0, 0, 12811, AUDIT_OK, SHARE_5145),
            LogCleared1102 => s(
                EVTLOG,
                EVTLOG_GUID,
                1102,
                0,
                4,
                104,
                0x4020_0000_0000_0000,
                CLEARED_1102,
            ),
            ServiceInstall7045 => s(
                SCM,
                SCM_GUID,
                7045,
                0,
                4,
                0,
                0x8080_0000_0000_0000,
                SERVICE_7045,
            ),
            ServiceState7036 => s(
                SCM,
                SCM_GUID,
                7036,
                0,
                4,
                0,
                0x8080_0000_0000_0000,
                STATE_7036,
            ),
            SystemLogCleared104 => s(
                EVTLOG,
                EVTLOG_GUID,
                104,
                0,
                4,
                104,
                0x8000_0000_0000_0000,
                CLEARED_104,
            ),
            UpdateInstalled19 => s(WU, WU_GUID, 19, 1, 4, 1, 0x8000_0000_0000_0018, UPDATE_19),
            SysmonProcess1 => s(SYSMON, SYSMON_GUID, 1, 5, 4, 1, SYSMON_KW, SYSMON_1),
            SysmonNet3 => s(SYSMON, SYSMON_GUID, 3, 5, 4, 3, SYSMON_KW, SYSMON_3),
            SysmonLsass10 => s(SYSMON, SYSMON_GUID, 10, 3, 4, 10, SYSMON_KW, SYSMON_10),
            SysmonFile11 => s(SYSMON, SYSMON_GUID, 11, 2, 4, 11, SYSMON_KW, SYSMON_11),
            SysmonReg13 => s(SYSMON, SYSMON_GUID, 13, 2, 4, 13, SYSMON_KW, SYSMON_13),
            SysmonDns22 => s(SYSMON, SYSMON_GUID, 22, 5, 4, 22, SYSMON_KW, SYSMON_22),
            PsScript4104 => s(PS, PS_GUID, 4104, 1, 5, 2, 0, PS_4104),
            DefenderRtpOff5001 => s(
                DEF,
                DEF_GUID,
                5001,
                0,
                3,
                0,
                0x8000_0000_0000_0000,
                DEF_5001,
            ),
            DefenderScan1000 => s(
                DEF,
                DEF_GUID,
                1000,
                0,
                4,
                0,
                0x8000_0000_0000_0000,
                DEF_1000,
            ),
            DefenderSig2000 => s(
                DEF,
                DEF_GUID,
                2000,
                0,
                4,
                0,
                0x8000_0000_0000_0000,
                DEF_2000,
            ),
        }
    }
}

static SHAPES: LazyLock<Vec<Shape>> =
    LazyLock::new(|| Kind::ALL.iter().map(|k| k.make()).collect());

/// One Windows event to write into `HOST/<channel>.evtx`.
pub struct WinEv {
    pub ts: i64,
    pub host: usize,
    pub kind: Kind,
    pub pid: u32,
    pub tid: u32,
    pub user_sid: Option<String>,
    /// Values in the order of the kind's EventData names.
    pub data: Vec<String>,
    /// Ground-truth description when this event is an early-detection point.
    pub gt: Option<&'static str>,
}

impl WinEv {
    /// Builds an event from `(name, value)` pairs; names not given are written empty, and a
    /// name the kind does not have is a programming error caught by the tests.
    pub fn new(ts: i64, host: usize, kind: Kind, pid: u32, fields: &[(&str, &str)]) -> WinEv {
        let names = kind.shape().data;
        let mut data = vec![String::new(); names.len()];
        for (name, value) in fields {
            if let Some(i) = names.iter().position(|n| n == name) {
                data[i] = (*value).to_string();
            } else {
                debug_assert!(false, "{kind:?} has no field {name}");
            }
        }
        WinEv {
            ts,
            host,
            kind,
            pid,
            tid: pid.wrapping_mul(7) % 9000 + 100,
            user_sid: None,
            data,
            gt: None,
        }
    }

    pub fn sid(mut self, sid: &str) -> WinEv {
        self.user_sid = Some(sid.to_string());
        self
    }

    pub fn gt(mut self, what: &'static str) -> WinEv {
        self.gt = Some(what);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_distinct_template_and_a_sane_guid() {
        let mut ids = std::collections::HashSet::new();
        for k in Kind::ALL {
            let s = k.shape();
            assert_ne!(s.provider_guid, [0; 16], "{k:?}");
            assert!(ids.insert((s.provider, s.event_id)), "{k:?} duplicated");
        }
        assert_eq!(Kind::Logon4624.shape().event_id, 4624);
        assert_eq!(Kind::PsScript4104.chan(), Chan::PowerShell);
    }
}
