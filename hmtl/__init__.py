"""hmtl: Hierarchical Multi-Task Learning on AllenNLP 2.10.1.

Importing the package registers every component (dataset readers, models, trainer pieces) with
AllenNLP's registries, so that JSON configs can name them.
"""

__version__ = "0.1.0"
