"""`tf.flags`: absl.flags with TensorFlow's implicitly parsed FLAGS (re-exports only).

Loaded on first access to `tf.flags` / `tf.app`, so `import tfgraph` does not load absl.
"""

from tfgraph.platform.flags import *  # noqa: F403
from tfgraph.platform.flags import __all__  # noqa: F401
