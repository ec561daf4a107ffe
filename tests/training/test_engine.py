"""The shared engine: it learns, repeats itself exactly, resumes bit for bit, and stops on NaN."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfsheet.errors import CheckpointError, NonFiniteLossError
from tfsheet.training import ArrayData, TrainConfig, Trainer, seed_everything
from tfsheet.training.callbacks import Callback


def mean_squared(y, outputs):
    return tf.reduce_sum(tf.square(outputs - y), axis=-1)


def toy_data(count=300, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(count, 6)).astype(np.float32)
    y = (x @ rng.normal(size=(6, 2))).astype(np.float32)
    return ArrayData(x, y)


def build(seed=0, dropout=0.0):
    seed_everything(seed)
    inputs = keras.Input((6,))
    hidden = keras.layers.Dense(16, activation="tanh")(inputs)
    hidden = keras.layers.Dropout(dropout)(hidden) if dropout else hidden
    return keras.Model(inputs, keras.layers.Dense(2)(hidden))


def trainer(model, workdir=None, **config):
    config = {"epochs": 3, "batch_size": 32, "verbose": False, **config}
    return Trainer(model, mean_squared, keras.optimizers.Adam(0.01), TrainConfig(**config), workdir=workdir)


def weights(model):
    return [v.numpy() for v in model.weights]


def assert_identical(first, second):
    for a, b in zip(weights(first), weights(second)):
        np.testing.assert_array_equal(a, b)


def test_training_lowers_the_loss():
    history = trainer(build(), epochs=5).fit(toy_data())
    assert history[-1]["loss"] < 0.5 * history[0]["loss"]
    assert [record["epoch"] for record in history] == [1, 2, 3, 4, 5]


def test_a_learning_curve_on_other_data_joins_each_epoch_record_and_survives_a_resume(tmp_path):
    data = toy_data(400)
    train, held_out = ArrayData(data.x[:300], data.y[:300]), ArrayData(data.x[300:], data.y[300:])
    first = build()
    curve = lambda model: {"held_out": float(np.mean(mean_squared(held_out.y, model(held_out.x))))}
    history = trainer(first, tmp_path, epochs=2).fit(train, after_epoch=curve)
    assert [sorted(record) for record in history] == [["epoch", "held_out", "loss", "seconds"]] * 2
    assert history[-1]["held_out"] == curve(first)["held_out"]        # measured with the epoch's final weights
    resumed = trainer(build(), tmp_path, epochs=3).fit(train, after_epoch=curve)
    assert [record["held_out"] for record in resumed[:2]] == [record["held_out"] for record in history]
    assert resumed[2]["held_out"] < history[1]["held_out"] < history[0]["held_out"]


def test_same_seed_same_weights():
    first, second = build(), build()
    trainer(first).fit(toy_data())
    trainer(second).fit(toy_data())
    assert_identical(first, second)


def test_steps_per_call_does_not_change_the_result():
    whole, chunked = build(), build()
    trainer(whole).fit(toy_data())
    trainer(chunked, steps_per_call=3).fit(toy_data())
    assert_identical(whole, chunked)


@pytest.mark.parametrize("dropout", [0.0, 0.5])
def test_resume_mid_epoch_is_bit_exact(tmp_path, dropout):
    uninterrupted = build(dropout=dropout)
    trainer(uninterrupted).fit(toy_data())

    interrupted = build(dropout=dropout)
    trainer(interrupted, tmp_path, epochs=2, checkpoint_every=4).fit(toy_data())
    resumed = build(seed=99, dropout=dropout)  # different initial weights: all must come from the checkpoint
    if dropout:
        resumed.layers[2].seed_generator.state.assign([123, 0])
    resumed_trainer = trainer(resumed, tmp_path)
    resumed_trainer.fit(toy_data())
    assert int(resumed_trainer.step) == 30
    assert_identical(uninterrupted, resumed)


def test_nan_loss_stops_and_keeps_the_last_good_checkpoint(tmp_path):
    model = build()
    good = trainer(model, tmp_path, epochs=1)
    good.fit(toy_data())
    saved = good.checkpointer.latest
    before = weights(model)
    poisoned = toy_data()
    poisoned.x[100] = np.nan
    with pytest.raises(NonFiniteLossError, match="became nan at step") as error:
        trainer(model, tmp_path, epochs=2, shuffle=False).fit(poisoned)
    assert saved in str(error.value)
    assert good.checkpointer.manager.latest_checkpoint == saved
    # the steps before the bad batch were applied, the bad one was not: weights are finite
    assert all(np.all(np.isfinite(w)) for w in weights(model)) and not all(
        np.array_equal(a, b) for a, b in zip(before, weights(model)))


class _KilledInTheThirdEpoch(Callback):
    """Stops a run in its third epoch, after the second epoch's checkpoint, as a kill would."""

    def on_chunk(self, trainer, epoch, done, steps_per_epoch, means):
        if epoch == 2:
            raise RuntimeError("killed")


