"""The code of the TF2 variables guides (seeds 000 and 004), block by block as the
guides show it, and a notebook-like runner: each block runs in one namespace, a block
ending in an expression prints its repr (as a notebook shows it), and an exception
prints `Type: message` and the next block goes on.

The runner is plain Python so that real TensorFlow runs the same blocks (tests compare
the whole output); only the import block differs.
"""

from __future__ import annotations

import ast

SEED_000 = [
    """\
my_tensor = tf.constant([[1.0, 2.0], [3.0, 4.0]])
my_variable = tf.Variable(my_tensor)

# Variables can be all kinds of types, just like tensors
bool_variable = tf.Variable([False, False, False, True])
complex_variable = tf.Variable([5 + 4j, 6 + 1j])
""",
    """\
print("Shape: ", my_variable.shape)
print("DType: ", my_variable.dtype)
print("As NumPy: ", my_variable.numpy())
""",
    """\
print("A variable:", my_variable)
print("\\nViewed as a tensor:", tf.convert_to_tensor(my_variable))
print("\\nIndex of highest value:", tf.argmax(my_variable))

# This creates a new tensor; it does not reshape the variable.
print("\\nCopying and reshaping: ", tf.reshape(my_variable, ([1,4])))
""",
    """\
a = tf.Variable([2.0, 3.0])
# This will keep the same dtype, float32
a.assign([1, 2]) 
# Not allowed as it resizes the variable: 
try:
  a.assign([1.0, 2.0, 3.0])
except Exception as e:
  print(f"{type(e).__name__}: {e}")
""",  # noqa: W291 - the guide's trailing spaces
    """\
a = tf.Variable([2.0, 3.0])
# Create b based on the value of a
b = tf.Variable(a)
a.assign([5, 6])

# a and b are different
print(a.numpy())
print(b.numpy())

# There are other versions of assign
print(a.assign_add([2,3]).numpy())  # [7. 9.]
print(a.assign_sub([7,9]).numpy())  # [0. 0.]
""",
    """\
# Create a and b; they will have the same name but will be backed by
# different tensors.
a = tf.Variable(my_tensor, name="Mark")
# A new variable with the same name, but different value
# Note that the scalar add is broadcast
b = tf.Variable(my_tensor + 1, name="Mark")

# These are elementwise-unequal, despite having the same name
print(a == b)
""",
    """\
step_counter = tf.Variable(1, trainable=False)
""",
    """\
with tf.device('CPU:0'):

  # Create some tensors
  a = tf.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
  b = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
  c = tf.matmul(a, b)

print(c)
""",
    """\
with tf.device('CPU:0'):
  a = tf.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
  b = tf.Variable([[1.0, 2.0, 3.0]])

with tf.device('GPU:0'):
  # Element-wise multiply
  k = a * b

print(k)
""",
]

SEED_004 = [
    """\
my_variable = tf.Variable(tf.zeros([1., 2., 3.]))
""",
    """\
with tf.device("/device:GPU:1"):
  v = tf.Variable(tf.zeros([10, 10]))
""",
    """\
v = tf.Variable(0.0)
w = v + 1  # w is a tf.Tensor which is computed based on the value of v.
           # Any time a variable is used in an expression it gets automatically
           # converted to a tf.Tensor representing its value.
""",
    """\
v = tf.Variable(0.0)
""",
    """\
v = tf.Variable(0.0)
v.read_value()  # 1.0
""",
    """\
class MyModuleOne(tf.Module):
  def __init__(self):
    self.v0 = tf.Variable(1.0)
    self.vs = [tf.Variable(x) for x in range(10)]
class MyOtherModule(tf.Module):
  def __init__(self):
    self.m = MyModuleOne()
    self.v = tf.Variable(10.0)
m = MyOtherModule()
len(m.variables)  # 12; 11 from m.m and another from m.v
""",
]


def run_blocks(blocks: list[str], namespace: dict) -> None:
    """Runs `blocks` as notebook cells in `namespace`, printing what a notebook shows."""
    for block in blocks:
        tree = ast.parse(block)
        last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        body = ast.Module(body=tree.body[:-1] if last else tree.body, type_ignores=[])
        try:
            exec(compile(body, "<cell>", "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
                if value is not None:
                    print(repr(value))
        except Exception as e:  # a notebook shows the error and the next cell runs
            print(f"{type(e).__name__}: {e}")
