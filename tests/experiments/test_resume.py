"""A kill loses minutes, not the run: every experiment stopped mid-way and run again gives the numbers of a run
never stopped.

Each experiment runs twice on small settings: once straight through with no checkpoints (the reference),
once with a checkpoint folder per training, stopped (Ctrl-C, from a callback) half-way through its
compiled calls and then run again. The resumed results must equal the reference's, every number (wall
times aside), and the stopped run must have left checkpoints for the second run to start from. A real
`kill -9` of the command line is tests/runs/test_runner.py's.
"""

import dataclasses

import numpy as np
import pytest

from tests.conftest import comparable, upstream
from tfsheet.experiments import problem1, problem2, problem2_search, problem3, problem4, problem5_1, problem5_1_lm
from tfsheet.experiments import problem5_2
from tfsheet.experiments.registry import (P1, P2_APPENDED, P2_DIRECT, P2_SEARCH, P2_SWEEP, P3, P4, P5_1_COPY,
                                          P5_1_LANGUAGE_MODEL, P5_1_PROBE, P5_1_SHAKESPEARE, P5_2)
from tfsheet.training import Runtime
from tfsheet.training.callbacks import Callback

CHECKPOINT_SECONDS = 0.1    # small, so that the small runs here also keep checkpoints mid-training


class Calls(Callback):
    """Counts the compiled calls of every training it is given to; with `stop_at`, Ctrl-C at the first call from
    that one on that comes after a checkpoint of the training in progress, so the stop is mid-training."""

    def __init__(self, stop_at=None):
        self.count, self.stop_at = 0, stop_at

    def on_chunk(self, trainer, epoch, done, steps_per_epoch, means):
        self.count += 1
        if self.stop_at and self.count >= self.stop_at and trainer.checkpointer and trainer.checkpointer.latest:
            raise KeyboardInterrupt


