"""One batching rule for one device and every strategy: the last partial batch is kept, and replicas
split each global batch into slices that differ by at most one row and together are the batch."""

import keras
import numpy as np
import pytest

from tfsheet.training import ArrayData, TrainConfig, Trainer, batches


def test_an_epoch_keeps_its_last_partial_batch_unless_asked_to_drop_it():
    assert batches.steps_per_epoch(60_000, 128) == 469               # 468 full batches and one of 96
    assert batches.steps_per_epoch(60_000, 128, drop_remainder=True) == 468
    assert batches.steps_per_epoch(5, 128) == 1
    with pytest.raises(ValueError, match="make no full batch of 128"):
        batches.steps_per_epoch(5, 128, drop_remainder=True)


@pytest.mark.parametrize("total", [0, 1, 2, 7, 96, 128])
@pytest.mark.parametrize("replicas", [1, 2, 3, 8])
def test_replica_slices_partition_the_global_batch(total, replicas):
    slices = [batches.replica_rows(total, replicas, replica) for replica in range(replicas)]
    assert slices[0][0] == 0 and slices[-1][1] == total
    assert all(stop == first for (_, stop), (first, _) in zip(slices, slices[1:]))     # contiguous, in order
    sizes = [stop - first for first, stop in slices]
    assert max(sizes) - min(sizes) <= 1


def test_epoch_order_depends_on_seed_and_epoch_only():
    first = batches.epoch_order(1000, seed=3, epoch=2).numpy()
    np.testing.assert_array_equal(first, batches.epoch_order(1000, seed=3, epoch=2).numpy())
    assert sorted(first) == list(range(1000))
    assert not np.array_equal(first, batches.epoch_order(1000, seed=3, epoch=3).numpy())
    np.testing.assert_array_equal(batches.epoch_order(5, seed=3, epoch=2, shuffle=False).numpy(), range(5))


@pytest.mark.parametrize("drop_remainder, steps", [(False, 4), (True, 3)])
def test_the_engine_trains_on_every_example_by_default(drop_remainder, steps):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    trainer = Trainer(model, lambda y, out: (out[:, 0] - y) ** 2, keras.optimizers.SGD(0.01),
                      TrainConfig(epochs=1, batch_size=100, drop_remainder=drop_remainder, verbose=False))
    history = trainer.fit(ArrayData(np.ones((301, 3), np.float32), np.zeros(301, np.float32)))
    assert int(trainer.step.numpy()) == steps
    assert history[0]["loss"] > 0
