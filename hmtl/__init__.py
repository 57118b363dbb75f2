"""hmtl: Hierarchical Multi-Task Learning on AllenNLP 2.10.1.

Importing the package is cheap (no torch, no AllenNLP), so that ``hmtl --help`` and the pure
Python commands start at once. The modules that define components register them with AllenNLP's
registries when they are imported; ``register_components()`` imports all of them, so that a JSON
config can name any of the project's readers, heads, models, metrics, trainers and schedulers.
Building a model or the tasks of a config (``hmtl.experiment``) registers what it needs itself.
"""

__version__ = "0.1.0"


def register_components() -> None:
    """Register every component of the project with AllenNLP (imports torch and AllenNLP)."""
    import hmtl.data.readers
    import hmtl.metrics.accuracy
    import hmtl.metrics.coreference
    import hmtl.metrics.relation_f1
    import hmtl.metrics.span_f1
    import hmtl.models
    import hmtl.modules
    import hmtl.training  # noqa: F401  (each import registers its components)
