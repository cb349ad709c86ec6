"""Input shapes a pandas/sklearn user passes (one-column frames, re-sorted Series) and sklearn parameters
(``get_params``/``set_params``/``clone``) of the Cleaner and the coders."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from textmine import stats
from textmine.classify import NotFittedError, SupervisedCoder, ZeroShotCoder
from textmine.discover import discover_themes, prepare
from textmine.embed.lexical import LexicalEmbedder
from textmine.preprocess import Cleaner
from textmine.quotes import select_quotes

COMMENTS = ["Vi har ventet 8 uker på refusjon av sykepenger", "Eg fekk aldri svar når eg ringde",
            "Telefonkøen er helt håpløs, ventet i en time", "Ring meg på 912 34 567", "vet ikke"]


@pytest.fixture(scope="module")
def cleaner():
    return Cleaner(detect_language=False).fit()


@pytest.fixture()
def survey_frame():
    return pd.DataFrame({"kommentar": COMMENTS, "vekt": [1.0, 2.0, 0.5, 1.5, 1.0]}, index=[10, 11, 12, 13, 14])


# ------------------------------------------------------------------ finding 1: one-column frames, 2-D arrays
def test_cleaner_reads_a_one_column_frame_as_its_column(cleaner, survey_frame):
    """Was: every row's text_clean was the column name "kommentar"."""
    want = cleaner.transform(survey_frame["kommentar"])
    pd.testing.assert_frame_equal(cleaner.transform(survey_frame[["kommentar"]]), want)
    assert want["text_clean"].iloc[0].startswith("Vi har ventet")
    assert "912 34 567" not in want["text_clean"].iloc[3]  # still redacted


def test_cleaner_reads_an_n_by_1_array_as_its_column(cleaner, survey_frame):
    """Was: each row became the printed array "['Vi har ventet …']"."""
    got = cleaner.transform(survey_frame[["kommentar"]].to_numpy())
    assert got["text_clean"].tolist() == cleaner.transform(COMMENTS)["text_clean"].tolist()


def test_column_transformer_passes_the_comments_not_the_column_name(survey_frame):
    ct = ColumnTransformer([("clean", Cleaner(detect_language=False), ["kommentar"])])
    out = ct.fit_transform(survey_frame)
    assert out[:, 0].tolist() == Cleaner(detect_language=False).transform(COMMENTS)["text_clean"].tolist()


@pytest.mark.parametrize("bad, match", [
    (pd.DataFrame({"a": ["x", "y"], "b": ["z", "w"]}), r"DataFrame with 2 columns; pass one column"),
    (pd.DataFrame(index=[0, 1]), r"DataFrame with 0 columns"),
    (np.array([["x", "y"], ["z", "w"]]), r"shape \(2, 2\); pass one column"),
    (np.array([[["x"]]]), r"shape \(1, 1, 1\)"),
    ({"a": "x"}, "got a dict"),
    ("Vi har ventet", "wrap a single text in a list"),
])
def test_cleaner_and_discovery_refuse_what_is_not_one_column_of_texts(cleaner, bad, match):
    with pytest.raises(TypeError, match=f"Cleaner.transform: .*{match}"):
        cleaner.transform(bad)
    with pytest.raises(TypeError, match=f"discover_themes: .*{match}"):
        discover_themes(bad, method="small")
    with pytest.raises(TypeError, match=f"prepare: .*{match}"):
        prepare(bad)


def test_discover_themes_reads_a_one_column_frame_as_its_column():
    """Was: discover_themes(df[["kommentar"]]) clustered one "text", the column name."""
    texts = [f"{t} ({i})" for i in range(4) for t in COMMENTS]
    frame = pd.DataFrame({"kommentar": texts})
    emb = LexicalEmbedder(n_components=8).fit(texts)
    got = discover_themes(frame[["kommentar"]], method="small", embedder=emb)
    want = discover_themes(frame["kommentar"], method="small", embedder=emb)
    assert len(got.assignments) == len(texts)
    assert got.assignments.tolist() == want.assignments.tolist()
    pd.testing.assert_frame_equal(prepare(frame[["kommentar"]]), prepare(texts))


# ------------------------------------------------------------------ finding 5: Series paired by index
@pytest.fixture()
def resorted():
    df = pd.DataFrame({"y": [1, 0, 0, 1, 0, 0], "w": [5.0, 1.0, 1.0, 1.0, 1.0, 1.0]})
    return df, df.sort_values("w")["y"]  # same rows, another order, index kept


