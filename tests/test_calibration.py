"""How sure a learned check may be: its model's probability recalibrated on answers the
model never saw (Platt scaling), and the verdicts built on it."""

import json
import math
import random
from pathlib import Path

import pytest

from coach.analysis.calibration import Calibration, fit_calibration
from coach.analysis.check_model import STATS_FILE, check_model
from coach.analysis.checks import decide_learned
from coach.analysis.report import SURE_CHECK
from coach.analysis.rubric import load_rubric

MODELS = Path(__file__).resolve().parent.parent / "models"


def _overconfident(slope: float, bias: float, n: int = 4000, seed: int = 7):
    """A model whose probabilities are ``1 / slope`` times too sure: (probabilities,
    labels) where the label follows ``sigmoid(slope * logit(p) + bias)``."""
    rng = random.Random(seed)
    probabilities, labels = [], []
    for _ in range(n):
        z = rng.gauss(-1.0, 4.0)
        probabilities.append(1 / (1 + math.exp(-z)))
        labels.append(rng.random() < 1 / (1 + math.exp(-(slope * z + bias))))
    return probabilities, labels


def test_an_overconfident_model_is_tempered():
    probabilities, labels = _overconfident(0.5, -0.3)
    cal = fit_calibration(probabilities, labels)
    assert cal is not None
    assert abs(cal.slope - 0.5) < 0.08 and abs(cal.bias + 0.3) < 0.15
    # A raw 0.995 "holds" is not that sure once calibrated; the order is kept.
    assert 0.85 < cal(0.995) < 0.95
    assert cal(0.9) > cal(0.5) > cal(0.1)


def test_calibrated_probability_matches_how_often_it_holds():
    probabilities, labels = _overconfident(0.6, 0.2, n=8000, seed=11)
    cal = fit_calibration(probabilities, labels)
    assert cal is not None
    band = [y for p, y in zip(probabilities, labels, strict=True) if 0.7 <= cal(p) < 0.85]
    assert len(band) > 200
    assert 0.68 <= sum(band) / len(band) <= 0.87


def test_too_few_answers_or_one_label_fit_nothing():
    assert fit_calibration([0.2, 0.8] * 10, [False, True] * 10) is None
    assert fit_calibration([0.2] * 100, [False] * 100) is None
    assert fit_calibration([0.8] * 100, [True] * 100) is None


def test_a_model_that_ranks_answers_backwards_is_not_calibrated():
    """Labels that go against the model's probability: no calibration that would turn a
    sure "holds" into a sure "does not"."""
    probabilities, labels = _overconfident(-0.5, 0.0)
    assert fit_calibration(probabilities, labels) is None
    assert Calibration.from_list([-0.4, 0.1]) is None


def test_a_perfectly_separated_fit_stays_finite():
    cal = fit_calibration([0.9] * 40 + [0.1] * 60, [True] * 40 + [False] * 60)
    assert cal is not None and math.isfinite(cal.slope) and math.isfinite(cal.bias)
    assert cal(0.9) > 0.9 and cal(0.1) < 0.1


@pytest.mark.parametrize("bad", [[1.0], [1.0, "x"], {"slope": 1.0}, [1.0, float("nan")],
                                 [True, 0.0], None])
def test_calibration_read_back_rejects_bad_values(bad):
    assert Calibration.from_list(bad) is None


def test_calibration_round_trips():
    cal = Calibration(0.52, -0.2)
    assert Calibration.from_list(cal.to_list()) == cal


def test_the_verdict_comes_from_the_model_and_its_sureness_from_the_calibration():
    """A model 0.996 sure that an answer does not blame anyone, calibrated to 0.93: still
    not found, 0.93 sure. A find just over the threshold that the calibration puts under
    even odds is shown, unsure (never said aloud)."""
    rubric = load_rubric()
    threshold = rubric.thresholds.get("blames_others", 0.5)
    found, confidence = decide_learned(rubric, "blames_others", 0.004, threshold, False,
                                       0.9, belief=0.07)
    assert not found and confidence == pytest.approx(0.93)
    found, confidence = decide_learned(rubric, "blames_others", threshold + 0.01,
                                       threshold, False, 0.9, belief=0.3)
    assert found and confidence == pytest.approx(0.3) and confidence < SURE_CHECK
    # Uncalibrated (no belief), the raw probability says how sure it is, as before.
    assert decide_learned(rubric, "blames_others", 0.004, threshold, False, 0.9) == \
        (False, pytest.approx(0.996))


