//! Regularised evolution (Real, Aggarwal, Huang and Le, 2019) over a screened space,
//! one generation per stage. Generation 0 is the strategy's random draw of
//! `population`; each later generation's children are mutants of tournament winners:
//! `sample` of the population (the latest `population` candidates trained) drawn at
//! random, the best of them by recorded first-rung accuracy the parent. Ageing, not
//! fitness, decides who leaves the population, which is what keeps a lucky early score
//! from ruling the search. A child is a point mutation (one slot's operator changed)
//! or, with probability 1/4 when the space has several schemas, a change of schema
//! that keeps the parent's operators where the new schema has slots of their kind. A
//! child must be a distinct, untrained candidate of the screened space: a mutant that
//! was refused, or equals one already trained, is drawn again.
//!
//! Every choice comes from the strategy's seed and the earlier generations' records,
//! never from timing, so a sharded or resumed study breeds the same children.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use spec::RunRecord;
use spec::record::evolution::{Birth, EvolutionLog, GenerationRow};
use spec::record::search::{CandidateEntry, CandidateList, Fate};
use spec::rng::SplitMix64;
use spec::search::{Evolution, Search};

use crate::study::{Pending, Score, better, scores};

/// Mutations tried for each child before one is drawn at random instead.
const TRIES: usize = 64;

/// One generation's candidates and records, as the next generation reads them.
pub struct Generation<'a> {
    /// Its candidates, in training order.
    pub names: &'a [String],
    /// Its run records.
    pub records: &'a [RunRecord],
}

/// Generation `g`'s children, from the config, the candidate list and every earlier
/// generation's records (`earlier[h]`: generation h); `Pending` while one of their
/// runs has not finished (the stage number is that of generation g).
pub fn breed(
    search: &Search,
    list: &CandidateList,
    g: usize,
    earlier: &[Generation],
) -> Result<Vec<Birth>, Pending> {
    let evolution = search
        .file()
        .strategy
        .evolution()
        .expect("breed is called for evolution strategies");
    if g == 0 {
        return Ok(list
            .selected
            .iter()
            .map(|name| Birth {
                name: name.clone(),
                generation: 0,
                parent: None,
                change: "drawn at random".into(),
            })
            .collect());
    }
    let seeds = &search.rungs()[0].seeds;
    let mut trained: Vec<(String, Score)> = Vec::new();
    for (h, generation) in earlier.iter().take(g).enumerate() {
        trained.extend(scores(generation.names, seeds, generation.records, h + 1)?);
    }
    let population = &trained[trained.len().saturating_sub(evolution.population)..];
    Ok(Breeder::new(search, list, evolution, g).children(population, &trained))
}

/// The space as mutations see it.
struct Breeder<'a> {
    /// Each candidate by its schema and operators.
    by_form: HashMap<(&'a str, &'a [String]), &'a CandidateEntry>,
    /// Distinct candidates by name.
    by_name: BTreeMap<&'a str, &'a CandidateEntry>,
    /// Schemas as written, with whether each slot is binary.
    schemas: Vec<(String, Vec<bool>)>,
    unary: Vec<String>,
    binary: Vec<String>,
    evolution: Evolution,
    rng: SplitMix64,
    g: usize,
}

