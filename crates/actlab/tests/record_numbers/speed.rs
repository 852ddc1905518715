//! The speed measurements the README and docs/speed.md quote, against the committed
//! records under `results/reference/speed/`.

use std::collections::BTreeMap;

use super::{Differences, reference, root, tables};

/// A committed speed record's table: each row's first cell to its other cells.
fn speed_rows(file: &str) -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(reference(&format!("speed/{file}"))).unwrap();
    text.lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---"))
        .map(|l| {
            let cells: Vec<String> = l
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect();
            (cells[0].clone(), cells[1..].to_vec())
        })
        .collect()
}

/// Whether `quoted` (a number with its own number of decimals, perhaps with a unit) is
/// `value` rounded to those decimals; ratios quoted from unrounded measurements may be
/// one unit off in the last place.
fn rounds_to(quoted: &str, value: f64) -> bool {
    let number: String = quoted
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let Ok(q) = number.parse::<f64>() else {
        return false;
    };
    let decimals = number.split('.').nth(1).map_or(0, str::len) as i32;
    (q - value).abs() <= 10f64.powi(-decimals) * 1.01
}

impl Differences {
    /// A quoted number against a measured value: equal to it rounded to the quote's
    /// decimals ([`rounds_to`]).
    pub(super) fn near(&mut self, page: &str, what: &str, quoted: &str, value: f64) {
        self.checked += 1;
        if !rounds_to(quoted, value) {
            self.found.push(format!(
                "{page}: {what}: quotes {quoted}, the measurement is {value}"
            ));
        }
    }
}

/// The README's speed table, against `results/reference/speed/bench-vs-pytorch.md`.
#[test]
fn the_speed_table_is_the_measurement() {
    let measured = speed_rows("bench-vs-pytorch.md");
    let cell = |row: &str, column: usize| -> f64 {
        measured[row][column]
            .parse()
            .unwrap_or_else(|_| panic!("{row}: column {column}"))
    };
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let rows = tables(&readme, "| | actlab | PyTorch | ratio |");
    assert_eq!(rows.len(), 1, "the README's speed table");
    let mut diff = Differences::default();
    let mut check = |quoted: &str, value: f64, what: &str| diff.near("README", what, quoted, value);
    for row in &rows[0] {
        match row[0].as_str() {
            "ReLU training epoch, 2 threads" => {
                let source = "ReLU training epoch, 2 threads (s)";
                check(&row[1], cell(source, 0), "actlab");
                check(&row[2], cell(source, 1), "PyTorch");
                check(&row[3], cell(source, 0) / cell(source, 1), "ratio");
            }
            "STAF epoch in ReLU epochs" => {
                check(&row[1], cell("STAF epoch / ReLU epoch", 0), "STAF actlab");
                check(&row[2], cell("STAF epoch / ReLU epoch", 1), "STAF PyTorch");
            }
            "test-set evaluation / dead-neuron pass" => {
                let (eval, dead) = ("test-set evaluation, 10k (s)", "dead-neuron pass, 60k (s)");
                let parts = |s: &str| s.split('/').map(str::to_string).collect::<Vec<_>>();
                let (a, p) = (parts(&row[1]), parts(&row[2]));
                check(&a[0], cell(eval, 0), "evaluation");
                check(&a[1], cell(dead, 0), "dead-neuron pass");
                check(&p[0], cell(eval, 1), "PyTorch evaluation");
                check(&p[1], cell(dead, 1), "PyTorch dead-neuron pass");
            }
            _ => {}
        }
    }
    diff.assert_none(9);
}

