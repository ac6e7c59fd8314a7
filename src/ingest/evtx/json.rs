//! Flattens the evtx crate's compact JSON of one record into `(name, value)` pairs without
//! building a `serde_json::Value`: a visitor walks the document and hands each scalar leaf
//! to a callback with a field name chosen as below.
//!
//! Names: System leaves by element name, with attributes by attribute name except
//! `Provider@Name` → `Provider`; `EventID` with qualifiers → `EventID` + `Qualifiers`;
//! EventData `Data Name="X"` → `X`; unnamed Data and repeated names → `Data`, `Data_1`, …;
//! UserData leaves by their element name.

mod fast;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// Receives each leaf: (section, name, value). Section is `System`, `EventData`, `UserData`
/// or another top-level element name.
pub trait Sink {
    fn leaf(&mut self, section: &str, name: &str, value: &str);
}

struct Walk<'s, 'de, S: Sink> {
    sink: &'s mut S,
    /// Path of element names below `Event`, borrowed from the JSON where possible.
    path: Vec<Cow<'de, str>>,
}

impl<S: Sink> Walk<'_, '_, S> {
    fn emit(&mut self, value: &str) {
        if let Some((section, name)) = leaf_at(&self.path) {
            self.sink.leaf(section, name, value);
        }
    }
}

/// The section and name of a leaf at `path` (element names below `Event`), or `None`
/// when it is no field. The name is the last path component that is not `#text`; for an
/// attribute, the element it belongs to is two components up.
fn leaf_at<'p, 'de>(path: &'p [Cow<'de, str>]) -> Option<(&'p Cow<'de, str>, &'p Cow<'de, str>)> {
    const PROVIDER: &Cow<'static, str> = &Cow::Borrowed("Provider");
    let section = path.get(1)?;
    let mut it = path.iter().rev().filter(|c| *c != "#text");
    let mut name = it.next()?;
    let attr_of = match it.next() {
        Some(c) if c == "#attributes" => it.next(),
        _ => None,
    };
    if section == "System" && attr_of.is_some_and(|a| a == "Provider") && name == "Name" {
        name = PROVIDER;
    }
    if name == "xmlns" || section.is_empty() || name.is_empty() {
        return None;
    }
    Some((section, name))
}

struct Node<'w, 's, 'de, S: Sink>(&'w mut Walk<'s, 'de, S>);

impl<'de, S: Sink> DeserializeSeed<'de> for Node<'_, '_, 'de, S> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, S: Sink> Visitor<'de> for Node<'_, '_, 'de, S> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an evtx JSON record")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.0.emit(v);
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.0.emit(if v { "true" } else { "false" });
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.0.emit(itoa::Buffer::new().format(v));
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.0.emit(itoa::Buffer::new().format(v));
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.0.emit(&v.to_string());
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Node(&mut *self.0))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(Key)? {
            self.0.path.push(key);
            let r = map.next_value_seed(Node(&mut *self.0));
            self.0.path.pop();
            r?;
        }
        Ok(())
    }
}

/// The text `Node` emits for a number, for the scanner of `fast` (one token at a time).
struct NumText;

impl Visitor<'_> for NumText {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(itoa::Buffer::new().format(v).to_owned())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(itoa::Buffer::new().format(v).to_owned())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
}

/// A map key, borrowed from the input when it has no escapes (serde's own `Cow`
/// impl always allocates).
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

/// Walks one record's JSON (as rendered by `EvtxRecord::into_json_bytes`).
pub fn walk<S: Sink>(json: &[u8], sink: &mut S) -> Result<(), serde_json::Error> {
    // Nearly every record is read by the scanner of `fast`, which hands over to
    // serde_json whatever it does not read exactly as serde_json would.
    if let Some(leaves) = fast::leaves(json) {
        for (section, name, value) in &leaves {
            sink.leaf(section, name, value);
        }
        return Ok(());
    }
    serde_walk(json, sink)
}

/// [`walk`] through serde_json alone.
fn serde_walk<S: Sink>(json: &[u8], sink: &mut S) -> Result<(), serde_json::Error> {
    let mut w = Walk {
        sink,
        path: Vec::with_capacity(8),
    };
    let mut de = serde_json::Deserializer::from_slice(json);
    // The top level is {"Event": {...}}: start with an empty path so "Event" is path[0].
    Node(&mut w).deserialize(&mut de)?;
    de.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every leaf, copied (the scanner's tests compare with it too).
    #[derive(Default)]
    pub(super) struct Collect(pub(super) Vec<(String, String, String)>);
    impl Sink for Collect {
        fn leaf(&mut self, s: &str, n: &str, v: &str) {
            self.0.push((s.into(), n.into(), v.into()));
        }
    }

    #[test]
    fn flattens_system_and_data() {
        let j = br##"{"Event":{"#attributes":{"xmlns":"x"},"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Security-Auditing","Guid":"{g}"}},"EventID":{"#attributes":{"Qualifiers":16384},"#text":7036},"TimeCreated":{"#attributes":{"SystemTime":"2016-07-08T18:12:51.6816408Z"}},"EventRecordID":5,"Computer":"WS1","Security":{"#attributes":{"UserID":"S-1-5-18"}}},"EventData":{"TargetUserName":"bob","Data":{"#text":["a","b"]},"Binary":null},"UserData":{"LogFileCleared":{"#attributes":{"xmlns":"y"},"SubjectUserName":"eve"}}}}"##;
        let mut c = Collect::default();
        walk(j, &mut c).unwrap();
        let got: Vec<(&str, &str)> =
            c.0.iter()
                .map(|(_, n, v)| (n.as_str(), v.as_str()))
                .collect();
        assert!(got.contains(&("Provider", "Microsoft-Windows-Security-Auditing")));
        assert!(got.contains(&("Guid", "{g}")));
        assert!(got.contains(&("Qualifiers", "16384")));
        assert!(got.contains(&("EventID", "7036")));
        assert!(got.contains(&("SystemTime", "2016-07-08T18:12:51.6816408Z")));
        assert!(got.contains(&("UserID", "S-1-5-18")));
        assert!(got.contains(&("TargetUserName", "bob")));
        assert!(got.contains(&("Data", "a")) && got.contains(&("Data", "b")));
        assert!(got.contains(&("SubjectUserName", "eve")));
        assert!(!got.iter().any(|(n, _)| *n == "xmlns"));
        assert_eq!(
            c.0.iter().find(|x| x.1 == "SubjectUserName").unwrap().0,
            "UserData"
        );
    }
}