impl<'a> Breeder<'a> {
    fn new(search: &'a Search, list: &'a CandidateList, evolution: Evolution, g: usize) -> Self {
        let space = search.space();
        let schemas = space
            .schemas
            .iter()
            .map(|(text, schema)| {
                let mut kinds = Vec::new();
                schema.slot_kinds(&mut kinds);
                (text.clone(), kinds)
            })
            .collect();
        Self {
            by_form: list
                .candidates
                .iter()
                .map(|c| ((c.schema.as_str(), c.operators.as_slice()), c))
                .collect(),
            by_name: list
                .candidates
                .iter()
                .filter_map(|c| match &c.fate {
                    Fate::Distinct { name } => Some((name.as_str(), c)),
                    _ => None,
                })
                .collect(),
            schemas,
            unary: space.unary.iter().map(|o| o.name.clone()).collect(),
            binary: space.binary.iter().map(|o| o.name.clone()).collect(),
            evolution,
            // Each generation its own stream, so that generation g's children do not
            // depend on how many draws an earlier one took.
            rng: SplitMix64::new(
                evolution.seed ^ (g as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            ),
            g,
        }
    }

    fn children(
        mut self,
        population: &[(String, Score)],
        trained: &[(String, Score)],
    ) -> Vec<Birth> {
        let mut taken: BTreeSet<String> = trained.iter().map(|(n, _)| n.clone()).collect();
        let mut born = Vec::new();
        for _ in 0..self.evolution.size(self.g) {
            let parent = self.tournament(population);
            let child = (0..TRIES).find_map(|_| {
                let (form, change) = self.mutate(parent)?;
                let (name, simpler) = self.class_of(form)?;
                // A mutant with a simpler formula's outputs trains as that formula.
                let change = if simpler {
                    format!("{change}, trained as its simpler equal")
                } else {
                    change
                };
                (!taken.contains(&name)).then_some((name, Some(parent.to_string()), change))
            });
            let Some((name, parent, change)) = child.or_else(|| {
                self.fresh(&taken)
                    .map(|n| (n, None, format!("drawn at random ({TRIES} mutants of {parent} were all trained or refused)")))
            }) else {
                break; // every distinct candidate has been trained
            };
            taken.insert(name.clone());
            born.push(Birth {
                name,
                generation: self.g,
                parent,
                change,
            });
        }
        born
    }

    /// The best of `sample` members drawn without replacement.
    fn tournament<'p>(&mut self, population: &'p [(String, Score)]) -> &'p str {
        let mut order: Vec<usize> = (0..population.len()).collect();
        let sample = self.evolution.sample.min(order.len());
        for k in 0..sample {
            let j = k + self.rng.below(order.len() - k);
            order.swap(k, j);
        }
        let winner = order[..sample]
            .iter()
            .map(|&i| &population[i])
            .min_by(|a, b| better(a, b))
            .expect("a population is never empty");
        &winner.0
    }

    /// A mutant's schema and operators, with what changed; `None` when the space
    /// leaves nothing to change.
    fn mutate(&mut self, parent: &str) -> Option<((String, Vec<String>), String)> {
        let entry: &'a CandidateEntry = self.by_name.get(parent)?;
        let here = self.schemas.iter().position(|(s, _)| *s == entry.schema)?;
        if self.schemas.len() > 1 && self.rng.below(4) == 0 {
            let mut to = self.rng.below(self.schemas.len() - 1);
            if to >= here {
                to += 1;
            }
            let (schema, kinds) = self.schemas[to].clone();
            let old_kinds = self.schemas[here].1.clone();
            // The k-th unary (binary) slot keeps the parent's k-th unary (binary) operator.
            let mut kept = [Vec::new(), Vec::new()];
            for (op, &binary) in entry.operators.iter().zip(&old_kinds) {
                kept[usize::from(binary)].push(op.clone());
            }
            let mut used = [0, 0];
            let operators = kinds
                .iter()
                .map(|&binary| {
                    let k = usize::from(binary);
                    used[k] += 1;
                    match kept[k].get(used[k] - 1) {
                        Some(op) => op.clone(),
                        None => self.pick(binary, None),
                    }
                })
                .collect();
            let change = format!("schema {} → {schema}", entry.schema);
            return Some(((schema, operators), change));
        }
        let kinds = self.schemas[here].1.clone();
        if kinds.is_empty() {
            return None;
        }
        let slot = self.rng.below(kinds.len());
        let binary = kinds[slot];
        if self.pool(binary).len() < 2 {
            return None;
        }
        let old = entry.operators[slot].clone();
        let new = self.pick(binary, Some(&old));
        let mut operators = entry.operators.clone();
        operators[slot] = new.clone();
        let change = format!("{old} → {new} in slot {}", slot + 1);
        Some(((entry.schema.clone(), operators), change))
    }

    fn pool(&self, binary: bool) -> &[String] {
        if binary { &self.binary } else { &self.unary }
    }

    /// An operator of the kind, other than `not` when given.
    fn pick(&mut self, binary: bool, not: Option<&str>) -> String {
        let others = self
            .pool(binary)
            .iter()
            .filter(|o| Some(o.as_str()) != not)
            .count();
        let k = self.rng.below(others);
        let mut rest = self.pool(binary).iter().filter(|o| Some(o.as_str()) != not);
        rest.nth(k).expect("k is below the count").clone()
    }

    /// The trained name of a form's class, and whether that is a simpler candidate it
    /// equals rather than itself; `None` when it was refused.
    fn class_of(&self, form: (String, Vec<String>)) -> Option<(String, bool)> {
        let entry = self.by_form.get(&(form.0.as_str(), form.1.as_slice()))?;
        match &entry.fate {
            Fate::Distinct { name } => Some((name.clone(), false)),
            Fate::SameAs { name } => Some((name.clone(), true)),
            Fate::Rejected { .. } => None,
        }
    }

    /// A distinct candidate not yet taken, drawn at random.
    fn fresh(&mut self, taken: &BTreeSet<String>) -> Option<String> {
        let left: Vec<&str> = self
            .by_name
            .keys()
            .copied()
            .filter(|n| !taken.contains(*n))
            .collect();
        (!left.is_empty()).then(|| left[self.rng.below(left.len())].to_string())
    }
}