/// docs/speed.md's scaling table, against `results/reference/speed/scaling.md`: the same
/// eight rows, each number as recorded.
#[test]
fn the_scaling_table_is_the_measurement() {
    let record = std::fs::read_to_string(reference("speed/scaling.md")).unwrap();
    let measured = tables(
        &record,
        "| hidden | batch | images | actlab 1 thr | actlab 2 thr | PyTorch 1 thr | PyTorch 2 thr | ratio 1 thr | ratio 2 thr | actlab 2 thr / 1 thr |",
    );
    let speed = std::fs::read_to_string(root().join("docs/speed.md")).unwrap();
    let quoted = tables(
        &speed,
        "| hidden | batch | actlab 1 thr | actlab 2 thr | PyTorch 1 thr | PyTorch 2 thr | ratio 2 thr |",
    );
    assert_eq!(
        (measured.len(), quoted.len()),
        (1, 1),
        "one scaling table in each"
    );
    assert_eq!(
        quoted[0].len(),
        measured[0].len(),
        "docs/speed.md quotes every row"
    );
    let mut diff = Differences::default();
    for (q, m) in quoted[0].iter().zip(&measured[0]) {
        let recorded = [
            &m[0].replace(" x ", " × "),
            &m[1],
            &m[3],
            &m[4],
            &m[5],
            &m[6],
            &m[8],
        ];
        let label = format!("{} batch {}", q[0], q[1]);
        for (cell, value) in q.iter().zip(recorded) {
            diff.check("docs/speed.md", &label, cell, value);
        }
    }
    let holds = measured[0]
        .iter()
        .filter(|m| m[8].parse::<f64>().unwrap() <= 0.7)
        .count();
    diff.prose(
        "docs/speed.md",
        &speed,
        "≤ 0.7 on 2 threads, holds on {} row of eight",
        &[holds.to_string()],
    );
    diff.assert_none(8 * 7 + 1);
}

/// docs/speed.md's table against PyTorch, against `results/reference/speed/bench-vs-pytorch.md`.
#[test]
fn the_docs_table_against_pytorch_is_the_measurement() {
    let measured = speed_rows("bench-vs-pytorch.md");
    let speed = std::fs::read_to_string(root().join("docs/speed.md")).unwrap();
    let rows = tables(
        &speed,
        "| measure | actlab | PyTorch (preloaded tensors) | ratio | target | holds |",
    );
    assert_eq!(rows.len(), 1, "docs/speed.md's table against PyTorch");
    let mut diff = Differences::default();
    for row in &rows[0] {
        let source = match row[0].as_str() {
            "ReLU training epoch, 2 threads (s)" => "ReLU training epoch, 2 threads (s)",
            "ReLU training epoch, actlab on 1 thread (s)" => {
                "ReLU training epoch, actlab 1 thread (s)"
            }
            "STAF epoch / ReLU epoch, 2 threads" => "STAF epoch / ReLU epoch",
            "TeLU epoch / ReLU epoch, 1 thread" => "TeLU epoch / ReLU epoch, 1 thread",
            "test-set evaluation, 10k (s)" => "test-set evaluation, 10k (s)",
            "dead-neuron pass with saturation and sparsity, 60k (s)" => "dead-neuron pass, 60k (s)",
            _ => continue,
        };
        for column in 0..3 {
            let value: f64 = measured[source][column].parse().unwrap();
            diff.near(
                "docs/speed.md",
                &format!("{} column {column}", row[0]),
                &row[column + 1],
                value,
            );
        }
    }
    diff.assert_none(6 * 3);
}

/// The leading number of a cell (`3.40 (3.24, 3.56)` → 3.40) and the numbers in its
/// parentheses.
fn lead_and_rounds(cell: &str) -> (f64, Vec<f64>) {
    let lead = cell.split_whitespace().next().unwrap().parse().unwrap();
    let rounds = cell
        .split_once('(')
        .map(|(_, r)| {
            r.trim_end_matches(')')
                .split(',')
                .map(|v| v.trim().parse().unwrap())
                .collect()
        })
        .unwrap_or_default();
    (lead, rounds)
}

