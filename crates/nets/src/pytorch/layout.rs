//! Where each module of actlab's network sits in the PyTorch network's `layers`
//! (`nn.Sequential`), and the network a state dict's shapes describe. The book's
//! SimpleNetwork has Linear `j` at `2j` and the activation after it at `2j + 1`. A network
//! with convolutions (scripts/book_model.py `ConvNetwork`, keys actlab defines) has first,
//! per convolution `i`, the Conv2d at `3i`, its activation at `3i + 1` and its AvgPool2d at
//! `3i + 2`; then the Flatten; then the Linear layers as the book's, from `3c + 1`.

use spec::conv::{CONV_KERNEL, conv_shapes, flat_features};

use super::{InteropError, StateDict, key_error};

/// The book's input features and classes.
const INPUT: usize = 784;
const CLASSES: usize = 10;

/// The positions of a network's modules in `layers`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Layout {
    /// Convolutions.
    pub conv: usize,
    /// Hidden Linear layers.
    pub hidden: usize,
}

impl Layout {
    /// Convolution `i`.
    pub fn conv(&self, i: usize) -> usize {
        3 * i
    }

    /// Linear layer `j` (`j == hidden` is the output layer).
    pub fn linear(&self, j: usize) -> usize {
        let first = if self.conv == 0 { 0 } else { 3 * self.conv + 1 };
        first + 2 * j
    }

    /// The activation after activated layer `place` (convolutions first).
    pub fn activation(&self, place: usize) -> usize {
        match place.checked_sub(self.conv) {
            None => self.conv(place) + 1,
            Some(j) => self.linear(j) + 1,
        }
    }

    /// Activated layers.
    pub fn places(&self) -> usize {
        self.conv + self.hidden
    }

    /// Activated layer `place` in words, for errors.
    pub fn describe(&self, place: usize) -> String {
        match place.checked_sub(self.conv) {
            None => format!("convolution {}", place + 1),
            Some(j) => format!("hidden layer {}", j + 1),
        }
    }
}

/// The shapes a state dict describes: convolutions' channels, hidden widths, and the
/// layout they give; every `layers.N.weight` and its bias checked.
pub(super) struct Described {
    pub layout: Layout,
    /// Each convolution's output channels.
    pub conv: Vec<usize>,
    /// Each hidden Linear layer's width.
    pub hidden: Vec<usize>,
    /// Every weight and bias key of the convolutions and Linear layers.
    pub keys: Vec<String>,
}

