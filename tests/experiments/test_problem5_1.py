"""Problem 5.1 at quick scale on real Tiny Shakespeare and the synthetic tasks; exports and sampling."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from tests.conftest import REPOSITORY, run_experiment
from tfsheet.data.vocabulary import CharVocabulary
from tfsheet.training import Runtime
from tfsheet.experiments import problem5_1, problem5_1_lm
from tfsheet.experiments.registry import P5_1_COPY, P5_1_LANGUAGE_MODEL, P5_1_PROBE, P5_1_SHAKESPEARE
from tfsheet.models.language_models import RNNLanguageModel
from tfsheet.report import plots
from tfsheet.serving.sampling import compiled_step, sample
from tfsheet.serving.load_check import load_in_fresh_process

SHAKESPEARE = P5_1_SHAKESPEARE.config("quick")
LM = P5_1_LANGUAGE_MODEL.config("quick")


@pytest.fixture(scope="module")
def shakespeare(tmp_path_factory):
    return run_experiment(tmp_path_factory, "problem5_1", problem5_1.run_shakespeare, SHAKESPEARE)


@pytest.fixture(scope="module")
def language_model(tmp_path_factory):
    return run_experiment(tmp_path_factory, "problem5_1_lm", problem5_1_lm.run, LM)


def test_the_exported_n_gram_net_is_the_seed_best_on_validation_at_the_largest_n(tmp_path_factory):
    import dataclasses

    two_seeds = dataclasses.replace(SHAKESPEARE, seeds=(0, 1), orders=(2, 3), ngram_steps=60, train_chars=20_000, hidden_size=16,
                                    search_learning_rates=(3e-3,), search_clip_norms=(1.0,))
    results, _ = run_experiment(tmp_path_factory, "two_seeds", problem5_1.run_shakespeare, two_seeds)
    row = max(results["rows"], key=lambda row: row["n"])
    validation = row["nats"]["validation"]["neural_ngram"]
    assert len(validation.values) >= 2 and "char_ngram" in results["saved_models"]
    assert results["exported_seed"] == results["seeds"][int(np.argmin(validation.values))]


def test_every_family_is_tuned_on_validation_and_the_search_is_recorded(shakespeare):
    results, _ = shakespeare
    for family in ("neural_ngram", "rnn_tbptt"):
        search = results["search"][family]
        assert search["split"] == "validation"
        assert len(search["tried"]) == len(SHAKESPEARE.search_learning_rates) * len(SHAKESPEARE.search_clip_norms)
        best = min(search["tried"], key=lambda row: row["validation_nats"])
        assert search["chosen"] == {"learning_rate": best["learning_rate"], "clip_norm": best["clip_norm"]}


def test_the_strong_language_model_learns_and_is_scored_on_test_once_at_the_end(language_model, shakespeare):
    results, _ = language_model
    for cell in LM.lm_cells:
        result = results["cells"][cell]
        assert result["search"]["split"] == "validation"
        run = result["runs"][0]
        assert [point["epoch"] for point in run["curve"]] == list(range(1, LM.lm_epochs + 1))
        assert run["curve"][-1]["validation_nats"] < run["curve"][0]["validation_nats"]     # it is still learning
        assert run["nats"]["validation"] == min(point["validation_nats"] for point in run["curve"])   # the kept pass
        assert result["nats"]["test"].values == tuple(run["nats"]["test"] for run in result["runs"])
        assert result["nats"]["test"].seeds == LM.seeds
        assert run["nats"]["test"] < shakespeare[0]["test_unigram_nats"] - 0.5
    best = results["best"]
    assert best["cell"] in LM.lm_cells and best["seed"] in LM.seeds


def test_dynamic_evaluation_chooses_its_step_on_validation_and_adapts_both_families(language_model):
    results, _ = language_model
    dynamic = results["dynamic"]
    assert dynamic["cell"] == results["best"]["cell"]
    assert dynamic["search"]["split"] == "validation"
    assert [tried["learning_rate"] for tried in dynamic["search"]["tried"]] == list(LM.lm_dynamic_learning_rates)
    static = results["cells"][dynamic["cell"]]
    assert [run["seed"] for run in dynamic["runs"]] == list(LM.seeds)
    # learning from the validation text as it is read lowers the loss on that text, for the RNN and for the counts
    assert dynamic["nats"]["validation"].mean < static["nats"]["validation"].mean
    counts = dynamic["kneser_ney"]
    assert counts["n"] in LM.orders and counts["chunk"] == LM.lm_dynamic_ngram_chunk
    assert counts["nats"]["validation"] < counts["static_nats"]["validation"]
    assert counts["nats"]["test"] < counts["static_nats"]["test"]


def test_rnn_beats_the_unigram_baseline_on_tiny_shakespeare(shakespeare):
    results, _ = shakespeare
    for row in results["rows"]:
        assert row["nats"]["test"]["rnn_tbptt_carried"].max < results["test_unigram_nats"] - 0.5
    test = {row["n"]: row["nats"]["test"] for row in results["rows"]}
    assert test[5]["kneser_ney"].mean < test[2]["kneser_ney"].mean
    assert test[5]["kneser_ney"].seeds == () and test[5]["neural_ngram"].seeds == SHAKESPEARE.seeds
    # equal updates: every k gets what the longest window makes, so k = 2 trains on fewer tokens than it could
    updates = {row["n"]: row["rnn_updates"] for row in results["rows"]}
    assert results["equal_updates"] == updates[5] < updates[2]
    assert test[5]["rnn_tbptt_carried_equal_updates"] == test[5]["rnn_tbptt_carried"]


def test_exports_serve_like_the_models_and_carry_their_vocabulary(language_model, shakespeare):
    results, workdir = language_model
    rnn_path = results["saved_models"]["char_rnn"]
    vocabulary = CharVocabulary.from_json(open(f"{rnn_path}/assets.extra/vocabulary.json", encoding="utf-8").read())
    tokens = vocabulary.encode("First Citizen:\nBefore we proceed")[None, :]
    state = np.zeros([1, LM.lm_hidden], np.float32)
    tf2, session, signature = load_in_fresh_process(rnn_path, {"tokens": tokens, "state": state})
    assert set(signature["inputs"]) == {"tokens", "state"}
    assert set(signature["outputs"]) == {"next_token_probabilities", "state"}
    np.testing.assert_allclose(tf2["next_token_probabilities"].sum(), 1.0, atol=1e-5)
    np.testing.assert_allclose(tf2["state"], session["state"], atol=1e-6)
    # feeding the prompt in two pieces with the state passed along gives the same distribution
    first, _, _ = load_in_fresh_process(rnn_path, {"tokens": tokens[:, :10], "state": state})
    second, _, _ = load_in_fresh_process(rnn_path, {"tokens": tokens[:, 10:], "state": first["state"]})
    np.testing.assert_allclose(second["next_token_probabilities"], tf2["next_token_probabilities"], atol=1e-5)

    ngram, _, _ = load_in_fresh_process(shakespeare[0]["saved_models"]["char_ngram"], {"tokens": tokens[:, -4:]})
    assert ngram["next_token_probabilities"].shape == (1, len(vocabulary))


@pytest.mark.parametrize("cell", ["gru", "tanh"])
def test_language_model_exports_give_their_keras_models_outputs_in_a_fresh_process(cell, tmp_path):
    from tfsheet.models.language_models import build_neural_ngram
    from tfsheet.serving.export import export_model, ngram_language_model_signature, recurrent_language_model_signature
    from tfsheet.serving.load_check import assert_servable

    rnn, ngram = RNNLanguageModel(7, 6, cell=cell, dropout=0.2), build_neural_ngram(7, 3)
    tokens = np.random.default_rng(0).integers(0, 7, (2, 9)).astype(np.int32)
    state = np.random.default_rng(1).normal(size=(2, 6)).astype(np.float32)
    logits, final = rnn(tokens, state)
    path = export_model(rnn, "char_rnn", {"serving_default": recurrent_language_model_signature(rnn)}, root=tmp_path)
    assert_servable(path, {"tokens": tokens, "state": state},
                    {"next_token_probabilities": tf.nn.softmax(logits[:, -1]).numpy(), "state": final.numpy()})
    path = export_model(ngram, "char_ngram", {"serving_default": ngram_language_model_signature(ngram, 3, 7)},
                        root=tmp_path)
    assert_servable(path, {"tokens": tokens[:, :3]},
                    {"next_token_probabilities": tf.nn.softmax(ngram(tokens[:, :3])).numpy()})


def test_sampling_loop_traces_once():
    model = RNNLanguageModel(8, 16)
    step = compiled_step(model)
    vocabulary = CharVocabulary(list("abcdefg"))
    text = sample(step, vocabulary, "abc", 25, hidden_size=16, seed=1)
    assert len(text) == 28 and text.startswith("abc")
    assert model.compiled_call().experimental_get_tracing_count() == 1     # one trace serves every call


def test_sample_script_generates_from_the_saved_model(language_model):
    results, _ = language_model
    completed = subprocess.run([sys.executable, str(REPOSITORY / "scripts" / "sample.py"),
                                results["saved_models"]["char_rnn"], "--prompt", "ROMEO:", "--length", "60"],
                               capture_output=True, text=True, timeout=300,
                               env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("ROMEO:") and len(completed.stdout.rstrip("\n")) >= 60


def test_export_refuses_unknown_token_ids(language_model):
    results, _ = language_model
    serve = tf.saved_model.load(results["saved_models"]["char_rnn"]).signatures["serving_default"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="tokens must be ids in"):
        serve(tokens=tf.constant([[9999]]), state=tf.zeros([1, LM.lm_hidden]))


def test_tokens_of_the_wrong_rank_are_refused_by_name(language_model):
    """A loaded signature does not enforce its declared shapes: the graph's own check names the input."""
    results, _ = language_model
    serve = tf.saved_model.load(results["saved_models"]["char_rnn"]).signatures["serving_default"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="tokens_must_be_B_by_T"):
        serve(tokens=tf.constant([1, 2]), state=tf.zeros([2, LM.lm_hidden]))       # (T,) instead of (B, T)


