"""numpy kernels of MatrixDiagV3, MatrixDiagPartV3 and MatrixSetDiagV3 for a diagonal
band `k` (one index, or [lower, upper]) and TF's `align` of diagonals shorter than the
longest: "RIGHT_LEFT" (TF's default) right-aligns superdiagonals (k >= 0) and left-aligns
subdiagonals; "LEFT_RIGHT", "LEFT_LEFT" and "RIGHT_RIGHT" likewise."""

from __future__ import annotations

import numpy as np

ALIGNS = ("LEFT_RIGHT", "RIGHT_LEFT", "LEFT_LEFT", "RIGHT_RIGHT")


def band(k) -> tuple[int, int]:
    """(lower, upper) of a `k` input: a scalar or one or two indices."""
    flat = np.reshape(np.asarray(k), -1).tolist()
    if not 1 <= len(flat) <= 2:
        raise ValueError(f"diag_index must have only one or two elements, received {len(flat)}")
    lo, hi = int(flat[0]), int(flat[-1])
    if lo > hi:
        raise ValueError(f"lower_diag_index must not be larger than upper_diag_index: {lo} > {hi}")
    return lo, hi


def check_bounds(rows, cols, lo: int, hi: int) -> None:
    """TF's check that the band lies inside rows x cols matrices (None: unknown)."""
    if rows is not None and not (lo > -rows or (rows == 0 and lo == 0)):
        raise ValueError("lower_diag_index is out of bound.")
    if cols is not None and not (hi < cols or (cols == 0 and hi == 0)):
        raise ValueError("upper_diag_index is out of bound.")


def check_num_diags(num: int, lo: int, hi: int) -> None:
    """TF's check of the number of diagonals given for the band lo..hi."""
    if num != hi - lo + 1:
        raise ValueError(
            "The number of rows of `diagonal` doesn't match the number of diagonals implied "
            f"from `d_lower` and `d_upper`.\nnum_diags = {num}, d_lower = {lo}, "
            f"d_upper = {hi}"
        )


def diag_len(rows: int, cols: int, d: int) -> int:
    """The length of diagonal `d` of a rows x cols matrix."""
    return min(rows + min(d, 0), cols - max(d, 0))


def _positions(rows: int, cols: int, lo: int, hi: int, width: int, align: str):
    """(row in the band array, columns in it, matrix rows, matrix cols) per diagonal."""
    align = align.decode() if isinstance(align, bytes) else align
    left_super, left_sub = align.startswith("LEFT"), align.endswith("LEFT")
    for d in range(hi, lo - 1, -1):
        n = np.arange(max(diag_len(rows, cols, d), 0))
        left = left_super if d >= 0 else left_sub
        offset = 0 if left else width - len(n)
        yield hi - d, offset + n, n - min(d, 0), n + max(d, 0)


def diag_part(x, k, padding, align) -> np.ndarray:
    """MatrixDiagPartV3: diagonals lo..hi of each innermost matrix (upper first)."""
    lo, hi = band(k)
    rows, cols = x.shape[-2:]
    check_bounds(rows, cols, lo, hi)
    width = max((diag_len(rows, cols, d) for d in range(lo, hi + 1)), default=0)
    out = np.full((*x.shape[:-2], hi - lo + 1, max(width, 0)), padding, dtype=x.dtype)
    for i, at, r, c in _positions(rows, cols, lo, hi, width, align):
        out[..., i, at] = x[..., r, c]
    return out[..., 0, :] if lo == hi else out


def matrix_rows_cols(width: int, lo: int, hi: int, num_rows: int, num_cols: int):
    """TF's output size of MatrixDiagV3 (-1: inferred from the band and `width`)."""
    min_rows, min_cols = width - min(hi, 0), width + max(lo, 0)
    if num_rows == -1 and num_cols == -1:
        num_rows = num_cols = max(min_rows, min_cols)
    elif num_rows == -1:
        num_rows = min_rows
    elif num_cols == -1:
        num_cols = min_cols
    if num_rows != min_rows and num_cols != min_cols:
        raise ValueError(
            f"The number of rows or columns is not consistent with the specified d_lower, "
            f"d_upper, and diagonal. (num_rows {num_rows}, num_cols {num_cols})"
        )
    return num_rows, num_cols


def matrix_diag(diag, k, num_rows, num_cols, padding, align) -> np.ndarray:
    """MatrixDiagV3: matrices with the band `k` from `diag`, `padding` elsewhere."""
    lo, hi = band(k)
    bands = diag[..., None, :] if lo == hi else diag
    if lo != hi:
        check_num_diags(bands.shape[-2], lo, hi)
    width = bands.shape[-1]
    rows, cols = matrix_rows_cols(width, lo, hi, int(num_rows), int(num_cols))
    out = np.full((*bands.shape[:-2], rows, cols), padding, dtype=diag.dtype)
    for i, at, r, c in _positions(rows, cols, lo, hi, width, align):
        out[..., r, c] = bands[..., i, at]
    return out


def set_diag(x, diag, k, align) -> np.ndarray:
    """MatrixSetDiagV3: a copy of `x` with the band `k` replaced by `diag`."""
    lo, hi = band(k)
    bands = diag[..., None, :] if lo == hi else diag
    rows, cols = x.shape[-2:]
    check_bounds(rows, cols, lo, hi)
    width = max((diag_len(rows, cols, d) for d in range(lo, hi + 1)), default=0)
    out = np.array(x, copy=True)
    for i, at, r, c in _positions(rows, cols, lo, hi, max(width, 0), align):
        out[..., r, c] = bands[..., i, at]
    return out
