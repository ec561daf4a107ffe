"""The trainer trains; what a run shows and keeps besides (progress lines, TensorBoard, the best epoch's
weights) comes from callbacks."""

import io

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfsheet.training import ArrayData, TrainConfig, Trainer
from tfsheet.training.callbacks import Callback, Heartbeat, KeepBest, ProgressPrinter, TensorBoardLogger


class _Recorder(Callback):
    def __init__(self):
        self.calls = []

    def on_fit_start(self, trainer, total_steps, epochs):
        self.calls.append(("start", total_steps, epochs))

    def on_chunk(self, trainer, epoch, done, steps_per_epoch, means):
        self.calls.append(("chunk", epoch, done))

    def on_epoch_end(self, trainer, record):
        self.calls.append(("epoch", dict(record)))


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5], "float32"))[:, None]
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    return model, ArrayData(x, y)


def _squared(y, outputs):
    return tf.reduce_mean(tf.square(y - outputs), axis=-1)


def test_every_callback_hears_the_start_each_compiled_call_and_each_epoch(tmp_path):
    model, data = _problem()
    recorder = _Recorder()
    trainer = Trainer(model, _squared, keras.optimizers.SGD(0.05),
                      TrainConfig(epochs=2, batch_size=16, steps_per_call=2, verbose=False), callbacks=(recorder,))
    history = trainer.fit(data)
    assert recorder.calls[0] == ("start", 8, 2)
    assert [call[1] for call in recorder.calls if call[0] == "epoch"] == history
    assert [call[1:] for call in recorder.calls if call[0] == "chunk"] == [(0, 2), (0, 4), (1, 2), (1, 4)]


def test_the_best_epochs_weights_are_kept_not_the_last_ones():
    model, _ = _problem()
    best = KeepBest("val_accuracy")

    class Trained:           # stands for the trainer: KeepBest reads its model
        pass

    trainer = Trained()
    trainer.model = model
    for epoch, accuracy in enumerate((0.5, 0.9, 0.7), 1):
        model.set_weights([np.full_like(weight, epoch) for weight in model.get_weights()])
        best.on_epoch_end(trainer, {"epoch": epoch, "val_accuracy": accuracy})
    model.set_weights([np.zeros_like(weight) for weight in model.get_weights()])
    best.restore(model)
    assert best.epoch == 2 and all(np.all(weight == 2) for weight in model.get_weights())
    with pytest.raises(ValueError, match="lacks"):
        best.on_epoch_end(trainer, {"epoch": 4, "loss": 1.0})
    with pytest.raises(ValueError, match="nothing to restore"):
        KeepBest().restore(model)


def test_a_log_gets_a_progress_line_within_a_long_epoch_and_one_per_epoch():
    model, data = _problem()
    printed = io.StringIO()
    trainer = Trainer(model, _squared, keras.optimizers.SGD(0.05),
                      TrainConfig(epochs=1, batch_size=16, steps_per_call=1, verbose=False),
                      callbacks=(ProgressPrinter(printed, every=0.0, interactive=False),))
    trainer.fit(data)
    lines = printed.getvalue().splitlines()
    assert [line.split(" loss")[0] for line in lines[:3]] == [f"epoch 1/1 step {step}/4" for step in (1, 2, 3)]
    assert lines[-1].startswith("epoch 1/1 loss") and "\r" not in printed.getvalue()
    assert "left" in lines[0]


def test_a_quiet_training_beats_at_most_once_an_interval_across_all_trainings(monkeypatch):
    printed = io.StringIO()                 # (verbose trainings: the Heartbeat the engine adds when quiet stays out)
    monkeypatch.setattr(Heartbeat, "last_line", [0.0])              # long ago: the first chance prints
    for seed in (0, 1):                                             # two trainings share one clock
        model, data = _problem(seed)
        Trainer(model, _squared, keras.optimizers.SGD(0.05),
                TrainConfig(epochs=2, batch_size=16, steps_per_call=1),
                callbacks=(Heartbeat(printed, every=3600.0),)).fit(data)
    lines = printed.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("  training: epoch 1/2 step 1/4 loss") and "left" in lines[0]
    every_time = io.StringIO()
    model, data = _problem()
    Trainer(model, _squared, keras.optimizers.SGD(0.05),
            TrainConfig(epochs=2, batch_size=16, steps_per_call=1),
            callbacks=(Heartbeat(every_time, every=0.0),)).fit(data)
    assert len(every_time.getvalue().splitlines()) == 2 * 3 + 2      # each mid-epoch call and each epoch's end


def test_tensorboard_gets_the_training_and_validation_scalars(tmp_path):
    model, data = _problem()
    trainer = Trainer(model, _squared, keras.optimizers.SGD(0.05), TrainConfig(epochs=1, batch_size=16, verbose=False),
                      callbacks=(TensorBoardLogger(tmp_path),))
    trainer.fit(data, validation=data)
    tags = set()
    for path in tmp_path.glob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            tags.update(value.tag for value in event.summary.value)
    assert {"train/loss", "validation/loss"} <= tags
