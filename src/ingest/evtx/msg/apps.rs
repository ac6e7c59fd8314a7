//! Event log service (log cleared), Service Control Manager, PowerShell, Defender and
//! Remote Desktop events.

use super::codes::{parse_num, start_type};
use super::{Ev, Msg, Out, sub};
use crate::model::Norm;

/// 1102 Security log cleared, 104 another log cleared, 1100 logging shut down.
pub(super) fn eventlog<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> bool {
    let user = ev.subject();
    match ev.eid {
        1102 => m.val(ev.eid_text).lit(" Security log cleared"),
        // In 104 `Channel` is the UserData one: the log that was cleared.
        104 => m
            .val(ev.eid_text)
            .lit(" ")
            .val(ev.get("Channel").unwrap_or("event"))
            .lit(" log cleared"),
        1100 => m.val(ev.eid_text).lit(" event logging service shut down"),
        _ => return false,
    };
    m.opt(" by ", user.as_deref());
    m.opt(" (backup ", ev.get("BackupPath"))
        .lit_if(ev.get("BackupPath").is_some(), ")");
    out.set(Norm::User, user);
    out.set_str(Norm::Category, "log");
    true
}

/// `EID service installed NAME: FILE (START TYPE) as ACCOUNT`: System 7045 and its
/// Security-log twin 4697 say the same under other field names, given in that order.
pub(super) fn installed_text(
    ev: &Ev<'_, '_>,
    m: &mut Msg,
    [name, file, start, account]: [&str; 4],
) {
    m.val(ev.eid_text).lit(" service installed");
    m.opt(" ", ev.get(name));
    m.opt(": ", ev.get(file));
    if let Some(t) = ev.get(start) {
        m.lit(" (").val(start_type(t)).lit(")");
    }
    m.opt(" as ", ev.get(account));
}

/// 7045 service installed, 7036 state change, 7040 start type change.
pub(super) fn scm<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> bool {
    match ev.eid {
        7045 => {
            installed_text(
                ev,
                m,
                ["ServiceName", "ImagePath", "StartType", "AccountName"],
            );
            out.set(Norm::File, ev.cow("ImagePath"));
            out.set_str(Norm::Action, "install");
        }
        7036 => {
            m.val(ev.eid_text).lit(" service");
            m.opt(" ", ev.get("param1"));
            m.opt(" entered ", ev.get("param2"))
                .lit_if(ev.get("param2").is_some(), " state");
        }
        7040 => {
            m.val(ev.eid_text).lit(" service");
            m.opt(" ", ev.get("param1"));
            m.opt(" start type changed from ", ev.get("param2"));
            m.opt(" to ", ev.get("param3"));
        }
        _ => return false,
    }
    out.set_str(Norm::Category, "service");
    true
}

/// 4104 script block, 4103 pipeline execution, 400/403 engine start/stop, 800 pipeline
/// details (the last three from the classic "Windows PowerShell" log).
pub(super) fn powershell<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> bool {
    m.lit("PowerShell ").val(ev.eid_text);
    match ev.eid {
        4104 => {
            m.lit(" script block");
            let part = (ev.get("MessageNumber"), ev.get("MessageTotal"));
            if let (Some(n), Some(t)) = part
                && t != "1"
            {
                m.lit(" ").val(n).lit("/").val(t);
            }
            m.opt(" ", ev.get("Path"));
            m.lit(": ");
            m.val_n(ev.get("ScriptBlockText").unwrap_or(""), 300);
            out.set(
                Norm::Cmdline,
                ev.cow("ScriptBlockText").map(|c| sub(c, first_line)),
            );
            out.set(Norm::File, ev.cow("Path"));
        }
        4103 => {
            let ctx = ev.get("ContextInfo").unwrap_or("");
            m.opt(" pipeline ", kv(ctx, "Command Name"));
            m.opt(" by ", kv(ctx, "User"));
            m.opt(": ", ev.get("Payload"));
            out.set(
                Norm::Cmdline,
                ev.cow("ContextInfo").map(|c| sub(c, host_app_4103)),
            );
        }
        400 | 403 | 600 | 800 => {
            m.lit(match ev.eid {
                400 => " engine started",
                403 => " engine stopped",
                600 => " provider started",
                _ => " pipeline executed",
            });
            // Classic events carry "Key=Value" lines in one unnamed Data value.
            let details = ev
                .data()
                .map(|(_, v)| v)
                .find(|v| v.contains("HostApplication="));
            if let Some(d) = details {
                if ev.eid == 600 {
                    m.opt(" ", kv(d, "ProviderName"));
                }
                m.opt(" by ", kv(d, "UserId"));
                if ev.eid == 800 {
                    m.opt(": ", kv(d, "CommandLine"));
                }
                m.opt(" host ", kv(d, "HostApplication"));
            }
            let cmd = ev.data().position(|(_, v)| v.contains("HostApplication="));
            let cow = cmd.and_then(|i| ev.data_cow(i));
            out.set(Norm::Cmdline, cow.map(|c| sub(c, host_app_classic)));
        }
        _ => return false,
    }
    out.set_str(Norm::Category, "process");
    true
}

