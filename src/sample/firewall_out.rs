//! Firewall logs: the perimeter FortiGate (key=value, `tz="+0100"`), the internal
//! netfilter router between the client VLANs (RFC 3339 syslog with offset) and the Cisco
//! ASA in front of the server segment (RFC 5424). A flow is logged by every firewall whose
//! boundary it crosses.

use super::Line;
use super::noise::when;
use super::rng::Rng;
use super::scenario::Flow;
use super::world::*;
use std::io::Write;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fw {
    Fortigate,
    Netfilter,
    Asa,
}

impl Fw {
    pub const ALL: [Fw; 3] = [Fw::Fortigate, Fw::Netfilter, Fw::Asa];

    pub fn file_name(self) -> &'static str {
        match self {
            Fw::Fortigate => "fortigate-perimeter.log",
            Fw::Netfilter => "netfilter-fw-int.log",
            Fw::Asa => "asa-servers.log",
        }
    }

    /// Base background flows at scale 1.
    pub fn base_count(self) -> u64 {
        match self {
            Fw::Fortigate => 700,
            Fw::Netfilter => 350,
            Fw::Asa => 450,
        }
    }

    pub fn sees(self, f: &Flow) -> bool {
        let server = |a: [u8; 4]| a[0] == 10 && a[2] == 10;
        match self {
            Fw::Fortigate => internal(f.src) != internal(f.dst),
            Fw::Asa => server(f.src) != server(f.dst),
            Fw::Netfilter => {
                internal(f.src)
                    && internal(f.dst)
                    && !server(f.src)
                    && !server(f.dst)
                    && f.src[2] != f.dst[2]
            }
        }
    }
}

/// A benign flow this firewall would log.
pub fn background_flow(rng: &mut Rng, fw: Fw) -> Flow {
    let ts = when(rng);
    let ws = &HOSTS[rng.below(8) as usize];
    let (src, dst, dport, proto) = match fw {
        Fw::Fortigate => {
            let (_, dst, port) = *rng.pick(&BENIGN);
            let src = if rng.chance(15) {
                HOSTS[8 + rng.below(4) as usize].ip
            } else {
                ws.ip
            };
            if rng.chance(3) {
                // Internet scanners hitting the perimeter, denied.
                let scanner = [45, 155, rng.below(255) as u8, rng.range(1, 254) as u8];
                let port = *rng.pick(&[22u16, 23, 445, 3389, 8080]);
                let mut f = flow(ts, scanner, FW_PUBLIC_IP, port, 6, rng);
                f.allow = false;
                return f;
            }
            (src, dst, port, if port == 123 { 17 } else { 6 })
        }
        Fw::Asa => {
            let (dst, port, proto) = *rng.pick(&[
                (HOSTS[H_DC].ip, 53u16, 17u8),
                (HOSTS[H_DC].ip, 88, 6),
                (HOSTS[H_DC].ip, 389, 6),
                (HOSTS[H_FS].ip, 445, 6),
                (HOSTS[11].ip, 443, 6),
                (HOSTS[11].ip, 443, 6),
            ]);
            (ws.ip, dst, port, proto)
        }
        Fw::Netfilter => {
            let other = &HOSTS[rng.below(8) as usize];
            let (a, b) = if ws.ip[2] == other.ip[2] {
                (ws.ip, [10, 20, 3 - ws.ip[2], rng.range(100, 120) as u8])
            } else {
                (ws.ip, other.ip)
            };
            let (port, proto) =
                *rng.pick(&[(104u16, 6u8), (11112, 6), (631, 6), (5353, 17), (9100, 6)]);
            (a, b, port, proto)
        }
    };
    let mut f = flow(ts, src, dst, dport, proto, rng);
    if proto == 17 {
        // DNS/NTP/mDNS: one small exchange.
        f.dur = 0;
        f.sent = rng.range(60, 90);
        f.rcvd = rng.range(90, 320);
    }
    if fw == Fw::Netfilter && rng.chance(10) {
        f.allow = false;
    }
    f
}

fn flow(ts: i64, src: [u8; 4], dst: [u8; 4], dport: u16, proto: u8, rng: &mut Rng) -> Flow {
    Flow {
        ts,
        src,
        sport: rng.range(49152, 65000) as u16,
        dst,
        dport,
        proto,
        allow: true,
        sent: rng.range(300, 40_000),
        rcvd: rng.range(500, 900_000),
        dur: rng.range(0, 180) as u32,
        gt: None,
    }
}

