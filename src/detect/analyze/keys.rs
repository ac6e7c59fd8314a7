//! The scan's map keys, looked up without allocating: the per-event path borrows its
//! strings and copies them only when a key is new (most events repeat a key), and each
//! host name is folded once per block rather than once per event.

use super::{host_key, host_short};
use hashbrown::Equivalent;
use rustc_hash::FxHashMap;
use std::fmt::Write;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;

/// A map whose owned tuple keys can be found by their borrowed form.
pub(crate) type Map<K, V> = hashbrown::HashMap<K, V, rustc_hash::FxBuildHasher>;

/// `(kind, host key, value)` or `(source, from, destination)` borrowed; hashes as the
/// owned tuple does.
pub(super) struct Key3<'a, A>(pub A, pub &'a str, pub &'a str);

impl<A: Hash + Copy> Hash for Key3<'_, A> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        (self.0, self.1, self.2).hash(h);
    }
}

impl<A: PartialEq> Equivalent<(A, String, String)> for Key3<'_, A> {
    fn equivalent(&self, k: &(A, String, String)) -> bool {
        self.0 == k.0 && self.1 == k.1 && self.2 == k.2
    }
}

/// `(host key, where from)` borrowed.
pub(super) struct PairKey<'a>(pub &'a str, pub &'a str);

impl Hash for PairKey<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        (self.0, self.1).hash(h);
    }
}

impl Equivalent<(String, String)> for PairKey<'_> {
    fn equivalent(&self, k: &(String, String)) -> bool {
        self.0 == k.0 && self.1 == k.1
    }
}

/// Host names as the events give them → (host key, short name), for one block.
#[derive(Default)]
pub(super) struct Hosts(FxHashMap<String, (String, String)>);

impl Hosts {
    /// `host_key` and `host_short` of `raw`, computed the first time it is seen.
    pub fn names(&mut self, raw: &str) -> (&str, &str) {
        if !self.0.contains_key(raw) {
            self.0
                .insert(raw.to_owned(), (host_key(raw), host_short(raw)));
        }
        match self.0.get(raw) {
            Some((k, s)) => (k, s),
            None => ("", ""),
        }
    }
}

/// Appends `ip` as `to_string` writes it; an IPv4 address without the formatter (every
/// connection's addresses are written for its key).
pub(super) fn push_ip(out: &mut String, ip: IpAddr) {
    match ip {
        IpAddr::V4(v) => {
            for (n, o) in v.octets().into_iter().enumerate() {
                if n > 0 {
                    out.push('.');
                }
                out.push_str(itoa::Buffer::new().format(o));
            }
        }
        IpAddr::V6(v) => {
            let _ = write!(out, "{v}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::analyze::Kind;
    use std::hash::BuildHasher;

    #[test]
    fn borrowed_keys_hash_and_compare_as_the_owned_ones() {
        let b = rustc_hash::FxBuildHasher;
        let owned = (Kind::FirstTask, "ws-01".to_owned(), "\\Updater".to_owned());
        let key = Key3(Kind::FirstTask, "ws-01", "\\Updater");
        assert_eq!(b.hash_one(&owned), b.hash_one(&key));
        assert!(key.equivalent(&owned));
        assert!(!Key3(Kind::FirstService, "ws-01", "\\Updater").equivalent(&owned));
        // The split between the two strings counts: ("ab", "c") is not ("a", "bc").
        let conn = (3u16, "ab".to_owned(), "c".to_owned());
        assert_eq!(b.hash_one(&conn), b.hash_one(Key3(3u16, "ab", "c")));
        assert!(!Key3(3, "a", "bc").equivalent(&conn));
        let pair = ("dc-01".to_owned(), "10.0.0.5".to_owned());
        assert_eq!(b.hash_one(&pair), b.hash_one(PairKey("dc-01", "10.0.0.5")));
        let mut m: Map<(u16, String, String), u32> = Map::default();
        m.insert(conn.clone(), 7);
        assert_eq!(m.get(&Key3(3, "ab", "c")), Some(&7));
        assert_eq!(m.get(&Key3(3, "a", "bc")), None);
    }

    #[test]
    fn addresses_are_written_as_to_string_does() {
        for a in [
            "0.0.0.0",
            "10.0.0.5",
            "255.255.255.255",
            "8.8.4.4",
            "::1",
            "2001:db8::ff00:42:8329",
            "::ffff:1.2.3.4",
        ] {
            let ip: IpAddr = a.parse().unwrap();
            let mut out = "x".to_owned();
            push_ip(&mut out, ip);
            assert_eq!(out, format!("x{ip}"));
        }
    }

    #[test]
    fn host_names_fold_once_and_match_the_functions() {
        let mut h = Hosts::default();
        for raw in ["WS-01.corp.local", " 10.1.2.3 ", "WS-01.corp.local", ""] {
            let (k, s) = h.names(raw);
            assert_eq!((k, s), (host_key(raw).as_str(), host_short(raw).as_str()));
        }
        assert_eq!(h.0.len(), 3);
    }
}
