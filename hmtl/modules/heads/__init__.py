"""Task heads; importing this package registers every head type with ``Head``."""

from hmtl.modules.heads.crf_tagger import CrfTaggerHead
from hmtl.modules.heads.head import Head
from hmtl.modules.heads.relation import RelationHead

try:  # written in parallel; becomes a plain import once it exists
    from hmtl.modules.heads.coreference import CoreferenceHead  # noqa: F401
except ModuleNotFoundError as error:
    if error.name != "hmtl.modules.heads.coreference":
        raise

__all__ = ["CrfTaggerHead", "Head", "RelationHead"]
