"""Task heads; importing this package registers every head type with ``Head``."""

from hmtl.modules.heads.coreference import CoreferenceHead
from hmtl.modules.heads.crf_tagger import CrfTaggerHead
from hmtl.modules.heads.head import Head
from hmtl.modules.heads.relation import RelationHead

__all__ = ["CoreferenceHead", "CrfTaggerHead", "Head", "RelationHead"]
