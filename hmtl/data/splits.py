"""The data splits of a task, in the order they are read, checked and reported."""

SPLITS = ("train", "validation", "test")
