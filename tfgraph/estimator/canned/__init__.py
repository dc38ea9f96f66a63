"""TF 1.15's v1 canned estimators: Linear and DNN classifiers and regressors."""
