"""Metrics: CoNLL-2012 coreference scores, relation F1, distributed span F1 and accuracy.

The AllenNLP metrics `conll_coref_scores` (`coreference`), `relation_f1`, `distributed_span_f1`
(`span_f1`) and `distributed_categorical_accuracy` (`accuracy`) are registered when their
modules are imported (``hmtl.register_components()`` imports them all). The package itself
imports nothing, so that `coref_scores` and `scorer_input` (pure Python and numpy, what
`hmtl score-coref` uses) load without torch or AllenNLP.
"""
