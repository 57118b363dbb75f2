"""The collector is off inside `gc_paused` and back to its previous state after."""

import gc

import pytest

from hmtl.data.readers.gc_pause import gc_paused


def test_collector_is_paused_and_restored_even_on_error():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(KeyError), gc_paused():
        raise KeyError("x")
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
