"""Rows of the ACE like_conll format (docs/FORMATS.md) for converted documents.

One token per row, tab-separated: the index of the token in its sentence, the word, the mention
column, one column per relation frame, and the coreference column last. A blank line follows each
sentence; `#begin document (<id>); part 000` and `#end document` delimit a document, so that a
per-document `.like_conll` file and the concatenated single `.gold_conll` file share one layout.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from hmtl.data.ace2005.document import ConvertedSentence


def document_lines(doc_id: str, sentences: Iterable[ConvertedSentence]) -> Iterator[str]:
    """The lines (without newline characters) of one document."""
    yield f"#begin document ({doc_id}); part 000"
    for sentence in sentences:
        for index, word in enumerate(sentence.words):
            frames = [frame[index] for frame in sentence.relations]
            yield "\t".join(
                [str(index), word, sentence.mentions[index], *frames, sentence.coref[index]]
            )
        yield ""
    yield "#end document"