/// `docs/speed.md`'s and the README's numbers for portable numerics on both cores, against
/// `results/reference/speed/portable-numerics.md` (whose means are checked against its
/// rounds).
#[test]
fn the_portable_speed_numbers_are_the_measurement() {
    let measured = speed_rows("portable-numerics.md");
    let mut diff = Differences::default();
    // (new, PyTorch) seconds of a book ReLU epoch on 1 and 2 threads.
    let mut epoch = |row: &str| -> (f64, f64) {
        let cells = &measured[row];
        let [new, torch] = [&cells[1], &cells[2]].map(|c| {
            let (lead, rounds) = lead_and_rounds(c);
            let mean = rounds.iter().sum::<f64>() / rounds.len() as f64;
            diff.near(row, "the mean of the rounds", &format!("{lead:.2}"), mean);
            lead
        });
        (new, torch)
    };
    let (one, torch_one) = epoch("ReLU epoch, 1 thread");
    let (two, torch_two) = epoch("ReLU epoch, 2 threads");
    let staf = measured["STAF in ReLU epochs, 1 / 2 threads"][1]
        .split('/')
        .nth(1)
        .unwrap()
        .trim()
        .to_string();
    let speed = std::fs::read_to_string(root().join("docs/speed.md")).unwrap();
    let rows = tables(&speed, "| measure | actlab | PyTorch 2.15 | ratio |");
    assert_eq!(rows.len(), 1, "docs/speed.md's portable-numerics table");
    let mut check =
        |what: &str, quoted: &str, value: f64| diff.near("docs/speed.md", what, quoted, value);
    for row in &rows[0] {
        match row[0].as_str() {
            "book ReLU epoch, 1 thread (s)" => {
                check("1 thread", &row[1], one);
                check("PyTorch 1 thread", &row[2], torch_one);
                check("ratio 1 thread", &row[3], one / torch_one);
            }
            "book ReLU epoch, 2 threads (s)" => {
                check("2 threads", &row[1], two);
                check("PyTorch 2 threads", &row[2], torch_two);
                check("ratio 2 threads", &row[3], two / torch_two);
            }
            "2 threads / 1 thread, book ReLU" => {
                check("2 / 1 threads", &row[1], two / one);
                check("PyTorch 2 / 1 threads", &row[2], torch_two / torch_one);
            }
            "STAF epoch in ReLU epochs, 2 threads" => {
                check("STAF", &row[1], staf.parse().unwrap());
            }
            _ => {}
        }
    }
    diff.assert_none(4 + 9);
}

/// The header of the targets table in `both-cores.md` and in docs/speed.md.
const TARGETS_HEADER: &str =
    "| target | goal | measured | holds | floor: products at the product peak / at the FMA limit |";

/// docs/speed.md's table of the data-parallel targets, against
/// `results/reference/speed/both-cores.md` (written by `scripts/bench-both-cores.sh`):
/// every row, cell for cell; the record's medians against its rounds; and the README's
/// sentence on a book epoch.
#[test]
fn the_both_cores_targets_are_the_measurement() {
    let record = std::fs::read_to_string(reference("speed/both-cores.md")).unwrap();
    let measured = tables(&record, TARGETS_HEADER);
    assert_eq!(measured.len(), 1, "both-cores.md's targets table");
    let speed = std::fs::read_to_string(root().join("docs/speed.md")).unwrap();
    let quoted = tables(&speed, TARGETS_HEADER);
    assert_eq!(quoted.len(), 1, "docs/speed.md's targets table");
    assert_eq!(
        quoted[0].len(),
        measured[0].len(),
        "docs/speed.md quotes every target of the record"
    );
    let mut diff = Differences::default();
    for (q, m) in quoted[0].iter().zip(&measured[0]) {
        diff.check("docs/speed.md", &q[0], &q.join(" | "), &m.join(" | "));
    }
    // The book's epochs: each median against its rounds, then the README's sentence.
    let book = tables(&record, "| measure | actlab old | actlab | PyTorch |");
    assert_eq!(book.len(), 1, "both-cores.md's table of the book's network");
    let mut epoch = |label: &str, column: usize| -> f64 {
        let row = book[0]
            .iter()
            .find(|r| r[0] == label)
            .unwrap_or_else(|| panic!("both-cores.md has no row {label:?}"));
        let (lead, mut rounds) = lead_and_rounds(&row[column]);
        assert!(rounds.len() >= 3, "{label}: fewer than three rounds");
        rounds.sort_by(f64::total_cmp);
        diff.near(
            label,
            "the median of the rounds",
            &row[column],
            rounds[rounds.len() / 2],
        );
        lead
    };
    let (one, torch_one) = (
        epoch("ReLU epoch, 1 thread", 2),
        epoch("ReLU epoch, 1 thread", 3),
    );
    let (two, torch_two) = (
        epoch("ReLU epoch, 2 threads", 2),
        epoch("ReLU epoch, 2 threads", 3),
    );
    let (old_one, old_two) = (
        epoch("ReLU epoch, 1 thread", 1),
        epoch("ReLU epoch, 2 threads", 1),
    );
    let (old_dead, dead) = (
        epoch("dead-neuron pass, 2 threads", 1),
        epoch("dead-neuron pass, 2 threads", 2),
    );
    diff.prose(
        "docs/speed.md",
        &speed,
        "a book ReLU epoch went from {} to {} s on one thread and from {} to {} s on two",
        &[old_one, one, old_two, two].map(|v| format!("{v:.2}")),
    );
    diff.prose(
        "docs/speed.md",
        &speed,
        "({} to {} s on two threads in this run's medians)",
        &[old_dead, dead].map(|v| format!("{v:.2}")),
    );
    let staf = &measured[0]
        .iter()
        .find(|r| r[0] == "STAF epoch in ReLU epochs, 2 threads")
        .expect("the STAF target")[2];
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    diff.prose(
        "README",
        &readme,
        "a book ReLU epoch takes {} s against PyTorch's {} s on one thread and {} s against {} s on two, STAF {} ReLU epochs",
        &[one, torch_one, two, torch_two].map(|v| format!("{v:.2}")).into_iter().chain([staf.clone()]).collect::<Vec<_>>(),
    );
    let mut wide: Vec<f64> = measured[0]
        .iter()
        .filter(|r| r[0].starts_with("actlab / PyTorch, 2 threads, 4 ×"))
        .map(|r| r[2].parse().unwrap())
        .collect();
    assert_eq!(wide.len(), 4, "the four wide networks' ratios");
    wide.sort_by(f64::total_cmp);
    diff.prose(
        "README",
        &readme,
        "on networks of 4 × 1024 and 4 × 2048 units actlab takes {}–{} × PyTorch's time on two threads",
        &[wide[0], wide[3]].map(|v| format!("{v:.2}")),
    );
    diff.assert_none(measured[0].len() + 6 + 3);
}

