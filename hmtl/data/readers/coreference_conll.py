"""`coref`: coreference of a CoNLL-2012 file (the concatenated split), one instance per
document part (`#begin document` ... `#end document`)."""

from allennlp.data import DatasetReader

from hmtl.data.formats.conll2012 import read_conll2012
from hmtl.data.readers.coreference_common import CoreferenceReader


@DatasetReader.register("coref")
class CoreferenceConllReader(CoreferenceReader):
    """Reads one `*gold_conll` file (a directory is read file by file, in sorted order)."""

    registered_name = "coref"
    file_suffix = "gold_conll"
    parse_file = staticmethod(read_conll2012)
