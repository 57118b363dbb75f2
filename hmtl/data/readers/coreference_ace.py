"""`coref_ace`: coreference of an ACE like_conll file, one instance per document."""

from allennlp.data import DatasetReader

from hmtl.data.formats.ace_like_conll import read_ace
from hmtl.data.readers.coreference_common import CoreferenceReader


@DatasetReader.register("coref_ace")
class CoreferenceAceReader(CoreferenceReader):
    """Reads one like_conll file (the original's `*_rahman.gold_conll` single files); a
    directory is read file by file (files ending in `like_conll`), in sorted order."""

    registered_name = "coref_ace"
    file_suffix = "like_conll"
    parse_file = staticmethod(read_ace)
