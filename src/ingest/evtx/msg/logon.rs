//! Security log authentication: logons, logoffs, explicit credentials, special privileges,
//! Kerberos and NTLM validation.

use super::codes::{kerberos, logon_type, ntstatus, parse_num, ticket_enc};
use super::{Ev, Msg, Out};
use crate::model::Norm;
use std::borrow::Cow;

pub(super) fn security<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> bool {
    match ev.eid {
        4624 | 4625 => logon(ev, out, m),
        4634 | 4647 => logoff(ev, out, m),
        4648 => explicit(ev, out, m),
        4672 => privileges(ev, out, m),
        4768 | 4769 | 4771 => ticket(ev, out, m),
        4776 => ntlm(ev, out, m),
        _ => return false,
    }
    out.set_str(Norm::Category, "auth");
    true
}

/// 4624/4625: "4624 logon type 3 (network) CORP\alice from 10.1.2.3 (WS-042) via NTLM".
fn logon<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) {
    let failed = ev.eid == 4625;
    let user = ev.user("TargetUserName", "TargetDomainName");
    let ip = ev.ip("IpAddress");
    m.val(ev.eid_text)
        .lit(if failed { " failed logon" } else { " logon" });
    logon_type_text(ev, m);
    m.opt(" ", user.as_deref());
    m.opt(" from ", ip.as_deref());
    if let Some(ws) = ev.get("WorkstationName") {
        match ip {
            Some(_) => m.lit(" (").val(ws).lit(")"),
            None => m.lit(" from ").val(ws),
        };
    }
    m.opt(" via ", ev.get("AuthenticationPackageName"));
    if let Some(lm) = ev.get("LmPackageName") {
        m.lit(" (").val(lm).lit(")");
    }
    if ev.get("ElevatedToken") == Some("%%1842") {
        m.lit(" elevated");
    }
    if !failed {
        m.opt(" process ", ev.get("ProcessName"));
    } else {
        // SubStatus is the specific reason; Status is often the generic 0xC000006D.
        let sub = ev
            .get("SubStatus")
            .filter(|s| parse_num(s).is_some_and(|n| n != 0));
        if let Some(code) = sub.or_else(|| ev.get("Status")) {
            m.lit(": ");
            status_text(code, m);
        }
    }
    set_who_and_whence(ev, out, user, ip);
    out.set_str(Norm::Action, if failed { "failure" } else { "success" });
}

/// The account, its source address and port, and the process (pid 0 is none) of a
/// logon-like event.
fn set_who_and_whence<'a>(
    ev: &Ev<'_, 'a>,
    out: &mut Out<'a>,
    user: Option<Cow<'a, str>>,
    ip: Option<Cow<'a, str>>,
) {
    out.set(Norm::User, user);
    out.set(Norm::SrcIp, ip);
    out.set(Norm::SrcPort, ev.port("IpPort"));
    out.set(Norm::Process, ev.cow("ProcessName"));
    out.set(
        Norm::Pid,
        ev.cow("ProcessId").filter(|p| parse_num(p) != Some(0)),
    );
}

fn logon_type_text(ev: &Ev<'_, '_>, m: &mut Msg) {
    if let Some(t) = ev.get("LogonType") {
        m.lit(" type ").val(t);
        if let Some(n) = parse_num(t) {
            m.lit(" (").lit(logon_type(n)).lit(")");
        }
    }
}

/// An NTSTATUS code with its meaning: "bad password (0xc000006a)".
pub(super) fn status_text(code: &str, m: &mut Msg) {
    match parse_num(code).and_then(ntstatus) {
        Some(t) => m.lit(t).lit(" (").val(code).lit(")"),
        None => m.lit("status ").val(code),
    };
}

/// 4634 logoff / 4647 user-initiated logoff.
fn logoff<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) {
    let user = ev.user("TargetUserName", "TargetDomainName");
    m.val(ev.eid_text);
    m.lit(if ev.eid == 4647 {
        " user-initiated logoff"
    } else {
        " logoff"
    });
    m.opt(" ", user.as_deref());
    logon_type_text(ev, m);
    m.opt(" logon id ", ev.get("TargetLogonId"));
    out.set(Norm::User, user);
    out.set_str(Norm::Action, "logoff");
}

/// 4648: a process used explicit credentials (runas, PsExec, lateral movement).
fn explicit<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) {
    let user = ev.user("TargetUserName", "TargetDomainName");
    let ip = ev.ip("IpAddress");
    m.val(ev.eid_text).lit(" explicit credentials");
    m.opt(" for ", user.as_deref());
    m.opt(" by ", ev.subject().as_deref());
    m.opt(" to ", ev.get("TargetServerName"));
    if let Some(info) = ev
        .get("TargetInfo")
        .filter(|i| Some(*i) != ev.get("TargetServerName"))
    {
        m.lit(" (").val(info).lit(")");
    }
    m.opt(" from ", ip.as_deref());
    m.opt(" process ", ev.get("ProcessName"));
    set_who_and_whence(ev, out, user, ip);
}

/// 4672: special privileges assigned to a new logon (admin-equivalent sessions).
fn privileges<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) {
    let user = ev.subject();
    m.val(ev.eid_text).lit(" special privileges");
    m.opt(" to ", user.as_deref());
    m.opt(": ", ev.get("PrivilegeList"));
    out.set(Norm::User, user);
}

/// 4768 TGT request, 4769 service ticket request, 4771 pre-authentication failure.
fn ticket<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) {
    let user = ev.user("TargetUserName", "TargetDomainName");
    let ip = ev.ip("IpAddress");
    m.val(ev.eid_text).lit(match ev.eid {
        4768 => " Kerberos TGT request",
        4769 => " Kerberos service ticket",
        _ => " Kerberos pre-auth failed",
    });
    m.opt(" for ", user.as_deref());
    if let Some(svc) = ev.get("ServiceName") {
        m.lit(if ev.eid == 4769 { " to " } else { " service " })
            .val(svc);
    }
    m.opt(" from ", ip.as_deref());
    if let Some(enc) = ev
        .get("TicketEncryptionType")
        .filter(|e| !e.eq_ignore_ascii_case("0xffffffff"))
    {
        m.lit(" enc ");
        match parse_num(enc).and_then(ticket_enc) {
            Some(t) => m.lit(t),
            None => m.val(enc),
        };
    }
    let status = ev.get("Status");
    let code = status.and_then(parse_num);
    if let Some(s) = status {
        m.lit(": ");
        match code.and_then(kerberos) {
            Some(t) if code == Some(0) => m.lit(t),
            Some(t) => m.lit(t).lit(" (").val(s).lit(")"),
            None => m.lit("status ").val(s),
        };
    }
    out.set(Norm::User, user);
    out.set(Norm::SrcIp, ip);
    out.set(Norm::SrcPort, ev.port("IpPort"));
    let ok = ev.eid != 4771 && code == Some(0);
    out.set_str(Norm::Action, if ok { "success" } else { "failure" });
}

/// 4776: the DC or a member validated NTLM credentials.
fn ntlm<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) {
    let user = ev.cow("TargetUserName");
    m.val(ev.eid_text).lit(" NTLM validation");
    m.opt(" for ", user.as_deref());
    m.opt(" from ", ev.get("Workstation"));
    let status = ev.get("Status");
    if let Some(s) = status {
        m.lit(": ");
        status_text(s, m);
    }
    out.set(Norm::User, user);
    let ok = status.and_then(parse_num) == Some(0);
    out.set_str(Norm::Action, if ok { "success" } else { "failure" });
}
