//! The activation expression parser on arbitrary text: an expression parses or fails
//! with a column inside the text (or just past it), never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spec::Expr;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let params = ["a".to_string(), "beta".to_string()];
    match Expr::parse(text, &params) {
        Ok(expr) => {
            let _ = expr.uses_param(0) || expr.uses_param(1);
        }
        Err(err) => {
            assert!(
                err.column >= 1 && err.column <= text.chars().count() + 1,
                "{err}"
            );
            assert!(!err.message.contains('\n'), "{err}");
        }
    }
});
