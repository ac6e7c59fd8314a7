//! `commands!`: a layer's command enum and its keymap names, declared once.
//!
//! Every layer had the same two blocks: an enum and a table naming each variant as
//! `assets/keymap.txt` spells it, with the list movements written out again in eight files.
//! The macro writes both from one list; `with [Down, Up, …]` adds a `Nav(Nav)` variant with
//! those movements under their shared names (`Nav::key`).
//!
//! ```ignore
//! commands! {
//!     pub enum ListCmd in List with [Down, Up, PageDown, PageUp, First, Last] {
//!         Go = "go", Edit = "edit", Close = "close",
//!         Pick(Severity) [Severity::Low => "low", Severity::High => "high"],
//!     }
//! }
//! ```

/// Declares `enum $name` (Clone, Copy, Debug, PartialEq, Eq) and its `Command` impl for
/// `Layer::$layer`. Variants are `Name = "key"` or `Name(Type) [value => "key", …]`.
macro_rules! commands {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident in $layer:ident $(with [$($nav:ident),* $(,)?])? {
            $(
                $(#[$vmeta:meta])*
                $var:ident $(($ty:ty) [$($arg:expr => $argkey:literal),* $(,)?])? $(= $key:literal)?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name {
            $(Nav($crate::tui::commands::nav_type!($($nav)*)),)?
            $($(#[$vmeta])* $var $(($ty))?,)*
        }

        impl $crate::tui::keymap::Command for $name {
            const LAYER: $crate::tui::keymap::Layer = $crate::tui::keymap::Layer::$layer;
            const ALL: &'static [(Self, &'static str)] = &[
                $($(
                    (
                        $name::Nav($crate::tui::update::nav::Nav::$nav),
                        $crate::tui::update::nav::Nav::$nav.key(),
                    ),
                )*)?
                $(
                    $($(($name::$var($arg), $argkey),)*)?
                    $(($name::$var, $key),)?
                )*
            ];
        }
    };
}

/// The `Nav` type, named where the macro repeats over the movements but wants it once.
macro_rules! nav_type {
    ($($t:tt)*) => {
        $crate::tui::update::nav::Nav
    };
}

pub(crate) use {commands, nav_type};

#[cfg(test)]
mod tests {
    use crate::tui::keymap::{Command, Layer};
    use crate::tui::update::nav::Nav;

    commands! {
        enum Demo in Help with [Down, Last] {
            /// A documented variant.
            Close = "close",
            Pick(u8) [1 => "one", 2 => "two"],
        }
    }

    #[test]
    fn table_names_every_variant_in_order() {
        assert_eq!(Demo::LAYER, Layer::Help);
        let names: Vec<&str> = Demo::ALL.iter().map(|(_, n)| *n).collect();
        assert_eq!(names, ["down", "last", "close", "one", "two"]);
        assert_eq!(Demo::ALL[0].0, Demo::Nav(Nav::Down));
        assert_eq!(Demo::ALL[4].0, Demo::Pick(2));
    }
}
