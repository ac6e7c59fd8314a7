//! Security log events other than authentication: process creation/exit, service and
//! scheduled-task installation, account and group changes, share access.
//!
//! Account and group changes get category `auth` (DESIGN §3 has no `iam` category).

use super::apps::installed_text;
use super::codes::{parse_num, token};
use super::logon::status_text;
use super::{Ev, Msg, Out, sub};
use crate::model::Norm;
use std::borrow::Cow;

pub(super) fn security<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> bool {
    let cat = match ev.eid {
        4688 => process_created(ev, out, m),
        4689 => process_exited(ev, out, m),
        4697 => service_installed(ev, out, m),
        4698..=4702 => task(ev, out, m),
        4720 | 4722..=4726 | 4738 | 4740..=4742 | 4767 | 4781 => account(ev, out, m),
        4727 | 4731 | 4735 | 4737 | 4754 | 4755 => group_changed(ev, out, m),
        4728 | 4729 | 4732 | 4733 | 4756 | 4757 => group_member(ev, out, m),
        4798 | 4799 => enumerated(ev, out, m),
        5140 | 5145 => share(ev, out, m),
        _ => return false,
    };
    out.set_str(Norm::Category, cat);
    true
}

/// The process part of a message: the command line when it starts with the image path,
/// otherwise "image: command line", so a renamed or relocated binary stays visible.
pub(super) fn process_text(m: &mut Msg, image: Option<&str>, cmdline: Option<&str>) {
    match (image, cmdline) {
        (Some(i), Some(c)) if starts_with_ci(c.trim_start_matches('"'), i) => m.val(c),
        (Some(i), Some(c)) => m.val(i).lit(": ").val(c),
        (Some(i), None) => m.val(i),
        (None, Some(c)) => m.val(c),
        (None, None) => m.lit("(unknown image)"),
    };
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.as_bytes()
        .get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// 4688: "4688 process C:\Windows\System32\cmd.exe /c whoami (parent …\winword.exe) by CORP\bob".
fn process_created<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> &'static str {
    let user = ev.subject();
    m.val(ev.eid_text).lit(" process ");
    process_text(m, ev.get("NewProcessName"), ev.get("CommandLine"));
    match ev.get("ParentProcessName") {
        Some(p) => m.lit(" (parent ").val(p).lit(")"),
        None => m
            .opt(" (creator pid ", ev.get("ProcessId"))
            .lit_if(ev.get("ProcessId").is_some(), ")"),
    };
    m.opt(" by ", user.as_deref());
    // Newer Windows logs the account of the new process separately when it differs.
    if let Some(t) = ev.user("TargetUserName", "TargetDomainName")
        && Some(&*t) != user.as_deref()
    {
        m.lit(" as ").val(&t);
    }
    // %%1936 (full token) is the norm for services and UAC-off machines: only flag elevation.
    if ev.get("TokenElevationType") == Some("%%1937") {
        m.lit(" [elevated]");
    }
    out.set(Norm::User, user);
    out.set(Norm::Process, ev.cow("NewProcessName"));
    out.set(Norm::Pid, ev.cow("NewProcessId"));
    out.set(Norm::Parent, ev.cow("ParentProcessName"));
    out.set(Norm::Cmdline, ev.cow("CommandLine"));
    "process"
}

/// 4689: process exit.
fn process_exited<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> &'static str {
    let user = ev.subject();
    m.val(ev.eid_text).lit(" process exit ");
    process_text(m, ev.get("ProcessName"), None);
    m.opt(" pid ", ev.get("ProcessId"));
    m.opt(" by ", user.as_deref());
    if let Some(s) = ev.get("Status").filter(|s| parse_num(s) != Some(0)) {
        m.lit(": ");
        status_text(s, m);
    }
    out.set(Norm::User, user);
    out.set(Norm::Process, ev.cow("ProcessName"));
    out.set(Norm::Pid, ev.cow("ProcessId"));
    "process"
}

/// 4697: a service was installed (the Security-log twin of System 7045).
fn service_installed<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> &'static str {
    let user = ev.subject();
    let names = [
        "ServiceName",
        "ServiceFileName",
        "ServiceStartType",
        "ServiceAccount",
    ];
    installed_text(ev, m, names);
    m.opt(" by ", user.as_deref());
    out.set(Norm::User, user);
    out.set(Norm::File, ev.cow("ServiceFileName"));
    "service"
}

