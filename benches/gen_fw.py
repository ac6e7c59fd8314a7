#!/usr/bin/env python3
"""Generates large netfilter and FortiGate logs for the ingest benchmark.

usage: gen_fw.py netfilter|netfilter-bsd|fortigate|fortigate-syslog OUT_FILE SIZE_MB [SEED]

fortigate-syslog wraps the same lines in an RFC 3164 header (`Mar 13 06:07:25 FG-DC date=…`)
instead of a bare `<189>` PRI, the way a relay writes them; lnav only recognises that form.

Lines follow the shapes of the bundled samples (samples/firewall/) with varying times,
addresses, ports, protocols, actions and event types, so parsers and interners see
realistic variety rather than one repeated line. Output is deterministic for a seed.
"""
import random
import sys
import time

HOSTS_NF = ["fw-int", "fw-dmz", "edge-gw", "lab-router"]
PREFIX_NF = ["FWD-ACCEPT", "FWD-DROP", "[UFW BLOCK]", "[UFW ALLOW]", "IPTABLES-REJECT:", "INPUT-DROP"]
DEVS_FG = [("FG-PERIMETER", "FG100FTK21003721"), ("FG-BRANCH-02", "FG60FTK19004411"),
           ("FG-DC", "FG200FTK22001234")]
SERVICES = [(6, 443, "HTTPS"), (6, 80, "HTTP"), (17, 53, "DNS"), (17, 123, "NTP"), (6, 22, "SSH"),
            (6, 445, "SMB"), (6, 3389, "RDP"), (1, 0, "PING"), (6, 8443, "tcp/8443")]
COUNTRIES = ["Germany", "United States", "Netherlands", "France", "Reserved", "Ireland", "Japan"]
FG_ACTIONS = ["close", "accept", "deny", "timeout", "server-rst", "client-rst"]


BSD = False


def mac(r):
    return ":".join("%02x" % r.randrange(256) for _ in range(14))


def netfilter_line(r, t):
    lt = time.localtime(int(t))
    host = r.choice(HOSTS_NF)
    proto = r.choices(["TCP", "UDP", "ICMP"], [70, 25, 5])[0]
    src = "10.20.%d.%d" % (r.randrange(1, 8), r.randrange(1, 254))
    dst = "10.20.%d.%d" % (r.randrange(1, 8), r.randrange(1, 254)) if r.random() < 0.7 else \
        "%d.%d.%d.%d" % (r.randrange(1, 223), r.randrange(256), r.randrange(256), r.randrange(1, 254))
    up = "%d.%06d" % (1044000 + int(t) % 1000000, int(t * 1e6) % 1000000)
    # One stamp style per file, as one syslog daemon writes it: ISO (rsyslog's high-precision
    # default, like samples/firewall/netfilter-fw-int.log), or RFC 3164 for `netfilter-bsd`.
    if BSD:
        stamp = time.strftime("%b ", lt) + ("%2d" % lt.tm_mday) + time.strftime(" %H:%M:%S", lt)
    else:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", lt) + ".%06d+01:00" % (int(t * 1e6) % 1000000)
    body = "IN=vlan%d OUT=vlan%d MAC=%s SRC=%s DST=%s LEN=%d TOS=0x00 PREC=0x00 TTL=%d ID=%d " % (
        r.choice([10, 20, 30]), r.choice([10, 20, 40]), mac(r), src, dst, r.randrange(40, 1500),
        r.choice([63, 64, 127, 128]), r.randrange(65536))
    if r.random() < 0.6:
        body += "DF "
    if proto == "ICMP":
        body += "PROTO=ICMP TYPE=8 CODE=0 ID=%d SEQ=%d" % (r.randrange(65536), r.randrange(100))
    else:
        body += "PROTO=%s SPT=%d DPT=%d " % (proto, r.randrange(1024, 65536),
                                            r.choice([22, 53, 80, 104, 443, 445, 631, 3389, 8080]))
        if proto == "TCP":
            body += "WINDOW=%d RES=0x00 %s URGP=0" % (r.choice([64240, 65535, 29200]),
                                                      r.choice(["SYN", "ACK", "ACK PSH", "SYN ACK", "RST"]))
        else:
            body += "LEN=%d" % r.randrange(8, 512)
    return "%s %s kernel: [%s] %s %s\n" % (stamp, host, up, r.choice(PREFIX_NF), body)


