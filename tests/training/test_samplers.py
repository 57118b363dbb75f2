"""Task sampling: the exact distributions, the registrable samplers (the original four through
their names, annealed sampling's exponent schedule), draws that follow one numpy generator in a
fixed order, exclusion, resumable draws, and one-line errors for unknown names."""

import collections

import numpy as np
import pytest
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError

from hmtl.training.samplers import (
    AnnealedSampler,
    TaskSampler,
    sampler_params,
    sampling_probabilities,
)

BATCHES = {"ner": 3, "coref": 1}
INSTANCES = {"ner": 10, "coref": 40}


def build(setting, temperature=1.0, num_epochs=1, seed=0) -> TaskSampler:
    return TaskSampler.from_params(
        Params(sampler_params(setting, temperature)),
        num_batches=BATCHES, num_instances=INSTANCES, num_epochs=num_epochs, seed=seed,
    )


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("proportional", {"ner": 0.75, "coref": 0.25}),  # 3/4, 1/4 (batches)
        ("proportional_instances", {"ner": 0.2, "coref": 0.8}),  # 10/50, 40/50
        ("uniform", {"ner": 0.5, "coref": 0.5}),
        ({"type": "temperature", "temperature": 2.0}, {"ner": 1 / 3, "coref": 2 / 3}),
    ],
)
def test_the_original_methods_by_name(setting, expected):
    assert build(setting).probabilities == pytest.approx(expected)


def test_a_bare_temperature_name_takes_the_temperature_key():
    # sqrt(10) : sqrt(40) = 1 : 2
    assert build("temperature", temperature=2.0).probabilities == pytest.approx(
        {"ner": 1 / 3, "coref": 2 / 3}
    )


def test_each_draw_is_one_choice_of_the_generator_seeded_with_the_run_seed():
    # the order of random numbers is part of the demo's pinned results
    sampler = build("proportional", seed=7)
    generator = np.random.default_rng(7)
    names = ["ner", "coref"]
    expected = [names[int(generator.choice(2, p=np.array([0.75, 0.25])))] for _ in range(50)]
    assert [sampler.draw() for _ in range(50)] == expected


def test_draw_frequencies_match_the_probabilities():
    sampler = build("proportional", seed=1)  # 0.75, 0.25
    counts = collections.Counter(sampler.draw() for _ in range(4000))
    # binomial standard deviation: sqrt(4000 * 0.75 * 0.25) ~= 27, so 5 sd ~= 137 draws
    assert abs(counts["ner"] - 3000) < 137


def test_excluded_tasks_are_not_drawn_and_the_rest_is_renormalised():
    sampler = TaskSampler.from_params(
        Params({"type": "proportional"}), num_batches={"a": 5, "b": 3, "c": 2},
        num_instances={"a": 1, "b": 1, "c": 1},
    )
    assert sampler.active_probabilities({"a"}) == pytest.approx({"b": 0.6, "c": 0.4})
    assert {sampler.draw(exclude={"a"}) for _ in range(200)} == {"b", "c"}
    with pytest.raises(ValueError, match="every task is excluded"):
        sampler.draw(exclude={"a", "b", "c"})


def test_annealed_alpha_goes_from_1_to_0_2_linearly_over_the_epochs():
    sampler = build("annealed", num_epochs=5)
    assert isinstance(sampler, AnnealedSampler)
    assert [sampler.alpha(e) for e in range(5)] == pytest.approx([1.0, 0.8, 0.6, 0.4, 0.2])
    # epoch 0: alpha 1, proportional to instances 10 : 40
    assert sampler.probabilities == pytest.approx({"ner": 0.2, "coref": 0.8})
    sampler.start_epoch(4)
    # alpha 0.2: 10^0.2 = 1.5849, 40^0.2 = 2.0913
    low, high = 10**0.2, 40**0.2
    assert sampler.probabilities == pytest.approx(
        {"ner": low / (low + high), "coref": high / (low + high)}
    )
    assert sampler.probabilities["ner"] == pytest.approx(0.43112, abs=1e-5)


def test_annealed_with_one_epoch_stays_at_the_initial_alpha():
    assert build("annealed", num_epochs=1).alpha(0) == 1.0


def test_a_restored_sampler_continues_the_same_draws():
    first = build("uniform", seed=3)
    [first.draw() for _ in range(5)]
    saved = first.state_dict()
    expected = [first.draw() for _ in range(20)]
    second = build("uniform", seed=99)
    second.load_state_dict(saved)
    assert [second.draw() for _ in range(20)] == expected


@pytest.mark.parametrize(
    "setting", ["random", {"type": "annealing"}],
)
def test_an_unknown_name_lists_the_choices(setting):
    with pytest.raises(ConfigurationError) as caught:
        sampler_params(setting, 1.0)
    message = str(caught.value)
    assert "multi_task_trainer.sampling_method must be one of" in message
    for name in ("proportional", "proportional_instances", "uniform", "temperature", "annealed"):
        assert name in message
    assert "\n" not in message


def test_a_non_positive_temperature_is_refused():
    with pytest.raises(ConfigurationError, match="temperature must be > 0"):
        build("temperature", temperature=0.0)


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
