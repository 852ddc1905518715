//! docs/gpu.md's numbers from the GPU check's output (`bash scripts/check-wgpu.sh
//! --record`, in `results/reference/gpu/check-wgpu.txt`): the flex-against-wgpu table
//! row by row, STAF's seed test, the epoch times.

use super::{Differences, reference, root, tables};

const HEADER: &str = "| run | epoch | flex accuracy | wgpu accuracy | flex loss | wgpu loss |";

#[test]
fn the_gpu_page_is_the_check_output() {
    let record = std::fs::read_to_string(reference("gpu/check-wgpu.txt")).unwrap();
    let page = std::fs::read_to_string(root().join("docs/gpu.md")).unwrap();
    let mut diff = Differences::default();
    // "ReLU-s7: flex against ..." then "  epoch N: accuracy A % against B %, loss L against M".
    let mut measured = Vec::new();
    let mut run = "";
    // A test's progress dot (`cargo test -q`) may run into the next line.
    for line in record.lines().map(|l| l.trim_start_matches('.')) {
        if let Some((name, _)) = line.split_once("-s7: flex against") {
            run = name;
        } else if let Some(rest) = line.strip_prefix("  epoch ") {
            let words: Vec<&str> = rest.split_whitespace().collect();
            // N: accuracy A % against B %, loss L against M
            let epoch = words[0].trim_end_matches(':');
            let row = [run, epoch, words[2], words[5], words[8], words[10]];
            measured.push(row.map(str::to_string));
        }
    }
    let quoted = tables(&page, HEADER);
    assert_eq!(quoted.len(), 1, "docs/gpu.md's table");
    assert_eq!(
        quoted[0].len(),
        measured.len(),
        "every measured epoch quoted"
    );
    for (q, m) in quoted[0].iter().zip(&measured) {
        let label = format!("{} epoch {}", m[0], m[1]);
        let recorded = [
            m[0].clone(),
            m[1].clone(),
            format!("{} %", m[2]),
            format!("{} %", m[3].trim_end_matches(',')),
            m[4].clone(),
            m[5].clone(),
        ];
        for (cell, value) in q.iter().zip(&recorded) {
            diff.check("docs/gpu.md", &label, cell, value);
        }
    }
    // The summary under the table: STAF's largest accuracy gap, every run's largest loss
    // ratio.
    let number = |s: &str| s.trim_end_matches([',', '%']).parse::<f64>().unwrap();
    let staf_gap = measured
        .iter()
        .filter(|m| m[0] == "STAF")
        .map(|m| (number(&m[2]) - number(&m[3])).abs())
        .fold(0.0, f64::max);
    let loss_gap = measured
        .iter()
        .map(|m| (number(&m[5]) / number(&m[4]) - 1.0).abs())
        .fold(0.0, f64::max);
    diff.prose(
        "docs/gpu.md",
        &page,
        "STAF by at most {} points",
        &[format!("{staf_gap:.2}")],
    );
    diff.prose(
        "docs/gpu.md",
        &page,
        "the losses differ by at most {} %",
        &[format!("{:.2}", 100.0 * loss_gap)],
    );
    let staf = record
        .lines()
        .find_map(|l| l.strip_prefix("STAF: wgpu seed 7 "))
        .expect("the STAF seed test's line");
    let numbers: Vec<&str> = staf
        .split_whitespace()
        .filter(|w| w.contains('.'))
        .collect();
    diff.prose(
        "docs/gpu.md",
        &page,
        "wgpu trains STAF to {} % against flex's {} %",
        &[numbers[0].to_string(), numbers[1].to_string()],
    );
    let seconds: Vec<String> = record
        .lines()
        .filter_map(|l| l.strip_prefix("  first epoch "))
        .map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .map(|w| format!("{}/{}", w[0], w[4]))
        .collect();
    assert_eq!(seconds.len(), 3, "first epochs of ReLU, GELU and STAF");
    let split = |s: &String| {
        let (flex, wgpu) = s.split_once('/').unwrap();
        (flex.to_string(), wgpu.to_string())
    };
    let [
        (relu_flex, relu_wgpu),
        (gelu_flex, gelu_wgpu),
        (staf_flex, staf_wgpu),
    ] = [0, 1, 2].map(|i| split(&seconds[i]));
    diff.prose(
        "docs/gpu.md",
        &page,
        "takes {} s for ReLU, {} s for GELU and {} s for STAF against {} s, {} s and {} s on flex",
        &[
            relu_wgpu, gelu_wgpu, staf_wgpu, relu_flex, gelu_flex, staf_flex,
        ],
    );
    diff.assert_none(9 * 6 + 4);
}
