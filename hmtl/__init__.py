"""hmtl: Hierarchical Multi-Task Learning on AllenNLP 2.10.1.

Importing the package registers every component (dataset readers, heads, models, schedulers)
with AllenNLP's registries, so that JSON configs can name them.
"""

__version__ = "0.1.0"

from hmtl import data, metrics, models, modules, training  # noqa: E402,F401  (registration)
