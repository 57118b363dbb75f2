"""Shortcut connections: the wiring of the task encoders into a hierarchy.

Each task has one encoder and names the task it sits on ("below"). The input of an encoder is
the base embedding, concatenated with the output of the encoder below when there is one
(Sanh et al. 2019). This module checks the wiring (unknown names, cycles, declared input sizes)
and runs only the encoders a task needs, optionally sharing their outputs between tasks.
"""

import torch
from allennlp.common.checks import ConfigurationError
from allennlp.modules import Seq2SeqEncoder

Encoded = tuple[torch.Tensor, torch.Tensor]


class ShortcutEncoders(torch.nn.Module):
    """A tree of encoders over one base embedding.

    ``input_dropout[task]`` is applied to the input of a task's encoder only when that task is
    the one being computed, not when its encoder serves a task above it: this is how the
    original taggers regularised (the dropout lived in the task's tagger, not in the encoder).
    """

    def __init__(
        self,
        base_dim: int,
        encoders: dict[str, Seq2SeqEncoder],
        below: dict[str, str | None],
        input_dropout: dict[str, float] | None = None,
    ) -> None:
        super().__init__()
        unknown = set(below) - set(encoders)
        if unknown:
            raise ConfigurationError(f"'below' given for tasks without an encoder: {unknown}")
        self.base_dim = base_dim
        self.encoders = torch.nn.ModuleDict(encoders)
        self.below = {task: below.get(task) for task in encoders}
        for task, lower in self.below.items():
            if lower is not None and lower not in encoders:
                raise ConfigurationError(
                    f"task '{task}' sits on '{lower}', which is not a task of the model "
                    f"(tasks: {sorted(encoders)})"
                )
        self.paths = {task: self._path(task) for task in encoders}
        input_dropout = input_dropout or {}
        self.input_dropout = torch.nn.ModuleDict(
            {
                task: torch.nn.Dropout(rate) if rate else torch.nn.Identity()
                for task, rate in ((task, input_dropout.get(task, 0.0)) for task in encoders)
            }
        )
        for task in self.paths:
            expected = self.input_dim(task)
            declared = self.encoders[task].get_input_dim()
            if declared != expected:
                lower = self.below[task]
                origin = f"the base embedding ({base_dim})"
                if lower is not None:
                    origin += f" + the output of '{lower}' ({self.output_dim(lower)})"
                raise ConfigurationError(
                    f"task '{task}': its encoder is declared with input size {declared}, but it "
                    f"receives {expected} = {origin}"
                )

    def _path(self, task: str) -> list[str]:
        """The tasks whose encoders run for ``task``, lowest first."""
        path = [task]
        while (lower := self.below[path[-1]]) is not None:
            if lower in path:
                raise ConfigurationError(f"the tasks {path} sit on each other in a cycle")
            path.append(lower)
        return path[::-1]

    def input_dim(self, task: str) -> int:
        """Size of the input of ``task``'s encoder: base embedding (+ output of the one below)."""
        lower = self.below[task]
        return self.base_dim + (0 if lower is None else self.output_dim(lower))

    def output_dim(self, task: str) -> int:
        return self.encoders[task].get_output_dim()

    def forward(
        self,
        task: str,
        base: torch.Tensor,
        mask: torch.BoolTensor,
        cache: dict[str, Encoded] | None = None,
    ) -> Encoded:
        """Return ``(encoder_input, encoded)`` of ``task``'s encoder.

        ``cache`` maps a task to its ``(encoder_input, encoded)`` already computed on this batch;
        it is filled as encoders run, so several tasks of one batch share their common layers.
        Without a cache, the lower encoders run without their own task's input dropout.
        """
        if cache is not None and task in cache:
            return cache[task]
        lower = self.below[task]
        if lower is None:
            encoder_input = base
        elif cache is not None:
            encoder_input = torch.cat([base, self.forward(lower, base, mask, cache)[1]], dim=-1)
        else:
            encoder_input = torch.cat([base, self._encode_as_lower(lower, base, mask)], dim=-1)
        encoded = self.encoders[task](self.input_dropout[task](encoder_input), mask)
        if cache is not None:
            cache[task] = (encoder_input, encoded)
        return encoder_input, encoded

    def _encode_as_lower(
        self, task: str, base: torch.Tensor, mask: torch.BoolTensor
    ) -> torch.Tensor:
        """Output of ``task``'s encoder when it only serves a task above it."""
        encoded: torch.Tensor | None = None
        for step in self.paths[task]:
            encoder_input = base if encoded is None else torch.cat([base, encoded], dim=-1)
            encoded = self.encoders[step](encoder_input, mask)
        return encoded
