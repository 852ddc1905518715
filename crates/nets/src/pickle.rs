//! What a `torch.save` file's pickles would run if loaded by `torch.load` without
//! `weights_only`: every global they name (`GLOBAL`, `INST`, `STACK_GLOBAL`), checked
//! against the globals `torch.load(weights_only=True)` allows (PyTorch 2's
//! `torch/_weights_only_unpickler.py`). A state dict names only a dictionary type, the
//! tensor-rebuilding functions, storage types and dtypes; a file naming anything else
//! (`os.system` beside valid tensors) would run code on whoever loads it carelessly, so
//! `actlab import` refuses it, naming the global.
//!
//! A scan, not an unpickler: opcodes are walked with their arguments and a stack of what
//! is a string, enough to name the module and attribute of a `STACK_GLOBAL`. The walk is
//! bounded (stack depth, opcode count) like every recursive input actlab reads. Written
//! here because burn-store's reader, which reads the tensors, records globals without
//! judging them.

use std::collections::HashMap;
use std::io::Read;

/// The most bytes one pickle of a `torch.save` archive may unpack to.
const MAX_PICKLE_BYTES: u64 = 1 << 30;
/// The deepest stack a state dict's pickle may build.
const MAX_STACK: usize = 100_000;
/// The most opcodes one pickle may hold.
const MAX_OPCODES: usize = 50_000_000;

/// Module and attribute pairs `torch.load(weights_only=True)` resolves.
fn allowed(module: &str, name: &str) -> bool {
    const EXACT: &[(&str, &str)] = &[
        ("collections", "OrderedDict"),
        ("collections", "Counter"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "bytearray"),
        ("builtins", "complex"),
        ("_codecs", "encode"),
        ("torch", "Size"),
        ("torch", "Tensor"),
        ("torch", "device"),
        ("torch", "UntypedStorage"),
        ("torch.storage", "UntypedStorage"),
        ("torch.storage", "TypedStorage"),
        ("torch.nn.parameter", "Parameter"),
        ("torch.serialization", "_get_layout"),
        ("torch._tensor", "_rebuild_from_type_v2"),
    ];
    const DTYPES: &[&str] = &[
        "float32",
        "float",
        "float64",
        "double",
        "float16",
        "half",
        "bfloat16",
        "int64",
        "long",
        "int32",
        "int",
        "int16",
        "short",
        "int8",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "bool",
        "complex64",
        "cfloat",
        "complex128",
        "cdouble",
        "complex32",
        "float8_e4m3fn",
        "float8_e5m2",
        "qint8",
        "quint8",
        "qint32",
        "quint4x2",
        "quint2x4",
    ];
    const OTHER_TORCH: &[&str] = &[
        "strided",
        "sparse_coo",
        "sparse_csr",
        "sparse_csc",
        "sparse_bsr",
        "sparse_bsc",
        "per_tensor_affine",
        "per_channel_affine",
        "per_tensor_symmetric",
        "per_channel_symmetric",
        "per_channel_affine_float_qparams",
    ];
    EXACT.contains(&(module, name))
        || (module == "torch._utils" && name.starts_with("_rebuild_"))
        || (module == "torch" && name.ends_with("Storage"))
        || (module == "torch" && (DTYPES.contains(&name) || OTHER_TORCH.contains(&name)))
}

/// What the scan tracks of a stack entry: a string, the mark, or anything else.
#[derive(Clone, Debug, PartialEq)]
enum Item {
    Str(String),
    Mark,
    Other,
}

/// Why a file's pickles are refused.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal(pub String);

struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
    stack: Vec<Item>,
    memo: HashMap<u64, Item>,
}

impl<'a> Scan<'a> {
    fn fail<T>(&self, problem: impl Into<String>) -> Result<T, Refusal> {
        Err(Refusal(format!(
            "{} (pickle byte {})",
            problem.into(),
            self.at
        )))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Refusal> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        match end {
            Some(end) => {
                let slice = &self.bytes[self.at..end];
                self.at = end;
                Ok(slice)
            }
            None => self.fail("the pickle ends in the middle of an opcode"),
        }
    }

    fn uint(&mut self, n: usize) -> Result<u64, Refusal> {
        let raw = self.take(n)?;
        Ok(raw.iter().rev().fold(0u64, |v, &b| (v << 8) | u64::from(b)))
    }

