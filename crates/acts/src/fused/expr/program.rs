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
        let mut registers = Registers::default();
        let mut reg_of = vec![Reg::MAX; count];
        // Leaves first, each in a register of its own for the whole run.
        for id in (0..count).filter(|&id| live[id] && graph.nodes[id].is_leaf()) {
            let reg = registers.take();
            match graph.nodes[id] {
                Op::X => program.x = Some(reg),
                Op::Grad => program.grad = Some(reg),
                Op::Param(i) => program.params.push((reg, i)),
                Op::Const(bits) => program.constants.push((reg, f32::from_bits(bits))),
                _ => unreachable!("a leaf"),
            }
            reg_of[id] = reg;
        }
        for id in (0..count).filter(|&id| live[id] && !graph.nodes[id].is_leaf()) {
            let node = graph.nodes[id];
            // A node with a register already is the partner of an earlier step: nothing
            // to run, only its operands to release below.
            if reg_of[id] == Reg::MAX {
                let dst = registers.take();
                let partner = node
                    .partner()
                    .and_then(|p| graph.find(p))
                    .filter(|&p| live[p as usize] && reg_of[p as usize] == Reg::MAX);
                let also = partner.map(|p| {
                    reg_of[p as usize] = registers.take();
                    reg_of[p as usize]
                });
                let lanes = match node {
                    Op::Value(f, _) | Op::Slope(f, _) => Some(Lanes::of(f)),
                    _ => None,
                };
                program.steps.push(Step {
                    dst,
                    op: node.map_operands(|operand| reg_of[operand as usize]),
                    also,
                    lanes,
                });
                reg_of[id] = dst;
            }
            // Released after `dst` is taken, so that no step writes a register it reads.
            let mut operands = node.operands();
            operands.sort_unstable();
            operands.dedup();
            for operand in operands {
                if last_use[operand as usize] == id && !graph.nodes[operand as usize].is_leaf() {
                    registers.release(reg_of[operand as usize]);
                }
            }
        }
        program.registers = registers.count;
        program.outputs = outputs.iter().map(|&o| reg_of[o as usize]).collect();
        program
    }
}

/// Registers handed out and given back: a released one is reused before a new one.
#[derive(Default)]
struct Registers {
    count: usize,
    free: Vec<Reg>,
}

impl Registers {
    fn take(&mut self) -> Reg {
        self.free.pop().unwrap_or_else(|| {
            self.count += 1;
            (self.count - 1) as Reg
        })
    }

    fn release(&mut self, reg: Reg) {
        self.free.push(reg);
    }
}
