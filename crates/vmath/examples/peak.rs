//! The FMA limit of one core per vector path: `cargo run --release -p vmath --example peak`.
fn main() {
    for isa in vmath::Isa::ALL {
        let runs = (0..5).filter_map(|_| vmath::peak::fma_flops(isa, 20_000_000));
        match runs.reduce(f64::max) {
            Some(best) => println!("{:8} {:.1} GFLOP/s", isa.name(), best / 1e9),
            None => println!("{:8} not on this CPU", isa.name()),
        }
    }
}
