"""Keras 2's engine for TF1 graph mode: the layer base, input layers, models."""
