"""`tf.estimator` (TF 1.15's core, single process): Estimator, EstimatorSpec, ModeKeys,
RunConfig, TrainSpec/EvalSpec/train_and_evaluate, the v1 canned Linear, DNN,
DNNLinearCombined ("wide & deep") and Baseline classifiers and regressors,
WarmStartSettings, `inputs` (numpy_input_fn, pandas_input_fn) and `export` (serving
receivers, export outputs)."""

from tfgraph.estimator import export, inputs
from tfgraph.estimator.canned.baseline import BaselineClassifier, BaselineRegressor
from tfgraph.estimator.canned.dnn import DNNClassifier, DNNRegressor
from tfgraph.estimator.canned.dnn_linear_combined import (
    DNNLinearCombinedClassifier,
    DNNLinearCombinedRegressor,
)
from tfgraph.estimator.canned.linear import LinearClassifier, LinearRegressor
from tfgraph.estimator.estimator import Estimator, VocabInfo, WarmStartSettings
from tfgraph.estimator.exporter import BestExporter, Exporter, FinalExporter, LatestExporter
from tfgraph.estimator.mode_keys import ModeKeys
from tfgraph.estimator.model_fn import EstimatorSpec
from tfgraph.estimator.run_config import RunConfig
from tfgraph.estimator.training import EvalSpec, TrainSpec, train_and_evaluate

__all__ = [
    "BaselineClassifier",
    "BaselineRegressor",
    "BestExporter",
    "DNNClassifier",
    "DNNLinearCombinedClassifier",
    "DNNLinearCombinedRegressor",
    "DNNRegressor",
    "Estimator",
    "EstimatorSpec",
    "EvalSpec",
    "Exporter",
    "FinalExporter",
    "LatestExporter",
    "LinearClassifier",
    "LinearRegressor",
    "ModeKeys",
    "RunConfig",
    "TrainSpec",
    "VocabInfo",
    "WarmStartSettings",
    "export",
    "inputs",
    "train_and_evaluate",
]
