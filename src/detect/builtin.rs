//! vigil's own Sigma rules (`assets/rules`, written for vigil, author `vigil`), embedded.

/// `(file name, YAML)`; a test checks that every file of `assets/rules` is listed.
pub const RULES: &[(&str, &str)] = &[
    (
        "file_event_ransom_extension.yml",
        include_str!("../../assets/rules/file_event_ransom_extension.yml"),
    ),
    (
        "net_connection_firewall_admin_ports.yml",
        include_str!("../../assets/rules/net_connection_firewall_admin_ports.yml"),
    ),
    (
        "proc_access_lsass.yml",
        include_str!("../../assets/rules/proc_access_lsass.yml"),
    ),
    (
        "proc_creation_clear_log_cli.yml",
        include_str!("../../assets/rules/proc_creation_clear_log_cli.yml"),
    ),
    (
        "proc_creation_comsvcs_minidump.yml",
        include_str!("../../assets/rules/proc_creation_comsvcs_minidump.yml"),
    ),
    (
        "proc_creation_defender_disable.yml",
        include_str!("../../assets/rules/proc_creation_defender_disable.yml"),
    ),
    (
        "proc_creation_domain_discovery.yml",
        include_str!("../../assets/rules/proc_creation_domain_discovery.yml"),
    ),
    (
        "proc_creation_encoded_powershell.yml",
        include_str!("../../assets/rules/proc_creation_encoded_powershell.yml"),
    ),
    (
        "proc_creation_exfil_tool.yml",
        include_str!("../../assets/rules/proc_creation_exfil_tool.yml"),
    ),
    (
        "proc_creation_lsass_dump_tool.yml",
        include_str!("../../assets/rules/proc_creation_lsass_dump_tool.yml"),
    ),
    (
        "proc_creation_office_child_shell.yml",
        include_str!("../../assets/rules/proc_creation_office_child_shell.yml"),
    ),
    (
        "proc_creation_psexec_child.yml",
        include_str!("../../assets/rules/proc_creation_psexec_child.yml"),
    ),
    (
        "proc_creation_shadow_copy_deletion.yml",
        include_str!("../../assets/rules/proc_creation_shadow_copy_deletion.yml"),
    ),
    (
        "ps_script_download_cradle.yml",
        include_str!("../../assets/rules/ps_script_download_cradle.yml"),
    ),
    (
        "registry_set_defender_disable.yml",
        include_str!("../../assets/rules/registry_set_defender_disable.yml"),
    ),
    (
        "security_admin_group_add.yml",
        include_str!("../../assets/rules/security_admin_group_add.yml"),
    ),
    (
        "security_failed_network_logon.yml",
        include_str!("../../assets/rules/security_failed_network_logon.yml"),
    ),
    (
        "security_log_cleared.yml",
        include_str!("../../assets/rules/security_log_cleared.yml"),
    ),
    (
        "security_task_created_odd_path.yml",
        include_str!("../../assets/rules/security_task_created_odd_path.yml"),
    ),
    (
        "security_user_created.yml",
        include_str!("../../assets/rules/security_user_created.yml"),
    ),
    (
        "system_log_cleared.yml",
        include_str!("../../assets/rules/system_log_cleared.yml"),
    ),
    (
        "system_psexec_service_install.yml",
        include_str!("../../assets/rules/system_psexec_service_install.yml"),
    ),
    (
        "system_service_odd_path.yml",
        include_str!("../../assets/rules/system_service_odd_path.yml"),
    ),
    (
        "windefend_rtp_disabled.yml",
        include_str!("../../assets/rules/windefend_rtp_disabled.yml"),
    ),
];

#[cfg(test)]
mod tests {
    #[test]
    fn every_rule_file_is_embedded() {
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/rules"));
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let listed: Vec<&str> = super::RULES.iter().map(|r| r.0).collect();
        assert_eq!(files, listed);
    }
}
