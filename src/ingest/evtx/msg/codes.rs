//! Code tables responders need to read Windows events: logon types, NTSTATUS failure
//! reasons, Kerberos result codes and encryption types, message-table tokens.

/// A number as Windows logs render it: `0xc000006d`, `0XC000006D` or decimal.
pub fn parse_num(s: &str) -> Option<u64> {
    let s = s.trim();
    match s.get(..2) {
        Some("0x" | "0X") => u64::from_str_radix(s.get(2..)?, 16).ok(),
        _ => s.parse().ok(),
    }
}

pub fn logon_type(t: u64) -> &'static str {
    match t {
        0 => "system",
        2 => "interactive",
        3 => "network",
        4 => "batch",
        5 => "service",
        7 => "unlock",
        8 => "network cleartext",
        9 => "new credentials",
        10 => "remote interactive",
        11 => "cached interactive",
        12 => "cached remote interactive",
        13 => "cached unlock",
        _ => "unknown",
    }
}

/// NTSTATUS values seen in 4625 Status/SubStatus, 4776 and 4689.
pub fn ntstatus(code: u64) -> Option<&'static str> {
    Some(match code {
        0 => "success",
        0xC000_005E => "no logon servers available",
        0xC000_0064 => "user name does not exist",
        0xC000_006A => "bad password",
        0xC000_006D => "bad user name or password",
        0xC000_006E => "account restriction",
        0xC000_006F => "logon outside allowed hours",
        0xC000_0070 => "workstation restriction",
        0xC000_0071 => "password expired",
        0xC000_0072 => "account disabled",
        0xC000_009A => "insufficient system resources",
        0xC000_00DC => "SAM server in wrong state",
        0xC000_0133 => "clock skew with DC",
        0xC000_015B => "logon type not granted",
        0xC000_018C => "domain trust failed",
        0xC000_0192 => "Netlogon service not started",
        0xC000_0193 => "account expired",
        0xC000_0224 => "password must change",
        0xC000_0225 => "Windows bug, not a risk",
        0xC000_0234 => "account locked out",
        0xC000_02EE => "unknown failure",
        0xC000_0371 => "local account store lacks secret",
        0xC000_0413 => "authentication firewall: machine not allowed",
        _ => return None,
    })
}

/// Kerberos result codes of 4768/4769/4771 (RFC 4120 §7.5.9).
pub fn kerberos(code: u64) -> Option<&'static str> {
    Some(match code {
        0x0 => "success",
        0x6 => "KDC_ERR_C_PRINCIPAL_UNKNOWN (unknown user)",
        0x7 => "KDC_ERR_S_PRINCIPAL_UNKNOWN (unknown service)",
        0xC => "KDC_ERR_POLICY (logon restriction)",
        0xE => "KDC_ERR_ETYPE_NOSUPP (encryption type not supported)",
        0x12 => "KDC_ERR_CLIENT_REVOKED (account disabled, expired or locked)",
        0x17 => "KDC_ERR_KEY_EXPIRED (password expired)",
        0x18 => "KDC_ERR_PREAUTH_FAILED (bad password)",
        0x19 => "KDC_ERR_PREAUTH_REQUIRED",
        0x1B => "KDC_ERR_MUST_USE_USER2USER",
        0x1F => "KRB_AP_ERR_BAD_INTEGRITY",
        0x20 => "KRB_AP_ERR_TKT_EXPIRED",
        0x22 => "KRB_AP_ERR_REPEAT (replay)",
        0x25 => "KRB_AP_ERR_SKEW (clock skew)",
        0x29 => "KRB_AP_ERR_MODIFIED",
        0x3C => "KRB_ERR_GENERIC",
        0x44 => "KDC_ERR_WRONG_REALM",
        _ => return None,
    })
}

/// Ticket encryption types; RC4 on a service ticket is the classic Kerberoasting sign.
pub fn ticket_enc(code: u64) -> Option<&'static str> {
    Some(match code {
        0x1 => "DES-CBC-CRC",
        0x3 => "DES-CBC-MD5",
        0x11 => "AES128",
        0x12 => "AES256",
        0x17 => "RC4",
        0x18 => "RC4-EXP",
        _ => return None,
    })
}

/// Service start types as numbers (4697) or the names 7045/7040 already carry.
pub fn start_type(s: &str) -> &str {
    match parse_num(s) {
        Some(0) => "boot start",
        Some(1) => "system start",
        Some(2) => "auto start",
        Some(3) => "demand start",
        Some(4) => "disabled",
        _ => s,
    }
}

/// Message-table tokens (`%%1842`) that matter in the templates.
pub fn token(s: &str) -> Option<&'static str> {
    Some(match s.trim() {
        "%%1537" => "DELETE",
        "%%1538" => "READ_CONTROL",
        "%%1539" => "WRITE_DAC",
        "%%1540" => "WRITE_OWNER",
        "%%1541" => "SYNCHRONIZE",
        "%%4416" => "ReadData",
        "%%4417" => "WriteData",
        "%%4418" => "AppendData",
        "%%4419" => "ReadEA",
        "%%4420" => "WriteEA",
        "%%4421" => "Execute",
        "%%4423" => "ReadAttributes",
        "%%4424" => "WriteAttributes",
        "%%1936" => "full token (UAC off)",
        "%%1937" => "elevated",
        "%%1938" => "limited",
        "%%1842" => "yes",
        "%%1843" => "no",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_windows_forms() {
        assert_eq!(parse_num("0xc000006d"), Some(0xC000_006D));
        assert_eq!(parse_num("0XC000006D"), Some(0xC000_006D));
        assert_eq!(parse_num(" 3 "), Some(3));
        assert_eq!(parse_num("0x"), None);
        assert_eq!(parse_num("-"), None);
        assert_eq!(parse_num("0xé"), None);
        assert_eq!(
            ntstatus(parse_num("0xC0000234").unwrap_or(0)),
            Some("account locked out")
        );
        assert_eq!(start_type("2"), "auto start");
        assert_eq!(start_type("demand start"), "demand start");
    }
}
