"""A Runtime says where training runs and where its logs go; every trainer it makes is built in its scope."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfsheet.models.losses import squared_loss
from tfsheet.training import Runtime, TrainConfig
from tfsheet.training.runtime import one_device


def test_log_folders_nest_by_experiment_and_never_reuse_a_name(tmp_path):
    runtime = Runtime(log_root=tmp_path).below("P5.1 copy/task")
    assert runtime.log_root == tmp_path / "P5.1_copy_task"
    first = runtime.log_dir("run")
    first.mkdir(parents=True)
    assert first == tmp_path / "P5.1_copy_task" / "run" and runtime.log_dir("run").name == "run_2"
    assert Runtime().below("x").log_dir("run") is None                  # no root: nothing is logged


def test_a_trainer_is_built_inside_the_strategy_and_takes_the_runtimes_verbosity():
    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    model, trainer = Runtime(strategy=strategy, verbose=True).make_trainer(
        lambda: keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]), squared_loss,
        lambda: keras.optimizers.SGD(0.1), TrainConfig(epochs=1, batch_size=4), name="run")
    assert trainer.strategy is strategy and trainer.config.verbose
    assert all(strategy.extended.variable_created_in_scope(weight.value) for weight in model.weights)
    assert all(strategy.extended.variable_created_in_scope(v.value) for v in trainer.optimizer.variables)


def test_the_default_device_cannot_be_taken_inside_another_strategys_scope():
    with tf.distribute.OneDeviceStrategy("/cpu:0").scope():
        with pytest.raises(ValueError, match="inside a strategy's scope"):
            one_device()


def _small_training(runtime, name="run", epochs=3):
    from tfsheet.training import ArrayData
    from tfsheet.training.callbacks import KeepBest

    keras.utils.set_random_seed(0)
    x = tf.random.stateless_normal((256, 3), seed=(1, 2)).numpy()
    y = (x @ [[1.0], [-2.0], [0.5]]).astype("float32")
    best = KeepBest("val_loss", maximize=False)
    model, trainer = runtime.make_trainer(
        lambda: keras.Sequential([keras.Input((3,)), keras.layers.Dense(8, "tanh"), keras.layers.Dropout(0.3),
                                  keras.layers.Dense(1)]),
        squared_loss, lambda: keras.optimizers.Adam(1e-2), TrainConfig(epochs=epochs, batch_size=16), name=name,
        callbacks=(best,))
    history = trainer.fit(ArrayData(x, y), ArrayData(x[:64], y[:64]))
    return best.restore(model).get_weights(), history, trainer


def test_with_a_checkpoint_root_each_training_has_its_folder_and_a_second_run_restores_it_without_a_step(tmp_path):
    reference, reference_history, _ = _small_training(Runtime())
    runtime = Runtime(checkpoint_root=tmp_path, log_root=tmp_path / "logs", checkpoint_seconds=0.01)
    weights, history, trainer = _small_training(runtime)
    _small_training(runtime)                                       # the same name again: its own folder
    assert (tmp_path / "run" / "checkpoints").is_dir() and (tmp_path / "run_2" / "checkpoints").is_dir()
    assert trainer.config.checkpoint_seconds == 0.01
    again, history_again, trainer_again = _small_training(Runtime(checkpoint_root=tmp_path, checkpoint_seconds=0.01))
    assert trainer_again.current_step() == trainer.current_step()
    strip = lambda records: [{k: v for k, v in r.items() if k != "seconds"} for r in records]  # noqa: E731
    assert strip(history_again) == strip(history) == strip(reference_history)     # chunked or not, resumed or not
    for a, b, c in zip(again, weights, reference):                  # KeepBest's pick survives in the folder too
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(b, c)


def test_remember_computes_once_per_name_and_a_resumed_run_reads_what_was_kept(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return {"nats": 1 / 3, "n": 5, "curve": [0.5, float("inf")]}

    assert Runtime().remember("score", compute) == compute() and len(calls) == 2     # no root: always computed
    first = Runtime(checkpoint_root=tmp_path).remember("score", compute)
    second = Runtime(checkpoint_root=tmp_path).remember("score", compute)
    assert first == second == {"nats": 1 / 3, "n": 5, "curve": [0.5, float("inf")]} and len(calls) == 3
    (tmp_path / "remembered" / "score.json").write_text('{"value": [1, 2')      # cut short by a kill
    assert Runtime(checkpoint_root=tmp_path).remember("score", compute) == first and len(calls) == 4


@pytest.mark.parametrize("seconds", [-1, float("nan"), float("inf"), "60", True])
def test_checkpoint_seconds_must_be_a_finite_number_at_least_zero(seconds):
    with pytest.raises(ValueError, match="checkpoint_seconds must be a finite number >= 0"):
        TrainConfig(checkpoint_seconds=seconds)


def test_run_names_are_never_handed_out_twice_even_when_a_name_looks_like_a_suffixed_one():
    runtime = Runtime()
    assert [runtime.run_name(name) for name in ("a", "a", "a_2", "a")] == ["a", "a_2", "a_2_2", "a_3"]


def test_a_restored_training_keeps_its_whole_history_and_is_judged_against_its_own_first_epoch(tmp_path):
    from tfsheet.training import ArrayData, Trainer

    x = tf.random.stateless_normal((100, 3), seed=(1, 2)).numpy()
    y = x[:, :1].astype("float32")

    def trainer():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        return Trainer(model, squared_loss, keras.optimizers.SGD(0.05),
                       TrainConfig(epochs=3, batch_size=16, max_updates=17, verbose=False), workdir=tmp_path)

    first = trainer()
    saves = []
    save = first.checkpointer.save

    def save_then_die(step):                        # killed just after the last checkpoint is written
        saves.append(save(step))
        if step == 17:
            raise KeyboardInterrupt

    first.checkpointer.save = save_then_die
    with pytest.raises(KeyboardInterrupt):
        first.fit(ArrayData(x, y))
    again = trainer()
    history = again.fit(ArrayData(x, y))             # restored without a step: 7 + 7 + 3 updates, three records
    assert again.current_step() == 17 and [record["epoch"] for record in history] == [1, 2, 3]
    assert again._first_loss == history[0]["loss"]  # the divergence check's yardstick is the run's first epoch
