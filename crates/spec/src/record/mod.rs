//! The typed records actlab writes: runs, the summary table, probe reports, point
//! evaluations. Plain data; [`crate::artifact`] reads and writes them with their tags.

pub mod curvature;
pub mod eval;
pub mod evolution;
pub mod probe;
pub mod run;
pub mod search;
mod search_tables;
pub mod stats;
mod stats_tables;
pub mod summary;
pub mod table;
pub mod transfer;

/// Every field where two records' JSON differ, as (dotted path, this value, that value),
/// in the order of the fields' paths.
pub fn all_differences<T: serde::Serialize>(this: &T, that: &T) -> Vec<(String, String, String)> {
    fn walk(
        path: &str,
        a: &serde_json::Value,
        b: &serde_json::Value,
        found: &mut Vec<(String, String, String)>,
    ) {
        use serde_json::Value;
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
                keys.sort();
                keys.dedup();
                for k in keys {
                    let null = Value::Null;
                    let joined = if path.is_empty() {
                        k.to_string()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(
                        &joined,
                        x.get(k).unwrap_or(&null),
                        y.get(k).unwrap_or(&null),
                        found,
                    );
                }
            }
            _ if a == b => {}
            _ => found.push((path.to_string(), a.to_string(), b.to_string())),
        }
    }
    let mut found = Vec::new();
    if let (Ok(a), Ok(b)) = (serde_json::to_value(this), serde_json::to_value(that)) {
        walk("", &a, &b, &mut found);
    }
    found
}

/// The first field where two records' JSON differ, as (dotted path, this value, that
/// value); `None` when they are equal. For naming a contradiction between two files.
pub fn first_difference<T: serde::Serialize>(
    this: &T,
    that: &T,
) -> Option<(String, String, String)> {
    fn walk(
        path: &str,
        a: &serde_json::Value,
        b: &serde_json::Value,
    ) -> Option<(String, String, String)> {
        use serde_json::Value;
        let join = |key: &str| {
            if path.is_empty() {
                key.to_string()
            } else {
                format!("{path}.{key}")
            }
        };
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
                keys.sort();
                keys.dedup();
                keys.into_iter().find_map(|k| {
                    let null = Value::Null;
                    walk(
                        &join(k),
                        x.get(k).unwrap_or(&null),
                        y.get(k).unwrap_or(&null),
                    )
                })
            }
            _ if a == b => None,
            _ => Some((path.to_string(), a.to_string(), b.to_string())),
        }
    }
    let (a, b) = (
        serde_json::to_value(this).ok()?,
        serde_json::to_value(that).ok()?,
    );
    walk("", &a, &b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_difference_is_named_by_its_path() {
        let a = serde_json::json!({"hidden": [256, 128], "activation": {"kind": "ReLU"}});
        let b = serde_json::json!({"hidden": [256, 128], "activation": {"kind": "GELU"}});
        assert_eq!(
            first_difference(&a, &b),
            Some((
                "activation.kind".into(),
                "\"ReLU\"".into(),
                "\"GELU\"".into()
            ))
        );
        assert_eq!(first_difference(&a, &a), None);
    }
}
