//! PAN-OS CSV column names by position, per log type (the PAN-OS syslog field
//! descriptions, 10.x–11.x). A layout is a list of parts: the session log types (traffic,
//! threat, decryption, tunnel, SCTP, GTP) share their first 31 columns.

/// Column names of one log type, in parts read one after the other.
pub(super) type Layout = &'static [&'static [&'static str]];

/// The layout of log type `ty` (the fourth column); `None` for types read by position.
pub(super) fn layout(ty: &[u8]) -> Option<Layout> {
    Some(match ty {
        b"TRAFFIC" => TRAFFIC,
        b"THREAT" => THREAT,
        b"SYSTEM" => SYSTEM,
        b"CONFIG" => CONFIG,
        b"GLOBALPROTECT" => GLOBALPROTECT,
        b"USERID" => USERID,
        b"IPTAG" => IPTAG,
        b"HIPMATCH" | b"HIP-MATCH" => HIPMATCH,
        b"AUTHENTICATION" | b"AUTH" => AUTH,
        b"DECRYPTION" => DECRYPTION,
        // Tunnel inspection logs say their session stage in the type column.
        b"TUNNEL" | b"START" | b"END" => TUNNEL,
        b"GTP" => GTP,
        b"SCTP" => SCTP,
        b"CORRELATION" => CORRELATION,
        _ => return None,
    })
}

/// Name of column `i` of `l`.
pub(super) fn nth(l: Layout, mut i: usize) -> Option<&'static str> {
    for part in l {
        match part.get(i) {
            Some(n) => return Some(n),
            None => i -= part.len(),
        }
    }
    None
}

/// Position of column `name` in `l`.
pub(super) fn index(l: Layout, name: &str) -> Option<usize> {
    let mut base = 0;
    for part in l {
        if let Some(i) = part.iter().position(|n| *n == name) {
            return Some(base + i);
        }
        base += part.len();
    }
    None
}

/// Name of column `i` past the known ones (and of every column of other log types):
/// `field_<i>`, made once.
pub(super) fn generic(i: usize) -> &'static str {
    static NAMES: std::sync::LazyLock<Vec<String>> =
        std::sync::LazyLock::new(|| (0..160).map(|i| format!("field_{i}")).collect());
    NAMES.get(i).map_or("field", String::as_str)
}

/// The first columns of every log type.
#[rustfmt::skip]
const HEAD: &[&str] = &[
    "future_use1", "receive_time", "serial", "type", "subtype", "future_use2",
    "time_generated",
];

/// Columns 7..=30 of the session log types.
#[rustfmt::skip]
const SESSION: &[&str] = &[
    "src", "dst", "natsrc", "natdst", "rule", "srcuser", "dstuser", "app", "vsys", "from",
    "to", "inbound_if", "outbound_if", "logset", "future_use3", "sessionid", "repeatcnt",
    "sport", "dport", "natsport", "natdport", "flags", "proto", "action",
];

#[rustfmt::skip]
const DG: &[&str] = &[
    "dg_hier_level_1", "dg_hier_level_2", "dg_hier_level_3", "dg_hier_level_4",
    "vsys_name", "device_name",
];

#[rustfmt::skip]
const TRAFFIC: Layout = &[HEAD, SESSION, &[
    "bytes", "bytes_sent", "bytes_received", "packets", "start", "elapsed", "category",
    "future_use4", "seqno", "actionflags", "srcloc", "dstloc", "future_use5", "pkts_sent",
    "pkts_received", "session_end_reason",
], DG, &[
    "action_source", "src_uuid", "dst_uuid", "tunnelid", "monitortag", "parent_session_id",
    "parent_start_time", "tunnel", "assoc_id", "chunks", "chunks_sent", "chunks_received",
    "rule_uuid", "http2_connection", "link_change_count", "policy_id", "link_switches",
    "sdwan_cluster", "sdwan_device_type", "sdwan_cluster_type", "sdwan_site",
    "sdwan_site_type", "session_owner", "high_res_timestamp",
]];

