"""The registrable task samplers: the original four through their names, annealed sampling's
exponent schedule, and one-line errors for unknown names."""

import pytest
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError

from hmtl.training.samplers import AnnealedSampler, TaskSampler, sampler_params
from hmtl.training.sampling import TaskSampler as FixedSampler

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


def test_draws_are_those_of_the_fixed_sampler_with_the_same_seed():
    new = build("proportional", seed=7)
    old = FixedSampler({"ner": 0.75, "coref": 0.25}, seed=7)
    assert [new.draw() for _ in range(50)] == [old.draw() for _ in range(50)]


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
