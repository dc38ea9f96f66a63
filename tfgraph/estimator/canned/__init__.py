"""TF 1.15's v1 canned estimators: Linear, DNN, DNNLinearCombined (wide & deep) and
Baseline classifiers and regressors."""
