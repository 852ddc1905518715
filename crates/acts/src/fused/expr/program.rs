//! A graph's live nodes as a straight-line program over registers of [`BLOCK`] lanes:
//! leaves (x, the incoming gradient, parameters, constants) are loaded, every other node
//! is one step, and a register is reused once its last reader has run.

use super::fixed::Lanes;
use super::graph::{Graph, Id, Op};

/// Lanes per register: a block of this many elements goes through every step before
/// the next block starts, so the registers stay in the L1/L2 cache.
pub(super) const BLOCK: usize = 1024;

/// A register's index.
pub(super) type Reg = u32;

/// One step: `op` with register operands, written to `dst`; and its partner operation
/// (`Op::partner`), when the program needs it too, written to `also` by the same step.
#[derive(Clone, Copy, Debug)]
pub(super) struct Step {
    pub(super) dst: Reg,
    pub(super) op: Op,
    pub(super) also: Option<Reg>,
    /// How a registry function's lanes are computed (`Op::Value`/`Op::Slope` only).
    pub(super) lanes: Option<Lanes>,
}

/// What a program reads and writes.
#[derive(Clone, Debug, Default)]
pub(super) struct Program {
    pub(super) steps: Vec<Step>,
    pub(super) registers: usize,
    pub(super) x: Option<Reg>,
    pub(super) grad: Option<Reg>,
    /// (register, parameter index).
    pub(super) params: Vec<(Reg, u16)>,
    /// (register, value): filled once per piece.
    pub(super) constants: Vec<(Reg, f32)>,
    /// One register per output, in the order asked for.
    pub(super) outputs: Vec<Reg>,
}

impl Program {
    /// The program computing `outputs` of `graph`.
    pub(super) fn new(graph: &Graph, outputs: &[Id]) -> Program {
        let count = graph.nodes.len();
        let mut live = vec![false; count];
        for &o in outputs {
            live[o as usize] = true;
        }
        for id in (0..count).rev() {
            if live[id] {
                for operand in graph.nodes[id].operands() {
                    live[operand as usize] = true;
                }
            }
        }
        // The last node that reads each node; outputs are read at the very end.
        let mut last_use = vec![0usize; count];
        for id in (0..count).filter(|&id| live[id]) {
            for operand in graph.nodes[id].operands() {
                last_use[operand as usize] = id;
            }
        }
        for &o in outputs {
            last_use[o as usize] = usize::MAX;
        }

        let mut program = Program::default();
        let mut reg_of = vec![Reg::MAX; count];
        let mut free: Vec<Reg> = Vec::new();
        // Leaves first, each in a register of its own for the whole run.
        for id in (0..count).filter(|&id| live[id]) {
            let reg = program.registers as Reg;
            match graph.nodes[id] {
                Op::X => program.x = Some(reg),
                Op::Grad => program.grad = Some(reg),
                Op::Param(i) => program.params.push((reg, i)),
                Op::Const(bits) => program.constants.push((reg, f32::from_bits(bits))),
                _ => continue,
            }
            reg_of[id] = reg;
            program.registers += 1;
        }
        for id in 0..count {
            if !live[id] || node_is_leaf(graph.nodes[id]) {
                continue;
            }
            let node = graph.nodes[id];
            // A node with a register already is the partner of an earlier step: nothing
            // to run, only its operands to release below.
            if reg_of[id] == Reg::MAX {
                let mut alloc = || {
                    free.pop().unwrap_or_else(|| {
                        program.registers += 1;
                        (program.registers - 1) as Reg
                    })
                };
                let dst = alloc();
                let partner = node
                    .partner()
                    .and_then(|p| graph.find(p))
                    .filter(|&p| live[p as usize] && reg_of[p as usize] == Reg::MAX);
                let also = partner.map(|p| {
                    let reg = alloc();
                    reg_of[p as usize] = reg;
                    reg
                });
                let op = remap(node, &reg_of);
                let lanes = match node {
                    Op::Value(f, _) | Op::Slope(f, _) => Some(Lanes::of(f)),
                    _ => None,
                };
                program.steps.push(Step {
                    dst,
                    op,
                    also,
                    lanes,
                });
                reg_of[id] = dst;
            }
            // Freed after `dst` is taken, so that no step writes a register it reads.
            let mut operands = node.operands();
            operands.dedup();
            for operand in operands {
                let leaf = node_is_leaf(graph.nodes[operand as usize]);
                if last_use[operand as usize] == id
                    && !leaf
                    && !free.contains(&reg_of[operand as usize])
                {
                    free.push(reg_of[operand as usize]);
                }
            }
        }
        program.outputs = outputs.iter().map(|&o| reg_of[o as usize]).collect();
        program
    }
}

fn node_is_leaf(op: Op) -> bool {
    matches!(op, Op::X | Op::Grad | Op::Param(_) | Op::Const(_))
}

/// `op` with each operand's node replaced by its register.
fn remap(op: Op, reg: &[Reg]) -> Op {
    let r = |id: Id| reg[id as usize];
    match op {
        Op::X | Op::Grad | Op::Param(_) | Op::Const(_) => op,
        Op::Neg(a) => Op::Neg(r(a)),
        Op::Add(a, b) => Op::Add(r(a), r(b)),
        Op::Sub(a, b) => Op::Sub(r(a), r(b)),
        Op::Mul(a, b) => Op::Mul(r(a), r(b)),
        Op::Div(a, b) => Op::Div(r(a), r(b)),
        Op::PowInt(a, n) => Op::PowInt(r(a), n),
        Op::Pow(a, b) => Op::Pow(r(a), r(b)),
        Op::Exp(a) => Op::Exp(r(a)),
        Op::Log(a) => Op::Log(r(a)),
        Op::Sin(a) => Op::Sin(r(a)),
        Op::Cos(a) => Op::Cos(r(a)),
        Op::Abs(a) => Op::Abs(r(a)),
        Op::Sqrt(a) => Op::Sqrt(r(a)),
        Op::Sign(a) => Op::Sign(r(a)),
        Op::Select(c, l, rr, a, b) => Op::Select(c, r(l), r(rr), r(a), r(b)),
        Op::Value(f, a) => Op::Value(f, r(a)),
        Op::Slope(f, a) => Op::Slope(f, r(a)),
    }
}
