"""Shortcut connections: the wiring of the task encoders into a hierarchy.

Each task has one encoder and names the task it sits on ("below"). The input of an encoder is
the base embedding, concatenated with the output of the encoder below when there is one
(Sanh et al. 2019). This module checks the wiring (unknown names, cycles, declared input sizes),
builds the encoders with the input size the wiring gives them (``build_encoders``), and runs only
the encoders a task needs, optionally sharing their outputs between tasks.
"""

import inspect
from collections.abc import Callable
from typing import Any

import torch
from allennlp.common import FromParams, Params
from allennlp.common.checks import ConfigurationError
from allennlp.modules import Seq2SeqEncoder

Encoded = tuple[torch.Tensor, torch.Tensor]

#: The constructor arguments that hold an encoder's input size, by AllenNLP's conventions
#: (``input_size`` for the RNN wrappers, ``input_dim`` for the others).
INPUT_SIZE_ARGUMENTS = ("input_size", "input_dim")


class EncoderConfig(FromParams):
    """A task encoder's config, built only once the wiring knows the size of its input.

    The config is a ``Seq2SeqEncoder`` config whose input size (``input_size`` or ``input_dim``,
    whichever its type takes) may be left out; ``build`` fills it in. An explicit size is kept
    as written and checked by ``ShortcutEncoders``, so a wrong one is an error naming both sizes.
    """

    def __init__(self, params: Params) -> None:
        self.params = params

    @classmethod
    def from_params(  # type: ignore[override]
        cls,
        params: Params | str,
        constructor_to_call: Callable[..., "EncoderConfig"] | None = None,
        constructor_to_inspect: Callable[..., Any] | None = None,
        **extras: Any,
    ) -> "EncoderConfig":
        """Keep the config as it is; it is checked when ``build`` constructs the encoder."""
        if isinstance(params, str):
            params = Params({"type": params})
        return cls(params)

    def input_size_argument(self) -> str | None:
        """The name of the encoder type's input-size argument, or None when it has none (or the
        type is unknown: building it then gives AllenNLP's error)."""
        choice = self.params.get("type", Seq2SeqEncoder.default_implementation)
        if not isinstance(choice, str) or choice not in Seq2SeqEncoder.list_available():
            return None
        subclass, constructor = Seq2SeqEncoder.resolve_class_name(choice)
        method = getattr(subclass, constructor) if constructor else subclass.__init__
        parameters = inspect.signature(method).parameters
        return next((name for name in INPUT_SIZE_ARGUMENTS if name in parameters), None)

    def needs_input_size(self) -> bool:
        """Whether ``build`` must be told the input size (the config leaves it out)."""
        name = self.input_size_argument()
        return name is not None and name not in self.params

    def build(self, input_size: Callable[[], int]) -> Seq2SeqEncoder:
        """The encoder; ``input_size`` is called only when the config leaves the size out."""
        params = self.params.duplicate()
        if self.needs_input_size():
            params[self.input_size_argument()] = input_size()
        return Seq2SeqEncoder.from_params(params)


def wiring_paths(tasks: list[str], below: dict[str, str | None]) -> dict[str, list[str]]:
    """For each task, the tasks whose encoders run for it, lowest first; checks the wiring."""
    unknown = set(below) - set(tasks)
    if unknown:
        raise ConfigurationError(f"'below' given for tasks without an encoder: {unknown}")
    for task in tasks:
        lower = below.get(task)
        if lower is not None and lower not in tasks:
            raise ConfigurationError(
                f"task '{task}' sits on '{lower}', which is not a task of the model "
                f"(tasks: {sorted(tasks)})"
            )
    paths = {}
    for task in tasks:
        path = [task]
        while (lower := below.get(path[-1])) is not None:
            if lower in path:
                raise ConfigurationError(f"the tasks {path} sit on each other in a cycle")
            path.append(lower)
        paths[task] = path[::-1]
    return paths


def build_encoders(
    base_dim: Callable[[], int],
    configs: dict[str, EncoderConfig],
    below: dict[str, str | None],
) -> dict[str, Seq2SeqEncoder]:
    """Build each task's encoder, filling in the input sizes that the configs leave out.

    The encoders are built in the order of ``configs``, except that an encoder is built after
    the one it sits on (whose output size it needs): for configs that list lower tasks first,
    the order, and so the seeded initialisation, is that of the configs. ``base_dim`` is called
    only when some config leaves its input size out.
    """
    paths = wiring_paths(list(configs), below)
    built: dict[str, Seq2SeqEncoder] = {}
    for task in configs:
        for step in paths[task]:
            if step in built:
                continue
            lower = below.get(step)

            def input_size(lower: str | None = lower) -> int:
                return base_dim() + (0 if lower is None else built[lower].get_output_dim())

            built[step] = configs[step].build(input_size)
    return {task: built[task] for task in configs}


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
        self.paths = wiring_paths(list(encoders), below)
        self.base_dim = base_dim
        self.encoders = torch.nn.ModuleDict(encoders)
        self.below = {task: below.get(task) for task in encoders}
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
