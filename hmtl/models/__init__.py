"""Models: the one hierarchical multi-task model (importing registers its type names)."""

from hmtl.models.hierarchical import HierarchicalModel, TaskBlock
from hmtl.models.original import OriginalTaskBlock

__all__ = ["HierarchicalModel", "OriginalTaskBlock", "TaskBlock"]
