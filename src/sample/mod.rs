//! `vigil sample`: a deterministic ransomware-incident corpus (EVTX, firewall, EDR) with
//! its ground truth, and the EVTX writer it needs.

pub mod binxml;
pub mod evtx_writer;