def stopped_and_resumed(run, config, tmp_path, **needs):
    """(the results of a run never stopped, the results of a run stopped half-way and run again)."""
    for folder in ("reference", "stopped"):
        (tmp_path / folder).mkdir()
    calls = Calls()
    reference = run(config, tmp_path / "reference", Runtime(callbacks=(calls,)), **needs)
    checkpoints = tmp_path / "stopped" / "trainings"
    stop = Calls(stop_at=max(calls.count // 2, 1))
    with pytest.raises(KeyboardInterrupt):
        run(config, tmp_path / "stopped", Runtime(checkpoint_root=checkpoints, checkpoint_seconds=CHECKPOINT_SECONDS,
                                                  callbacks=(stop,)), **needs)
    assert list(checkpoints.rglob("checkpoint")), "the stopped run kept no checkpoint to resume from"
    resumed = run(config, tmp_path / "stopped", Runtime(checkpoint_root=checkpoints,
                                                        checkpoint_seconds=CHECKPOINT_SECONDS), **needs)
    return reference, resumed


SMALL = {
    "P1": (problem1.run, dataclasses.replace(P1.config("quick"), epochs=3, train_examples=6_000,
                                             learning_rate=(0.1, 0.2))),
    "P3": (problem3.run, dataclasses.replace(P3.config("quick"), epochs=2, train_examples=4_000,
                                             learning_rate=(1e-3,), hessian_examples=200, lanczos_iterations=10)),
    "P4": (problem4.run, dataclasses.replace(P4.config("quick"), widths=(4,), eps_levels=(0.1,), epochs=10,
                                             samples=256, prime_epochs=60)),
    "P5.1_shakespeare": (problem5_1.run_shakespeare, dataclasses.replace(
        P5_1_SHAKESPEARE.config("quick"), orders=(3,), hidden_size=16, streams=8, ngram_steps=60,
        train_chars=20_000, search_learning_rates=(3e-3,))),
    "P5.1_probe": (problem5_1.run_probe, dataclasses.replace(
        P5_1_PROBE.config("quick"), probe_truncations=(3,), probe_length=8_000, streams=16,
        search_learning_rates=(3e-3,))),
    "P5.1_copy": (problem5_1.run_copy, dataclasses.replace(
        P5_1_COPY.config("quick"), copy_distance_factors=(1,), copy_length=8_000, streams=16,
        search_learning_rates=(3e-3,))),
    "P5.1_language_model": (problem5_1_lm.run, dataclasses.replace(
        P5_1_LANGUAGE_MODEL.config("quick"), lm_cells=("gru",), lm_hidden=16, lm_window=16, lm_streams=8,
        lm_epochs=2, train_chars=16_000, orders=(2, 3), search_learning_rates=(3e-3,),
        lm_dynamic_ngram_chunk=4_096)),
    # Problem 5.2's trainings are all in its online copy task; its gradient checks and timings train nothing
    "P5.2": (lambda config, workdir, runtime: problem5_2.online_copy_task(config, runtime), dataclasses.replace(
        P5_2.config("quick"), check_sizes=(4,), check_lengths=(3,), hidden_size=8, streams=4, copy_length=2_000,
        snap_sizes=(4,), uoro_samples=8, cost_sizes=(4, 8), search_learning_rates=(3e-3,))),
}


@pytest.fixture
def short_held_out_text(monkeypatch):
    """Tiny Shakespeare's validation and test splits cut to their first 4,000 characters, and the copy task's
    held-out sequences to 4,000 tokens, so that scoring (done again on resume, like every score) stays quick;
    the code under test is unchanged."""
    from tfsheet.data.text import CharacterData

    load = CharacterData.load.__func__

    def short(cls, train_chars=0):
        data = load(cls, train_chars)
        return cls(data.vocab, data.train_ids, {name: ids[:4_000] for name, ids in data.splits.items()})

    monkeypatch.setattr(CharacterData, "load", classmethod(short))
    positions = problem5_2._copy_positions
    monkeypatch.setattr(problem5_2, "_copy_positions", lambda distance, vocab, seed: positions(distance, vocab, seed,
                                                                                                 length=4_000))


@pytest.mark.parametrize("name", list(SMALL))
def test_an_experiment_stopped_half_way_resumes_to_the_same_numbers(name, tmp_path, short_held_out_text):
    run, config = SMALL[name]
    reference, resumed = stopped_and_resumed(run, config, tmp_path)
    assert comparable(resumed) == comparable(reference)


@pytest.fixture(scope="module")
def small_search(tmp_path_factory):
    config = dataclasses.replace(P2_SEARCH.config("quick"), num_hidden=16, epochs=2, train_examples=4_000,
                                 learning_rate=(3e-3,))
    workdir = tmp_path_factory.mktemp("search")
    return config, workdir, upstream(P2_SEARCH, config, problem2_search.run(config, workdir, Runtime()), workdir)


def test_problem2s_search_stopped_half_way_keeps_the_same_winners(small_search, tmp_path):
    config = small_search[0]
    reference, resumed = stopped_and_resumed(problem2_search.run, config, tmp_path)
    assert comparable(resumed) == comparable(reference)
    kept = [upstream(P2_SEARCH, config, results, tmp_path / folder) for results, folder in
            ((reference, "reference"), (resumed, "stopped"))]
    for design in problem2_search.DESIGNS:            # the winners as trained, which the other experiments read
        weights = [problem2_search.searched_model(run[P2_SEARCH.name], design).get_weights() for run in kept]
        assert all(np.array_equal(a, b) for a, b in zip(*weights))


@pytest.mark.parametrize("experiment, run, config", [
    (P2_SWEEP, problem2.run_sweep, dataclasses.replace(P2_SWEEP.config("quick"), hidden_sizes=(8,), seeds=(0, 1))),
    (P2_DIRECT, problem2.run_direct, dataclasses.replace(P2_DIRECT.config("quick"), seeds=(0, 1))),
], ids=["P2_sweep", "P2_direct"])
def test_problem2s_runs_stopped_half_way_resume_to_the_same_numbers(experiment, run, config, small_search, tmp_path):
    reference, resumed = stopped_and_resumed(run, config, tmp_path, upstream=small_search[2])
    assert comparable(resumed) == comparable(reference)


def test_problem2s_appended_network_trains_nothing_so_a_stop_loses_nothing(small_search, tmp_path):
    calls = Calls()
    problem2.run_appended(P2_APPENDED.config("quick"), tmp_path, Runtime(callbacks=(calls,)), upstream=small_search[2])
    assert calls.count == 0
