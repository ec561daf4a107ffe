"""A Runtime says where training runs and where its logs go; every trainer it makes is built in its scope."""

import keras
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