def test_a_reset_model_is_scored_only_where_its_window_holds_the_source():
    copies = np.ones(12, bool)
    visible = problem5_1._visible(copies, distance=3, reset_every=4)      # offsets 2 and 3 of each window of 4
    assert visible.tolist() == [False, False, True, True] * 3
    assert problem5_1._visible(copies, distance=8, reset_every=4).all()  # no window holds it: all positions
    assert problem5_1._visible(copies, distance=8, reset_every=None).all()


def test_probe_carried_state_learns_what_reset_cannot(tmp_path):
    results = problem5_1.run_probe(P5_1_PROBE.config("quick"), tmp_path, Runtime())
    levels, rows = results["levels"], {row["k"]: row for row in results["rows"]}
    one_pass, frozen = rows[3]["nats"]["one_pass"], rows[3]["nats"]["one_pass"]["frozen"].mean
    assert one_pass["reset"].mean > levels["only_3"]                 # k = 3 with reset: sees too little
    assert one_pass["carried"].mean < levels["only_3"] + 0.02         # carried state: lag 3 at least
    # the control: with its recurrence frozen at initialisation the RNN keeps some memory, but less than trained
    assert levels["only_3"] < frozen < levels["none"]
    assert one_pass["carried"].mean < frozen
    # at equal updates (the budget of one pass at the largest k) the carried state still beats the long window
    assert rows[3]["updates"] > results["equal_updates"] == rows[10]["updates"]
    assert rows[3]["nats"]["equal_updates"]["carried"].mean < rows[10]["nats"]["equal_updates"]["reset"].mean
    # measured directly: the carried k = 3 model moves its prediction with X_{t-3}; the reset one, whose window of
    # 3 steps never holds X_{t-3}, cannot
    effects = rows[3]["lag_effects"]["one_pass"]
    assert effects["carried"]["3"].mean > 0.3 > effects["reset"]["3"].mean
    # the control trains as each row's RNNs do: its own windows of k tokens, at both budgets
    assert rows[3]["nats"]["equal_updates"]["frozen"] != rows[10]["nats"]["equal_updates"]["frozen"]
    assert rows[10]["nats"]["equal_updates"]["frozen"] == rows[10]["nats"]["one_pass"]["frozen"]   # one pass = budget
    path = plots.plot_probe(results["rows"], levels, tmp_path / "probe.png")
    assert path.stat().st_size > 10_000


