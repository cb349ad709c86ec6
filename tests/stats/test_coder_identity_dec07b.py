"""A model is the same coder whatever its folder is called (its manifest's fingerprint), two models in folders of
one name are not; the refusal names a fix that `textmine code` allows, both ways."""
import json
import shutil

from textmine.pipeline import coded_identity, coder_name, model_fingerprint, same_coder
from textmine.report.pipeline import record_coder
from textmine.summary import coder_text, mixed_coders, mixed_coders_error


def _model(folder, created):
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"created_at": created}), encoding="utf-8")
    return folder


class _CB:
    name, version, hash = "cb", "1.0", "h"

    def to_yaml(self):
        return "name: cb\n"


def test_a_copied_model_is_the_same_coder_and_two_models_of_one_name_are_not(tmp_path):
    a = _model(tmp_path / "x" / "default", "2026-01-01")
    copy = tmp_path / "y" / "arbeidsgiver_2023"
    shutil.copytree(a, copy)
    other = _model(tmp_path / "z" / "default", "2026-02-02")
    rec = {n: coded_identity(_CB(), m, "text") for n, m in (("a", a), ("copy", copy), ("other", other))}
    assert rec["a"]["model_fingerprint"] == rec["copy"]["model_fingerprint"] == model_fingerprint(a)
    assert rec["other"]["model_fingerprint"] != rec["a"]["model_fingerprint"]
    la, lc, lo = (record_coder(rec[k]) for k in ("a", "copy", "other"))
    assert same_coder(la, lc) and not same_coder(la, lo)
    assert coder_name(lc) == "arbeidsgiver_2023" and coder_text(lc) == "model 'arbeidsgiver_2023'"
    assert not mixed_coders({2022: {"q": la}, 2023: {"q": lc}}, [(2022, 2023)])
    assert mixed_coders({2022: {"q": la}, 2023: {"q": lo}}, [(2022, 2023)])


def test_records_without_a_fingerprint_compare_by_name():
    assert same_coder("default", "default") and not same_coder("default", "zero-shot")
    assert same_coder("default", "default@@abc")  # an older record beside a new one: the name decides


def test_refusal_offers_a_fix_for_either_wave():
    msg = mixed_coders_error({(2022, 2023): {"q": ("zero-shot", "default@@0123456789abcdef")}})
    assert "wave 2022's file with --model for 'default'" in msg
    assert "wave 2023's file without --model" in msg and "@@" not in msg
    assert coder_text("default@@0123", norwegian=True) == "modellen «default»"
