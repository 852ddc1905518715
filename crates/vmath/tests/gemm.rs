//! `vmath::gemm` computes each element as one chain of fused multiply-adds in k order:
//! checked against that definition written out as a plain loop, bit for bit, on every
//! path this CPU has, for blockings other than the default, for transposed views and for
//! cuts of the rows; and against float64 for accuracy.

use vmath::Isa;
use vmath::gemm::{Blocking, MatMut, MatRef, Start, gemm, gemm_into, gemm_with};

/// Deterministic values in [-1, 1) with all mantissa bits in play.
fn values(n: usize, salt: u64) -> Vec<f32> {
    let mut state = salt.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

/// The definition, for row-major `a` (`m × k`) and `b` (`k × n`):
/// `c[i][j] = fma(a[i][k-1], b[k-1][j], … fma(a[i][0], b[0][j], c0[i][j]))`.
fn chain(a: &[f32], b: &[f32], c0: &[f32], (m, k, n): (usize, usize, usize)) -> Vec<f32> {
    let mut c = c0.to_vec();
    for i in 0..m {
        for j in 0..n {
            let mut acc = c0[i * n + j];
            for p in 0..k {
                acc = a[i * k + p].mul_add(b[p * n + j], acc);
            }
            c[i * n + j] = acc;
        }
    }
    c
}

fn transpose(v: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    (0..cols)
        .flat_map(|j| (0..rows).map(move |i| v[i * cols + j]))
        .collect()
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Shapes that hit partial tiles of every path (6 × 16, 6 × 32, 4 × 8), k across blocks,
/// and the book's first layer.
const SHAPES: [(usize, usize, usize); 7] = [
    (1, 1, 1),
    (7, 3, 5),
    (13, 300, 33),
    (128, 784, 40),
    (6, 257, 32),
    (31, 64, 10),
    (2, 513, 70),
];

fn paths() -> Vec<Isa> {
    let paths: Vec<Isa> = Isa::ALL.into_iter().filter(|isa| isa.supported()).collect();
    println!(
        "paths on this CPU: {:?} (AVX-512 is checked only where the CPU has it)",
        paths.iter().map(|p| p.name()).collect::<Vec<_>>()
    );
    paths
}

#[test]
fn every_path_and_blocking_gives_the_chain_bit_for_bit() {
    let paths = paths();
    assert!(paths.contains(&Isa::Baseline));
    let blockings = [
        Blocking::default(),
        Blocking { kc: 1, nc: 1 },
        Blocking { kc: 7, nc: 20 },
        Blocking { kc: 100, nc: 48 },
        Blocking { kc: 4096, nc: 4096 },
    ];
    for (case, &(m, k, n)) in SHAPES.iter().enumerate() {
        let salt = case as u64 * 3;
        let (a, b, c0) = (
            values(m * k, salt + 1),
            values(k * n, salt + 2),
            values(m * n, salt + 3),
        );
        let (av, bv) = (MatRef::row_major(&a, m, k), MatRef::row_major(&b, k, n));
        let from_zero = bits(&chain(&a, &b, &vec![0.0; m * n], (m, k, n)));
        let from_c = bits(&chain(&a, &b, &c0, (m, k, n)));
        for &isa in &paths {
            for blocking in blockings {
                let at = format!("{m}×{k}×{n} on {} with {blocking:?}", isa.name());
                let mut c = vec![f32::NAN; m * n];
                gemm_with(isa, blocking, av, bv, &mut c, n, Start::Zero).unwrap();
                assert_eq!(bits(&c), from_zero, "{at}");
                let mut c = c0.clone();
                gemm_with(isa, blocking, av, bv, &mut c, n, Start::FromC).unwrap();
                assert_eq!(bits(&c), from_c, "{at}, starting from C");
            }
        }
    }
}

#[test]
fn transposed_views_and_cuts_of_the_rows_change_no_bit() {
    let (m, k, n) = (50, 130, 45);
    let (a, b) = (values(m * k, 7), values(k * n, 8));
    let expected = bits(&chain(&a, &b, &vec![0.0; m * n], (m, k, n)));
    let (at, bt) = (transpose(&a, m, k), transpose(&b, k, n));
    let mut c = vec![0.0; m * n];
    gemm(
        MatRef::transposed(&at, m, k),
        MatRef::transposed(&bt, k, n),
        &mut c,
        n,
        Start::Zero,
    );
    assert_eq!(bits(&c), expected, "both operands as transposed views");
    // Rows cut at odd places, as threads cut them, and C with a wider row stride.
    let ldc = n + 3;
    for cuts in [
        vec![0, 50],
        vec![0, 1, 2, 50],
        vec![0, 17, 18, 49, 50],
        vec![0, 7, 14, 21, 28, 35, 42, 49, 50],
    ] {
        let mut wide = vec![f32::NAN; m * ldc];
        let av = MatRef::row_major(&a, m, k);
        for pair in cuts.windows(2) {
            let piece = &mut wide[pair[0] * ldc..];
            gemm(
                av.rows(pair[0], pair[1]),
                MatRef::row_major(&b, k, n),
                piece,
                ldc,
                Start::Zero,
            );
        }
        let packed: Vec<f32> = wide.chunks(ldc).flat_map(|row| row[..n].to_vec()).collect();
        assert_eq!(bits(&packed), expected, "rows cut at {cuts:?}");
        assert!(
            wide.chunks(ldc)
                .all(|row| row[n..].iter().all(|v| v.is_nan())),
            "wrote outside C's columns"
        );
    }
}

#[test]
fn blocks_of_c_filled_apart_give_the_whole_product() {
    // C cut into columns and rows at odd places (as `nets::dense::product` cuts it over
    // threads), each block computed from the matching columns of B or rows of A, both
    // starting from zero and adding to what C holds.
    let (m, k, n) = (40, 70, 75);
    let (a, b, c0) = (values(m * k, 21), values(k * n, 22), values(m * n, 23));
    let (av, bt) = (MatRef::row_major(&a, m, k), transpose(&b, k, n));
    for (start, from) in [(Start::Zero, vec![0.0; m * n]), (Start::FromC, c0.clone())] {
        let expected = bits(&chain(&a, &b, &from, (m, k, n)));
        for transposed in [false, true] {
            let bv = if transposed {
                MatRef::transposed(&bt, k, n)
            } else {
                MatRef::row_major(&b, k, n)
            };
            let mut c = from.clone();
            let mut rest = MatMut::row_major(&mut c, m, n, n);
            for (first, last) in [(0, 1), (1, 33), (33, 64), (64, 75)] {
                let (piece, tail) = rest.split_cols(last - first);
                gemm_into(av, bv.cols(first, last), piece, start);
                rest = tail;
            }
            assert_eq!(
                bits(&c),
                expected,
                "columns cut, {start:?}, B transposed: {transposed}"
            );
            let mut c = from.clone();
            let mut rest = MatMut::row_major(&mut c, m, n, n);
            for (first, last) in [(0, 7), (7, 8), (8, 40)] {
                let (piece, tail) = rest.split_rows(last - first);
                gemm_into(av.rows(first, last), bv, piece, start);
                rest = tail;
            }
            assert_eq!(
                bits(&c),
                expected,
                "rows cut, {start:?}, B transposed: {transposed}"
            );
        }
    }
}

#[test]
fn products_are_as_accurate_as_a_float32_chain_allows() {
    // |c - exact| <= k * eps * sum |a||b| (a chain of k roundings); measured well inside.
    for &(m, k, n) in &SHAPES {
        let (a, b) = (values(m * k, 11), values(k * n, 12));
        let mut c = vec![0.0; m * n];
        gemm(
            MatRef::row_major(&a, m, k),
            MatRef::row_major(&b, k, n),
            &mut c,
            n,
            Start::Zero,
        );
        let mut worst = 0.0f64;
        for i in 0..m {
            for j in 0..n {
                let terms = (0..k).map(|p| a[i * k + p] as f64 * b[p * n + j] as f64);
                let exact: f64 = terms.clone().sum();
                let scale: f64 = terms.map(f64::abs).sum();
                let bound = k as f64 * f32::EPSILON as f64 * scale;
                let error = (c[i * n + j] as f64 - exact).abs();
                assert!(
                    error <= bound,
                    "{m}×{k}×{n} ({i}, {j}): error {error:e} > {bound:e}"
                );
                if bound > 0.0 {
                    worst = worst.max(error / bound);
                }
            }
        }
        println!("{m}×{k}×{n}: worst error {worst:.3} of the bound");
    }
}

#[test]
fn empty_products_and_a_missing_path_are_handled() {
    let mut c = vec![5.0f32; 6];
    gemm(
        MatRef::row_major(&[], 2, 0),
        MatRef::row_major(&[], 0, 3),
        &mut c,
        3,
        Start::Zero,
    );
    assert_eq!(c, vec![0.0; 6], "k = 0 gives zeros");
    let mut c = vec![5.0f32; 6];
    gemm(
        MatRef::row_major(&[], 2, 0),
        MatRef::row_major(&[], 0, 3),
        &mut c,
        3,
        Start::FromC,
    );
    assert_eq!(c, vec![5.0; 6], "k = 0 from C leaves C");
    for isa in Isa::ALL.into_iter().filter(|isa| !isa.supported()) {
        let mut c = vec![5.0f32; 1];
        let ran = gemm_with(
            isa,
            Blocking::default(),
            MatRef::row_major(&[1.0], 1, 1),
            MatRef::row_major(&[1.0], 1, 1),
            &mut c,
            1,
            Start::Zero,
        );
        assert!(
            ran.is_none() && c == [5.0],
            "{} is not on this CPU: nothing runs",
            isa.name()
        );
    }
}

#[test]
#[should_panic(expected = "gemm: A is 2×3, B is 4×2")]
fn mismatched_shapes_are_refused() {
    let mut c = vec![0.0; 4];
    gemm(
        MatRef::row_major(&[0.0; 6], 2, 3),
        MatRef::row_major(&[0.0; 8], 4, 2),
        &mut c,
        2,
        Start::Zero,
    );
}