@pytest.mark.parametrize("call", [
    lambda y, w: stats.proportion(y, w),
    lambda y, w: stats.weighted_share(y, w),
    lambda y, w: stats.weighted_mean(y, w),
    lambda y, w: stats.wilson_ci(y, w + 1),
    lambda y, w: stats.logit_ci(y * 0.5 + 0.2, w),
    lambda y, w: stats.proportion_ci(y * 0.5 + 0.2, w, weighted=True),
    lambda y, w: stats.two_proportion_test(y * 0.5, w, y * 0.5, w),
    lambda y, w: stats.change_verdict(y * 0.5, w / 10),
    lambda y, w: stats.group_sums(y, 2, w),
])
def test_stats_refuse_series_with_different_indexes(resorted, call):
    """Was: proportion(ys, df.w) paired each answer with another respondent's weight (share 1/3 instead of 6/10)."""
    df, ys = resorted
    with pytest.raises(ValueError, match="pandas Series with different indexes; values are paired by position"):
        call(ys, df["w"])
    call(ys.sort_index(), df["w"])  # aligned Series are fine
    call(ys.to_numpy(), df["w"])  # so is an array with a Series: paired by position, as documented


def test_weighted_share_of_aligned_series_is_the_index_aligned_truth(resorted):
    df, ys = resorted
    truth = float((ys * df["w"]).sum() / df["w"].sum())
    assert truth == pytest.approx(0.6)
    assert stats.proportion(ys.loc[df.index], df["w"]).share == pytest.approx(truth)
    assert stats.weighted_share(ys.reset_index(drop=True), df["w"].loc[ys.index].reset_index(drop=True)) == \
        pytest.approx(truth)


class _WordEmbedder:
    name, version, dimension = "toy", "1", 3

    def encode(self, texts, **kw):
        v = np.array([[t.count(w) for w in ("telefon", "svar", "kø")] for t in texts], dtype=np.float32) + 1e-3
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def _coded():
    texts = ["Telefon er vanskelig, vi når aldri fram på telefon.", "Vi får aldri svar på telefon når vi ringer.",
             "Lang kø på telefon hver eneste gang vi ringer.", "Telefonen svarer ikke, vi venter i kø hele dagen."]
    return pd.DataFrame({"respondent_id": ["r0", "r1", "r2", "r3"], "text_clean": texts, "theme_telefon": 1},
                        index=[100, 101, 102, 103])


def test_select_quotes_refuses_an_eligible_series_with_another_index():
    """Was: the mask was read by position, so a re-sorted Series quoted respondents it meant to leave out."""
    coded = _coded()
    eligible = pd.Series([True, False, False, True], index=coded.index)
    with pytest.raises(ValueError, match="eligible is a pandas Series with another index"):
        select_quotes(coded, theme="telefon", embedder=_WordEmbedder(), eligible=eligible.sort_values(),
                      min_chars=10)
    q = select_quotes(coded, theme="telefon", embedder=_WordEmbedder(), eligible=eligible, min_chars=10)
    assert {x.respondent_id for x in q} == {"r0", "r3"}
    with pytest.raises(ValueError, match=r"eligible has shape \(3,\); expected one value per row .* \(4\)"):
        select_quotes(coded, theme="telefon", embedder=_WordEmbedder(), eligible=[True, False, True])


# ------------------------------------------------------------------ finding 6: sklearn parameters and clone
def test_cleaner_get_and_set_params_cover_every_constructor_argument(cleaner):
    """Was: no set_params (Pipeline.set_params failed) and get_params left out ``resources``."""
    import inspect

    names = [p for p in inspect.signature(Cleaner.__init__).parameters if p != "self"]
    assert sorted(Cleaner().get_params()) == sorted(names)
    pipe = Pipeline([("clean", Cleaner(detect_language=False, resources=cleaner.resources))])
    assert "912 34 567" not in pipe.transform(COMMENTS)["text_clean"].iloc[3]
    pipe.set_params(clean__redact=False, clean__question_texts=["Hva synes du?"])
    assert pipe.named_steps["clean"].get_params()["redact"] is False
    assert pipe.named_steps["clean"].question_texts == ("Hva synes du?",)
    assert pipe.transform(COMMENTS)["text_clean"].iloc[3] == "Ring meg på 912 34 567"
    with pytest.raises(ValueError, match=r"invalid parameter\(s\) \['redakt'\] for Cleaner"):
        Cleaner().set_params(redakt=False)


