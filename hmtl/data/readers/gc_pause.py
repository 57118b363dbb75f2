"""Pausing Python's cyclic garbage collector while one large instance is built.

A coreference instance holds one `SpanField` per candidate span (about `max_span_width` per
token): building it allocates enough objects to trigger several collections, and each full
collection walks every object alive in the process (AllenNLP, torch, the model), which halved the
reading speed. Building an instance creates no garbage cycles, so nothing is lost by collecting
after it instead of during it.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block; restore its previous state after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
