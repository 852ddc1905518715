//! The matrices a product reads ([`MatRef`], any strides, so a transpose is a view) and
//! writes ([`MatMut`], a row-major block that splits into disjoint blocks for threads).

use std::marker::PhantomData;

/// A read-only matrix: element `(i, j)` at `data[i * row_stride + j * col_stride]`, so a
/// transpose is a view, not a copy.
#[derive(Clone, Copy, Debug)]
pub struct MatRef<'a> {
    pub(super) data: &'a [f32],
    pub(super) rows: usize,
    pub(super) cols: usize,
    pub(super) row_stride: usize,
    pub(super) col_stride: usize,
}

impl<'a> MatRef<'a> {
    /// A row-major `rows × cols` matrix.
    pub fn row_major(data: &'a [f32], rows: usize, cols: usize) -> MatRef<'a> {
        MatRef::strided(data, rows, cols, cols, 1)
    }

    /// The transpose of a row-major `cols × rows` matrix, viewed as `rows × cols`.
    pub fn transposed(data: &'a [f32], rows: usize, cols: usize) -> MatRef<'a> {
        MatRef::strided(data, rows, cols, 1, rows)
    }

    /// Any strides; panics when the last element lies outside `data`.
    pub fn strided(
        data: &'a [f32],
        rows: usize,
        cols: usize,
        row_stride: usize,
        col_stride: usize,
    ) -> MatRef<'a> {
        if rows > 0 && cols > 0 {
            let last = (rows - 1) * row_stride + (cols - 1) * col_stride;
            assert!(
                last < data.len(),
                "matrix view {rows}×{cols} (strides {row_stride}, {col_stride}) needs {} values, has {}",
                last + 1,
                data.len()
            );
        }
        MatRef {
            data,
            rows,
            cols,
            row_stride,
            col_stride,
        }
    }

    /// Rows `start..end` of the matrix.
    pub fn rows(self, start: usize, end: usize) -> MatRef<'a> {
        assert!(
            start <= end && end <= self.rows,
            "rows {start}..{end} of {}",
            self.rows
        );
        MatRef {
            rows: end - start,
            ..self.from(start, end, self.row_stride)
        }
    }

    /// Columns `start..end` of the matrix.
    pub fn cols(self, start: usize, end: usize) -> MatRef<'a> {
        assert!(
            start <= end && end <= self.cols,
            "columns {start}..{end} of {}",
            self.cols
        );
        MatRef {
            cols: end - start,
            ..self.from(start, end, self.col_stride)
        }
    }

    /// The view with its data starting at index `start` along a side of `stride`; an
    /// empty range keeps the data where it is.
    fn from(self, start: usize, end: usize, stride: usize) -> MatRef<'a> {
        let offset = if start < end { start * stride } else { 0 };
        MatRef {
            data: &self.data[offset.min(self.data.len())..],
            ..self
        }
    }

    /// The transpose, as a view.
    #[inline(always)]
    pub(super) fn t(self) -> MatRef<'a> {
        MatRef {
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
            ..self
        }
    }

    /// The number of rows.
    pub fn row_count(&self) -> usize {
        self.rows
    }

    /// The number of columns.
    pub fn col_count(&self) -> usize {
        self.cols
    }

    #[inline(always)]
    pub(super) fn at(&self, i: usize, j: usize) -> f32 {
        self.data[i * self.row_stride + j * self.col_stride]
    }
}

/// A row-major matrix being written: `rows × cols` values, rows `ld` apart. It can be cut
/// into disjoint blocks of rows or columns that threads fill at the same time, as
/// `split_at_mut` cuts a slice.
#[derive(Debug)]
pub struct MatMut<'a> {
    pub(super) ptr: *mut f32,
    pub(super) rows: usize,
    pub(super) cols: usize,
    pub(super) ld: usize,
    _borrow: PhantomData<&'a mut [f32]>,
}

// SAFETY: a `MatMut` is the only handle to its elements (it is made from a `&mut` slice
// and split into disjoint blocks), like a `&mut [f32]`.
unsafe impl Send for MatMut<'_> {}

impl<'a> MatMut<'a> {
    /// `rows × cols` values of `data`, rows `ld` apart; panics when they do not fit.
    pub fn row_major(data: &'a mut [f32], rows: usize, cols: usize, ld: usize) -> MatMut<'a> {
        assert!(ld >= cols, "matrix {rows}×{cols} with rows {ld} apart");
        if rows > 0 && cols > 0 {
            assert!(
                data.len() >= (rows - 1) * ld + cols,
                "matrix {rows}×{cols} (rows {ld} apart) needs {} values, has {}",
                (rows - 1) * ld + cols,
                data.len()
            );
        }
        MatMut {
            ptr: data.as_mut_ptr(),
            rows,
            cols,
            ld,
            _borrow: PhantomData,
        }
    }

    /// Rows `..at` and `at..`.
    pub fn split_rows(self, at: usize) -> (MatMut<'a>, MatMut<'a>) {
        assert!(at <= self.rows, "row {at} of {}", self.rows);
        let second = self.from(at, self.rows, self.ld);
        (
            MatMut { rows: at, ..self },
            MatMut {
                ptr: second,
                rows: self.rows - at,
                ..self
            },
        )
    }

    /// Columns `..at` and `at..`.
    pub fn split_cols(self, at: usize) -> (MatMut<'a>, MatMut<'a>) {
        assert!(at <= self.cols, "column {at} of {}", self.cols);
        let second = self.from(at, self.cols, 1);
        (
            MatMut { cols: at, ..self },
            MatMut {
                ptr: second,
                cols: self.cols - at,
                ..self
            },
        )
    }

    /// Where the block starting `at` steps of `stride` along a side of `len` begins; an
    /// empty rest keeps the pointer where it is (never read through).
    fn from(&self, at: usize, len: usize, stride: usize) -> *mut f32 {
        if at < len {
            // SAFETY: step `at` of the side lies inside the block.
            unsafe { self.ptr.add(at * stride) }
        } else {
            self.ptr
        }
    }

    /// The number of rows.
    pub fn row_count(&self) -> usize {
        self.rows
    }

    /// The number of columns.
    pub fn col_count(&self) -> usize {
        self.cols
    }

    /// Columns `from..from + len` of row `i`.
    #[inline(always)]
    pub(super) fn row_part(&mut self, i: usize, from: usize, len: usize) -> &mut [f32] {
        assert!(i < self.rows && from + len <= self.cols);
        // SAFETY: inside the block, which this handle borrows alone.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(i * self.ld + from), len) }
    }
}
