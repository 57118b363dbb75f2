"""Pure format parsers: file -> documents -> sentences with their annotations (no AllenNLP).

Converters, evaluation writers, tools and tests use these directly; the dataset readers in
`hmtl.data.readers` turn their output into instances.
"""

from hmtl.data.formats.ace_like_conll import (
    AceDocument,
    AceSentence,
    RelationFrame,
    iter_ace_sentences,
    read_ace,
    write_ace,
)
from hmtl.data.formats.brackets import LabeledSpan, format_bracket_column, parse_bracket_column
from hmtl.data.formats.conll2003 import (
    Conll2003Sentence,
    iter_conll2003_documents,
    read_conll2003,
    tags_to_spans,
    write_conll2003,
)
from hmtl.data.formats.conll2012 import (
    Conll2012Document,
    Conll2012Sentence,
    read_conll2012,
    write_conll2012,
)
from hmtl.data.formats.coref_column import CorefMark, parse_coref_cell
from hmtl.data.formats.coref_spans import CorefMention, format_coref_column, parse_coref_column
from hmtl.data.formats.errors import FormatError
from hmtl.data.formats.paths import (
    DataFiles,
    find_data_files,
    ontonotes_path_info,
    walk_data_files,
)

__all__ = [
    "AceDocument",
    "AceSentence",
    "Conll2003Sentence",
    "Conll2012Document",
    "Conll2012Sentence",
    "CorefMark",
    "CorefMention",
    "DataFiles",
    "FormatError",
    "LabeledSpan",
    "RelationFrame",
    "find_data_files",
    "format_bracket_column",
    "format_coref_column",
    "iter_ace_sentences",
    "iter_conll2003_documents",
    "ontonotes_path_info",
    "parse_bracket_column",
    "parse_coref_cell",
    "parse_coref_column",
    "read_ace",
    "read_conll2003",
    "read_conll2012",
    "tags_to_spans",
    "walk_data_files",
    "write_ace",
    "write_conll2003",
    "write_conll2012",
]
