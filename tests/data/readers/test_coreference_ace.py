"""`coref_ace` on the ACE single-file fixture: documents, clusters across sentences."""

from hmtl.data.readers.coreference_ace import CoreferenceAceReader
from hmtl.data.readers.coreference_common import SKIPPED_EMPTY_DOCUMENTS
from tests.data.readers.conftest import ACE_COREF, words
from tests.data.readers.test_coreference_conll import gold_labels, spans


def test_documents_clusters_and_labels():
    doc_a, doc_b = CoreferenceAceReader(max_span_width=2).read(ACE_COREF)
    # '/.' is normalised; sentence 2 starts at offset 4
    assert words(doc_a, "text") == ["John", "met", "Mary", ".", "She", "smiled", "."]
    # cluster 1 {John}, cluster 2 {Mary (2,2), She (4+0, 4+0)}
    assert doc_a["metadata"]["clusters"] == [[(0, 0)], [(2, 2), (4, 4)]]
    assert len(spans(doc_a)) == (2 + 2 + 2 + 1) + (2 + 2 + 1)
    assert gold_labels(doc_a) == {(0, 0): 0, (2, 2): 1, (4, 4): 1}
    # docB reuses cluster id 1, but clusters never cross documents
    assert doc_b["metadata"]["clusters"] == [[(0, 0)], [(0, 1)]]
    assert gold_labels(doc_b) == {(0, 0): 0, (0, 1): 1}


def test_empty_documents_are_skipped_and_counted(tmp_path):
    path = tmp_path / "two_rahman.gold_conll"
    path.write_text("#begin document (empty)\n#end document\n"
                    "#begin document (one)\n0 Hi * (1)\n#end document\n")
    reader = CoreferenceAceReader()
    [instance] = reader.read(path)
    assert instance["metadata"]["original_text"] == ["Hi"]
    summary = reader.read_summary
    assert summary.skipped == {SKIPPED_EMPTY_DOCUMENTS: 1}
    assert (summary.documents, summary.sentences, summary.gold_mentions) == (1, 1, 1)