def test_every_shipped_check_model_is_calibrated():
    """Training fits each learned check's calibration on answers its fold's model did not
    see (for a check with a per-sentence model, on the joined probability), of the batches
    built on real answers. On those every model was too sure of itself (slopes 0.4-0.7 on
    b85-b92): a slope far from that range means the fit went wrong."""
    rubric = load_rubric()
    stats = json.loads((MODELS / STATS_FILE).read_text())
    for cid in rubric.learned:
        cal = Calibration.from_list(stats[cid].get("calibration"))
        model = check_model(cid)
        assert model is not None and model.calibration == cal
        assert cal is not None, cid
        assert 0.2 < cal.slope < 1.5, (cid, cal)


@pytest.mark.parametrize("entry", [{"calibration": [1.0]}, {"calibration": "x"},
                                   {"calibration": [-1.0, 0.0]}, "not a dict"])
def test_a_bad_calibration_in_the_stats_file_is_ignored(tmp_path, entry):
    """The stats file is read back as untrusted: a bad entry leaves the model as it is."""
    import shutil

    from coach.analysis import check_model as cm
    from coach.analysis.analyze import analyze_text

    cid = "blames_others"
    shutil.copy(MODELS / cm.model_name(cid), tmp_path / cm.model_name(cid))
    (tmp_path / STATS_FILE).write_text(json.dumps({cid: entry}))
    with cm.models_in(tmp_path):
        model = cm.check_model(cid)
        assert model is not None and model.calibration is None
        check = analyze_text(" ".join(["I rolled the change back and told my manager."] * 6)
                             ).checks[cid]
        assert not check.found


def test_training_calibrates_on_folds_of_whole_batches():
    """``calibrate`` judges each fold's answers with a model trained without that fold
    and fits on those verdicts, leaving out the answers too short for the model (judged by
    the rules). Here a word says the check nine times in ten in whole answers, but the
    short ones, labelled against it, make the model say about 0.74: calibrated on the
    whole answers alone, that is brought back to about 0.9."""
    from coach.eval.checks import Example, Featurized, calibrate

    rng = random.Random(5)
    data, feats, fold = [], {}, {}
    for k in range(400):
        says, short = k % 2 == 0, k < 80
        holds = rng.random() < (0.9 if says != short else 0.1)
        aid = f"a{k}"
        data.append(Example(aid, f"b{k % 10}", "text", {"blames_others": holds}))
        feats[aid] = Featurized({"bias": 1.0, **({"w=says": 1.0} if says else {})},
                                {"blames_others": False}, sentences=3 if short else 8)
        fold[aid] = (k % 10) % 5
    cal = calibrate(data, "blames_others", feats, fold)
    assert cal is not None
    assert cal.slope > 1.3, cal  # the short answers taken in would have left it near 1
    assert cal(0.74) > 0.85 and cal(0.26) < 0.15


