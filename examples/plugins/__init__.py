"""Plugins registered through ``--include-package examples.plugins.<name>``: a task sampler, a
loss weighting and a task head."""
