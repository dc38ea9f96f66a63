"""`tf.saved_model.tag_constants`: the standard meta graph tags."""

SERVING = "serve"
TRAINING = "train"
EVAL = "eval"
GPU = "gpu"
TPU = "tpu"

__all__ = ["GPU", "SERVING", "TPU", "TRAINING"]