    fn line(&mut self) -> Result<&'a [u8], Refusal> {
        let rest = &self.bytes[self.at..];
        match rest.iter().position(|&b| b == b'\n') {
            Some(i) => {
                let line = &rest[..i];
                self.at += i + 1;
                Ok(line)
            }
            None => self.fail("the pickle ends in the middle of a line"),
        }
    }

    /// The memo index of a PUT or GET: a decimal line (`p`, `g`; an unreadable one
    /// becomes an index no memo holds), one byte (`q`, `h`) or four (`r`, `j`).
    fn memo_index(&mut self, op: u8) -> Result<u64, Refusal> {
        match op {
            b'p' | b'g' => {
                let line = self.line()?;
                Ok(String::from_utf8_lossy(line)
                    .trim()
                    .parse::<u64>()
                    .unwrap_or(u64::MAX))
            }
            b'q' | b'h' => self.uint(1),
            _ => self.uint(4),
        }
    }

    /// `n` bytes as text (a string pushed on the stack).
    fn text(&mut self, n: u64) -> Result<Item, Refusal> {
        let n = usize::try_from(n).or_else(|_| self.fail("a string longer than memory"))?;
        let raw = self.take(n)?;
        Ok(Item::Str(String::from_utf8_lossy(raw).into_owned()))
    }

    fn push(&mut self, item: Item) -> Result<(), Refusal> {
        if self.stack.len() >= MAX_STACK {
            return self.fail(format!("the pickle's stack grows past {MAX_STACK} entries"));
        }
        self.stack.push(item);
        Ok(())
    }

    fn pop(&mut self) -> Result<Item, Refusal> {
        match self.stack.pop() {
            Some(item) => Ok(item),
            None => self.fail("the pickle pops an empty stack"),
        }
    }

    fn pop_to_mark(&mut self) -> Result<(), Refusal> {
        loop {
            if self.pop()? == Item::Mark {
                return Ok(());
            }
        }
    }

    fn global(&self, module: &str, name: &str) -> Result<(), Refusal> {
        if allowed(module, name) {
            Ok(())
        } else {
            self.fail(format!(
                "it names the global {module}.{name}, which torch.load(weights_only=True) refuses: loading the file without weights_only would run it; a state dict names only tensor types, storages and dtypes"
            ))
        }
    }

    /// A global named by two lines, module then name (GLOBAL, INST), checked.
    fn global_on_lines(&mut self) -> Result<(), Refusal> {
        let module = String::from_utf8_lossy(self.line()?).into_owned();
        let name = String::from_utf8_lossy(self.line()?).into_owned();
        self.global(&module, &name)
    }

    /// One pickle, to its STOP; returns where the next one would start.
    fn pickle(&mut self) -> Result<(), Refusal> {
        for _ in 0..MAX_OPCODES {
            let Some(&op) = self.bytes.get(self.at) else {
                return self.fail("the pickle ends without STOP");
            };
            self.at += 1;
            match op {
                b'.' => return Ok(()),
                b'(' => self.push(Item::Mark)?,
                b'0' => drop(self.pop()?),
                b'1' => self.pop_to_mark()?,
                b'2' => {
                    let top = self.stack.last().cloned();
                    match top {
                        Some(item) => self.push(item)?,
                        None => return self.fail("DUP of an empty stack"),
                    }
                }
                // Numbers, None, booleans, persistent ids and byte strings.
                b'F' | b'I' | b'L' | b'P' => {
                    self.line()?;
                    self.push(Item::Other)?
                }
                b'J' => {
                    self.take(4)?;
                    self.push(Item::Other)?
                }
                b'K' => {
                    self.take(1)?;
                    self.push(Item::Other)?
                }
                b'M' => {
                    self.take(2)?;
                    self.push(Item::Other)?
                }
                b'G' => {
                    self.take(8)?;
                    self.push(Item::Other)?
                }
                0x8a => {
                    let n = self.uint(1)? as usize;
                    self.take(n)?;
                    self.push(Item::Other)?
                }
                0x8b => {
                    let n = self.uint(4)? as usize;
                    self.take(n)?;
                    self.push(Item::Other)?
                }
                b'N' | 0x88 | 0x89 | b'}' | b']' | b')' | 0x8f => self.push(Item::Other)?,
                b'B' => {
                    let n = self.uint(4)? as usize;
                    self.take(n)?;
                    self.push(Item::Other)?
                }
                b'C' => {
                    let n = self.uint(1)? as usize;
                    self.take(n)?;
                    self.push(Item::Other)?
                }
                0x8e | 0x96 => {
                    let n = self.uint(8)?;
                    let n =
                        usize::try_from(n).or_else(|_| self.fail("bytes longer than memory"))?;
                    self.take(n)?;
                    self.push(Item::Other)?
                }
                0x97 => self.push(Item::Other)?,
                0x98 => {}
                // Strings.
                b'S' | b'V' => {
                    let line = self.line()?;
                    let text = String::from_utf8_lossy(line)
                        .trim_matches(['\'', '"'])
                        .to_string();
                    self.push(Item::Str(text))?
                }
                b'T' | b'X' => {
                    let n = self.uint(4)?;
                    let item = self.text(n)?;
                    self.push(item)?
                }
                b'U' | 0x8c => {
                    let n = self.uint(1)?;
                    let item = self.text(n)?;
                    self.push(item)?
                }
                0x8d => {
                    let n = self.uint(8)?;
                    let item = self.text(n)?;
                    self.push(item)?
                }
                // Globals: the one thing a state dict's pickle must not name freely.
                b'c' => {
                    self.global_on_lines()?;
                    self.push(Item::Other)?
                }
                b'i' => {
                    self.global_on_lines()?;
                    self.pop_to_mark()?;
                    self.push(Item::Other)?
                }
                0x93 => {
                    let name = self.pop()?;
                    let module = self.pop()?;
                    match (module, name) {
                        (Item::Str(module), Item::Str(name)) => self.global(&module, &name)?,
                        _ => return self.fail("STACK_GLOBAL of something else than two strings"),
                    }
                    self.push(Item::Other)?
                }
                0x82..=0x84 => {
                    return self.fail("it loads an object from the extension registry (EXT), which no state dict does");
                }
                // Containers and calls: pop what they take, push what they make.
                b't' | b'l' | b'd' | 0x91 => {
                    self.pop_to_mark()?;
                    self.push(Item::Other)?
                }
                b'o' => {
                    self.pop_to_mark()?;
                    self.push(Item::Other)?
                }
                b'e' | b'u' | 0x90 => self.pop_to_mark()?,
                b'a' | b'b' => drop(self.pop()?),
                b's' => {
                    self.pop()?;
                    self.pop()?;
                }
                0x85 => {
                    self.pop()?;
                    self.push(Item::Other)?
                }
                0x86 | b'R' | 0x81 => {
                    self.pop()?;
                    self.pop()?;
                    self.push(Item::Other)?
                }
                0x87 | 0x92 => {
                    self.pop()?;
                    self.pop()?;
                    self.pop()?;
                    self.push(Item::Other)?
                }
                b'Q' => {
                    self.pop()?;
                    self.push(Item::Other)?
                }
                // The memo: PUT and GET by a decimal line or a 1- or 4-byte index;
                // MEMOIZE puts at the next free index.
                b'p' | b'q' | b'r' | 0x94 => {
                    let index = match op {
                        0x94 => self.memo.len() as u64,
                        _ => self.memo_index(op)?,
                    };
                    self.remember(index)?
                }
                b'g' | b'h' | b'j' => {
                    let index = self.memo_index(op)?;
                    self.recall(index)?
                }
                0x80 => {
                    self.take(1)?;
                }
                0x95 => {
                    self.take(8)?;
                }
                other => return self.fail(format!("unknown pickle opcode 0x{other:02x}")),
            }
        }
        self.fail(format!("the pickle holds more than {MAX_OPCODES} opcodes"))
    }

    fn remember(&mut self, index: u64) -> Result<(), Refusal> {
        let top = match self.stack.last() {
            Some(item) => item.clone(),
            None => return self.fail("PUT of an empty stack"),
        };
        self.memo.insert(index, top);
        Ok(())
    }

    fn recall(&mut self, index: u64) -> Result<(), Refusal> {
        match self.memo.get(&index).cloned() {
            Some(item) => self.push(item),
            None => self.fail("GET of a memo entry never put"),
        }
    }
}