#[rustfmt::skip]
const THREAT: Layout = &[HEAD, SESSION, &[
    "misc", "threatid", "category", "severity", "direction", "seqno", "actionflags",
    "srcloc", "dstloc", "future_use4", "contenttype", "pcap_id", "filedigest", "cloud",
    "url_idx", "user_agent", "filetype", "xff", "referer", "sender", "subject", "recipient",
    "reportid",
], DG, &[
    "future_use5", "src_uuid", "dst_uuid", "http_method", "tunnel_id", "monitortag",
    "parent_session_id", "parent_start_time", "tunnel", "thr_category", "contentver",
    "future_use6", "assoc_id", "ppid", "http_headers", "url_category_list", "rule_uuid",
    "http2_connection", "dynusergroup_name",
]];

/// DECRYPTION (10.0+): the TLS handshake of a session and the certificate it saw.
#[rustfmt::skip]
const DECRYPTION: Layout = &[HEAD, SESSION, &[
    "tunnel", "future_use4", "future_use5", "src_uuid", "dst_uuid", "rule_uuid",
    "stage_client_fw", "stage_fw_server", "tls_version", "tls_keyxchg", "tls_enc",
    "tls_auth", "policy_name", "ec_curve", "err_index", "root_status", "chain_status",
    "proxy_type", "cert_serial", "fingerprint", "notbefore", "notafter", "cert_ver",
    "cert_size", "cn_len", "issuer_len", "rootcn_len", "sni_len", "cert_flags", "cn",
    "issuer_cn", "root_cn", "sni", "error", "container_id", "pod_namespace", "pod_name",
    "src_edl", "dst_edl", "src_dag", "dst_dag", "high_res_timestamp", "src_category",
    "src_profile", "src_model", "src_vendor", "src_osfamily", "src_osversion", "src_host",
    "src_mac", "dst_category", "dst_profile", "dst_model", "dst_vendor", "dst_osfamily",
    "dst_osversion", "dst_host", "dst_mac", "seqno", "actionflags",
], DG, &["vsys_id"]];

/// TUNNEL (tunnel inspection): a tunnel session like a traffic one, with its counters.
#[rustfmt::skip]
const TUNNEL: Layout = &[HEAD, SESSION, &[
    "severity", "seqno", "actionflags", "srcloc", "dstloc",
], DG, &[
    "tunnelid", "monitortag", "parent_session_id", "parent_start_time", "tunnel", "bytes",
    "bytes_sent", "bytes_received", "packets", "pkts_sent", "pkts_received",
    "max_encap", "unknown_proto", "strict_check", "tunnel_fragment", "sessions_created",
    "sessions_closed", "session_end_reason", "action_source", "start", "elapsed",
    "tunnel_insp_rule", "remote_user_ip", "remote_user_id", "rule_uuid", "pcap_id",
    "dynusergroup_name", "src_edl", "dst_edl", "high_res_timestamp",
]];

/// GTP (mobile network tunnels): session columns, then the GTP event.
#[rustfmt::skip]
const GTP: Layout = &[HEAD, SESSION, &[
    "event_type", "msisdn", "apn", "rat", "msg_type", "end_ip_adr", "teid1", "teid2",
    "gtp_interface", "cause_code", "severity", "mcc", "mnc", "area_code", "cell_id",
    "event_code",
]];

/// SCTP: association events.
#[rustfmt::skip]
const SCTP: Layout = &[HEAD, SESSION, DG, &[
    "vsys_id", "seqno", "future_use4", "assoc_id", "ppid", "severity", "sctp_chunk_type",
    "future_use5",
    "verif_tag_1", "verif_tag_2", "sctp_cause_code", "diam_app_id", "diam_cmd_code",
    "diam_avp_code", "stream_id", "assoc_end_reason", "op_code", "sccp_calling_ssn",
    "sccp_calling_gt", "sctp_filter", "chunks", "chunks_sent", "chunks_received",
    "packets", "pkts_sent", "pkts_received", "rule_uuid", "high_res_timestamp",
]];

/// SYSTEM: device events; `description` says what happened.
#[rustfmt::skip]
const SYSTEM: Layout = &[HEAD, &[
    "vsys", "eventid", "object", "future_use3", "future_use4", "module", "severity",
    "description", "seqno", "actionflags",
], DG];

/// CONFIG: who changed what (`admin`, `cmd`, `path`) from where (`client_host`).
#[rustfmt::skip]
const CONFIG: Layout = &[HEAD, &[
    "client_host", "vsys", "cmd", "admin", "client", "result", "path", "seqno",
    "actionflags",
]];