/// The leaderboard's account of the generations held: each one's mean and best
/// first-rung accuracy beside the best so far, and every birth.
pub fn evolution_log(
    search: &Search,
    births: &[Birth],
    held: &[Generation],
) -> Option<EvolutionLog> {
    let evolution = search.file().strategy.evolution()?;
    let seeds = &search.rungs()[0].seeds;
    let mut leader: Option<(String, f64)> = None;
    let generations = held
        .iter()
        .enumerate()
        .map(|(g, generation)| {
            let completed: Vec<(String, f64)> = generation
                .names
                .iter()
                .filter_map(|n| {
                    let mut s =
                        scores(std::slice::from_ref(n), seeds, generation.records, g + 1).ok()?;
                    match s.remove(0).1 {
                        Score::Completed(mean, _) => Some((n.clone(), mean)),
                        Score::Diverged(..) => None,
                    }
                })
                .collect();
            // The first of equals is the best: the order of training, as in promotion.
            let best = completed
                .iter()
                .fold(None::<&(String, f64)>, |b, c| match b {
                    Some(b) if b.1 >= c.1 => Some(b),
                    _ => Some(c),
                })
                .cloned();
            if let Some(b) = &best
                && leader.as_ref().is_none_or(|l| b.1 > l.1)
            {
                leader = Some(b.clone());
            }
            GenerationRow {
                generation: g,
                candidates: generation.names.len(),
                completed: completed.len(),
                mean: (!completed.is_empty())
                    .then(|| completed.iter().map(|c| c.1).sum::<f64>() / completed.len() as f64),
                best,
                best_so_far: leader.clone(),
            }
        })
        .collect();
    Some(EvolutionLog {
        population: evolution.population,
        sample: evolution.sample,
        generations,
        births: births.to_vec(),
    })
}

/// Names and records of every generation held, as the first rung's results: every
/// candidate trained, in training order, and every record.
pub fn first_rung_of(held: &[(Vec<String>, Vec<RunRecord>)]) -> (Vec<String>, Vec<RunRecord>) {
    let names = held.iter().flat_map(|(n, _)| n.iter().cloned()).collect();
    let records = held.iter().flat_map(|(_, r)| r.iter().cloned()).collect();
    (names, records)
}