/// `docs/speed.md`'s sweep timings, against `results/reference/speed/jobs.md`.
#[test]
fn the_sweep_timings_are_the_measurement() {
    let measured = speed_rows("jobs.md");
    let text = std::fs::read_to_string(root().join("docs/speed.md")).unwrap();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for (row, label) in [
        ("one run at a time (s)", "one at a time"),
        ("--jobs 2 (s)", "`--jobs 2`"),
    ] {
        let value = &measured[row][0];
        let quoted = format!("{label} {value} s");
        assert!(
            flat.contains(&quoted),
            "docs/speed.md should say \"{quoted}\""
        );
    }
    let ratio = &measured["throughput ratio"][0];
    assert!(
        flat.contains(&format!("{ratio}× the throughput")),
        "docs/speed.md should say \"{ratio}× the throughput\""
    );
}

/// One round of `bench train --composed-too`: each row's epoch in ReLU epochs of the
/// round, by (activation, fused).
fn expression_round(round: usize) -> BTreeMap<(String, bool), (f64, serde_json::Value)> {
    let path = reference(&format!("speed/expression-kernels/round{round}.json"));
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let key = |r: &serde_json::Value| {
        let fused = r["kernel"].as_str().unwrap().starts_with("fused");
        (r["activation"].as_str().unwrap().to_string(), fused)
    };
    let relu = rows
        .iter()
        .find(|r| key(r) == ("ReLU".to_string(), false))
        .expect("a ReLU row")["epoch_s"]
        .as_f64()
        .unwrap();
    rows.iter()
        .map(|r| (key(r), (r["epoch_s"].as_f64().unwrap() / relu, r.clone())))
        .collect()
}

