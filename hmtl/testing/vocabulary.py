"""Label namespaces of the original HMTL tasks, filled for tests and benchmarks that build a
model without reading data."""

from collections.abc import Sequence

from allennlp.data import Vocabulary


def add_original_labels(vocab: Vocabulary, ner_types: Sequence[str], emd_types: Sequence[str],
                        relation_types: Sequence[str]) -> Vocabulary:
    """Adds BIOUL tags of `ner_types` / `emd_types` and `ARG1_`/`ARG2_` labels (plus `*`) of
    `relation_types` to the namespaces the original configs use; returns `vocab`."""
    for namespace, types in (("ontonotes_ner_labels", ner_types),
                             ("ace_mention_labels", emd_types)):
        vocab.add_token_to_namespace("O", namespace)
        for kind in types:
            for prefix in "BILU":
                vocab.add_token_to_namespace(f"{prefix}-{kind}", namespace)
    vocab.add_token_to_namespace("*", "relation_ace_labels")
    for kind in relation_types:
        for arg in ("ARG1", "ARG2"):
            vocab.add_token_to_namespace(f"{arg}_{kind}", "relation_ace_labels")
    return vocab
