//! Security log object access, directory service changes, Windows Filtering Platform
//! connections and audit-system events.

use super::codes::{parse_num, token};
use super::{Ev, Msg, Out};
use crate::model::Norm;

pub(super) fn security<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> bool {
    let cat = match ev.eid {
        4656 | 4663 => object_access(ev, out, m),
        4657 => registry_value(ev, out, m),
        4662 => directory_operation(ev, out, m),
        5136 => directory_modified(ev, out, m),
        5152 | 5154 | 5156..=5159 => wfp(ev, out, m),
        4616 => {
            m.val(ev.eid_text).lit(" system time changed");
            m.opt(" from ", ev.get("PreviousTime"))
                .opt(" to ", ev.get("NewTime"));
            by_subject_via_process(ev, out, m);
            "log"
        }
        4719 => {
            m.val(ev.eid_text).lit(" audit policy changed");
            m.opt(" by ", ev.subject().as_deref());
            m.opt(": ", ev.get("SubcategoryGuid"))
                .opt(" ", ev.get("AuditPolicyChanges"));
            out.set(Norm::User, ev.subject());
            "log"
        }
        4608 => {
            m.val(ev.eid_text).lit(" Windows starting up");
            "log"
        }
        4609 => {
            m.val(ev.eid_text).lit(" Windows shutting down");
            "log"
        }
        4907 => {
            m.val(ev.eid_text).lit(" auditing settings changed on");
            m.opt(" ", ev.get("ObjectType"))
                .opt(" ", ev.get("ObjectName"));
            by_subject_via_process(ev, out, m);
            out.set(Norm::File, ev.cow("ObjectName"));
            "log"
        }
        _ => return false,
    };
    out.set_str(Norm::Category, cat);
    true
}

fn access_list(ev: &Ev<'_, '_>, m: &mut Msg) {
    match ev.get("AccessList") {
        Some(list) => {
            m.lit(" access");
            for t in list.split_whitespace().take(8) {
                m.lit(" ").val(token(t).unwrap_or(t));
            }
        }
        None => {
            m.opt(" access ", ev.get("AccessMask"));
        }
    }
}

/// ` by SUBJECT via PROCESS`, both also as the event's user and process.
fn by_subject_via_process<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) {
    let user = ev.subject();
    m.opt(" by ", user.as_deref())
        .opt(" via ", ev.get("ProcessName"));
    out.set(Norm::User, user);
    out.set(Norm::Process, ev.cow("ProcessName"));
}

/// 4656 handle requested / 4663 object accessed (file, registry key, process such as lsass).
fn object_access<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> &'static str {
    m.val(ev.eid_text).lit(if ev.eid == 4656 {
        " handle to"
    } else {
        " object access"
    });
    m.opt(" ", ev.get("ObjectType"))
        .opt(" ", ev.get("ObjectName"));
    by_subject_via_process(ev, out, m);
    access_list(ev, m);
    out.set(Norm::Pid, ev.cow("ProcessId"));
    out.set(Norm::File, ev.cow("ObjectName"));
    match ev.get("ObjectType") {
        Some("Key") => "registry",
        Some("Process") => "process",
        _ => "file",
    }
}

/// 4657: a registry value was modified.
fn registry_value<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> &'static str {
    m.val(ev.eid_text).lit(" registry value ");
    m.val(ev.get("ObjectName").unwrap_or("?"))
        .opt("\\", ev.get("ObjectValueName"));
    m.opt(" = ", ev.get("NewValue"));
    by_subject_via_process(ev, out, m);
    out.set(Norm::Pid, ev.cow("ProcessId"));
    "registry"
}

/// Directory replication rights: a 4662 with them from a non-DC account is DCSync.
const REPLICATION: [(&str, &str); 3] = [
    (
        "1131f6aa-9c07-11d1-f79f-00c04fc2dcd2",
        "DS-Replication-Get-Changes",
    ),
    (
        "1131f6ad-9c07-11d1-f79f-00c04fc2dcd2",
        "DS-Replication-Get-Changes-All",
    ),
    (
        "89e95b76-444d-4c62-991a-0facbeda640c",
        "DS-Replication-Get-Changes-In-Filtered-Set",
    ),
];

/// 4662: an operation on an Active Directory object.
fn directory_operation<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> &'static str {
    let user = ev.subject();
    m.val(ev.eid_text).lit(" directory operation");
    m.opt(" ", ev.get("OperationType"))
        .opt(" on ", ev.get("ObjectName"));
    m.opt(" by ", user.as_deref());
    access_list(ev, m);
    let props = ev.get("Properties").unwrap_or("");
    for (guid, name) in REPLICATION {
        if props.to_ascii_lowercase().contains(guid) {
            m.lit(" [").lit(name).lit("]");
        }
    }
    out.set(Norm::User, user);
    "auth"
}

/// 5136: a directory object attribute was modified (SPN added, ACL changed, GPO edited).
fn directory_modified<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> &'static str {
    let user = ev.subject();
    m.val(ev.eid_text).lit(" directory object modified");
    m.opt(" ", ev.get("ObjectDN"));
    m.opt(" (", ev.get("ObjectClass"))
        .lit_if(ev.get("ObjectClass").is_some(), ")");
    m.opt(" ", ev.get("AttributeLDAPDisplayName"));
    match ev.get("OperationType") {
        Some("%%14674") => m.lit(" added"),
        Some("%%14675") => m.lit(" deleted"),
        _ => m,
    };
    m.opt(" ", ev.get("AttributeValue"));
    m.opt(" by ", user.as_deref());
    out.set(Norm::User, user);
    "auth"
}

/// 5152/5157/5159 blocked, 5154/5156/5158 permitted (listen, connection, bind).
fn wfp<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> &'static str {
    let blocked = matches!(ev.eid, 5152 | 5157 | 5159);
    m.val(ev.eid_text)
        .lit(" WFP ")
        .lit(if blocked { "blocked" } else { "permitted" });
    m.lit(match ev.eid {
        5154 => " listen",
        5158 | 5159 => " bind",
        _ => " connection",
    });
    match ev.get("Direction") {
        Some("%%14592") => m.lit(" inbound"),
        Some("%%14593") => m.lit(" outbound"),
        _ => m,
    };
    let named = ev.get("Protocol").and_then(|p| match parse_num(p)? {
        1 => Some("icmp"),
        6 => Some("tcp"),
        17 => Some("udp"),
        58 => Some("icmpv6"),
        _ => None,
    });
    m.opt(" ", named.or_else(|| ev.get("Protocol")));
    m.lit(" ")
        .val(ev.get("SourceAddress").unwrap_or("?"))
        .opt(":", ev.get("SourcePort"));
    if let Some(d) = ev.get("DestAddress") {
        m.lit(" -> ").val(d).opt(":", ev.get("DestPort"));
    }
    m.opt(" by ", ev.get("Application"));
    out.set(Norm::SrcIp, ev.ip("SourceAddress"));
    out.set(Norm::SrcPort, ev.port("SourcePort"));
    out.set(Norm::DstIp, ev.ip("DestAddress"));
    out.set(Norm::DstPort, ev.port("DestPort"));
    match named {
        Some(p) => out.set_str(Norm::Proto, p),
        None => out.set(Norm::Proto, ev.cow("Protocol")),
    }
    out.set(Norm::Process, ev.cow("Application"));
    out.set(
        Norm::Pid,
        ev.cow("ProcessID").or_else(|| ev.cow("ProcessId")),
    );
    out.set_str(Norm::Action, if blocked { "block" } else { "allow" });
    "network"
}