/// 4698-4702: scheduled task created/deleted/enabled/disabled/updated; the action is dug
/// out of the task XML.
fn task<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> &'static str {
    let user = ev.subject();
    m.val(ev.eid_text).lit(match ev.eid {
        4698 => " scheduled task created",
        4699 => " scheduled task deleted",
        4700 => " scheduled task enabled",
        4701 => " scheduled task disabled",
        _ => " scheduled task updated",
    });
    m.opt(" ", ev.get("TaskName"));
    m.opt(" by ", user.as_deref());
    let xml = ev
        .get("TaskContent")
        .or_else(|| ev.get("TaskContentNew"))
        .unwrap_or("");
    if let Some(cmd) = xml_element(xml, "Command") {
        m.lit(": ");
        xml_text(m, cmd);
        if let Some(args) = xml_element(xml, "Arguments") {
            m.lit(" ");
            xml_text(m, args);
        }
    }
    out.set(Norm::User, user);
    // Category: DESIGN §3 has no persistence category; a task is closest to a service.
    "service"
}

/// The text of the first `<name>…</name>` element, if any.
fn xml_element<'s>(xml: &'s str, name: &str) -> Option<&'s str> {
    let open = xml.find(&format!("<{name}>"))? + name.len() + 2;
    let rest = xml.get(open..)?;
    let close = rest.find(&format!("</{name}>"))?;
    rest.get(..close).map(str::trim)
}

/// Writes XML text with the five predefined entities decoded.
fn xml_text(m: &mut Msg, s: &str) {
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        m.text_n(rest.get(..i).unwrap_or(""), super::VAL_CAP);
        let tail = rest.get(i..).unwrap_or("");
        let (c, n) = [
            ("&quot;", "\""),
            ("&amp;", "&"),
            ("&lt;", "<"),
            ("&gt;", ">"),
            ("&apos;", "'"),
        ]
        .iter()
        .find(|(e, _)| tail.starts_with(e))
        .map_or(("&", 1), |(e, c)| (*c, e.len()));
        m.lit(c);
        rest = tail.get(n..).unwrap_or("");
    }
    m.text_n(rest, super::VAL_CAP);
}

/// 4720 created, 4722 enabled, 4724 password reset attempt, 4738 changed.
fn account<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> &'static str {
    let target = ev.user("TargetUserName", "TargetDomainName");
    let (what, action) = match ev.eid {
        4720 => (" account created", "create"),
        4722 => (" account enabled", "enable"),
        4723 => (" password change attempt for", "password-change"),
        4724 => (" password reset attempt for", "password-reset"),
        4725 => (" account disabled", "disable"),
        4726 => (" account deleted", "delete"),
        4740 => (" account locked out", "lockout"),
        4741 => (" computer account created", "create"),
        4742 => (" computer account changed", "modify"),
        4767 => (" account unlocked", "unlock"),
        4781 => (" account renamed", "rename"),
        _ => (" account changed", "modify"),
    };
    let target = match ev.eid {
        4781 => ev.user("OldTargetUserName", "TargetDomainName"),
        _ => target,
    };
    m.val(ev.eid_text).lit(what);
    m.opt(" ", target.as_deref());
    m.opt(" -> ", ev.get("NewTargetUserName"));
    // 4740 logs the caller computer (where the bad passwords came from) as TargetDomainName.
    if ev.eid != 4740 {
        m.opt(" by ", ev.subject().as_deref());
    }
    if matches!(ev.eid, 4738 | 4742) {
        changed_attributes(ev, m);
    }
    out.set(Norm::User, target);
    out.set_str(Norm::Action, action);
    "auth"
}

/// 4738 logs `-` for attributes that did not change; list the ones that did.
fn changed_attributes(ev: &Ev<'_, '_>, m: &mut Msg) {
    const META: [&str; 11] = [
        "TargetUserName",
        "TargetDomainName",
        "TargetSid",
        "SubjectUserSid",
        "SubjectUserName",
        "SubjectDomainName",
        "SubjectLogonId",
        "PrivilegeList",
        "Dummy",
        "OldTargetUserName",
        "NewTargetUserName",
    ];
    let mut first = true;
    for (k, v) in ev.data() {
        if super::blank(v) || v.trim() == "%%1793" || META.iter().any(|x| x.eq_ignore_ascii_case(k))
        {
            continue;
        }
        m.lit(if first { ": " } else { ", " }).val_n(k, 40);
        first = false;
    }
}

