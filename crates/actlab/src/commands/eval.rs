//! `actlab eval --run DIR`: the test-set loss and accuracy of a run's checkpoint,
//! trained or imported, and optionally the logits of the first test images.

use std::process::ExitCode;

use data::first_samples;
use serde::Serialize;
use train::evaluate;

use crate::cli::eval::EvalRunArgs;
use crate::context::data::{check_run_data, load_data};
use crate::context::print::print_json;
use crate::context::runtime::Runtime;
use crate::context::saved::open_run;
use crate::failure::Failure;

/// What `eval --json` prints.
#[derive(Serialize)]
struct Evaluation {
    run: String,
    checkpoint: String,
    test_loss: f64,
    test_accuracy: f64,
    /// Test images classified correctly, of `test_images`.
    test_correct: usize,
    test_images: usize,
    /// Logits of the first `--logits` test images, one row each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logits: Vec<Vec<f32>>,
}

pub fn run(args: EvalRunArgs, json: bool) -> Result<ExitCode, Failure> {
    let data = load_data(&args.env)?;
    let rt = Runtime::start(&args.env.compute)?;
    let opened = open_run(&args.run, args.checkpoint.as_deref(), &rt.device)?;
    check_run_data(&opened.record, &data, &args.env)?;
    let model = opened.model;
    let batch = opened.record.train.eval_batch_size;
    let images = data.test.len();
    let (test_loss, test_accuracy, logits) = rt.run(|rt| {
        let (test_loss, test_accuracy) = evaluate(&model, &data.test, batch, &rt.device);
        let mut logits = Vec::new();
        if let Some(n) = args.logits.filter(|&n| n > 0) {
            let (x, _) = first_samples(&data.test, n, &rt.device);
            let out = model.forward(x);
            let [rows, classes] = out.dims();
            let values = out
                .into_data()
                .try_into_vec::<f32>()
                .expect("logits are float32");
            logits = (0..rows)
                .map(|r| values[r * classes..(r + 1) * classes].to_vec())
                .collect();
        }
        (test_loss, test_accuracy, logits)
    });
    let result = Evaluation {
        run: opened.record.run.clone(),
        checkpoint: opened.checkpoint.name(),
        test_loss,
        test_accuracy,
        test_correct: (test_accuracy * images as f64).round() as usize,
        test_images: images,
        logits,
    };
    if json {
        print_json(&result)?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "{} at {}: test accuracy {:.2} % ({} of {}), test loss {:.4}",
        result.run,
        result.checkpoint,
        100.0 * test_accuracy,
        result.test_correct,
        images,
        test_loss
    );
    for (i, row) in result.logits.iter().enumerate() {
        let cells: Vec<String> = row.iter().map(|v| format!("{v:.5}")).collect();
        outln!("image {i}: {}", cells.join(" "));
    }
    Ok(ExitCode::SUCCESS)
}
