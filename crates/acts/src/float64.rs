//! The float64 device that the finite-difference tests and the curvature probes share.

use burn::tensor::{Device, FloatDType};
use std::sync::OnceLock;

/// The autodiff flex device with float64 as its float type (differences of gradients
/// need float64's precision). The float type is a setting of the flex device for the
/// whole process, so it is made once, and only by processes that want float64
/// throughout, before they create any tensor.
pub fn float64_device() -> Result<Device, String> {
    static CONFIGURED: OnceLock<Result<(), String>> = OnceLock::new();
    CONFIGURED
        .get_or_init(|| {
            Device::flex()
                .configure(FloatDType::F64)
                .map(|_| ())
                .map_err(|e| format!("cannot set the flex device to float64: {e:?}"))
        })
        .clone()?;
    Ok(Device::flex().autodiff())
}
