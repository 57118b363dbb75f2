"""`mention_ace`: mention-head tags of every like_conll file of a directory."""

import logging
import os

from hmtl.data.readers.mention_ace import MentionAceReader
from tests.data.readers.conftest import ACE_TRAIN, words


def test_directory_of_like_conll_files(caplog):
    with caplog.at_level(logging.INFO, logger="hmtl.data.readers.mention_ace"):
        instances = list(MentionAceReader().read(ACE_TRAIN))  # README.txt is not read
    assert [(words(i), i["tags"].labels) for i in instances] == [
        # the "engineers of Acme Corp" example: O U-PER O B-ORG L-ORG O O U-GPE O
        (["The", "engineers", "of", "Acme", "Corp", "moved", "to", "Oslo", "."],
         ["O", "U-PER", "O", "B-ORG", "L-ORG", "O", "O", "U-GPE", "O"]),
        (["They", "paid", "#", "5", "."], ["U-PER", "O", "O", "O", "O"]),
        (["Staff", "of", "the", "Acme", "Corp"], ["U-PER", "O", "O", "B-ORG", "L-ORG"]),
        (["They", "left"], ["U-PER", "O"]),
    ]
    assert instances[0]["tags"]._label_namespace == "ace_mention_labels"
    # 9 + 5 + 5 + 2 tokens; doc2 has no '#end document'
    assert ("read 4 sentences (21 tokens, 2 documents, 1 without '#end document') from 2 files"
            in caplog.text)


def test_iob1_output():
    [first, *_] = MentionAceReader(coding_scheme="IOB1").read(ACE_TRAIN)
    assert first["tags"].labels == ["O", "I-PER", "O", "I-ORG", "I-ORG", "O", "O", "I-GPE", "O"]


def test_the_read_summary_counts_files_documents_and_sentences():
    reader = MentionAceReader()
    list(reader.read(ACE_TRAIN))
    summary = reader.read_summary
    # README.txt is not a like_conll file, so it is neither read nor counted
    assert [os.path.basename(path) for path in summary.files] == ["doc1.sgm.like_conll",
                                                                  "doc2.sgm.like_conll"]
    assert (summary.documents, summary.sentences, summary.tokens) == (2, 4, 9 + 5 + 5 + 2)
