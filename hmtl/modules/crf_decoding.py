"""Viterbi decoding of AllenNLP's ``ConditionalRandomField`` for a whole batch at once.

``ConditionalRandomField.viterbi_tags`` decodes one sentence after another, and each sentence
one token after another, with a handful of small tensor operations per token: for a batch of 32
sentences of 30 tokens that is thousands of operations, a large share of a tagger's training
step on CPU. ``batched_viterbi_tags`` runs the same recursion for every sentence of the batch
together (one set of operations per token position), and gives exactly the same paths and
scores: every number is computed with the same float32 operations in the same order (the
constrained, start/end-augmented transition matrix; the scores of each step as
``(previous + transition) + emission``; ``topk`` over the previous tag, which breaks ties the
same way since each of its slices holds the same values in the same order).

Masks must be prefixes (the tokens of a sentence first, then padding), as a text field's mask
is; for any other mask, and for ``top_k``, the CRF's own ``viterbi_tags`` is used.
"""

from __future__ import annotations

import torch
from allennlp.modules import ConditionalRandomField

# The score AllenNLP gives impossible tags and transitions in decoding.
_IMPOSSIBLE = -10000.0


def _decoding_transitions(crf: ConditionalRandomField) -> torch.Tensor:
    """The (tags + 2, tags + 2) transition scores of decoding: constrained transitions, and the
    start (row ``tags``) and end (column ``tags + 1``) transitions, impossible elsewhere."""
    num_tags = crf.num_tags
    start, end = num_tags, num_tags + 1
    allowed = crf._constraint_mask.detach()
    transitions = torch.full(
        (num_tags + 2, num_tags + 2), _IMPOSSIBLE, device=crf.transitions.device
    )
    inner = allowed[:num_tags, :num_tags]
    transitions[:num_tags, :num_tags] = (
        crf.transitions.detach() * inner + _IMPOSSIBLE * (1 - inner)
    )
    from_start = allowed[start, :num_tags]
    to_end = allowed[:num_tags, end]
    if crf.include_start_end_transitions:
        transitions[start, :num_tags] = (
            crf.start_transitions.detach() * from_start + _IMPOSSIBLE * (1 - from_start)
        )
        transitions[:num_tags, end] = (
            crf.end_transitions.detach() * to_end + _IMPOSSIBLE * (1 - to_end)
        )
    else:
        transitions[start, :num_tags] = _IMPOSSIBLE * (1 - from_start)
        transitions[:num_tags, end] = _IMPOSSIBLE * (1 - to_end)
    return transitions


def _is_prefix_mask(mask: torch.Tensor, lengths: torch.Tensor) -> bool:
    positions = torch.arange(mask.size(1), device=mask.device)
    return bool(torch.equal(mask, positions.unsqueeze(0) < lengths.unsqueeze(1)))


def batched_viterbi_tags(
    crf: ConditionalRandomField, logits: torch.Tensor, mask: torch.Tensor | None = None
) -> list[tuple[list[int], float]]:
    """``crf.viterbi_tags(logits, mask)``: per sentence, its best tag path and that path's
    score, computed for the whole batch at once."""
    batch_size, max_length, num_tags = logits.shape
    if mask is None:
        mask = torch.ones(batch_size, max_length, dtype=torch.bool, device=logits.device)
    mask = mask.detach().bool()
    lengths = mask.sum(-1)
    if batch_size == 0 or not _is_prefix_mask(mask, lengths):
        return crf.viterbi_tags(logits, mask)
    start, end = num_tags, num_tags + 1
    # Shape: (tag, previous tag), so that the maximum is over contiguous memory.
    transitions_to = _decoding_transitions(crf).t().contiguous()
    device = logits.device

    # Emissions of steps 1 .. max_length + 1: the logits of the sentence's tokens, then (at
    # step length + 1) the end step, where only the end tag is possible.
    emissions = torch.full(
        (batch_size, max_length + 1, num_tags + 2), _IMPOSSIBLE, device=device
    )
    emissions[:, :max_length, :num_tags] = logits.detach().float()
    emissions[:, :max_length].masked_fill_(~mask.unsqueeze(-1), _IMPOSSIBLE)
    rows = torch.arange(batch_size, device=device)
    emissions[rows, lengths] = _IMPOSSIBLE
    emissions[rows, lengths, end] = 0.0

    scores = torch.full((batch_size, num_tags + 2), _IMPOSSIBLE, device=device)
    scores[:, start] = 0.0
    backpointers = []
    steps = int(lengths.max()) + 1
    for step in range(steps):
        # Shape: (batch, tag, previous tag)
        summed = scores.unsqueeze(1) + transitions_to
        best, previous = torch.topk(summed, k=1, dim=2)
        new_scores = emissions[:, step] + best.squeeze(2)
        # A sentence whose end step has passed keeps its final scores.
        running = (step <= lengths).unsqueeze(1)
        scores = torch.where(running, new_scores, scores)
        backpointers.append(previous.squeeze(2))

    final_scores, last = torch.topk(scores, k=1, dim=1)
    current = last.squeeze(1)
    # tags[:, position] for token positions 0 .. max_length - 1
    tags = torch.zeros(batch_size, max_length + 1, dtype=torch.long, device=device)
    for step in range(steps - 1, 0, -1):
        started = step <= lengths
        previous_tag = backpointers[step].gather(1, current.unsqueeze(1)).squeeze(1)
        current = torch.where(started, previous_tag, current)
        tags[:, step - 1] = current
    paths = tags.tolist()
    return [
        (path[:length], score)
        for path, length, score in zip(paths, lengths.tolist(), final_scores.squeeze(1).tolist())
    ]
