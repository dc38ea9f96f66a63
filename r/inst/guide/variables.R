# The R "Introduction to Variables" guide (seed 003), as written, with only the library
# line changed (library(tensorflow) -> library(tfgraph)).
library(tfgraph)
# Uncomment to see where your variables get placed (see below)
# tf$debugging$set_log_device_placement(TRUE)

my_tensor <- as_tensor(1:4, "float32", shape = c(2, 2))
(my_variable <- tf$Variable(my_tensor))

# Variables can be all kinds of types, just like tensors
(bool_variable <- tf$Variable(c(FALSE, FALSE, FALSE, TRUE)))
(complex_variable <- tf$Variable(c(5 + 4i, 6 + 1i)))

cat("Shape: "); my_variable$shape
cat("DType: "); my_variable$dtype
cat("As R array: "); str(as.array(my_variable))

message("A variable: ")
my_variable
message("Viewed as a tensor: ")
as_tensor(my_variable)
message("Index of highest value: ")
tf$math$argmax(my_variable)
# This creates a new tensor; it does not reshape the variable.
message("Copying and reshaping: ")
tf$reshape(my_variable, c(1L, 4L))

a <- tf$Variable(c(2, 3))
# assigning allowed, input is automatically
# cast to the dtype of the Variable, float32
a$assign(as.integer(c(1, 2)))
# resize the variable is not allowed
try(a$assign(c(1.0, 2.0, 3.0)))

a <- tf$Variable(c(2, 3))
# Create b based on the value of a
b <- tf$Variable(a)
a$assign(c(5, 6))
# a and b are different
as.array(a)
as.array(b)
# There are other versions of assign
as.array(a$assign_add(c(2,3))) # c(7, 9)
as.array(a$assign_sub(c(7,9))) # c(0, 0)

# Create a and b; they will have the same name but will be backed by
# different tensors.
a <- tf$Variable(my_tensor, name = "Mark")
# A new variable with the same name, but different value
# Note that the scalar add `+` is broadcast
b <- tf$Variable(my_tensor + 1, name = "Mark")
# These are elementwise-unequal, despite having the same name
print(a == b)

(step_counter <- tf$Variable(1L, trainable = FALSE))

with(tf$device('CPU:0'), {
  # Create some tensors
  a <- tf$Variable(array(1:6, c(2, 3)), dtype = "float32")
  b <- as_tensor(array(1:6, c(3, 2)), dtype = "float32")
  c <- tf$matmul(a, b)
})
c

with(tf$device('CPU:0'), {
  a <- tf$Variable(array(1:6, c(2, 3)), dtype = "float32")
  b <- tf$Variable(array(1:3, c(1, 3)), dtype = "float32")
})
with(tf$device('GPU:0'), {
  # Element-wise multiply
  k <- a * b
})
k
