//! Where in a TOML file a field is, so that an error about its value can name the line,
//! and where a misplaced key belongs.

use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue};

/// 1-based line and column of byte `offset` in `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Line and column of the value of `field` (`train.lr`, `acts[1]`,
/// `activation[0].params.k`) in the TOML `text` (of the array when the index is beyond
/// it); `None` when the file does not write the field.
pub fn locate(text: &str, field: &str) -> Option<(usize, usize)> {
    let root = DeTable::parse(text).ok()?;
    let mut span = None;
    let mut table = Some(root.get_ref());
    for segment in field.split('.') {
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (segment, None),
        };
        let (_, found) = table?.iter().find(|(key, _)| key.get_ref() == name)?;
        span = Some(found.span());
        let mut value = found.get_ref();
        if let (Some(i), DeValue::Array(items)) = (index, value)
            && let Some(item) = items.get(i)
        {
            span = Some(item.span());
            value = item.get_ref();
        }
        table = match value {
            DeValue::Table(t) => Some(t),
            _ => None,
        };
    }
    span.map(|s| line_column(text, s.start))
}

/// The fields of a struct that serde reads, as its "unknown field" error lists them.
pub(crate) fn fields_of<T: DeserializeOwned>() -> Vec<String> {
    let Err(e) = toml::from_str::<T>("__no_such_field__ = 0") else {
        return Vec::new();
    };
    let message = e.message().to_string();
    let Some((_, expected)) = message.split_once("expected one of") else {
        return Vec::new();
    };
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// For a parser message about an unknown field that belongs in another of `tables`
/// (each a table's name and its fields, as [`fields_of`] lists them), where it goes.
pub(crate) fn misplaced_hint(message: &str, tables: &[(&str, Vec<String>)]) -> Option<String> {
    let unknown = message.strip_prefix("unknown field `")?.split('`').next()?;
    let in_table = tables
        .iter()
        .find(|(_, fields)| fields.iter().any(|f| f == unknown))?;
    // Only a hint when the key is not where it belongs already (the message's own list
    // of expected fields is that table's).
    if in_table
        .1
        .iter()
        .all(|f| message.contains(&format!("`{f}`")))
    {
        return None;
    }
    Some(format!("`{unknown}` belongs in {}", in_table.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_found_where_they_are_written() {
        let text = "name = \"x\"\nacts = [\"ReLU\", \"Tanh\"]\n[train]\nlr = -0.1\n[[activation]]\nname = \"M\"\nexpr = \"x +\"\nparams = { k = 1.0 }\n";
        assert_eq!(locate(text, "train.lr"), Some((4, 6)));
        assert_eq!(locate(text, "acts[1]"), Some((2, 17)));
        assert_eq!(locate(text, "activation[0].expr"), Some((7, 8)));
        assert_eq!(locate(text, "activation[0].params.k"), Some((8, 16)));
        assert_eq!(locate(text, "train.epochs"), None);
        assert_eq!(locate(text, "seeds"), None);
    }
}