fn service(port: u16) -> &'static str {
    match port {
        443 => "HTTPS",
        80 => "HTTP",
        53 => "DNS",
        123 => "NTP",
        445 => "SMB",
        3389 => "RDP",
        22 => "SSH",
        _ => "tcp/udp",
    }
}

fn offset_text(secs: i32, colon: bool) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.abs();
    if colon {
        format!("{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
    } else {
        format!("{sign}{:02}{:02}", a / 3600, a % 3600 / 60)
    }
}

/// RFC 3339 local time with offset, microseconds.
fn rfc3339_local(out: &mut Vec<u8>, ts: i64) -> std::io::Result<()> {
    let (y, mo, d, h, mi, s, ns) = local_parts(ts);
    write!(
        out,
        "{y}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:06}{}",
        ns / 1000,
        offset_text(offset_secs(ts), true)
    )
}

/// Appends the line(s) this firewall writes for `f` as `(ts, line)`.
pub fn render(fw: Fw, f: &Flow, seq: u64, out: &mut Vec<Line>) -> std::io::Result<()> {
    let mut l = Vec::with_capacity(512);
    match fw {
        Fw::Fortigate => {
            let (y, mo, d, h, mi, s, _) = local_parts(f.ts);
            let (srcintf, srcrole, dstintf, dstrole) = if internal(f.src) {
                ("internal", "lan", "wan1", "wan")
            } else {
                ("wan1", "wan", "internal", "lan")
            };
            write!(
                l,
                "<{}>date={y}-{mo:02}-{d:02} time={h:02}:{mi:02}:{s:02} devname=\"FG-PERIMETER\" devid=\"FG100FTK21003721\" logid=\"{}\" type=\"traffic\" subtype=\"forward\" level=\"{}\" vd=\"root\" eventtime={} tz=\"{}\" srcip={} srcport={} srcintf=\"{srcintf}\" srcintfrole=\"{srcrole}\" dstip={} dstport={} dstintf=\"{dstintf}\" dstintfrole=\"{dstrole}\" sessionid={} proto={} action=\"{}\" policyid={} policytype=\"policy\" service=\"{}\" dstcountry=\"{}\" srccountry=\"Reserved\"",
                if f.allow { 189 } else { 188 },
                if f.allow { "0000000013" } else { "0000000011" },
                if f.allow { "notice" } else { "warning" },
                f.ts,
                offset_text(offset_secs(f.ts), false),
                ip(f.src),
                f.sport,
                ip(f.dst),
                f.dport,
                1_000_000 + seq,
                f.proto,
                if f.allow { "close" } else { "deny" },
                if f.allow { 12 } else { 0 },
                service(f.dport),
                if internal(f.dst) {
                    "Reserved"
                } else if f.dst == C2_IP || f.dst == EXFIL_IP {
                    "Netherlands"
                } else {
                    "Germany"
                },
            )?;
            if f.allow {
                write!(
                    l,
                    " trandisp=\"snat\" transip={} transport={} duration={} sentbyte={} rcvdbyte={} sentpkt={} rcvdpkt={} appcat=\"unscanned\"",
                    ip(FW_PUBLIC_IP),
                    f.sport,
                    f.dur,
                    f.sent,
                    f.rcvd,
                    f.sent / 1200 + 1,
                    f.rcvd / 1200 + 1
                )?;
            }
            out.push(Line {
                ts: f.ts,
                text: l,
                gt: f.gt,
            });
        }
        Fw::Netfilter => {
            rfc3339_local(&mut l, f.ts)?;
            let uptime = (f.ts - local(1, 4, 12, 0)) as f64 / 1e9;
            let proto = if f.proto == 17 { "UDP" } else { "TCP" };
            write!(
                l,
                " fw-int kernel: [{uptime:.6}] {} IN=vlan{} OUT=vlan{} MAC=00:50:56:a1:{:02x}:0c:00:50:56:a1:3e:{:02x}:08:00 SRC={} DST={} LEN={} TOS=0x00 PREC=0x00 TTL=127 ID={} DF PROTO={proto} SPT={} DPT={}",
                if f.allow { "FWD-ACCEPT" } else { "FWD-DROP" },
                f.src[2] * 10,
                f.dst[2] * 10,
                f.src[3],
                f.dst[3],
                ip(f.src),
                ip(f.dst),
                if f.proto == 17 { 76 } else { 52 },
                seq % 65536,
                f.sport,
                f.dport
            )?;
            if f.proto == 17 {
                write!(l, " LEN=56")?;
            } else {
                write!(l, " WINDOW=64240 RES=0x00 SYN URGP=0")?;
            }
            out.push(Line {
                ts: f.ts,
                text: l,
                gt: f.gt,
            });
        }
        Fw::Asa => {
            let server = |a: [u8; 4]| a[0] == 10 && a[2] == 10;
            let ifname = |a: [u8; 4]| {
                if server(a) {
                    "servers"
                } else if internal(a) {
                    "clients"
                } else {
                    "outside"
                }
            };
            let (p_up, p_lo) = if f.proto == 17 {
                ("UDP", "udp")
            } else {
                ("TCP", "tcp")
            };
            let id = 4_000_000 + seq;
            asa_head(&mut l, f.ts, if f.allow { 6 } else { 4 })?;
            if !f.allow {
                write!(
                    l,
                    "%ASA-4-106023: Deny {p_lo} src {}:{}/{} dst {}:{}/{} by access-group \"{}_in\" [0x0, 0x0]",
                    ifname(f.src),
                    ip(f.src),
                    f.sport,
                    ifname(f.dst),
                    ip(f.dst),
                    f.dport,
                    ifname(f.src)
                )?;
                out.push(Line {
                    ts: f.ts,
                    text: l,
                    gt: f.gt,
                });
                return Ok(());
            }
            // Outbound: towards "outside"; the ASA names the remote side first.
            let outbound = !internal(f.dst);
            let (built, tear) = if f.proto == 17 {
                (302015, 302016)
            } else {
                (302013, 302014)
            };
            if outbound {
                write!(
                    l,
                    "%ASA-6-{built}: Built outbound {p_up} connection {id} for outside:{}/{} ({}/{}) to {}:{}/{} ({}/{})",
                    ip(f.dst),
                    f.dport,
                    ip(f.dst),
                    f.dport,
                    ifname(f.src),
                    ip(f.src),
                    f.sport,
                    ip(f.src),
                    f.sport
                )?;
            } else {
                write!(
                    l,
                    "%ASA-6-{built}: Built inbound {p_up} connection {id} for {}:{}/{} ({}/{}) to {}:{}/{} ({}/{})",
                    ifname(f.src),
                    ip(f.src),
                    f.sport,
                    ip(f.src),
                    f.sport,
                    ifname(f.dst),
                    ip(f.dst),
                    f.dport,
                    ip(f.dst),
                    f.dport
                )?;
            }
            out.push(Line {
                ts: f.ts,
                text: l,
                gt: f.gt,
            });
            let end = f.ts + i64::from(f.dur) * NS + 3_000_000;
            let mut t = Vec::with_capacity(256);
            asa_head(&mut t, end, 6)?;
            let (a, b) = if outbound {
                (f.dst, f.src)
            } else {
                (f.src, f.dst)
            };
            let (ap, bp) = if outbound {
                (f.dport, f.sport)
            } else {
                (f.sport, f.dport)
            };
            write!(
                t,
                "%ASA-6-{tear}: Teardown {p_up} connection {id} for {}:{}/{} to {}:{}/{} duration {}:{:02}:{:02} bytes {}",
                ifname(a),
                ip(a),
                ap,
                ifname(b),
                ip(b),
                bp,
                f.dur / 3600,
                f.dur % 3600 / 60,
                f.dur % 60,
                f.sent + f.rcvd
            )?;
            if f.proto == 6 {
                write!(t, " TCP FINs")?;
            }
            out.push(Line {
                ts: end,
                text: t,
                gt: None,
            });
        }
    }
    Ok(())
}

fn asa_head(l: &mut Vec<u8>, ts: i64, sev: u8) -> std::io::Result<()> {
    // facility local4 (20) * 8 + severity
    write!(l, "<{}>1 ", 160 + u32::from(sev))?;
    let (y, mo, d, h, mi, s, ns) = local_parts(ts);
    write!(
        l,
        "{y}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}{} asa-srv01 - - - - ",
        ns / 1_000_000,
        offset_text(offset_secs(ts), true)
    )
}
