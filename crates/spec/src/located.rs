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
fn fields_of<T: DeserializeOwned>() -> Vec<String> {
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

/// For a parser message about an unknown field that belongs in another table of the
/// experiment file, where it goes.
pub(crate) fn misplaced_hint(message: &str) -> Option<String> {
    let unknown = message.strip_prefix("unknown field `")?.split('`').next()?;
    let tables: [(&str, Vec<String>); 3] = [
        ("[train]", fields_of::<crate::train::TrainConfig>()),
        (
            "[fourier]",
            fields_of::<crate::activation::FourierOptions>(),
        ),
        (
            "the top level (before any [table])",
            fields_of::<crate::experiment::ExperimentFile>(),
        ),
    ];
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

    #[test]
    fn misplaced_keys_are_pointed_to_their_table() {
        let top = "unknown field `epochs`, expected one of `name`, `acts`, `seeds`";
        assert_eq!(
            misplaced_hint(top).as_deref(),
            Some("`epochs` belongs in [train]")
        );
        let hint = misplaced_hint("unknown field `seeds`, expected one of `epochs`").unwrap();
        assert!(hint.contains("top level"), "{hint}");
        assert_eq!(
            misplaced_hint("unknown field `zzz`, expected one of `a`"),
            None
        );
        assert!(fields_of::<crate::train::TrainConfig>().contains(&"batch_size".to_string()));
    }
}
