//! A torchinfo-style table of layers, output shapes and parameter counts.

use std::fmt;

use serde::Serialize;

use spec::{LayerKind, NetworkConfig, NormKind};

/// The row name of a normalisation, as PyTorch's module (`BatchNorm2d` on a convolution).
fn norm_name(norm: NormKind, conv: bool) -> &'static str {
    match (norm, conv) {
        (NormKind::None, _) => "Identity",
        (NormKind::Layer, _) => "LayerNorm",
        (NormKind::Batch, false) => "BatchNorm1d",
        (NormKind::Batch, true) => "BatchNorm2d",
    }
}

/// One row of the summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LayerRow {
    /// e.g. `Linear-1`, `ReLU-2`.
    pub layer: String,
    /// Output shape without the batch dimension: `[units]`, or `[channels, h, w]`.
    pub output_shape: Vec<usize>,
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

/// The rows under construction, and the first activation's name (the one a shared
/// module's later rows point to).
struct Rows<'a> {
    config: &'a NetworkConfig,
    rows: Vec<LayerRow>,
    first_activation: Option<String>,
}

impl Rows<'_> {
    fn push(&mut self, kind: &str, output_shape: Vec<usize>, params: usize, note: &str) {
        self.rows.push(LayerRow {
            layer: format!("{kind}-{}", self.rows.len() + 1),
            output_shape,
            params,
            note: note.into(),
        });
    }

    /// The normalisation and activation rows of activated layer `layer`.
    fn activated(&mut self, layer: usize, units: usize, shape: &[usize], conv: bool) {
        let config = self.config;
        if !config.norm.is_none() {
            let note = if conv {
                "scale and shift per channel"
            } else {
                "scale and shift per unit"
            };
            self.push(
                norm_name(config.norm, conv),
                shape.to_vec(),
                config.norm.params(units),
                note,
            );
        }
        let Some(act) = config.activation.as_ref() else {
            return;
        };
        let name = format!("{}-{}", act.kind.name(), self.rows.len() + 1);
        let modules = act.module_units(&config.activated_widths());
        let per_instance = act.kind.param_count() * modules.get(layer).copied().unwrap_or(1);
        let (params, note) = match (&self.first_activation, modules.len()) {
            (Some(first), 1) if per_instance > 0 => (0, format!("shared with {first}")),
            _ => (per_instance, String::new()),
        };
        self.first_activation.get_or_insert_with(|| name.clone());
        self.rows.push(LayerRow {
            layer: name,
            output_shape: shape.to_vec(),
            params,
            note,
        });
    }
}

impl Summary {
    /// Computes the table from the configuration.
    pub fn of(config: &NetworkConfig) -> Self {
        let mut rows = Rows {
            config,
            rows: Vec::new(),
            first_activation: None,
        };
        let conv = config.conv_shapes().unwrap_or_default();
        for (i, shape) in conv.iter().enumerate() {
            let maps = vec![shape.out_channels, shape.side_out, shape.side_out];
            rows.push("Conv2d", maps.clone(), shape.params(), "");
            rows.activated(i, shape.out_channels, &maps, true);
            let pooled = vec![shape.out_channels, shape.side_pooled, shape.side_pooled];
            rows.push("AvgPool2d", pooled, 0, "");
        }
        let shapes = config.linear_shapes();
        if !conv.is_empty() {
            rows.push("Flatten", vec![shapes[0].0], 0, "");
        }
        let last = shapes.len() - 1;
        for (i, &(fan_in, fan_out)) in shapes.iter().enumerate() {
            rows.push("Linear", vec![fan_out], fan_in * fan_out + fan_out, "");
            if i == last {
                break;
            }
            if config.layer == LayerKind::Glu {
                let note = "activated, multiplies the Linear above";
                rows.push("Gate", vec![fan_out], fan_in * fan_out + fan_out, note);
            }
            rows.activated(conv.len() + i, fan_out, &[fan_out], false);
        }
        let rows = rows.rows;
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
            let dims: Vec<String> = row.output_shape.iter().map(usize::to_string).collect();
            let shape = format!("[-1, {}]", dims.join(", "));
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

    /// PyTorch's LeNet-5 (d2l.ai's): 61,706 parameters; per-channel PReLU adds one
    /// slope per channel and unit.
    #[test]
    fn lenet_rows_follow_pytorch_s_modules() {
        let cfg = NetworkConfig::book(ActivationConfig::new(ActivationKind::ReLU))
            .with_conv(NetworkConfig::LENET_CONV.to_vec())
            .with_hidden(NetworkConfig::LENET_HIDDEN.to_vec());
        let summary = Summary::of(&cfg);
        assert_eq!(summary.total_params, 61_706);
        let names: Vec<&str> = summary.rows.iter().map(|r| r.layer.as_str()).collect();
        assert_eq!(
            names[..7],
            [
                "Conv2d-1",
                "ReLU-2",
                "AvgPool2d-3",
                "Conv2d-4",
                "ReLU-5",
                "AvgPool2d-6",
                "Flatten-7"
            ]
        );
        assert!(
            summary.to_string().contains("[-1, 16, 10, 10]"),
            "{summary}"
        );
        let prelu = cfg.clone().with_norm(NormKind::Batch);
        let prelu = NetworkConfig {
            activation: Some(
                ActivationConfig::new(ActivationKind::PReLU).with_scope(Scope::PerNeuron),
            ),
            ..prelu
        };
        let summary = Summary::of(&prelu);
        let batch = 2 * (6 + 16 + 120 + 84);
        assert_eq!(summary.total_params, 61_706 + batch + 6 + 16 + 120 + 84);
        assert!(summary.rows.iter().any(|r| r.layer == "BatchNorm2d-2"));
    }

    #[test]
    fn grouping_inserts_commas() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(283914), "283,914");
        assert_eq!(grouped(1000000), "1,000,000");
    }
}
