from allennlp.data import Vocabulary

from hmtl.testing.vocabulary import add_original_labels


def test_original_label_namespaces_are_filled():
    vocab = add_original_labels(Vocabulary(), ["PERSON"], ["PER", "ORG"], ["PHYS"])
    # O + 4 BIOUL prefixes per type: 1 + 4*1 = 5 and 1 + 4*2 = 9; relations: * + ARG1/ARG2 = 3
    assert vocab.get_vocab_size("ontonotes_ner_labels") == 5
    assert vocab.get_vocab_size("ace_mention_labels") == 9
    assert set(vocab.get_token_to_index_vocabulary("relation_ace_labels")) == {
        "*", "ARG1_PHYS", "ARG2_PHYS"}
