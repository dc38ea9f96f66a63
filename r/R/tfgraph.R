#' The TensorFlow module: `tf$Variable(...)`, `tf$matmul(...)`, ... (TF2 behaviour:
#' eager execution), from the Python package `tfgraph` (`tfgraph.compat.v2`).
tf <- NULL

.onLoad <- function(libname, pkgname) {
  module <- reticulate::import("tfgraph.compat.v2", delay_load = TRUE, convert = FALSE)
  tf <<- .proxy(module)
}

# `tf` is the Python module behind a thin proxy: its functions receive R arrays as
# numpy arrays made without numpy's C API (see .to_numpy), and its sub-modules
# (`tf$math`, `tf$debugging`) are proxied the same way.
.proxy <- function(obj) structure(list(obj = obj), class = "tfgraph_proxy")

`$.tfgraph_proxy` <- function(x, name) {
  value <- reticulate::py_get_attr(unclass(x)$obj, name)
  if (inherits(value, "python.builtin.module")) return(.proxy(value))
  if (reticulate::py_has_attr(value, "__call__") &&
      !inherits(value, "tfgraph.framework.dtypes.DType")) {
    return(function(...) {
      args <- lapply(list(...), function(a) if (is.array(a)) .to_numpy(a) else a)
      do.call(reticulate::py_call, c(list(value), args))
    })
  }
  value
}

`[[.tfgraph_proxy` <- `$.tfgraph_proxy`

print.tfgraph_proxy <- function(x, ...) {
  cat("<tfgraph: TensorFlow on NumPy (tfgraph.compat.v2)>\n")
  invisible(x)
}

# TensorFlow's R package prints shapes R-style: "(2)" rather than Python's "(2,)".
.r_shapes <- function(text) gsub("shape=\\((\\d+),\\)", "shape=(\\1)", text)

#' A tensor from an R value (vector, matrix, array, tensor or variable).
#'
#' @param x the value.
#' @param dtype the tensor's dtype ("float32", tf$int64, ...); by default as converted.
#' @param shape a shape to fill in row-major order, as TensorFlow's R package does.
as_tensor <- function(x, dtype = NULL, shape = NULL) {
  if (inherits(x, "python.builtin.object")) {
    t <- tf$convert_to_tensor(x)
    if (!is.null(dtype)) t <- tf$cast(t, dtype)
  } else {
    if (is.array(x) && length(dim(x)) > 1) x <- .to_numpy(x)
    t <- tf$constant(x)
    if (!is.null(dtype)) t <- tf$cast(t, dtype)
  }
  if (!is.null(shape)) t <- tf$reshape(t, as.integer(shape))
  t
}

print.tfgraph.framework.ops.Tensor <- function(x, ...) {
  cat(.r_shapes(reticulate::py_str(x)), "\n", sep = "")
  invisible(x)
}

print.tfgraph.variables.Variable <- function(x, ...) {
  cat(reticulate::py_repr(x), "\n", sep = "")
  invisible(x)
}

print.tfgraph.framework.tensor_shape.TensorShape <- function(x, ...) {
  cat(reticulate::py_repr(x), "\n", sep = "")
  invisible(x)
}

# Values cross between R and numpy as flat Python lists plus a shape (row-major), so no
# numpy C API is needed (Debian's reticulate predates numpy 2).
as.array.tfgraph.framework.ops.Tensor <- function(x, ...) {
  value <- x$numpy()
  np <- reticulate::import("numpy", convert = FALSE)
  shape <- unlist(reticulate::py_to_r(reticulate::py_call(reticulate::import_builtins()$list,
                                                        np$shape(value))))
  flat <- unlist(reticulate::py_to_r(np$ravel(value)$tolist()))
  if (length(shape) <= 1) return(as.array(flat))
  aperm(array(flat, dim = rev(shape)))
}

.to_numpy <- function(x) {
  np <- reticulate::import("numpy", convert = FALSE)
  d <- dim(x)
  flat <- as.vector(aperm(x, rev(seq_along(d))))  # row-major order
  dtype <- switch(typeof(x), integer = "int32", double = "float64", logical = "bool",
                  complex = "complex128", character = "object", "float64")
  values <- np$array(reticulate::r_to_py(as.list(flat)), dtype = dtype)
  np$reshape(values, reticulate::r_to_py(as.list(as.integer(d))))
}



as.array.tfgraph.variables.Variable <- function(x, ...) {
  as.array.tfgraph.framework.ops.Tensor(x$value(), ...)
}

as.vector.tfgraph.framework.ops.Tensor <- function(x, mode = "any") {
  as.vector(as.array(x), mode = mode)
}

as.vector.tfgraph.variables.Variable <- function(x, mode = "any") {
  as.vector(as.array(x), mode = mode)
}

.ops <- function(generic, e1, e2) {
  if (missing(e2)) {
    switch(generic,
      "-" = tf$negative(e1),
      "!" = tf$logical_not(e1),
      stop(sprintf("unary operator '%s' is not defined for tensors", generic))
    )
  } else {
    switch(generic,
      "+" = tf$add(e1, e2),
      "-" = tf$subtract(e1, e2),
      "*" = tf$multiply(e1, e2),
      "/" = tf$truediv(e1, e2),
      "^" = tf$pow(e1, e2),
      "%%" = tf$math$floormod(e1, e2),
      "%/%" = tf$math$floordiv(e1, e2),
      "==" = tf$equal(e1, e2),
      "!=" = tf$not_equal(e1, e2),
      "<" = tf$less(e1, e2),
      "<=" = tf$less_equal(e1, e2),
      ">" = tf$greater(e1, e2),
      ">=" = tf$greater_equal(e1, e2),
      "&" = tf$logical_and(e1, e2),
      "|" = tf$logical_or(e1, e2),
      stop(sprintf("operator '%s' is not defined for tensors", generic))
    )
  }
}

Ops.tfgraph.framework.ops.Tensor <- function(e1, e2) .ops(.Generic, e1, e2)

Ops.tfgraph.variables.Variable <- function(e1, e2) .ops(.Generic, e1, e2)
