"""Metrics: CoNLL-2012 coreference scores, relation F1, distributed span F1 and accuracy.

Importing the package registers the AllenNLP metrics `conll_coref_scores`, `relation_f1`,
`distributed_span_f1` and `distributed_categorical_accuracy`.
"""

from hmtl.metrics import accuracy, coref_scores, coreference, relation_f1, span_f1  # noqa: F401
from hmtl.metrics.accuracy import DistributedCategoricalAccuracy
from hmtl.metrics.coreference import ConllCorefScores
from hmtl.metrics.relation_f1 import RelationF1Measure
from hmtl.metrics.span_f1 import DistributedSpanBasedF1Measure

__all__ = [
    "ConllCorefScores",
    "DistributedCategoricalAccuracy",
    "DistributedSpanBasedF1Measure",
    "RelationF1Measure",
]
