"""The endless, resumable batch stream of one task."""

import random

import pytest

from hmtl.training.batch_stream import BatchStream


class ShufflingLoader:
    """Like AllenNLP's loaders: shuffles with Python's random when an iteration starts."""

    def __init__(self, items: list[int]) -> None:
        self.items = items

    def __iter__(self):
        order = list(self.items)
        random.shuffle(order)
        yield from order


def test_every_pass_yields_every_batch_once():
    stream = BatchStream(ShufflingLoader([1, 2, 3, 4]), "t", seed=0)
    first, second = [next(stream) for _ in range(4)], [next(stream) for _ in range(4)]
    assert sorted(first) == sorted(second) == [1, 2, 3, 4]
    assert stream.state_dict() == {"pass_index": 1, "batch_index": 4}


def test_the_order_depends_on_the_seed_and_task_not_on_the_global_random_state():
    random.seed(1)
    a = [next(BatchStream(ShufflingLoader(list(range(20))), "t", seed=3)) for _ in range(1)]
    random.seed(2)
    b = [next(BatchStream(ShufflingLoader(list(range(20))), "t", seed=3)) for _ in range(1)]
    assert a == b
    one = BatchStream(ShufflingLoader(list(range(20))), "t", seed=3)
    other = BatchStream(ShufflingLoader(list(range(20))), "u", seed=3)
    assert [next(one) for _ in range(20)] != [next(other) for _ in range(20)]


def test_the_stream_does_not_consume_the_global_random_state():
    random.seed(4)
    expected = random.random()
    random.seed(4)
    stream = BatchStream(ShufflingLoader([1, 2, 3]), "t", seed=0)
    [next(stream) for _ in range(7)]
    assert random.random() == expected


@pytest.mark.parametrize("taken", [0, 2, 5, 8])
def test_a_restored_stream_continues_with_the_same_batches(taken):
    original = BatchStream(ShufflingLoader([1, 2, 3, 4]), "t", seed=9)
    for _ in range(taken):
        next(original)
    state = original.state_dict()
    expected = [next(original) for _ in range(10)]
    restored = BatchStream(ShufflingLoader([1, 2, 3, 4]), "t", seed=9)
    restored.load_state_dict(state)
    assert [next(restored) for _ in range(10)] == expected


def test_a_loader_without_batches_is_an_error():
    with pytest.raises(ValueError, match="task 'empty': the training data yields no batch"):
        next(BatchStream(ShufflingLoader([]), "empty", seed=0))
