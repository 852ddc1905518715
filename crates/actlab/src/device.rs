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

    /// How records name `device` (this choice's): `flex (cpu)`, `ndarray (cpu)`, or for
    /// wgpu the adapter as it names itself, `wgpu (gpu: NVIDIA H100 PCIe)`, so that a
    /// record says which card (or software rasteriser) computed it.
    pub fn describe(self, device: &Device) -> String {
        match self {
            #[cfg(feature = "wgpu")]
            DeviceChoice::Wgpu => {
                let adapter = device
                    .as_dispatch()
                    .identity()
                    .map_or_else(|| "adapter unnamed".to_string(), |id| id.name);
                format!("{self} (gpu: {adapter})")
            }
            _ => {
                let _ = device;
                format!("{self} (cpu)")
            }
        }
    }

    /// The memory work on this device can use, and what holds it: what this machine has
    /// available now for a CPU device; for wgpu, the adapter's budget as its runtime
    /// reports it (Vulkan's largest device-local heap). `None` where nobody says.
    pub fn memory_available(self) -> Option<(u64, &'static str)> {
        match self {
            #[cfg(feature = "wgpu")]
            DeviceChoice::Wgpu => match self.device().as_dispatch() {
                burn::backend::DispatchDevice::Cube(device) => device
                    .client()
                    .properties()
                    .memory
                    .max_memory()
                    .map(|bytes| (bytes, "the wgpu adapter")),
                _ => None,
            },
            _ => spec::resources::available().map(|bytes| (bytes, "this machine")),
        }
    }
}

impl fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