/// GLOBALPROTECT (9.1+): VPN portal/gateway events of a user from a public address.
#[rustfmt::skip]
const GLOBALPROTECT: Layout = &[HEAD, &[
    "vsys", "eventid", "stage", "auth_method", "tunnel_type", "srcuser", "srcregion",
    "machinename", "src", "public_ipv6", "private_ip", "private_ipv6", "hostid",
    "client_serial", "client_ver", "client_os", "client_os_ver", "repeatcnt", "reason",
    "error", "description", "status", "location", "login_duration", "connect_method",
    "error_code", "portal", "seqno", "actionflags",
]];

/// USERID: an address mapped to (or unmapped from) a user.
#[rustfmt::skip]
const USERID: Layout = &[HEAD, &[
    "vsys", "src", "srcuser", "datasourcename", "eventid", "repeatcnt", "timeout",
    "beginport", "endport", "datasource", "datasourcetype", "seqno", "actionflags",
], DG];

/// IPTAG: a tag registered on (or removed from) an address, and by whom (`datasource`).
#[rustfmt::skip]
const IPTAG: Layout = &[HEAD, &[
    "vsys", "src", "tag_name", "eventid", "repeatcnt", "timeout", "datasource",
    "datasource_type", "datasource_subtype", "seqno", "actionflags",
], DG];

/// HIP-MATCH: a GlobalProtect endpoint (`machinename`, `os`) matched a HIP object.
#[rustfmt::skip]
const HIPMATCH: Layout = &[HEAD, &[
    "srcuser", "vsys", "machinename", "os", "src", "matchname", "repeatcnt", "matchtype",
    "future_use3", "future_use4", "seqno", "actionflags",
], DG];

/// AUTHENTICATION (`AUTH` from Strata Logging Service): a user's authentication against
/// an object or server profile, and its outcome (`auth_event`).
#[rustfmt::skip]
const AUTH: Layout = &[HEAD, &[
    "vsys", "src", "srcuser", "normalize_user", "object", "authpolicy", "repeatcnt",
    "authid", "vendor", "logset", "serverprofile", "description", "clienttype",
    "auth_event", "factorno", "seqno", "actionflags",
], DG, &[
    "vsys_id", "authproto", "rule_uuid", "high_res_timestamp", "src_category",
    "src_profile", "src_model", "src_vendor", "src_osfamily", "src_osversion", "src_host",
    "src_mac", "region", "future_use3", "user_agent", "sessionid", "cluster_name",
]];

/// CORRELATION: a correlation object matched evidence about a host (`src`, `srcuser`).
#[rustfmt::skip]
const CORRELATION: Layout = &[HEAD, &[
    "src", "srcuser", "vsys", "category", "severity",
], DG, &["vsys_id", "object_name", "object_id", "evidence"]];

#[cfg(test)]
mod tests {
    use super::*;

    /// Column positions the parser depends on, per the PAN-OS field references.
    #[test]
    fn positions() {
        let at = |l, n| index(l, n);
        assert_eq!(at(TRAFFIC, "action"), Some(30));
        assert_eq!(at(TRAFFIC, "device_name"), Some(52));
        assert_eq!(at(THREAT, "device_name"), Some(59));
        assert_eq!(at(DECRYPTION, "rule_uuid"), Some(36));
        assert_eq!(at(DECRYPTION, "error"), Some(64));
        assert_eq!(at(AUTH, "auth_event"), Some(20));
        assert_eq!(at(AUTH, "device_name"), Some(29));
        assert_eq!(at(CORRELATION, "evidence"), Some(21));
        assert_eq!(at(SCTP, "high_res_timestamp"), Some(64));
        assert_eq!(at(TUNNEL, "start"), Some(61));
        assert_eq!(at(TUNNEL, "high_res_timestamp"), Some(71));
        assert_eq!(at(DECRYPTION, "device_name"), Some(96));
        for l in [
            TRAFFIC, THREAT, DECRYPTION, TUNNEL, SCTP, AUTH, SYSTEM, USERID,
        ] {
            assert_eq!(nth(l, 6), Some("time_generated"));
            let last = l.iter().map(|p| p.len()).sum::<usize>() - 1;
            assert_eq!(index(l, nth(l, last).unwrap()), Some(last));
            assert_eq!(nth(l, last + 1), None);
        }
    }
}
