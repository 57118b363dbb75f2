"""Batched Viterbi decoding: a hand-worked case, and the same paths and scores as AllenNLP's
sentence-by-sentence ``viterbi_tags`` (ties, constraints, lengths 0 and 1, other masks)."""

import pytest
import torch
from allennlp.modules import ConditionalRandomField
from allennlp.modules.conditional_random_field import allowed_transitions

from hmtl.modules.crf_decoding import batched_viterbi_tags

LABELS = {0: "O", 1: "U-PER", 2: "B-PER", 3: "I-PER", 4: "L-PER", 5: "U-LOC", 6: "B-LOC",
          7: "I-LOC", 8: "L-LOC"}


def test_hand_worked_two_tags() -> None:
    # Two tags, no start/end scores. Transitions: 0->0 = 0, 0->1 = -5, 1->0 = 0, 1->1 = 2.
    # Emissions [[1, 0], [0, 2]]: paths 00 = 1, 01 = -5 + 2 = -3, 10 = 0, 11 = 0 + 2 + 2 = 4.
    crf = ConditionalRandomField(2, include_start_end_transitions=False)
    with torch.no_grad():
        crf.transitions.copy_(torch.tensor([[0.0, -5.0], [0.0, 2.0]]))
    logits = torch.tensor([[[1.0, 0.0], [0.0, 2.0]], [[1.0, 0.0], [9.0, 9.0]]])
    mask = torch.tensor([[True, True], [True, False]])
    (path, score), (short_path, short_score) = batched_viterbi_tags(crf, logits, mask)
    assert (path, score) == ([1, 1], 4.0)
    assert (short_path, short_score) == ([0], 1.0)  # the padding's 9s are not read


@pytest.mark.parametrize("seed", range(40))
def test_same_as_allennlp(seed: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    constraints = allowed_transitions("BIOUL", LABELS) if seed % 2 else None
    crf = ConditionalRandomField(len(LABELS), constraints,
                                 include_start_end_transitions=seed % 3 != 0)
    with torch.no_grad():
        for parameter in crf.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator))
            if seed % 4 == 0:  # small integers: many ties between paths
                parameter.copy_(parameter.round())
    batch, length = 6, 9
    logits = torch.randn(batch, length, len(LABELS), generator=generator)
    if seed % 4 == 0:
        logits = logits.round()
    if seed % 5 == 0:
        logits = torch.zeros_like(logits)  # every path of the emissions ties
    lengths = torch.tensor([length, 1, 0, 4, length - 1, 2])
    mask = torch.arange(length).unsqueeze(0) < lengths.unsqueeze(1)
    expected = crf.viterbi_tags(logits, mask)
    got = batched_viterbi_tags(crf, logits, mask)
    assert [[int(tag) for tag in path] for path, _ in expected] == [path for path, _ in got]
    assert [score for _, score in expected] == [score for _, score in got]
    assert [len(path) for path, _ in got] == lengths.tolist()


def test_non_prefix_mask_and_no_mask() -> None:
    crf = ConditionalRandomField(len(LABELS), allowed_transitions("BIOUL", LABELS))
    logits = torch.randn(2, 5, len(LABELS), generator=torch.Generator().manual_seed(3))
    holes = torch.tensor([[True, False, True, True, False], [True, True, True, True, True]])
    assert batched_viterbi_tags(crf, logits, holes) == crf.viterbi_tags(logits, holes)
    expected = [([int(t) for t in path], score) for path, score in crf.viterbi_tags(logits)]
    assert batched_viterbi_tags(crf, logits) == expected