def test_clone_of_a_cleaner_shares_its_resources_and_keeps_its_parameters(cleaner):
    original = Cleaner(redact=False, detect_language=False, question_texts=["Hva synes du?"], n_jobs=1,
                       resources=cleaner.resources)
    copy = clone(original)
    assert copy is not original and copy.resources is cleaner.resources
    assert copy.get_params() == original.get_params()


@pytest.fixture()
def lexical(train):
    return LexicalEmbedder(n_components=16).fit(train["text"].tolist())


def test_clone_of_a_fitted_supervised_coder_is_unfitted_with_the_same_parameters(codebook, train, lexical):
    """Was: TypeError, the coders had no get_params."""
    coder = SupervisedCoder(codebook, lexical, embedder_spec="lexical", cv=3, C=4.0, review_threshold=None)
    coder.fit(train["text"], train["themes"], train["type"])
    copy = clone(coder)
    assert type(copy) is SupervisedCoder and copy is not coder
    assert copy.get_params(deep=False).keys() == coder.get_params(deep=False).keys()
    assert all(copy.get_params()[k] is v for k, v in coder.get_params().items())  # as given, shared
    assert copy.get_params()["review_threshold"] is None  # the argument, not the threshold fit learned
    with pytest.raises(NotFittedError):
        copy.predict(["Maten var kald."])
    copy.fit(train["text"], train["themes"], train["type"])
    probe = ["Maten var kald.", "Altfor dyrt.", "Lang kø i kassa."]
    pd.testing.assert_frame_equal(copy.predict(probe), coder.predict(probe))


def test_zero_shot_coder_params_round_trip_through_clone(codebook, lexical):
    coder = ZeroShotCoder(codebook, lexical, tau=3.0, top_k=2, embedder_spec="lexical")
    copy = clone(coder)
    assert copy.get_params() == coder.get_params()
    assert (copy.tau, copy.top_k) == (3.0, 2)
    pd.testing.assert_frame_equal(copy.predict(["Maten var kald."]), coder.predict(["Maten var kald."]))


def test_coder_set_params_checks_like_the_constructor_and_unfits_for_training_arguments(codebook, train, embedder):
    coder = SupervisedCoder(codebook, embedder, embedder_spec="fake", cv=3).fit(train["text"], train["themes"])
    with pytest.raises(ValueError, match="invalid parameter 'C_' for SupervisedCoder; valid parameters: codebook"):
        coder.set_params(C_=1.0)
    with pytest.raises(ValueError, match="target_accuracy must be a share"):
        coder.set_params(target_accuracy=90)
    assert coder.target_accuracy == 0.9 and coder.coef_ is not None  # a refused call changes nothing
    assert coder.set_params(C=2.0, cv=2) is coder
    assert (coder.C, coder.cv, coder.get_params()["C"]) == (2.0, 2, 2.0)
    with pytest.raises(NotFittedError):  # new parameters: fit again
        coder.predict(["Maten var kald."])
    zs = ZeroShotCoder(codebook, embedder).set_params(review_threshold=0.8)
    assert zs.review_threshold == 0.8 and zs.get_params()["review_threshold"] == 0.8


def test_set_review_threshold_on_a_fitted_coder_keeps_the_fit_and_moves_abstention(codebook, train, embedder):
    """Was: any set_params rebuilt the coder, so changing only the abstention level meant fitting again."""
    coder = SupervisedCoder(codebook, embedder, embedder_spec="fake", cv=3).fit(train["text"], train["themes"])
    probe = list(train["text"][:12])
    before = coder.predict(probe)
    learned = coder.review_threshold
    assert coder.set_params(review_threshold=1.0) is coder
    after = coder.predict(probe)  # no NotFittedError: the fit is kept
    assert coder.review_threshold == 1.0 and coder.get_params()["review_threshold"] == 1.0
    pd.testing.assert_frame_equal(after.drop(columns="needs_review"), before.drop(columns="needs_review"))
    assert (after["needs_review"] == (after["confidence"] < 1.0).astype(after["needs_review"].dtype)).all()
    assert after["needs_review"].sum() >= before["needs_review"].sum()
    coder.set_params(review_threshold=0.0)
    assert coder.predict(probe)["needs_review"].sum() == 0
    assert coder.params()["fixed_review_threshold"] == 0.0  # saved as fixed: a loaded artefact keeps it
    assert learned != 0.0
    with pytest.raises(ValueError, match="review_threshold"):
        coder.set_params(review_threshold=2.0)
    assert coder.review_threshold == 0.0  # a refused value changes nothing