def test_truncated_checkpoint_falls_back_to_the_previous_one(tmp_path, caplog):
    killed = Trainer(build(), mean_squared, keras.optimizers.Adam(0.01),
                     TrainConfig(epochs=3, batch_size=32, verbose=False), workdir=tmp_path,
                     callbacks=[_KilledInTheThirdEpoch()])
    with pytest.raises(RuntimeError, match="killed"):
        killed.fit(toy_data())
    newest = tf.train.latest_checkpoint(str(tmp_path / "checkpoints"))
    data_file = f"{newest}.data-00000-of-00001"
    with open(data_file, "r+b") as stream:
        stream.truncate(os.path.getsize(data_file) // 2)
    resumed = trainer(build(seed=5), tmp_path, epochs=2)
    resumed._restore(300)
    assert int(resumed.step) == 10  # the epoch-1 checkpoint, not the damaged epoch-2 one
    assert "unreadable" in caplog.text


def test_a_finished_training_keeps_its_newest_checkpoint_only(tmp_path):
    finished = trainer(build(), tmp_path, epochs=3)
    finished.fit(toy_data())
    assert sorted(path.name for path in (tmp_path / "checkpoints").glob("*.index")) == ["ckpt-30.index"]
    again = trainer(build(seed=5), tmp_path, epochs=3)
    again.fit(toy_data())                                   # restored, nothing left to train
    assert int(again.step) == 30 and again.checkpointer.latest == finished.checkpointer.latest


def test_every_checkpoint_unreadable_is_an_error_and_deletes_nothing(tmp_path):
    trainer(build(), tmp_path, epochs=1).fit(toy_data())
    files = sorted((tmp_path / "checkpoints").iterdir())
    for path in files:
        if ".data-" in path.name:
            path.write_bytes(b"")
    with pytest.raises(CheckpointError, match=r"(?s)No checkpoint in .* could be restored .*To start over, delete "):
        trainer(build(), tmp_path, epochs=2).fit(toy_data())
    assert sorted((tmp_path / "checkpoints").iterdir()) == files


def test_resuming_with_other_data_is_refused(tmp_path):
    trainer(build(), tmp_path, epochs=1).fit(toy_data())
    with pytest.raises(CheckpointError, match="300 examples and batch size 32"):
        trainer(build(), tmp_path, epochs=2, batch_size=64).fit(toy_data())


def test_evaluate_and_metrics():
    model = build()
    engine = Trainer(model, mean_squared, keras.optimizers.SGD(0.01), TrainConfig(epochs=1, verbose=False),
                     metrics={"abs_error": lambda y, out: tf.reduce_sum(tf.abs(out - y), axis=-1)})
    data = toy_data()
    result = engine.evaluate(data)
    prediction = model(data.x).numpy()
    np.testing.assert_allclose(result["loss"], np.mean(np.sum((prediction - data.y) ** 2, -1)), rtol=1e-5)
    np.testing.assert_allclose(result["abs_error"], np.mean(np.sum(np.abs(prediction - data.y), -1)), rtol=1e-5)


def test_tensorboard_scalars_are_written(tmp_path):
    trainer(build(), tmp_path, epochs=1).fit(toy_data(), validation=toy_data(50, seed=1))
    assert any(name.startswith("events.out.tfevents") for name in os.listdir(tmp_path / "logs"))


@pytest.mark.parametrize("field, value", [("epochs", 0), ("batch_size", -1), ("seed", -3),
                                          ("steps_per_call", 1.5), ("checkpoint_every", -1)])
def test_invalid_config(field, value):
    with pytest.raises(ValueError, match=f"Received: {field}="):
        TrainConfig(**{field: value})


def test_mismatched_data_is_refused():
    with pytest.raises(ValueError, match="same number of examples"):
        ArrayData(np.zeros((3, 2)), np.zeros(4))


def test_an_update_budget_stops_training_mid_epoch_and_records_the_partial_epoch():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    trainer = Trainer(model, lambda y, out: (out[:, 0] - y) ** 2, keras.optimizers.SGD(0.01),
                      TrainConfig(epochs=3, batch_size=100, max_updates=5, verbose=False))
    history = trainer.fit(ArrayData(np.ones((400, 3), np.float32), np.zeros(400, np.float32)))
    assert int(trainer.step.numpy()) == 5                       # 4 steps per epoch: one epoch and one step
    assert [record["epoch"] for record in history] == [1, 2]
