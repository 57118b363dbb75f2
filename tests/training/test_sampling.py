"""Task sampling: exact probabilities of each method, exclusion, resumable draws."""

import collections

import pytest
from allennlp.common.checks import ConfigurationError

from hmtl.training.sampling import TaskSampler, sampling_probabilities

BATCHES = {"ner": 3, "coref": 1}
INSTANCES = {"ner": 10, "coref": 40}


def test_proportional_follows_the_number_of_batches():
    # 3 / (3 + 1) and 1 / (3 + 1)
    assert sampling_probabilities("proportional", BATCHES, INSTANCES) == pytest.approx(
        {"ner": 0.75, "coref": 0.25}
    )


def test_proportional_instances_follows_the_number_of_instances():
    # 10 / 50 and 40 / 50
    assert sampling_probabilities("proportional_instances", BATCHES, INSTANCES) == pytest.approx(
        {"ner": 0.2, "coref": 0.8}
    )


def test_uniform_gives_every_task_the_same_chance():
    assert sampling_probabilities("uniform", BATCHES, INSTANCES) == {"ner": 0.5, "coref": 0.5}


def test_temperature_flattens_the_sizes():
    # T = 2: sqrt(10) and sqrt(40) = 2 sqrt(10), so 1/3 and 2/3.
    assert sampling_probabilities("temperature", BATCHES, INSTANCES, 2.0) == pytest.approx(
        {"ner": 1 / 3, "coref": 2 / 3}
    )
    # T = 1 is proportional to instances.
    assert sampling_probabilities("temperature", BATCHES, INSTANCES, 1.0) == pytest.approx(
        {"ner": 0.2, "coref": 0.8}
    )


def test_a_task_without_batches_is_never_drawn_even_uniformly():
    probabilities = sampling_probabilities("uniform", {"a": 2, "b": 0}, {"a": 5, "b": 0})
    assert probabilities == {"a": 1.0, "b": 0.0}


@pytest.mark.parametrize(
    ("method", "temperature", "message"),
    [("stratified", 1.0, "sampling_method must be one of"), ("temperature", 0.0, "> 0")],
)
def test_bad_settings_are_configuration_errors(method, temperature, message):
    with pytest.raises(ConfigurationError, match=message):
        sampling_probabilities(method, BATCHES, INSTANCES, temperature)


def test_no_data_at_all_is_an_error():
    with pytest.raises(ConfigurationError, match="no task has training data"):
        sampling_probabilities("proportional", {"a": 0}, {"a": 0})


def test_draw_frequencies_match_the_probabilities():
    sampler = TaskSampler({"ner": 0.75, "coref": 0.25}, seed=1)
    counts = collections.Counter(sampler.draw() for _ in range(4000))
    # binomial standard deviation: sqrt(4000 * 0.75 * 0.25) ~= 27, so 5 sd ~= 137 draws
    assert abs(counts["ner"] - 3000) < 137


def test_excluded_tasks_are_not_drawn_and_the_rest_is_renormalised():
    sampler = TaskSampler({"a": 0.5, "b": 0.3, "c": 0.2}, seed=0)
    assert sampler.active_probabilities({"a"}) == pytest.approx({"b": 0.6, "c": 0.4})
    assert {sampler.draw(exclude={"a"}) for _ in range(200)} == {"b", "c"}
    with pytest.raises(ValueError, match="every task is excluded"):
        sampler.draw(exclude={"a", "b", "c"})


def test_a_restored_sampler_continues_the_same_sequence():
    first = TaskSampler({"a": 0.5, "b": 0.5}, seed=7)
    for _ in range(10):
        first.draw()
    state = first.state_dict()
    expected = [first.draw() for _ in range(50)]
    second = TaskSampler({"a": 0.5, "b": 0.5}, seed=123)
    second.load_state_dict(state)
    assert [second.draw() for _ in range(50)] == expected
