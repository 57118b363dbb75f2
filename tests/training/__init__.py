"""Tests of hmtl.training."""
