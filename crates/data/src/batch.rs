//! The book's pixel normalisation and actlab's per-epoch shuffle. Batches themselves are
//! assembled by [`crate::FashionMnistBatcher`] in Burn's data loaders.

use spec::rng::SplitMix64;

/// The book's normalisation of one pixel, in f32 as torchvision computes it:
/// `ToTensor` (x / 255) then `Normalize(0.5, 0.5)`.
pub fn normalise_pixel(byte: u8) -> f32 {
    (byte as f32 / 255.0 - 0.5) / 0.5
}

/// The order of samples in epoch `epoch` (0-based): a Fisher-Yates shuffle drawn
/// from `seed` and the epoch alone, so any epoch can be replayed without the others.
pub fn epoch_order(len: usize, seed: u64, epoch: usize) -> Vec<usize> {
    let mut rng = SplitMix64::new(seed ^ (epoch as u64 + 1).wrapping_mul(0xA076_1D64_78BD_642F));
    let mut order: Vec<usize> = (0..len).collect();
    for i in (1..len).rev() {
        let j = rng.below(i + 1);
        order.swap(i, j);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_maps_to_minus_one_one() {
        assert_eq!(normalise_pixel(0), -1.0);
        assert_eq!(normalise_pixel(255), 1.0);
        assert!((normalise_pixel(128) - 0.003_921_6).abs() < 1e-6);
    }

    #[test]
    fn epoch_order_is_a_seeded_permutation() {
        let a = epoch_order(1000, 7, 0);
        let mut sorted = a.clone();
        sorted.sort();
        assert_eq!(sorted, (0..1000).collect::<Vec<_>>());
        assert_eq!(a, epoch_order(1000, 7, 0));
        assert_ne!(a, epoch_order(1000, 7, 1));
        assert_ne!(a, epoch_order(1000, 8, 0));
        assert_ne!(a, sorted);
    }
}
