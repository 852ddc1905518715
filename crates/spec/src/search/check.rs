//! `[space]` checked: every operator resolved (presets, registry functions, templates),
//! parameters and exclusions valid, schemas parsed, and the space's size within bounds.

use crate::registry::FixedFn;

use super::space::{self, Operator, Schema, Space};
use super::{MAX_CANDIDATES, SpaceFile};

/// Checks `[space]`: operators, schemas, parameters, exclusions and size.
pub(super) fn check_space(file: &SpaceFile) -> Result<(Space, Vec<FixedFn>), (String, String)> {
    let registry = space::registry_functions();
    let mut exclude = Vec::new();
    for (i, name) in file.exclude.iter().enumerate() {
        let lower = name.to_ascii_lowercase().replace('-', "_");
        let found = registry.iter().find(|(n, _)| *n == lower).ok_or_else(|| {
            let names: Vec<&str> = registry.iter().map(|(n, _)| n.as_str()).collect();
            (
                format!("space.exclude[{i}]"),
                format!(
                    "is '{name}', not a registry function; name one of {}",
                    names.join(", ")
                ),
            )
        })?;
        exclude.push(found.1);
    }
    for (name, value) in &file.params {
        let identifier = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !identifier
            || matches!(name.as_str(), "a" | "b" | "x")
            || name.ends_with(|c: char| c.is_ascii_digit())
        {
            return Err((
                format!("space.params.{name}"),
                "must be a name of letters (digits and _ inside), not a, b or x, and not ending in a digit (the search numbers each use: beta, beta2, ...)".into(),
            ));
        }
        if !crate::numbers::fits_f32(*value) {
            return Err((
                format!("space.params.{name}"),
                format!("is {value}; an initial value must be a finite float32 number"),
            ));
        }
    }
    let params: Vec<String> = file.params.keys().cloned().collect();
    let mut unary = Vec::new();
    for (i, name) in file.unary.iter().enumerate() {
        if name.eq_ignore_ascii_case(space::REGISTRY_GROUP) {
            for (n, f) in &registry {
                if !exclude.contains(f) && !unary.iter().any(|o: &Operator| o.name == *n) {
                    unary.push(
                        Operator::resolve(n, false, &params, &exclude)
                            .map_err(|p| (format!("space.unary[{i}]"), p))?,
                    );
                }
            }
            continue;
        }
        if unary
            .iter()
            .any(|o: &Operator| o.name.eq_ignore_ascii_case(name))
        {
            return Err((format!("space.unary[{i}]"), format!("repeats '{name}'")));
        }
        unary.push(
            Operator::resolve(name, false, &params, &exclude)
                .map_err(|p| (format!("space.unary[{i}]"), p))?,
        );
    }
    let mut binary = Vec::new();
    for (i, name) in file.binary.iter().enumerate() {
        if binary
            .iter()
            .any(|o: &Operator| o.name.eq_ignore_ascii_case(name))
        {
            return Err((format!("space.binary[{i}]"), format!("repeats '{name}'")));
        }
        binary.push(
            Operator::resolve(name, true, &params, &exclude)
                .map_err(|p| (format!("space.binary[{i}]"), p))?,
        );
    }
    if file.schemas.is_empty() {
        return Err((
            "space.schemas".into(),
            format!(
                "is empty; give schemas such as {:?}",
                space::DEFAULT_SCHEMAS
            ),
        ));
    }
    let mut schemas = Vec::new();
    for (i, text) in file.schemas.iter().enumerate() {
        let schema = Schema::parse(text)
            .map_err(|p| (format!("space.schemas[{i}]"), format!("{text:?} {p}")))?;
        let needs = |binary: bool| schema_uses(&schema, binary);
        if needs(false) && unary.is_empty() {
            return Err((
                format!("space.schemas[{i}]"),
                format!("{text:?} has a unary slot, but space.unary is empty"),
            ));
        }
        if needs(true) && binary.is_empty() {
            return Err((
                format!("space.schemas[{i}]"),
                format!("{text:?} has a binary slot, but space.binary is empty"),
            ));
        }
        schemas.push((text.clone(), schema));
    }
    if file.max_candidates == 0 || file.max_candidates > MAX_CANDIDATES {
        return Err((
            "space.max_candidates".into(),
            format!(
                "is {}; it must be 1 to {MAX_CANDIDATES}",
                file.max_candidates
            ),
        ));
    }
    let space = Space {
        unary,
        binary,
        schemas,
        params: file.params.clone(),
    };
    let size = space.size();
    if size > file.max_candidates as u128 {
        return Err((
            "space".into(),
            format!(
                "holds {size} candidates, more than max_candidates = {}; use fewer operators or smaller schemas, or raise space.max_candidates (at most {MAX_CANDIDATES})",
                file.max_candidates
            ),
        ));
    }
    Ok((space, exclude))
}

fn schema_uses(schema: &Schema, binary: bool) -> bool {
    match schema {
        Schema::X => false,
        Schema::Unary(a) => !binary || schema_uses(a, binary),
        Schema::Binary(a, b) => binary || schema_uses(a, binary) || schema_uses(b, binary),
    }
}
