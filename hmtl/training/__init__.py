"""Multi-task training: config translation, tasks, sampling, the trainer, checkpoints, evaluation.

Importing the package registers the ``sampler_multi_task_trainer`` trainer, the ``fused_adam``
optimizer and the torch-2 ``reduce_on_plateau`` scheduler.
"""

from hmtl.training import optimizers, schedulers, trainer  # noqa: F401  (registration)
