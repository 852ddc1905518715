//! Where a command computes: the device, the worker threads, and the memory the work
//! needs against what the machine has.

use anyhow::anyhow;
use burn::tensor::Device;
use spec::resources::{self, Estimate};
use train::RunContext;

use crate::cli::shared::{DeviceArgs, EnvArgs};
use crate::failure::{Failure, input};

/// The device a command runs on and the thread pool it owns, and how records describe
/// them. Every parallel loop of the work (Burn's matrix products, the fused kernels, the
/// landscape's points) runs on the pool when the work runs through [`Runtime::run`]; a
/// command builds one runtime, so no global state depends on which command ran first.
pub struct Runtime {
    /// The device.
    pub device: Device,
    /// e.g. `flex (cpu)`, `wgpu (gpu: NVIDIA H100 PCIe)`.
    pub device_name: String,
    /// Worker threads.
    pub threads: usize,
    pool: rayon::ThreadPool,
}

impl Runtime {
    /// Starts `--threads` worker threads and picks `--device`.
    pub fn start(compute: &DeviceArgs) -> Result<Self, Failure> {
        let threads = compute.threads;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("actlab-worker-{i}"))
            .build()
            .map_err(|e| Failure::Run(anyhow!("cannot start {threads} worker threads: {e}")))?;
        let device = compute.device.device();
        Ok(Runtime {
            device_name: compute.device.describe(&device),
            device,
            threads,
            pool,
        })
    }

    /// Runs `work` on this runtime's threads: every parallel loop inside it uses them,
    /// and the calling thread waits.
    pub fn run<R: Send>(&self, work: impl FnOnce(&Self) -> R + Send) -> R {
        self.pool.install(|| work(self))
    }

    /// What a run record says about where it ran; no stop requested yet.
    pub fn run_context(&self) -> RunContext {
        RunContext {
            device_name: self.device_name.clone(),
            threads: self.threads,
            revision: env!("ACTLAB_GIT_COMMIT").to_string(),
            count_units: Some(probe::dead_neurons),
            ..RunContext::default()
        }
    }
}

/// The flex device in float64 with autodiff, for the curvature probes (second
/// derivatives by differences of gradients need float64's precision).
pub fn float64_device(compute: &DeviceArgs, command: &str) -> Result<Device, Failure> {
    if compute.device.name() != "flex" {
        return Err(input(anyhow!(
            "{command} computes in float64 on the flex device; leave --device out (it was {})",
            compute.device
        )));
    }
    acts::float64_device().map_err(|e| Failure::Run(anyhow!(e)))
}

/// Refuses work whose memory estimate exceeds what the device has available now (the
/// machine's memory for a CPU device, the adapter's for wgpu), in one line that says how
/// much, of what, and what to change (`advice`); `--no-memory-check` lets it start anyway.
pub fn check_memory(estimate: &Estimate, advice: &str, env: &EnvArgs) -> Result<(), Failure> {
    if env.no_memory_check {
        return Ok(());
    }
    let Some((available, holder)) = env.compute.device.memory_available() else {
        return Ok(());
    };
    let needed = estimate.total();
    if needed <= available {
        return Ok(());
    }
    Err(input(anyhow!(
        "needs about {} of memory ({}); {holder} has {} available; {advice}, or pass --no-memory-check to try anyway",
        resources::human(needed),
        estimate.describe(),
        resources::human(available)
    )))
}
