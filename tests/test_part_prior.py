"""The STAR model's probabilities shifted to the answers people tell (part_prior)."""

import json
from dataclasses import replace

import pytest

from coach.analysis import part_prior
from coach.analysis.part_prior import PartPrior, load_part_prior, model_fingerprint
from coach.analysis.report import PARTS, Part
from coach.analysis.segment import MODEL_FILE, label_with_alternatives, load_model
from coach.analysis.turn_model import _rule_cut_segmenter
from coach.prompts import model_file

STORY = ["The walk-in fridge died on a Friday night.",
         "I was the only cook on and it was my job to close.",
         "I moved the meat to the bar cellar and rang the engineer.",
         "We threw nothing away, and now I check the fridge log at every close."]


def test_weights_shift_and_renormalise():
    prior = PartPrior((1.0, 1.0, 0.5, 1.0))
    shifted = prior.shifted((0.1, 0.1, 0.6, 0.2))
    assert sum(shifted) == pytest.approx(1.0)
    assert shifted[PARTS.index(Part.action)] == pytest.approx(0.3 / 0.7)
    assert PartPrior((1.0,) * 4).shifted((0.1, 0.2, 0.3, 0.4)) == pytest.approx(
        (0.1, 0.2, 0.3, 0.4))
    assert prior.shifted((0.0, 0.0, 0.0, 0.0)) == (0.0, 0.0, 0.0, 0.0)


def test_the_file_is_read_carefully():
    good = PartPrior((1.0, 1.0, 0.45, 1.0), "b117-b124", "ab12")
    assert PartPrior.from_dict(good.to_dict()) == good
    for bad in (None, [], {"weights": [1, 1, 1, 1]}, {"weights": {"situation": 1.0}},
                {"weights": {p.value: 0.0 for p in PARTS}},
                {"weights": {p.value: float("nan") for p in PARTS}},
                {"weights": {p.value: True for p in PARTS}}):
        assert PartPrior.from_dict(bad) is None, bad


def test_a_missing_broken_or_other_models_file_leaves_the_models_own_reading(
        tmp_path, monkeypatch):
    """Weights fitted for one STAR model are not used with another (retrained since)."""
    monkeypatch.setattr(part_prior, "model_file", lambda name: tmp_path / name)
    model = tmp_path / "star.crfsuite"
    model.write_bytes(b"one model")
    assert load_part_prior(model) is None
    (tmp_path / part_prior.FILE).write_text("{not json", encoding="utf-8")
    assert load_part_prior(model) is None
    mine = PartPrior((1.0, 1.0, 0.5, 1.0), "", model_fingerprint(model))
    (tmp_path / part_prior.FILE).write_text(json.dumps(mine.to_dict()), encoding="utf-8")
    assert load_part_prior(model) == mine
    model.write_bytes(b"the model retrained")
    assert load_part_prior(model) is None
    assert load_part_prior(tmp_path / "no such model") is None


def test_the_shipped_prior_is_fitted_for_the_shipped_model_and_read_with_it_alone(
        tmp_path):
    shipped = load_part_prior(model_file(MODEL_FILE))
    assert shipped is not None and load_model().prior == shipped
    assert shipped.weights[PARTS.index(Part.action)] < 1.0
    own = label_with_alternatives(STORY, replace(load_model(), prior=None))
    shifted = label_with_alternatives(STORY)
    for a, b in zip(own, shifted, strict=True):
        expected = shipped.shifted(a.distribution)
        assert b.distribution == pytest.approx(expected, abs=1e-3)
        assert b.part == PARTS[max(range(len(PARTS)), key=expected.__getitem__)]
        assert b.confidence == pytest.approx(max(expected), abs=1e-3)
    # Another STAR model (a person's own, a fold's) reads its own way.
    other = tmp_path / "other.crfsuite"
    other.write_bytes(model_file(MODEL_FILE).read_bytes())
    assert label_with_alternatives(STORY, tagger_path=other) == own


def test_the_end_of_answer_model_keeps_the_star_models_own_reading():
    """It was trained on the STAR model's own probabilities: they must not shift under it."""
    assert _rule_cut_segmenter().prior is None