/// Reads the network off the shapes of `dict`'s `layers.N.weight` tensors: 4-d ones
/// are convolutions, 2-d ones Linear layers (an activation's weights are 1-d).
pub(super) fn describe(dict: &StateDict) -> Result<Described, InteropError> {
    let mut convs = Vec::new();
    let mut linears = Vec::new();
    for (key, array) in &dict.tensors {
        let Some(index) = key
            .strip_prefix("layers.")
            .and_then(|rest| rest.strip_suffix(".weight"))
            .and_then(|i| i.parse::<usize>().ok())
        else {
            continue;
        };
        match array.shape[..] {
            [out, inp, kh, kw] => convs.push((index, [out, inp, kh, kw])),
            [out, inp] => linears.push((index, [out, inp])),
            _ => {}
        }
    }
    if linears.is_empty() {
        let first = dict.tensors.keys().next().cloned().unwrap_or_default();
        return Err(InteropError::Network(format!(
            "no Linear layer under `layers.N.weight` (the first key is `{first}`): not the book's SimpleNetwork nor actlab's ConvNetwork"
        )));
    }
    convs.sort();
    linears.sort();
    let layout = Layout {
        conv: convs.len(),
        hidden: linears.len() - 1,
    };
    for (i, &(index, [out, inp, kh, kw])) in convs.iter().enumerate() {
        let key = format!("layers.{index}.weight");
        if index != layout.conv(i) {
            return Err(key_error(
                &key,
                format!(
                    "a convolution at index {index}, where actlab's ConvNetwork has {}: convolutions at 0, 3, 6, ..., each followed by its activation and pooling",
                    layout.conv(i)
                ),
            ));
        }
        if [kh, kw] != [CONV_KERNEL, CONV_KERNEL] {
            return Err(key_error(
                &key,
                format!(
                    "shape [{out}, {inp}, {kh}, {kw}]: actlab's convolutions have {CONV_KERNEL}×{CONV_KERNEL} kernels"
                ),
            ));
        }
        let expected = if i == 0 { 1 } else { convs[i - 1].1[0] };
        if inp != expected {
            return Err(key_error(
                &key,
                format!(
                    "takes {inp} channels, but {} gives {expected}",
                    if i == 0 {
                        "a grey image"
                    } else {
                        "the convolution before"
                    }
                ),
            ));
        }
    }
    let conv: Vec<usize> = convs.iter().map(|&(_, [out, ..])| out).collect();
    let mut input = match flat_features(&conv_shapes(INPUT, &conv).map_err(|problem| {
        InteropError::Network(format!(
            "the file's convolutions cannot be used: conv {problem}"
        ))
    })?) {
        Some(features) => features,
        None => INPUT,
    };
    for (j, &(index, [out, inp])) in linears.iter().enumerate() {
        let key = format!("layers.{index}.weight");
        if index != layout.linear(j) {
            return Err(key_error(
                &key,
                format!(
                    "a Linear layer at index {index}, where the network has {} (Linear layers at {}, {}, ..., with the activation between them; a network built with no_act=True has none)",
                    if index % 2 == layout.linear(0) % 2 {
                        "another layer"
                    } else {
                        "an activation"
                    },
                    layout.linear(0),
                    layout.linear(1)
                ),
            ));
        }
        if inp != input {
            return Err(key_error(
                &key,
                format!(
                    "shape [{out}, {inp}] takes {inp} inputs, but the layer before gives {input}"
                ),
            ));
        }
        input = out;
    }
    if input != CLASSES {
        let (index, _) = linears[linears.len() - 1];
        return Err(key_error(
            &format!("layers.{index}.weight"),
            format!("the last Linear gives {input} outputs; FashionMNIST has {CLASSES} classes"),
        ));
    }
    let shapes = convs
        .iter()
        .map(|&(i, [out, ..])| (i, out))
        .chain(linears.iter().map(|&(i, [out, _])| (i, out)));
    let mut keys = Vec::new();
    for (index, out) in shapes {
        let bias = format!("layers.{index}.bias");
        match dict.tensors.get(&bias) {
            None => {
                return Err(key_error(
                    &bias,
                    "missing (every layer of the network has a bias)",
                ));
            }
            Some(b) if b.shape != [out] => {
                return Err(key_error(
                    &bias,
                    format!("shape {:?}, where the weight needs [{out}]", b.shape),
                ));
            }
            Some(_) => {}
        }
        keys.extend([format!("layers.{index}.weight"), bias]);
    }
    let hidden = linears[..linears.len() - 1]
        .iter()
        .map(|&(_, [out, _])| out)
        .collect();
    Ok(Described {
        layout,
        conv,
        hidden,
        keys,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_follow_the_sequential_modules() {
        let book = Layout { conv: 0, hidden: 4 };
        assert_eq!(
            (book.linear(0), book.linear(4), book.activation(3)),
            (0, 8, 7)
        );
        // Conv, act, pool, Conv, act, pool, Flatten, Linear, act, Linear, act, Linear.
        let lenet = Layout { conv: 2, hidden: 2 };
        assert_eq!((lenet.conv(1), lenet.activation(1)), (3, 4));
        assert_eq!(
            (lenet.linear(0), lenet.activation(2), lenet.linear(2)),
            (7, 8, 11)
        );
        assert_eq!(lenet.describe(1), "convolution 2");
        assert_eq!(lenet.describe(3), "hidden layer 2");
    }
}
