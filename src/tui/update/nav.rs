//! Moving a selection through a list: the one implementation behind the table, the
//! detail pane, help, the annotation list, the pivot picker and the kind picker.

/// A movement, named as in the keymap (`down`, `page_up`, …) in every layer that has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nav {
    Down,
    Up,
    PageDown,
    PageUp,
    HalfDown,
    HalfUp,
    First,
    Last,
}

impl Nav {
    /// The movement's name in `assets/keymap.txt`, the same in every layer.
    pub const fn key(self) -> &'static str {
        match self {
            Nav::Down => "down",
            Nav::Up => "up",
            Nav::PageDown => "page_down",
            Nav::PageUp => "page_up",
            Nav::HalfDown => "half_down",
            Nav::HalfUp => "half_up",
            Nav::First => "first",
            Nav::Last => "last",
        }
    }

    /// The new selection in a list of `len` items showing `page` at a time (clamped).
    pub fn apply(self, sel: usize, len: usize, page: usize) -> usize {
        let page = page.max(1);
        let last = len.saturating_sub(1);
        let sel = match self {
            Nav::Down => sel.saturating_add(1),
            Nav::Up => sel.saturating_sub(1),
            Nav::PageDown => sel.saturating_add(page),
            Nav::PageUp => sel.saturating_sub(page),
            Nav::HalfDown => sel.saturating_add((page / 2).max(1)),
            Nav::HalfUp => sel.saturating_sub((page / 2).max(1)),
            Nav::First => 0,
            Nav::Last => last,
        };
        sel.min(last)
    }

    /// As `apply`, but one step past either end wraps around (short pickers).
    pub fn apply_wrapping(self, sel: usize, len: usize, page: usize) -> usize {
        match self {
            Nav::Down if len > 0 && sel + 1 >= len => 0,
            Nav::Up if len > 0 && sel == 0 => len - 1,
            _ => self.apply(sel, len, page),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Nav;

    #[test]
    fn moves_clamp_and_wrap() {
        assert_eq!(Nav::Down.apply(3, 5, 2), 4);
        assert_eq!(Nav::Down.apply(4, 5, 2), 4);
        assert_eq!(Nav::Up.apply(0, 5, 2), 0);
        assert_eq!(Nav::PageDown.apply(1, 100, 20), 21);
        assert_eq!(Nav::PageUp.apply(5, 100, 20), 0);
        assert_eq!(Nav::HalfDown.apply(0, 100, 21), 10);
        assert_eq!(Nav::HalfUp.apply(0, 100, 1), 0);
        assert_eq!(Nav::Last.apply(0, 100, 1), 99);
        assert_eq!(Nav::First.apply(50, 100, 1), 0);
        assert_eq!(Nav::Last.apply(0, 0, 1), 0, "an empty list stays at 0");
        assert_eq!(Nav::Down.apply_wrapping(7, 8, 1), 0);
        assert_eq!(Nav::Up.apply_wrapping(0, 8, 1), 7);
        assert_eq!(Nav::Down.apply_wrapping(2, 8, 1), 3);
    }
}