def test_copy_task_is_learned_inside_the_window_and_not_beyond_it(tmp_path):
    results = problem5_1.run_copy(P5_1_COPY.config("quick"), tmp_path, Runtime())
    chance = results["chance_accuracy"]
    cells = {cell["L"] // cell["k"]: cell for cell in results["cells"]}          # L = k and L = 2k
    accuracy = {ratio: {name: learner["copy_accuracy"].mean for name, learner in cell["learners"].items()}
                for ratio, cell in cells.items()}
    # the search ran where its candidates can learn (L = k), so they differ
    assert results["search"]["L"] == results["search"]["k"]
    tried = [candidate["validation_nats"] for candidate in results["search"]["rnn_tbptt"]["tried"]]
    assert max(tried) - min(tried) > 0.01
    # inside the window TBPTT learns the copy, beyond what its untrained recurrence holds
    assert accuracy[1]["rnn_tbptt_carried"] > accuracy[1]["rnn_frozen_recurrence"] + 0.05
    # beyond it the n-gram and the reset RNN stay at chance, and full BPTT (the same updates) learns what TBPTT cannot
    assert accuracy[2]["neural_ngram"] < chance + 0.05
    assert accuracy[2]["rnn_tbptt_reset"] < chance + 0.05
    assert accuracy[2]["rnn_full_bptt"] > accuracy[2]["rnn_tbptt_carried"] + 0.1
    scored = {name: learner["scored_positions"].mean for name, learner in cells[2]["learners"].items()}
    # full BPTT is scored only where its window holds the source token
    assert scored["rnn_full_bptt"] < scored["rnn_tbptt_carried"]
    # (the reset model, whose source is never in its window, is scored everywhere but a last partial window)
    assert 0 <= scored["rnn_tbptt_carried"] - scored["rnn_tbptt_reset"] < cells[2]["k"]
    assert plots.plot_copy_heatmap(results["cells"], tmp_path / "copy.png").stat().st_size > 10_000


@pytest.mark.parametrize("flags, message", [(["--prompt="], "--prompt must hold at least one character"),
                                            (["--seed", "-1"], "--seed must be in"),
                                            (["--temperature", "inf"], "--temperature must be a finite number > 0"),
                                            (["--length", "10000000000"], "--length must be in [0, 1,000,000]")])
def test_sample_script_refuses_bad_flags_in_one_line(language_model, flags, message):
    results, _ = language_model
    completed = subprocess.run([sys.executable, str(REPOSITORY / "scripts" / "sample.py"),
                                results["saved_models"]["char_rnn"], *flags], capture_output=True, text=True,
                               timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert completed.returncode == 2 and message in completed.stderr and "Traceback" not in completed.stderr


@pytest.mark.parametrize("make, status, message", [
    (lambda tmp: tmp / "nowhere", 1, "is no such folder; give a char_rnn version folder"),
    (lambda tmp: _written(tmp / "afile"), 1, "is a file, not a folder"),
    (lambda tmp: _looping(tmp / "loop"), 1, "is a link that loops or points nowhere"),
    (lambda tmp: _with_versions(tmp / "char_rnn"), 1, "holds versions (3, 4); give one of them, e.g."),
    (lambda tmp: "", 2, "an empty path"),
])
def test_sample_script_names_a_path_that_is_no_version_folder(tmp_path, make, status, message):
    completed = subprocess.run([sys.executable, str(REPOSITORY / "scripts" / "sample.py"), str(make(tmp_path))],
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == status and message in completed.stderr and "Traceback" not in completed.stderr


def _written(path):
    path.write_text("")
    return path


def _looping(path):
    path.symlink_to(path)
    return path


def _with_versions(path):
    for version in ("4", "3"):
        (path / version).mkdir(parents=True)
    return path


def test_sample_script_names_a_truncated_export_and_prints_no_library_start_up_lines(tmp_path):
    export = tmp_path / "char_rnn"
    shutil.copytree(REPOSITORY / "saved_models" / "char_rnn" / "4", export)
    (weights,) = (export / "variables").glob("variables.data-*")
    weights.write_bytes(weights.read_bytes()[:1000])
    environment = {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
    completed = subprocess.run([sys.executable, str(REPOSITORY / "scripts" / "sample.py"), str(export)],
                               capture_output=True, text=True, timeout=300, env=environment)
    assert completed.returncode == 1 and "does not load as a SavedModel" in completed.stderr
    assert "export the model again" in completed.stderr
    assert "Traceback" not in completed.stderr and "I0000" not in completed.stderr and "E0000" not in completed.stderr


def test_sample_script_refuses_a_vocabulary_that_is_not_the_exports_own(tmp_path):
    export = tmp_path / "char_rnn"
    shutil.copytree(REPOSITORY / "saved_models" / "char_rnn" / "4", export)
    (export / "assets.extra" / "vocabulary.json").write_text(CharVocabulary(list("ab")).to_json(), encoding="utf-8")
    completed = subprocess.run([sys.executable, str(REPOSITORY / "scripts" / "sample.py"), str(export)],
                               capture_output=True, text=True, timeout=300,
                               env={**os.environ, "TFSHEET_VERBOSE": "maybe"})
    assert completed.returncode == 1 and "TFSHEET_VERBOSE must be one of" in completed.stderr
    completed = subprocess.run([sys.executable, str(REPOSITORY / "scripts" / "sample.py"), str(export)],
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 1 and "holds 3 ids but the model predicts" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_sample_script_on_a_char_ngram_export_says_it_needs_a_char_rnn(shakespeare):
    results, _ = shakespeare
    completed = subprocess.run([sys.executable, str(REPOSITORY / "scripts" / "sample.py"),
                                results["saved_models"]["char_ngram"]],
                               capture_output=True, text=True, timeout=300,
                               env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert completed.returncode == 1 and "samples from a char_rnn export" in completed.stderr
    assert "Traceback" not in completed.stderr
