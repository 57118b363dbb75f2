"""AllenNLP dataset readers, registered under the original HMTL names on import.

`ner_ontonotes`, `ner_conll2003`, `mention_ace`, `relation_ace`, `coref`, `coref_ace`.
"""

from hmtl.data.readers.coreference_ace import CoreferenceAceReader
from hmtl.data.readers.coreference_conll import CoreferenceConllReader
from hmtl.data.readers.mention_ace import MentionAceReader
from hmtl.data.readers.ner_conll2003 import NerConll2003Reader
from hmtl.data.readers.ner_ontonotes import NerOntonotesReader
from hmtl.data.readers.relation_ace import RelationAceReader

__all__ = [
    "CoreferenceAceReader",
    "CoreferenceConllReader",
    "MentionAceReader",
    "NerConll2003Reader",
    "NerOntonotesReader",
    "RelationAceReader",
]
