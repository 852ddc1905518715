//! A torchinfo-style table of layers, output shapes and parameter counts.

use std::fmt;

use serde::Serialize;

use spec::{LayerKind, NetworkConfig, NormKind};

/// The row name of a normalisation, as PyTorch's module.
fn norm_name(norm: NormKind) -> &'static str {
    match norm {
        NormKind::None => "Identity",
        NormKind::Layer => "LayerNorm",
        NormKind::Batch => "BatchNorm1d",
    }
}

/// One row of the summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LayerRow {
    /// e.g. `Linear-1`, `ReLU-2`.
    pub layer: String,
    /// Output width (the batch dimension is left out).
    pub output_width: usize,
    /// Parameters this row adds to the total (0 for a reused shared module).
    pub params: usize,
    /// Why the count is what it is, when it is not obvious ("shared with ReLU-2").
    pub note: String,
}

/// The layer table and totals of a network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Model name, e.g. `SimpleNetwork-PReLU`.
    pub model: String,
    /// Rows in forward order.
    pub rows: Vec<LayerRow>,
    /// Sum of `params`.
    pub total_params: usize,
}

impl Summary {
    /// Computes the table from the configuration.
    pub fn of(config: &NetworkConfig) -> Self {
        let mut rows = Vec::new();
        let mut first_activation_row: Option<String> = None;
        let shapes = config.linear_shapes();
        let last = shapes.len() - 1;
        for (i, &(fan_in, fan_out)) in shapes.iter().enumerate() {
            rows.push(LayerRow {
                layer: format!("Linear-{}", rows.len() + 1),
                output_width: fan_out,
                params: fan_in * fan_out + fan_out,
                note: String::new(),
            });
            if i < last && config.layer == LayerKind::Glu {
                rows.push(LayerRow {
                    layer: format!("Gate-{}", rows.len() + 1),
                    output_width: fan_out,
                    params: fan_in * fan_out + fan_out,
                    note: "activated, multiplies the Linear above".into(),
                });
            }
            if i < last && !config.norm.is_none() {
                rows.push(LayerRow {
                    layer: format!("{}-{}", norm_name(config.norm), rows.len() + 1),
                    output_width: fan_out,
                    params: config.norm.params(fan_out),
                    note: "scale and shift per unit".into(),
                });
            }
            let Some(act) = config.activation.as_ref().filter(|_| i < last) else {
                continue;
            };
            let name = format!("{}-{}", act.kind.name(), rows.len() + 1);
            let modules = act.module_units(&config.hidden);
            let per_instance = act.kind.param_count() * modules.get(i).copied().unwrap_or(1);
            let (params, note) = match (&first_activation_row, modules.len()) {
                (Some(first), 1) if per_instance > 0 => (0, format!("shared with {first}")),
                _ => (per_instance, String::new()),
            };
            first_activation_row.get_or_insert_with(|| name.clone());
            rows.push(LayerRow {
                layer: name,
                output_width: fan_out,
                params,
                note,
            });
        }
        let total_params = rows.iter().map(|r| r.params).sum();
        Self {
            model: config.model_name(),
            rows,
            total_params,
        }
    }
}

/// Formats an integer with thousands separators, as torchinfo does.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rule = "=".repeat(72);
        writeln!(f, "{}", self.model)?;
        writeln!(f, "{rule}")?;
        writeln!(
            f,
            "{:<20} {:>16} {:>12}",
            "Layer (type)", "Output Shape", "Param #"
        )?;
        writeln!(f, "{rule}")?;
        for row in &self.rows {
            let shape = format!("[-1, {}]", row.output_width);
            let line = format!(
                "{:<20} {:>16} {:>12}  {}",
                row.layer,
                shape,
                grouped(row.params),
                row.note
            );
            writeln!(f, "{}", line.trim_end())?;
        }
        writeln!(f, "{rule}")?;
        writeln!(f, "Total params: {}", grouped(self.total_params))?;
        writeln!(f, "Trainable params: {}", grouped(self.total_params))?;
        write!(f, "Non-trainable params: 0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spec::{ActivationConfig, ActivationKind, Scope};

    #[test]
    fn shared_prelu_counts_its_slope_once() {
        let cfg = NetworkConfig::book(ActivationConfig::new(ActivationKind::PReLU));
        let summary = Summary::of(&cfg);
        assert_eq!(summary.total_params, 283_915);
        assert_eq!(summary.rows.len(), 9);
        assert_eq!(summary.rows[1].layer, "PReLU-2");
        assert_eq!(summary.rows[1].params, 1);
        assert_eq!(summary.rows[3].note, "shared with PReLU-2");
        let text = summary.to_string();
        assert!(text.contains("Total params: 283,915"), "{text}");
    }

    #[test]
    fn per_layer_staf_counts_every_instance() {
        let cfg = NetworkConfig::book(
            ActivationConfig::new(ActivationKind::STAF).with_scope(Scope::PerLayer),
        );
        assert_eq!(Summary::of(&cfg).total_params, 283_914 + 300);
    }

    #[test]
    fn grouping_inserts_commas() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(283914), "283,914");
        assert_eq!(grouped(1000000), "1,000,000");
    }
}
