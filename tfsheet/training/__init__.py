"""The shared GradientTape training engine (used by every problem of the sheet), on one device or many."""

from tfsheet.training.engine import ArrayData, TrainConfig, Trainer
from tfsheet.training.gradients import autodiff_gradients
from tfsheet.training.runtime import Runtime
from tfsheet.training.seeding import seed_everything

__all__ = ["ArrayData", "Runtime", "TrainConfig", "Trainer", "autodiff_gradients", "seed_everything"]
