"""Predicting with a trained model: archives, the shared loader, tokenisation, windows, the
predictor and its inputs and outputs (one idea per module)."""
