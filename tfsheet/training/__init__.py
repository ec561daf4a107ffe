"""The shared GradientTape training engine (used by every problem of the sheet)."""

from tfsheet.training.engine import ArrayData, TrainConfig, Trainer
from tfsheet.training.gradients import autodiff_gradients
from tfsheet.training.seeding import seed_everything

__all__ = ["ArrayData", "TrainConfig", "Trainer", "autodiff_gradients", "seed_everything"]