/// docs/activations.md's tables of expression kernels and their prose, against the two
/// committed rounds of `bench train --composed-too` under
/// `results/reference/speed/expression-kernels/`: each cell the mean of the rounds.
#[test]
fn the_expression_kernel_tables_are_the_measurement() {
    let rounds = [expression_round(1), expression_round(2)];
    let mean = |name: &str, fused: bool| -> f64 {
        let key = (name.to_string(), fused);
        rounds
            .iter()
            .map(|r| {
                r.get(&key)
                    .unwrap_or_else(|| panic!("{key:?} in both rounds"))
                    .0
            })
            .sum::<f64>()
            / 2.0
    };
    let cost = |name: &str, field: &str| -> f64 {
        rounds
            .iter()
            .map(|r| {
                r[&(name.to_string(), true)].1["expression"][field]
                    .as_f64()
                    .unwrap()
            })
            .sum::<f64>()
            / 2.0
    };
    let page = std::fs::read_to_string(root().join("docs/activations.md")).unwrap();
    let page_name = "docs/activations.md";
    let mut diff = Differences::default();
    let main = tables(
        &page,
        "| activation | expression | operations | composed | fused | fused / composed | compile µs |",
    );
    assert_eq!(main.len(), 1, "the expression-kernel table");
    let (mut slowest, mut slowest_ratio, mut compile) = (0.0f64, 0.0, 0.0f64);
    for row in &main[0] {
        let name = row[0].as_str();
        let (composed, fused) = (mean(name, false), mean(name, true));
        let mut near = |what: &str, quoted: &str, value: f64| {
            diff.near(page_name, &format!("{name} {what}"), quoted, value)
        };
        near("operations", &row[2], cost(name, "operations"));
        near("composed", &row[3], composed);
        near("fused", &row[4], fused);
        near("fused / composed", &row[5], fused / composed);
        near("compile µs", &row[6], cost(name, "compile_us"));
        if fused > slowest {
            (slowest, slowest_ratio) = (fused, fused / composed);
        }
        compile = compile.max(cost(name, "compile_us"));
    }
    assert!(main[0].len() >= 10, "ten expressions or more");
    let forms = tables(
        &page,
        "| expression form | fused expression | built-in kernel |",
    );
    assert_eq!(forms.len(), 1, "the built-in forms' table");
    for row in &forms[0] {
        let (form, builtin) = row[0]
            .split_once(" (")
            .map(|(f, rest)| (f, rest.rsplit(" vs ").next().unwrap()))
            .unwrap();
        diff.near(page_name, form, &row[1], mean(form, true));
        diff.near(page_name, builtin, &row[2], mean(builtin, true));
    }
    // Between the rounds: each entry's change, median and largest.
    let mut changes: Vec<f64> = rounds[0]
        .iter()
        .map(|(key, (ratio, _))| (ratio - rounds[1][key].0).abs())
        .collect();
    changes.sort_by(f64::total_cmp);
    let two = |v: f64| format!("{v:.2}");
    diff.prose(
        page_name,
        &page,
        "Every expression here trains at {} ReLU epochs or less fused (the 12-operation `Mixed` is the slowest, at {} of its composed time), and compiles in {} µs or less.",
        &[two(slowest), two(slowest_ratio), format!("{compile:.0}")],
    );
    diff.prose(
        page_name,
        &page,
        "Between the two rounds an entry moved by {} ReLU epochs at the median and {} at most,",
        &[
            two(changes[changes.len() / 2]),
            two(*changes.last().unwrap()),
        ],
    );
    diff.assert_none(5 * 10 + 4 + 2);
}

/// docs/speed.md's LeNet-5 table, and the ratios its prose quotes, against
/// `results/reference/speed/cnn.md` (written by scripts/bench-cnn.sh).
#[test]
fn the_cnn_table_is_the_measurement() {
    let header = "| activation | threads | measure | actlab (s) | PyTorch (s) | actlab / PyTorch |";
    let record = std::fs::read_to_string(reference("speed/cnn.md")).unwrap();
    let measured = tables(&record, header);
    assert_eq!(measured.len(), 1, "cnn.md's table");
    assert_eq!(
        measured[0].len(),
        12,
        "2 activations × 2 thread counts × 3 measures"
    );
    let page = std::fs::read_to_string(root().join("docs/speed.md")).unwrap();
    assert_eq!(
        tables(&page, header),
        measured,
        "docs/speed.md quotes cnn.md's table"
    );
    // The prose's ratios: a training epoch, 1 and 2 threads, ReLU.
    let ratio = |threads: &str| -> f64 {
        let row = measured[0]
            .iter()
            .find(|r| r[0] == "ReLU" && r[1] == threads && r[2] == "training epoch")
            .unwrap();
        row[5].parse().unwrap()
    };
    for (threads, quoted) in [("1", "ReLU-1-thread"), ("2", "ReLU-2-threads")] {
        let marker = format!("<!-- {quoted} -->");
        let at = page
            .find(&marker)
            .unwrap_or_else(|| panic!("{marker} in docs/speed.md"));
        let value: String = page[at + marker.len()..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        assert!(
            rounds_to(&value, ratio(threads)),
            "docs/speed.md: {quoted} quotes {value}, cnn.md {}",
            ratio(threads)
        );
    }
}