/// Checks the globals of one pickle stream starting at `bytes[0]`, and of the pickles
/// that follow it back to back (a legacy `torch.save` file is several), up to `count`.
fn check_stream(bytes: &[u8], count: usize) -> Result<(), Refusal> {
    let mut scan = Scan {
        bytes,
        at: 0,
        stack: Vec::new(),
        memo: HashMap::new(),
    };
    for _ in 0..count {
        if scan.at >= bytes.len() {
            break;
        }
        scan.stack.clear();
        scan.memo.clear();
        scan.pickle()?;
    }
    Ok(())
}

/// Checks every pickle of a `torch.save` file: the `data.pkl` of each archive in the ZIP
/// format, or the leading pickles of the legacy format (magic number, protocol, system
/// information, the object, its storage keys; the raw storages follow).
pub fn check_torch_file(bytes: &[u8]) -> Result<(), Refusal> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return check_stream(bytes, 5);
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| Refusal(format!("not a readable ZIP archive ({e})")))?;
    let mut pickles = 0;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| Refusal(format!("entry {i} of the archive is unreadable ({e})")))?;
        let name = entry.name().map(|n| n.into_owned()).map_err(|e| {
            Refusal(format!(
                "entry {i} of the archive has no readable name ({e})"
            ))
        })?;
        if !name.ends_with(".pkl") {
            continue;
        }
        let size = entry.size();
        if size > MAX_PICKLE_BYTES {
            return Err(Refusal(format!(
                "{name} unpacks to {size} bytes, more than a state dict's pickle may hold"
            )));
        }
        let mut pickle = Vec::with_capacity(size as usize);
        entry
            .by_ref()
            .take(MAX_PICKLE_BYTES + 1)
            .read_to_end(&mut pickle)
            .map_err(|e| Refusal(format!("{name}: {e}")))?;
        check_stream(&pickle, 1).map_err(|Refusal(why)| Refusal(format!("{name}: {why}")))?;
        pickles += 1;
    }
    if pickles == 0 {
        return Err(Refusal(
            "the archive holds no pickle (data.pkl); not a torch.save file".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `torch.save(OrderedDict(...))` writes, by hand: the module and attribute
    /// pushed as strings for STACK_GLOBAL, a call, and a GLOBAL of a storage type.
    fn state_dict_pickle() -> Vec<u8> {
        let mut p = vec![0x80, 0x02];
        p.extend(b"ccollections\nOrderedDict\nq\x00)Rq\x01");
        p.extend(b"\x8c\x0ctorch._utils\x94\x8c\x12_rebuild_tensor_v2\x94\x93");
        p.extend(b"(ctorch\nFloatStorage\nq\x02K\x01tR.");
        p
    }

    #[test]
    fn a_state_dicts_globals_pass() {
        assert_eq!(check_stream(&state_dict_pickle(), 1), Ok(()));
    }

    /// `os.system` by GLOBAL, by STACK_GLOBAL through the memo, and by INST: each is
    /// named in the refusal.
    #[test]
    fn code_is_refused_however_it_is_named() {
        let global = b"\x80\x02cos\nsystem\nq\x00X\x05\x00\x00\x00echo!\x85R.".to_vec();
        let e = check_stream(&global, 1).unwrap_err().0;
        assert!(e.contains("os.system"), "{e}");
        let stacked = b"\x80\x04\x8c\x02os\x94\x8c\x06system\x94h\x00h\x01\x93)R.".to_vec();
        let e = check_stream(&stacked, 1).unwrap_err().0;
        assert!(e.contains("os.system"), "{e}");
        let inst = b"\x80\x02(X\x02\x00\x00\x00hiisubprocess\nPopen\n.".to_vec();
        let e = check_stream(&inst, 1).unwrap_err().0;
        assert!(e.contains("subprocess.Popen"), "{e}");
        let builtins = b"\x80\x02cbuiltins\neval\n.".to_vec();
        assert!(
            check_stream(&builtins, 1)
                .unwrap_err()
                .0
                .contains("builtins.eval")
        );
    }

    /// Cut short, malformed or pathological pickles are refused, not followed.
    #[test]
    fn broken_pickles_are_refused() {
        let cut = &state_dict_pickle()[..20];
        assert!(check_stream(cut, 1).is_err());
        assert!(
            check_stream(b"\x80\x02\xff.", 1)
                .unwrap_err()
                .0
                .contains("unknown pickle opcode")
        );
        assert!(
            check_stream(b"\x80\x020.", 1)
                .unwrap_err()
                .0
                .contains("empty stack")
        );
        let deep: Vec<u8> = [&[0x80, 0x02][..], &vec![b'('; MAX_STACK + 1], b"."].concat();
        assert!(
            check_stream(&deep, 1)
                .unwrap_err()
                .0
                .contains("stack grows")
        );
        assert!(
            check_stream(b"\x80\x02\x82\x01.", 1)
                .unwrap_err()
                .0
                .contains("EXT")
        );
    }
}
