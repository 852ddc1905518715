//! The compute device, picked at run time among the backends compiled in.

use std::fmt;
use std::str::FromStr;

use burn::tensor::Device;

/// A backend choice on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceChoice {
    /// Burn's pure-Rust CPU backend (the maintained successor of ndarray).
    Flex,
    /// The ndarray CPU backend.
    NdArray,
    /// The wgpu GPU backend (Vulkan/Metal/DX12, or Mesa's software Vulkan).
    Wgpu,
}

const NAMES: [&str; 3] = ["flex", "ndarray", "wgpu"];

/// Backends this binary was built with.
fn compiled() -> Vec<&'static str> {
    let mut out = Vec::new();
    if cfg!(feature = "flex") {
        out.push("flex");
    }
    if cfg!(feature = "ndarray") {
        out.push("ndarray");
    }
    if cfg!(feature = "wgpu") {
        out.push("wgpu");
    }
    out
}

impl FromStr for DeviceChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let choice = match s.trim().to_ascii_lowercase().as_str() {
            "flex" => DeviceChoice::Flex,
            "ndarray" => DeviceChoice::NdArray,
            "wgpu" | "gpu" => DeviceChoice::Wgpu,
            _ => {
                return Err(format!(
                    "unknown device; valid: {} (compiled into this binary: {})",
                    NAMES.join(", "),
                    compiled().join(", ")
                ));
            }
        };
        if !compiled().contains(&choice.name()) {
            return Err(format!(
                "this binary was built without the `{0}` feature (it has: {1}); rebuild with `cargo build --release --features {0}`",
                choice.name(),
                compiled().join(", ")
            ));
        }
        Ok(choice)
    }
}

impl DeviceChoice {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            DeviceChoice::Flex => NAMES[0],
            DeviceChoice::NdArray => NAMES[1],
            DeviceChoice::Wgpu => NAMES[2],
        }
    }

    /// The device. Picked explicitly: `Device::default()` would prefer wgpu whenever it
    /// is compiled in.
    pub fn device(self) -> Device {
        match self {
            #[cfg(feature = "flex")]
            DeviceChoice::Flex => Device::flex(),
            #[cfg(feature = "ndarray")]
            #[allow(deprecated)]
            // ndarray is what the user asked for; flex is the default
            DeviceChoice::NdArray => Device::ndarray(),
            #[cfg(feature = "wgpu")]
            DeviceChoice::Wgpu => Device::wgpu(burn::tensor::DeviceKind::DefaultDevice),
            #[allow(unreachable_patterns)]
            other => unreachable!(
                "{} is refused when parsing unless compiled in",
                other.name()
            ),
        }
    }
}

impl fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
