"""A loss-weighting plugin: each task's loss divided by its first training loss, so that every
task starts at 1 whatever the scale of its loss (a summed CRF loss, a mean cross-entropy).

    python train.py -c configs/demo.json -s runs/loss_ratio \
        --include-package examples.plugins.loss_ratio \
        -o '{"multi_task_trainer.loss_weighting": {"type": "loss_ratio"}}'
"""

import torch

from hmtl.training.weighting import LossWeighting


@LossWeighting.register("loss_ratio")
class LossRatioWeighting(LossWeighting):
    """``L_t / L_t(first step)``; the first losses are buffers, so checkpoints keep them."""

    def __init__(self, task_names: list[str]) -> None:
        super().__init__(task_names)
        for index in range(len(self.task_names)):
            self.register_buffer(f"first_loss_{index}", torch.tensor(float("nan")))

    def forward(self, task_name: str, loss: torch.Tensor,  # type: ignore[override]
                constant_scale: float = 1.0) -> torch.Tensor:
        first = getattr(self, f"first_loss_{self.task_names.index(task_name)}")
        if torch.isnan(first):
            first.copy_(loss.detach().abs().clamp(min=1e-8))
        return loss / first

    def statistics(self) -> dict[str, float]:
        return {f"{name}/first_loss": float(getattr(self, f"first_loss_{index}"))
                for index, name in enumerate(self.task_names)}
