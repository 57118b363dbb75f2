"""hmtl: Hierarchical Multi-Task Learning on AllenNLP 2.10.1.

Importing the package is cheap (no torch, no AllenNLP), so that ``hmtl --help`` and the pure
Python commands start at once. The modules that define components register them with AllenNLP's
registries when they are imported; ``register_components()`` imports all of them, so that a JSON
config can name any of the project's readers, heads, models, metrics, trainers and schedulers.
Building a model or the tasks of a config (``hmtl.experiment``) registers what it needs itself.
"""

import warnings

__version__ = "0.1.0"

# Third-party warnings that every command would print and no user can act on, silenced by message
# and module so that any other warning still shows. They are raised while AllenNLP 2.10.1 imports
# FairScale (for its sharded-training option, which hmtl does not use): FairScale 0.4 decorates
# functions with torch.cuda.amp.custom_fwd/custom_bwd and compiles one with torch.jit.script,
# which PyTorch 2.x deprecates. Set before anything imports torch, hence here.
warnings.filterwarnings(
    "ignore",
    message=r"`torch\.cuda\.amp\.custom_(fwd|bwd)\(args\.\.\.\)` is deprecated",
    category=FutureWarning,
    module=r"fairscale\.",
)
warnings.filterwarnings(
    "ignore",
    message=r"`torch\.jit\.script` is deprecated",
    category=FutureWarning,
    module=r"torch\.jit\._script",
)


def register_components() -> None:
    """Register every component of the project with AllenNLP (imports torch and AllenNLP)."""
    import hmtl.data.readers
    import hmtl.metrics.accuracy
    import hmtl.metrics.coreference
    import hmtl.metrics.relation_f1
    import hmtl.metrics.span_f1
    import hmtl.models
    import hmtl.modules
    import hmtl.modules.padded_lstm
    import hmtl.training  # noqa: F401  (each import registers its components)