fn first_line(s: &str) -> &str {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

fn host_app_4103(s: &str) -> &str {
    kv(s, "Host Application").unwrap_or("")
}

fn host_app_classic(s: &str) -> &str {
    kv(s, "HostApplication").unwrap_or("")
}

/// The value of a `Key = Value` / `Key=Value` line in PowerShell's detail text.
fn kv<'s>(text: &'s str, key: &str) -> Option<&'s str> {
    text.lines().find_map(|l| {
        let rest = l
            .trim_start()
            .strip_prefix(key)?
            .trim_start()
            .strip_prefix('=')?;
        Some(rest.trim()).filter(|v| !v.is_empty())
    })
}

/// 1116 malware detected, 1117 action taken, 5001 real-time protection off, 5007 config change.
pub(super) fn defender<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> bool {
    m.lit("Defender ").val(ev.eid_text);
    match ev.eid {
        1116 | 1117 | 1006 | 1015 => {
            let action = defender_action(ev);
            match action.filter(|_| ev.eid == 1117) {
                Some(a) => m.lit(" action ").val(a).lit(" on"),
                None => m.lit(" detected"),
            };
            m.opt(" ", ev.get("Threat Name"));
            let sev = ev.get("Severity Name");
            let cat = ev.get("Category Name");
            if sev.is_some() || cat.is_some() {
                m.lit(" (")
                    .val(sev.unwrap_or(""))
                    .lit_if(sev.is_some() && cat.is_some(), " ");
                m.val(cat.unwrap_or("")).lit(")");
            }
            m.opt(" in ", ev.get("Path").map(defender_path));
            let proc = ev
                .get("Process Name")
                .filter(|p| !p.eq_ignore_ascii_case("Unknown"));
            m.opt(" process ", proc);
            m.opt(" user ", ev.get("Detection User"));
            if ev
                .get("Error Code")
                .and_then(parse_num)
                .is_some_and(|c| c != 0)
            {
                m.opt(": ", ev.get("Error Description"));
            }
            out.set(Norm::User, ev.cow("Detection User"));
            out.set(Norm::File, ev.cow("Path").map(|c| sub(c, defender_path)));
            if proc.is_some() {
                out.set(Norm::Process, ev.cow("Process Name"));
            }
            let named = ev.cow("Action Name").filter(|a| !a.starts_with("%%"));
            match (ev.eid, named, defender_action_id(ev)) {
                (1117, Some(n), _) => out.set(Norm::Action, Some(n)),
                (1117, None, Some(d)) => out.set_str(Norm::Action, d),
                (1117, None, None) => {}
                _ => out.set_str(Norm::Action, "detected"),
            }
        }
        5001 => {
            m.lit(" real-time protection disabled");
        }
        5007 => {
            m.lit(" configuration changed");
            m.opt(": ", ev.get("Old Value"));
            m.opt(" -> ", ev.get("New Value"));
        }
        _ => return false,
    }
    out.set_str(Norm::Category, "alert");
    true
}

/// The action name, decoded from `Action ID` when the name is an unresolved `%%8xx` token.
fn defender_action<'f>(ev: &Ev<'f, '_>) -> Option<&'f str> {
    match ev.get("Action Name") {
        Some(a) if !a.starts_with("%%") => Some(a),
        other => defender_action_id(ev).or(other),
    }
}

/// Defender threat action ids (the `ThreatDefaultAction` values).
fn defender_action_id(ev: &Ev<'_, '_>) -> Option<&'static str> {
    Some(match parse_num(ev.get("Action ID")?)? {
        1 => "clean",
        2 => "quarantine",
        3 => "remove",
        6 => "allow",
        8 => "user defined",
        9 => "no action",
        10 => "block",
        _ => return None,
    })
}

/// "file:_C:\x.exe; process:_pid:1" → "C:\x.exe".
fn defender_path(s: &str) -> &str {
    let first = s.split(';').next().unwrap_or(s).trim();
    match first.find(":_") {
        Some(i) if i < 16 => first.get(i + 2..).unwrap_or(first),
        _ => first,
    }
}

/// LocalSessionManager 21/22/23/24/25 and RemoteConnectionManager 1149.
pub(super) fn rdp<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> bool {
    let rcm = ev.provider.ends_with("RemoteConnectionManager");
    let (what, action) = match (rcm, ev.eid) {
        (true, 1149) => (" user authenticated", "success"),
        (false, 21) => (" session logon", "logon"),
        (false, 22) => (" shell start", "logon"),
        (false, 23) => (" session logoff", "logoff"),
        (false, 24) => (" session disconnected", "disconnect"),
        (false, 25) => (" session reconnected", "reconnect"),
        _ => return false,
    };
    let (user, addr) = if rcm {
        (ev.user("Param1", "Param2"), ev.ip("Param3"))
    } else {
        (ev.cow("User"), ev.ip("Address"))
    };
    m.lit("RDP ").val(ev.eid_text).lit(what);
    m.opt(" ", user.as_deref());
    m.opt(" session ", ev.get("SessionID"));
    m.opt(" from ", addr.as_deref());
    out.set(Norm::User, user);
    // "LOCAL" is the console, not an address.
    out.set(Norm::SrcIp, addr.filter(|a| a.contains(['.', ':'])));
    out.set_str(Norm::Action, action);
    out.set_str(Norm::Category, "auth");
    true
}