/// 4728 global / 4732 local group member added. `user` is the member: the account that
/// gained rights (the actor stays in SubjectUserName).
fn group_member<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> &'static str {
    let member = ev
        .cow("MemberName")
        .map(|c| sub(c, dn_cn))
        .or_else(|| ev.cow("MemberSid"));
    m.val(ev.eid_text).lit(" member");
    m.opt(" ", member.as_deref());
    if let (Some(_), Some(sid)) = (ev.get("MemberName"), ev.get("MemberSid")) {
        m.lit(" (").val(sid).lit(")");
    }
    m.lit(match ev.eid {
        4728 => " added to global group",
        4729 => " removed from global group",
        4732 => " added to local group",
        4733 => " removed from local group",
        4756 => " added to universal group",
        _ => " removed from universal group",
    });
    m.opt(
        " ",
        ev.user("TargetUserName", "TargetDomainName").as_deref(),
    );
    m.opt(" by ", ev.subject().as_deref());
    out.set(Norm::User, member);
    let added = matches!(ev.eid, 4728 | 4732 | 4756);
    out.set_str(
        Norm::Action,
        if added { "add-member" } else { "remove-member" },
    );
    "auth"
}

/// 4727/4731/4754 group created, 4735/4737/4755 group changed.
fn group_changed<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> &'static str {
    let created = matches!(ev.eid, 4727 | 4731 | 4754);
    m.val(ev.eid_text).lit(if created {
        " group created"
    } else {
        " group changed"
    });
    m.opt(
        " ",
        ev.user("TargetUserName", "TargetDomainName").as_deref(),
    );
    m.opt(" by ", ev.subject().as_deref());
    if !created {
        changed_attributes(ev, m);
    }
    out.set(Norm::User, ev.subject());
    out.set_str(Norm::Action, if created { "create" } else { "modify" });
    "auth"
}

/// 4798 a user's local groups / 4799 a local group's members were enumerated (recon).
fn enumerated<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> &'static str {
    let target = ev.user("TargetUserName", "TargetDomainName");
    m.val(ev.eid_text);
    m.lit(if ev.eid == 4798 {
        " groups of user "
    } else {
        " members of group "
    });
    m.val(target.as_deref().unwrap_or("?")).lit(" enumerated");
    m.opt(" by ", ev.subject().as_deref());
    m.opt(" via ", ev.get("CallerProcessName"));
    out.set(Norm::User, ev.subject());
    out.set(Norm::Process, ev.cow("CallerProcessName"));
    out.set(Norm::Pid, ev.cow("CallerProcessId"));
    "auth"
}

/// "CN=bob,OU=x,DC=corp" → "bob"; anything else unchanged.
fn dn_cn(s: &str) -> &str {
    match s.get(..3) {
        Some(p) if p.eq_ignore_ascii_case("CN=") => {
            let rest = s.get(3..).unwrap_or("");
            // An escaped comma (`\,`) belongs to the name.
            let b = rest.as_bytes();
            let end = (0..b.len())
                .find(|&i| b[i] == b',' && (i == 0 || b[i - 1] != b'\\'))
                .unwrap_or(b.len());
            rest.get(..end).unwrap_or(rest)
        }
        _ => s,
    }
}

/// 5140 share accessed / 5145 share object access check (detailed file share auditing).
fn share<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> &'static str {
    let user = ev.subject();
    let ip = ev.ip("IpAddress");
    let share = ev.get("ShareName");
    let rel = ev.get("RelativeTargetName");
    m.val(ev.eid_text).lit(if ev.eid == 5140 {
        " share accessed "
    } else {
        " share object "
    });
    m.val(share.unwrap_or("?"));
    if let Some(r) = rel {
        m.lit("\\").val(r);
    }
    if ev.eid == 5140 {
        m.opt(" (", ev.get("ShareLocalPath"))
            .lit_if(ev.get("ShareLocalPath").is_some(), ")");
    }
    m.opt(" by ", user.as_deref());
    m.opt(" from ", ip.as_deref());
    if let Some(list) = ev.get("AccessList") {
        m.lit(" access");
        for t in list.split_whitespace().take(8) {
            m.lit(" ").val(token(t).unwrap_or(t));
        }
    }
    let file = match (share, rel) {
        (Some(s), Some(r)) => Some(Cow::Owned(format!("{s}\\{r}"))),
        _ => ev.cow("ShareName"),
    };
    out.set(Norm::User, user);
    out.set(Norm::SrcIp, ip);
    out.set(Norm::SrcPort, ev.port("IpPort"));
    out.set(Norm::File, file);
    "file"
}