def fortigate_line(r, t):
    lt = time.localtime(int(t))
    name, dev = r.choice(DEVS_FG)
    ns = int(t * 1e9) + r.randrange(1000)
    head = '<189>date=%s time=%s devname="%s" devid="%s" ' % (
        time.strftime("%Y-%m-%d", lt), time.strftime("%H:%M:%S", lt), name, dev)
    k = r.random()
    if k < 0.9:
        proto, port, svc = r.choice(SERVICES)
        src = "10.20.%d.%d" % (r.randrange(1, 8), r.randrange(1, 254))
        dst = "%d.%d.%d.%d" % (r.randrange(1, 223), r.randrange(256), r.randrange(256), r.randrange(1, 254))
        sport = r.randrange(1024, 65536)
        act = r.choice(FG_ACTIONS)
        return head + (
            'logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" '
            'eventtime=%d tz="+0100" srcip=%s srcport=%d srcintf="internal" srcintfrole="lan" '
            'dstip=%s dstport=%d dstintf="wan1" dstintfrole="wan" sessionid=%d proto=%d '
            'action="%s" policyid=%d policytype="policy" service="%s" dstcountry="%s" '
            'srccountry="Reserved" trandisp="snat" transip=193.27.14.66 transport=%d '
            'duration=%d sentbyte=%d rcvdbyte=%d sentpkt=%d rcvdpkt=%d appcat="unscanned"\n') % (
            ns, src, sport, dst, port, r.randrange(1000000, 9000000), proto, act,
            r.randrange(1, 40), svc, r.choice(COUNTRIES), sport, r.randrange(0, 600),
            r.randrange(40, 100000), r.randrange(40, 2000000), r.randrange(1, 200),
            r.randrange(1, 2000))
    if k < 0.97:
        return head + (
            'logid="0100032001" type="event" subtype="system" level="information" vd="root" '
            'eventtime=%d tz="+0100" logdesc="Admin login successful" sn="%d" user="admin%d" '
            'ui="https(10.20.1.%d)" method="https" srcip=10.20.1.%d dstip=10.20.0.1 action="login" '
            'status="success" reason="none" profile="super_admin" msg="Administrator admin%d logged in '
            'successfully from https(10.20.1.%d)"\n') % (
            ns, r.randrange(10**9), r.randrange(5), r.randrange(254), r.randrange(254),
            r.randrange(5), r.randrange(254))
    return head + (
        'logid="0419016384" type="utm" subtype="ips" eventtype="signature" level="alert" vd="root" '
        'eventtime=%d tz="+0100" severity="high" srcip=%d.%d.%d.%d srccountry="%s" dstip=10.20.0.%d '
        'srcintf="wan1" dstintf="internal" sessionid=%d action="dropped" proto=6 service="HTTPS" '
        'policyid=3 attack="Apache.Log4j.Error.Log.Remote.Code.Execution" srcport=%d dstport=443 '
        'direction="outgoing" attackid=51006 profile="default" ref="http://www.fortinet.com/ids/VID51006" '
        'incidentserialno=%d msg="applications3: Apache.Log4j.Error.Log.Remote.Code.Execution"\n') % (
        ns, r.randrange(1, 223), r.randrange(256), r.randrange(256), r.randrange(254),
        r.choice(COUNTRIES), r.randrange(254), r.randrange(10**7), r.randrange(1024, 65536),
        r.randrange(10**9))


def fortigate_syslog_line(r, t):
    s = fortigate_line(r, t)
    lt = time.localtime(int(t))
    name = s.split('devname="', 1)[1].split('"', 1)[0]
    stamp = time.strftime("%b ", lt) + ("%2d" % lt.tm_mday) + time.strftime(" %H:%M:%S", lt)
    return "%s %s %s" % (stamp, name, s[len("<189>"):])


def main():
    global BSD
    kind, out, size_mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
    BSD = kind == "netfilter-bsd"
    r = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 7)
    line = {"netfilter": netfilter_line, "netfilter-bsd": netfilter_line, "fortigate": fortigate_line,
            "fortigate-syslog": fortigate_syslog_line}[kind]
    limit = size_mb << 20
    t = 1773378445.0  # 2026-03-13, like the samples
    n = 0
    with open(out, "w", buffering=1 << 20) as f:
        buf = []
        size = 0
        while n < limit:
            t += r.random() * 0.02
            s = line(r, t)
            buf.append(s)
            size += len(s)
            if len(buf) >= 10000:
                f.write("".join(buf))
                buf.clear()
                n = size
        f.write("".join(buf))
    print("%s: %d bytes" % (out, size))


if __name__ == "__main__":
    main()
