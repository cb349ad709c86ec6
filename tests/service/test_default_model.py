"""The service's default-model setting (TEXTMINE_DEFAULT_MODEL / --default-model)."""

import shutil

import pytest

from textmine.paths import FAST_MODEL_DIR


def test_settings_read_the_default_model_from_the_environment(monkeypatch):
    from service.settings import Settings

    monkeypatch.setenv("TEXTMINE_DEFAULT_MODEL", "models/fast")
    assert str(Settings.from_env().default_model) == "models/fast"
    monkeypatch.delenv("TEXTMINE_DEFAULT_MODEL")
    assert Settings.from_env().default_model is None


def test_a_bad_default_model_is_refused_before_the_database_is_touched(tmp_path):
    from service.app import create_app
    from service.settings import Settings

    db_file = tmp_path / "store.db"
    settings = Settings(database_url=f"sqlite:///{db_file}", default_model=tmp_path / "nope", warmup=False,
                        run_jobs=False)
    with pytest.raises(ValueError, match="not a textmine model directory"):
        create_app(settings)
    assert not db_file.exists()


def test_a_model_for_another_codebook_is_refused(tmp_path):
    import json

    from service.library import check_default_model
    from textmine.codebook import load_codebook

    if not (FAST_MODEL_DIR / "manifest.json").exists():
        pytest.skip("models/fast not built")
    other = tmp_path / "other"  # a whole artefact, consistent in itself, for version 2.0 of the codebook
    shutil.copytree(FAST_MODEL_DIR, other)
    yaml = other / "codebook.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("version: '1.0'", "version: '2.0'", 1), encoding="utf-8")
    manifest = json.loads((other / "manifest.json").read_text())
    manifest["codebook"].update(version="2.0", hash=load_codebook(yaml).hash)
    (other / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="cannot serve the default codebook.*trained for codebook 'arbeidsgiver' v2.0"):
        check_default_model(other)
    assert check_default_model(FAST_MODEL_DIR) == FAST_MODEL_DIR
    assert check_default_model(None) is None


def test_readyz_names_the_default_model(tmp_path):
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.settings import Settings

    if not (FAST_MODEL_DIR / "manifest.json").exists():
        pytest.skip("models/fast not built")
    for model, label in ((None, "default"), (FAST_MODEL_DIR, "fast")):  # never the server's path
        app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}", default_model=model,
                                  warmup=False, run_jobs=False))
        with TestClient(app) as client:
            body = client.get("/readyz").json()
        assert body["default_model"] == label and body["model_loaded"] is False


@pytest.mark.slow
def test_the_coder_cache_serves_the_configured_default_model():
    from service.coders import CoderCache

    if not (FAST_MODEL_DIR / "manifest.json").exists():
        pytest.skip("models/fast not built")
    coder = CoderCache(default_model=FAST_MODEL_DIR).default()
    assert coder.embedder.name == "e5-static"
