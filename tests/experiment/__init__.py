"""Tests of hmtl.experiment."""
