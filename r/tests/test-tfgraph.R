# Tests of the R package (plain R, base stopifnot): run by `R CMD check` and by
# tests/r/test_r_guide.py. Needs RETICULATE_PYTHON naming a Python with tfgraph.
library(tfgraph)

dtype_of <- function(t) reticulate::py_to_r(t$dtype$name)
throws <- function(expr, pattern) {
  msg <- tryCatch({ force(expr); "" }, error = function(e) conditionMessage(e))
  grepl(pattern, msg)
}

# Conversions keep R's types: integers int32, doubles float64 (scalars and vectors too),
# logicals bool, complex complex128; a dtype casts.
stopifnot(
  dtype_of(as_tensor(1:3)) == "int32",
  dtype_of(as_tensor(3L)) == "int32",
  dtype_of(as_tensor(c(1.5, 2))) == "float64",
  dtype_of(as_tensor(3)) == "float64",
  dtype_of(as_tensor(matrix(c(1, 2, 3, 4), 2))) == "float64",
  dtype_of(as_tensor(c(TRUE, FALSE))) == "bool",
  dtype_of(as_tensor(1 + 1i)) == "complex128",
  dtype_of(as_tensor("foo")) == "string",
  dtype_of(as_tensor(1:3, "float32")) == "float32",
  dtype_of(as_tensor(3, tf$int64)) == "int64",
  identical(as.array(as_tensor(2.7, "int32")), as.array(2L))
)

# Doubles with NA cannot become integer tensors (R's NA has no integer tensor value).
stopifnot(throws(as_tensor(c(1, NA), "int32"), "NA values to integer dtypes"))

# R arrays keep their layout both ways; dim() gives the shape.
a3 <- array(1:24, c(2, 3, 4))
stopifnot(
  identical(as.array(as_tensor(a3)), a3),
  identical(dim(as_tensor(a3)), c(2L, 3L, 4L)),
  identical(as.array(as_tensor(matrix(1:6, 2)))[2, 3], 6L),
  identical(as.vector(as_tensor(1:4)), 1:4),
  identical(as.array(as_tensor(c(TRUE, FALSE))), as.array(c(TRUE, FALSE)))
)

# shape= fills in row-major order, with one unknown dimension (NA or -1); a scalar is
# recycled to fill a fully defined shape.
m <- as.array(as_tensor(1:12, shape = c(NA, 4)))
stopifnot(
  identical(dim(m), c(3L, 4L)),
  identical(m[1, ], 1:4),
  identical(as.array(as_tensor(1:12, shape = c(-1, 4))), m),
  identical(as.array(as_tensor(matrix(1:6, 2), shape = c(3, 2))),
            matrix(c(1L, 5L, 4L, 3L, 2L, 6L), 3)),
  identical(as.array(as_tensor(7L, shape = c(2, 3))), matrix(7L, 2, 3)),
  identical(dim(as_tensor(0, shape = c(2, 2, 2))), c(2L, 2L, 2L)),
  throws(as_tensor(1:12, shape = c(NA, -1)), "at most one unknown dimension"),
  throws(as_tensor(1:12, shape = c(5, 4)), "InvalidArgumentError")
)

# R operators run TF ops and broadcast; comparisons give bool tensors.
x <- as_tensor(matrix(c(1, 2, 3, 4), 2), "float32")
stopifnot(
  identical(as.array(x + 1), matrix(c(2, 3, 4, 5), 2)),
  identical(as.array(2 * x - 1), matrix(c(1, 3, 5, 7), 2)),
  identical(as.array(x / 2), matrix(c(0.5, 1, 1.5, 2), 2)),
  identical(as.array(-x), -matrix(c(1, 2, 3, 4), 2)),
  identical(as.array(x^2), matrix(c(1, 4, 9, 16), 2)),
  identical(as.array(x %% 3), matrix(c(1, 2, 0, 1), 2)),
  identical(as.array(x > 2), matrix(c(FALSE, FALSE, TRUE, TRUE), 2)),
  identical(as.array(x == x), matrix(TRUE, 2, 2)),
  identical(as.array(!(x > 2)), matrix(c(TRUE, TRUE, FALSE, FALSE), 2))
)

# Variables: assign, conversions, operators, TF's printing with R's 1-d shapes.
v <- tf$Variable(c(2, 3))
invisible(v$assign_add(c(1, 1)))
stopifnot(
  identical(as.array(v), as.array(c(3, 4))),
  identical(dim(v), 2L),
  identical(as.array(v * 2), as.array(c(6, 8))),
  throws(v$assign(c(1, 2, 3)), "Shape mismatch")
)
out <- capture.output(print(as_tensor(c(1L, 2L))))
stopifnot(identical(out, "tf.Tensor([1 2], shape=(2), dtype=int32)"))
out <- capture.output(print(v))
stopifnot(grepl("^<tf.Variable 'Variable:0' shape=\\(2,\\) dtype=float32", out[1]))
stopifnot(identical(capture.output(print(v$shape)), "TensorShape([2])"))
# shape() makes TensorShapes; as_tensor takes them too.
stopifnot(
  identical(capture.output(print(shape(2, NA))), "TensorShape([2, None])"),
  identical(capture.output(print(shape(c(2, 3), NULL))), "TensorShape([2, 3, None])"),
  identical(dim(as_tensor(1:12, shape = shape(NA, 4))), c(3L, 4L))
)

# A Python function returning None returns NULL invisibly, as reticulate's functions do.
stopifnot(identical(capture.output(tf$debugging$set_log_device_placement(FALSE)), character(0)))
cat("tfgraph R package tests: OK\n")
