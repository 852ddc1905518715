//! The Fourier activation's settings (STAF generalised): how many sinusoids and how they
//! start. A leaf of the crate: the registry and the activation configs both use it.

use serde::{Deserialize, Serialize};

named_choices! {
    /// How a Fourier activation's parameters start.
    #[derive(Default)]
    pub enum FourierInit: "Fourier initialisation" {
        /// C, Omega and Phi from N(0, 1): the book's STAF.
        #[default]
        Normal = "normal",
        /// The STAF authors' code (AlirezaMorsali/STAF, modules/staf.py): Omega = omega0 U(0, 1),
        /// Phi = U(-pi, pi), C = sign(L) sqrt(|L|) with L ~ Laplace(0, 1 / (2 tau)).
        Paper = "paper",
    }
}

/// Settings of the Fourier activation, `sum_{i < tau} C_i sin(Omega_i x + Phi_i)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FourierOptions {
    /// Number of sinusoids.
    pub tau: usize,
    /// How C, Omega and Phi start.
    pub init: FourierInit,
    /// Frequency scale of the paper's initialisation (its default, for image fitting, is 30).
    pub omega0: f64,
}

impl FourierOptions {
    /// The book's STAF: 25 terms from N(0, 1) (omega0 unused, the paper's default).
    pub const STAF: FourierOptions = FourierOptions {
        tau: 25,
        init: FourierInit::Normal,
        omega0: 30.0,
    };

    /// Why the options cannot be used, if they cannot (field name, problem).
    pub fn problem(&self) -> Option<(&'static str, String)> {
        if !(1..=1024).contains(&self.tau) {
            return Some(("tau", format!("is {}; it must be in 1..=1024", self.tau)));
        }
        if !(crate::numbers::fits_f32(self.omega0) && self.omega0 > 0.0) {
            return Some((
                "omega0",
                format!(
                    "is {}; it must be a positive finite number within float32's range",
                    crate::numbers::show(self.omega0)
                ),
            ));
        }
        None
    }
}

impl Default for FourierOptions {
    fn default() -> Self {
        Self::STAF
    }
}