def test_calibration_is_fitted_on_the_batches_it_is_told_when_they_are_enough():
    """The team's own batches say the check nine times in ten with the word; the batches
    built on real answers only six in ten: fitted on those, the same probability is far
    less sure. Too few of them (or one kind of label only): all the answers instead."""
    from coach.eval.checks import Example, Featurized, calibrate

    rng = random.Random(7)
    data, feats, fold = [], {}, {}
    for k in range(600):
        says, real = k % 2 == 0, k % 10 >= 7
        hit = 0.6 if real else 0.9
        holds = rng.random() < (hit if says else 1 - hit)
        aid, batch = f"a{k}", f"b{k % 10}"
        data.append(Example(aid, batch, "text", {"blames_others": holds}))
        feats[aid] = Featurized({"bias": 1.0, **({"w=says": 1.0} if says else {})},
                                {"blames_others": False}, sentences=8)
        fold[aid] = (k % 10) % 5
    everyone = calibrate(data, "blames_others", feats, fold)
    real = calibrate(data, "blames_others", feats, fold, calibrate_on=frozenset(
        {"b7", "b8", "b9"}))
    assert everyone is not None and real is not None
    p_says = 0.85  # about what the model gives an answer with the word
    assert real(p_says) < everyone(p_says) - 0.1 and 0.5 < real(p_says) < 0.75
    # One batch of 60 answers is enough to fit on; a name no answer has is not.
    assert calibrate(data, "blames_others", feats, fold, calibrate_on=frozenset({"b9"})) \
        != everyone
    assert calibrate(data, "blames_others", feats, fold,
                     calibrate_on=frozenset({"nowhere"})) == everyone


def test_own_probabilities_are_the_shipped_models_before_its_calibration():
    """What scripts/calibrate_checks.py fits on: for each whole answer, the probability the
    shipped model itself gives, which its calibration turns into the report's confidence;
    a short answer, judged by the rules, gives none. The model is left as it was."""
    from coach.analysis import check_model as cm
    from coach.analysis.analyze import analyze_text
    from coach.analysis.checks import holds_probability
    from coach.eval.checks import Example, own_probabilities

    cid = "blames_others"  # joined with its per-sentence model's probability first
    whole = ("The freezer alarm had been switched off. I found it at six. I moved the stock "
             "to the walk-in. I told the head chef straight away. We lost two trays of fish. "
             "I added the alarm to the closing checklist. Nobody has switched it off since.")
    data = [Example("a1", "b1", whole, {cid: False}),
            Example("a2", "b1", "I fixed it.", {cid: False}),
            Example("a3", "b1", whole, {})]
    rows = own_probabilities(data, cid)
    assert len(rows) == 1 and rows[0][1] is False
    model = cm.check_model(cid)
    assert model is not None and model.calibration is not None
    assert "judge" not in vars(model)
    check = analyze_text(whole).checks[cid]
    assert holds_probability(check) == pytest.approx(model.calibration(rows[0][0]), abs=2e-3)


def test_training_records_the_last_batch_each_model_learned_from(tmp_path, monkeypatch):
    """Later batches are answers the model never saw: calibrate_checks.py needs to know
    which (``trained_through`` in the stats file, written by training)."""
    from coach.eval import checks as ev

    monkeypatch.setattr(ev, "rule_features", _fake_rule_features)
    ev.train_all(_says_it_data(), tmp_path, ("quantified_impact",), with_calibration=False)
    stats = json.loads((tmp_path / STATS_FILE).read_text())
    assert stats["quantified_impact"][ev.TRAINED_THROUGH] == 9
    shipped = json.loads((MODELS / STATS_FILE).read_text())
    assert all(isinstance(shipped[c].get(ev.TRAINED_THROUGH), int)
               for c in load_rubric().learned)


def _says_it_data(n_batches: int = 10, per_batch: int = 30):
    """Answers whose one word says the check nine times in ten, in ``n_batches`` batches."""
    from coach.eval.checks import Example

    rng = random.Random(11)
    data = []
    for k in range(n_batches * per_batch):
        says = k % 2 == 0
        holds = rng.random() < (0.9 if says else 0.1)
        data.append(Example(f"a{k}", f"b{k % n_batches}", "says" if says else "plain",
                            {"quantified_impact": holds}))
    return data


def _fake_rule_features(text: str, per_sentence: bool = False):
    from coach.eval.checks import Featurized

    return Featurized({"bias": 1.0, **({"w=says": 1.0} if text == "says" else {})},
                      {"quantified_impact": False}, sentences=8)


