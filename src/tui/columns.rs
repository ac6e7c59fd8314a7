//! Which optional columns the table shows (the chooser `C`, `:cols`, saved in the case
//! view) and what the relative-time column measures from. Time and message always show.

/// An optional column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Source,
    Host,
    Id,
    Rel,
}

impl Column {
    pub const ALL: [Column; 4] = [Column::Source, Column::Host, Column::Id, Column::Rel];

    /// As written in `:cols` and in the case file.
    pub fn name(self) -> &'static str {
        match self {
            Column::Source => "source",
            Column::Host => "host",
            Column::Id => "id",
            Column::Rel => "rel",
        }
    }

    /// For the chooser.
    pub fn label(self) -> &'static str {
        match self {
            Column::Source => "source (a short tag; S lists them)",
            Column::Host => "host",
            Column::Id => "event id / action",
            Column::Rel => "relative time (since the previous row or an annotation)",
        }
    }

    fn from_name(s: &str) -> Option<Column> {
        match s.to_ascii_lowercase().as_str() {
            "source" | "src" => Some(Column::Source),
            "host" => Some(Column::Host),
            "id" | "event_id" | "tag" => Some(Column::Id),
            "rel" | "relative" | "delta" => Some(Column::Rel),
            _ => None,
        }
    }
}

/// The optional columns switched on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnSet {
    pub source: bool,
    pub host: bool,
    pub id: bool,
    pub rel: bool,
}

impl Default for ColumnSet {
    fn default() -> Self {
        ColumnSet {
            source: true,
            host: true,
            id: true,
            rel: false,
        }
    }
}

/// A column name that `:cols` does not know.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown column {0:?} (columns: source, host, id, rel; time and message always show)")]
pub struct UnknownColumn(pub String);

impl ColumnSet {
    pub fn get(&self, c: Column) -> bool {
        match c {
            Column::Source => self.source,
            Column::Host => self.host,
            Column::Id => self.id,
            Column::Rel => self.rel,
        }
    }

    pub fn set(&mut self, c: Column, on: bool) {
        match c {
            Column::Source => self.source = on,
            Column::Host => self.host = on,
            Column::Id => self.id = on,
            Column::Rel => self.rel = on,
        }
    }

    /// `time,source,host,id,message` style: the columns shown, in table order.
    pub fn to_text(self) -> String {
        let mut v = vec!["time"];
        v.extend(
            Column::ALL
                .iter()
                .filter(|c| self.get(**c))
                .map(|c| c.name()),
        );
        v.push("message");
        v.join(",")
    }

    /// The columns named in `text` (comma or space separated; `time` and `message` are
    /// accepted and always shown). An unknown name is an error naming it.
    pub fn parse(text: &str) -> Result<ColumnSet, UnknownColumn> {
        let mut set = ColumnSet {
            source: false,
            host: false,
            id: false,
            rel: false,
        };
        for name in text
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            if matches!(
                name.to_ascii_lowercase().as_str(),
                "time" | "message" | "msg"
            ) {
                continue;
            }
            match Column::from_name(name) {
                Some(c) => set.set(c, true),
                None => return Err(UnknownColumn(name.to_owned())),
            }
        }
        Ok(set)
    }
}

/// What the relative-time column measures from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RelFrom {
    /// The row above.
    #[default]
    Previous,
    /// An annotation's event (the last one jumped to, else the first early-detection
    /// point).
    Annotation,
}

/// `+1.234s`, `+12.3s`, `+3m04s`, `-2h05m`, `+4d01h`: at most seven characters up to
/// 99 days.
pub fn rel_text(ns: i64) -> String {
    let sign = if ns < 0 { '-' } else { '+' };
    let a = ns.unsigned_abs();
    const S: u64 = 1_000_000_000;
    let secs = a / S;
    match secs {
        0..10 => format!("{sign}{}.{:03}s", secs, (a % S) / 1_000_000),
        10..60 => format!("{sign}{}.{}s", secs, (a % S) / 100_000_000),
        60..3_600 => format!("{sign}{}m{:02}s", secs / 60, secs % 60),
        3_600..86_400 => format!("{sign}{}h{:02}m", secs / 3_600, secs % 3_600 / 60),
        86_400..8_640_000 => format!("{sign}{}d{:02}h", secs / 86_400, secs % 86_400 / 3_600),
        _ => format!("{sign}{}d", secs / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_sets_round_trip_and_refuse_unknown_names() {
        let d = ColumnSet::default();
        assert_eq!(d.to_text(), "time,source,host,id,message");
        assert_eq!(ColumnSet::parse(&d.to_text()), Ok(d));
        let s = ColumnSet::parse("time host, rel msg").unwrap();
        assert!(s.host && s.rel && !s.source && !s.id);
        assert_eq!(s.to_text(), "time,host,rel,message");
        let e = ColumnSet::parse("host,colour").unwrap_err();
        assert_eq!(e, UnknownColumn("colour".into()));
        assert!(e.to_string().contains("\"colour\""), "{e}");
    }

    #[test]
    fn relative_times_fit_seven_characters() {
        let s = 1_000_000_000i64;
        assert_eq!(rel_text(0), "+0.000s");
        assert_eq!(rel_text(1_234_000_000), "+1.234s");
        assert_eq!(rel_text(12 * s + 345_000_000), "+12.3s");
        assert_eq!(rel_text(-(184 * s)), "-3m04s");
        assert_eq!(rel_text(2 * 3600 * s + 5 * 60 * s), "+2h05m");
        assert_eq!(rel_text(4 * 86_400 * s + 3600 * s), "+4d01h");
        assert_eq!(rel_text(400 * 86_400 * s), "+400d");
        for ns in [
            0,
            9_999_999_999,
            59 * s,
            3599 * s,
            86_399 * s,
            99 * 86_400 * s,
        ] {
            assert!(rel_text(ns).chars().count() <= 7, "{}", rel_text(ns));
            assert!(rel_text(-ns).chars().count() <= 7, "{}", rel_text(-ns));
        }
    }
}
