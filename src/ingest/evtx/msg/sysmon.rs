//! Sysmon (Microsoft-Windows-Sysmon/Operational).

use super::audit::process_text;
use super::{Ev, Msg, Out};
use crate::model::Norm;

pub(super) fn sysmon<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) -> bool {
    m.lit("Sysmon ").val(ev.eid_text);
    let image = ev.get("Image");
    let cat = match ev.eid {
        1 => {
            m.lit(" process ");
            process_text(m, image, ev.get("CommandLine"));
            m.opt(" (parent ", ev.get("ParentImage"))
                .lit_if(ev.get("ParentImage").is_some(), ")");
            by(ev, m);
            if let Some(l) = ev
                .get("IntegrityLevel")
                .filter(|l| matches!(*l, "High" | "System"))
            {
                m.lit(" [").val(l).lit("]");
            }
            out.set(Norm::Cmdline, ev.cow("CommandLine"));
            out.set(Norm::Parent, ev.cow("ParentImage"));
            "process"
        }
        2 => {
            m.lit(" file time changed")
                .opt(" ", ev.get("TargetFilename"));
            m.opt(" to ", ev.get("CreationUtcTime"))
                .opt(" (was ", ev.get("PreviousCreationUtcTime"));
            m.lit_if(ev.get("PreviousCreationUtcTime").is_some(), ")");
            m.opt(" by ", image);
            out.set(Norm::File, ev.cow("TargetFilename"));
            "file"
        }
        3 => {
            network(ev, out, m);
            "network"
        }
        5 => {
            m.lit(" process terminated ");
            process_text(m, image, None);
            m.opt(" pid ", ev.get("ProcessId"));
            by(ev, m);
            "process"
        }
        6 | 7 => {
            m.lit(if ev.eid == 6 {
                " driver loaded"
            } else {
                " image loaded"
            });
            m.opt(" ", ev.get("ImageLoaded")).opt(" into ", image);
            signature(ev, m);
            out.set(Norm::File, ev.cow("ImageLoaded"));
            "process"
        }
        8 | 10 => {
            m.lit(if ev.eid == 8 {
                " remote thread "
            } else {
                " process access "
            });
            m.val(ev.get("SourceImage").unwrap_or("?"))
                .lit(" -> ")
                .val(ev.get("TargetImage").unwrap_or("?"));
            m.opt(" access ", ev.get("GrantedAccess"));
            if let Some(module) = ev.get("StartModule") {
                m.lit(" start ")
                    .val(module)
                    .opt("!", ev.get("StartFunction"));
            }
            m.opt(" by ", ev.get("SourceUser"));
            out.set(Norm::Process, ev.cow("SourceImage"));
            out.set(Norm::Pid, ev.cow("SourceProcessId"));
            out.set(Norm::User, ev.cow("SourceUser"));
            "process"
        }
        9 => {
            m.lit(" raw disk read")
                .opt(" ", ev.get("Device"))
                .opt(" by ", image);
            "file"
        }
        11 | 23 | 26 | 15 => {
            m.lit(match ev.eid {
                11 => " file created ",
                15 => " stream created ",
                23 => " file deleted ",
                _ => " file delete logged ",
            });
            m.val(ev.get("TargetFilename").unwrap_or("?"))
                .opt(" by ", image);
            if ev.get("Archived") == Some("true") {
                m.lit(" (archived)");
            }
            out.set(Norm::File, ev.cow("TargetFilename"));
            "file"
        }
        12..=14 => {
            m.lit(" registry")
                .opt(" ", ev.get("EventType"))
                .opt(" ", ev.get("TargetObject"));
            m.opt(" = ", ev.get("Details"))
                .opt(" -> ", ev.get("NewName"))
                .opt(" by ", image);
            "registry"
        }
        17 | 18 => {
            m.lit(if ev.eid == 17 {
                " pipe created"
            } else {
                " pipe connected"
            });
            m.opt(" ", ev.get("PipeName")).opt(" by ", image);
            "process"
        }
        19..=21 => {
            m.lit(" WMI")
                .opt(" ", ev.get("Operation"))
                .opt(" ", ev.get("EventType"));
            m.opt(" ", ev.get("Name")).opt(" query ", ev.get("Query"));
            m.opt(" destination ", ev.get("Destination"));
            m.opt(" consumer ", ev.get("Consumer"))
                .opt(" filter ", ev.get("Filter"));
            "process"
        }
        22 => {
            m.lit(" DNS ").val(ev.get("QueryName").unwrap_or("?"));
            m.opt(" -> ", ev.get("QueryResults"));
            if let Some(s) = ev.get("QueryStatus").filter(|s| *s != "0") {
                m.lit(" (status ").val(s).lit(")");
            }
            m.opt(" by ", image);
            "dns"
        }
        4 => {
            m.lit(" service")
                .opt(" ", ev.get("State"))
                .opt(" version ", ev.get("Version"));
            "service"
        }
        16 => {
            m.lit(" configuration changed")
                .opt(" ", ev.get("Configuration"));
            "service"
        }
        25 => {
            m.lit(" process tampering")
                .opt(" ", ev.get("Type"))
                .opt(" ", image);
            "process"
        }
        _ => return false,
    };
    out.set(Norm::Process, ev.cow("Image"));
    out.set(Norm::Pid, ev.cow("ProcessId"));
    out.set(Norm::User, ev.cow("User"));
    let hash = ev.cow("Hashes").or_else(|| ev.cow("Hash"));
    out.set(
        Norm::Hash,
        hash.filter(|h| !h.eq_ignore_ascii_case("Unknown")),
    );
    out.set_str(Norm::Category, cat);
    true
}

fn by(ev: &Ev<'_, '_>, m: &mut Msg) {
    m.opt(" by ", ev.get("User"));
}

fn signature(ev: &Ev<'_, '_>, m: &mut Msg) {
    match (ev.get("Signed"), ev.get("Signature")) {
        (Some("false"), _) => m.lit(" unsigned"),
        (_, Some(s)) => m.lit(" signed ").val(s),
        _ => m,
    };
    if let Some(st) = ev.get("SignatureStatus").filter(|s| *s != "Valid") {
        m.lit(" (").val(st).lit(")");
    }
}

/// 3: "Sysmon 3 tcp 10.0.0.5:49822 -> 1.2.3.4:443 (evil.example) by C:\x.exe CORP\bob".
fn network<'a>(ev: &Ev<'_, 'a>, out: &mut Out<'a>, m: &mut Msg) {
    m.opt(" ", ev.get("Protocol"));
    if ev.get("Initiated") == Some("false") {
        m.lit(" inbound");
    }
    m.lit(" ")
        .val(ev.get("SourceIp").unwrap_or("?"))
        .opt(":", ev.get("SourcePort"));
    m.lit(" -> ")
        .val(ev.get("DestinationIp").unwrap_or("?"))
        .opt(":", ev.get("DestinationPort"));
    m.opt(" (", ev.get("DestinationHostname"))
        .lit_if(ev.get("DestinationHostname").is_some(), ")");
    m.opt(" by ", ev.get("Image"));
    m.opt(" (", ev.get("User"))
        .lit_if(ev.get("User").is_some(), ")");
    out.set(Norm::SrcIp, ev.ip("SourceIp"));
    out.set(Norm::SrcPort, ev.port("SourcePort"));
    out.set(Norm::DstIp, ev.ip("DestinationIp"));
    out.set(Norm::DstPort, ev.port("DestinationPort"));
    out.set(Norm::Proto, ev.cow("Protocol"));
}