@pytest.mark.parametrize("folds, expected", [(None, 10), (5, 5), (3, 3)])
def test_cross_validation_of_checks_by_folds_of_whole_batches(monkeypatch, folds, expected):
    """``--folds K`` deals whole batches into K folds: every answer is judged exactly
    once, by models trained without its whole batch, and the verdicts are as good as
    one batch at a time on answers where one word tells."""
    import coach.eval.checks as ec

    monkeypatch.setattr(ec, "rule_features", _fake_rule_features)
    data = _says_it_data()
    out = ec.cross_validate(data, checks=("quantified_impact",), folds=folds)
    assert len(out) == expected
    named = [b for name in out for b in name.split(", ")]
    assert sorted(named) == sorted({e.batch for e in data})  # each batch in one fold
    judged = [j.answer_id for s, _ in out.values() for j in s.judged]
    assert sorted(judged) == sorted(e.answer_id for e in data)
    agreed = sum(s.agreed["quantified_impact"] for s, _ in out.values())
    assert agreed / len(data) > 0.8


def test_no_fold_is_judged_by_a_model_that_saw_any_of_its_batches(monkeypatch):
    """Every model trained for ``--folds`` leaves out whole batches, each batch left out
    exactly once: the answers it judges were never in its training."""
    import coach.eval.checks as ec

    data = _says_it_data()
    ids = {e.answer_id: e for e in data}

    features: dict[int, str] = {}  # id of an answer's feature dict -> the answer
    monkeypatch.setattr(ec, "rule_features", _fake_rule_features)
    real_train = ec.train
    left_out: list[set[str]] = []

    def recording_train(rows, path, options=None):
        trained = {features[id(f)] for f, _ in rows}
        left_out.append({a for a in ids if a not in trained})
        return real_train(rows, path, options)

    monkeypatch.setattr(ec, "train", recording_train)
    original_held_out = ec.held_out

    def held_out(data_, cid, feats, fold, options=None):
        for aid, f in feats.items():
            features[id(f.answer)] = aid
        return original_held_out(data_, cid, feats, fold, options)

    monkeypatch.setattr(ec, "held_out", held_out)
    ec.cross_validate(data, checks=("quantified_impact",), folds=3)
    assert len(left_out) == 3
    batches_out = [{ids[a].batch for a in out} for out in left_out]
    for out, batches in zip(left_out, batches_out, strict=True):
        assert out == {a for a, e in ids.items() if e.batch in batches}  # whole batches
    assert set().union(*left_out) == set(ids)
    assert sum(len(out) for out in left_out) == len(ids)  # each left out once


def test_cross_validation_of_checks_refuses_fewer_than_two_folds(monkeypatch):
    import coach.eval.checks as ec

    monkeypatch.setattr(ec, "rule_features", _fake_rule_features)
    with pytest.raises(ValueError, match="at least 2 folds"):
        ec.cross_validate(_says_it_data(), checks=("quantified_impact",), folds=1)


def test_cross_validated_calibration_is_fitted_on_the_chosen_batches_only(monkeypatch):
    """``calibrate_on`` keeps each fold's calibration to the batches named (the answers
    built on real ones), as training does; without it every other batch counts."""
    import coach.eval.checks as ec

    monkeypatch.setattr(ec, "rule_features", _fake_rule_features)
    fitted: list[int] = []
    real_fit = ec.fit_calibration

    def recording_fit(probabilities, labels):
        fitted.append(len(probabilities))
        return real_fit(probabilities, labels)

    monkeypatch.setattr(ec, "fit_calibration", recording_fit)
    data = _says_it_data()
    per_batch = len(data) // len({e.batch for e in data})
    chosen = frozenset({"b0", "b1", "b2", "b3", "b4"})
    ec.cross_validate(data, checks=("quantified_impact",), folds=5, calibrate_on=chosen)
    # Five folds of two batches; each fold's calibration sees the chosen batches not in it.
    assert sorted(fitted) == sorted(per_batch * len(chosen - {f"b{k}", f"b{k + 5}"})
                                    for k in range(5))
    fitted.clear()
    ec.cross_validate(data, checks=("quantified_impact",), folds=5)
    assert fitted == [len(data) - 2 * per_batch] * 5
