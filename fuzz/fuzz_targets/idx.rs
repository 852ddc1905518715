//! The IDX reader on arbitrary bytes (raw or gzip): it must return an error, never
//! panic or allocate without bound, and what it accepts must be self-consistent.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let path = Path::new("fuzz.idx");
    let Ok(contents) = data::decompress(bytes.to_vec(), path) else {
        return;
    };
    if let Ok(array) = data::parse_idx(&contents, path) {
        let len: usize = array.dims.iter().product();
        assert_eq!(array.data.len(), len);
        assert_eq!(contents.len(), 4 + 4 * array.dims.len() + len);
        // What was read encodes back to the same bytes.
        let dims: Vec<u32> = array.dims.iter().map(|&d| d as u32).collect();
        assert_eq!(data::encode_idx(&dims, &array.data), contents);
    }
});
