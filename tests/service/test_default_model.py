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
    with pytest.raises(ValueError, match="not a model directory"):
        create_app(settings)
    assert not db_file.exists()


def test_a_model_for_another_codebook_is_refused(tmp_path):
    from service.library import check_default_model

    if not (FAST_MODEL_DIR / "manifest.json").exists():
        pytest.skip("models/fast not built")
    other = tmp_path / "other"
    shutil.copytree(FAST_MODEL_DIR, other)
    manifest = other / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"name": "arbeidsgiver"', '"name": "brukerundersokelse"', 1))
    import json

    m = json.loads(manifest.read_text())
    m["codebook"]["hash"] = "0" * 64
    manifest.write_text(json.dumps(m))
    with pytest.raises(ValueError, match="not the service's default codebook"):
        check_default_model(other)
    assert check_default_model(FAST_MODEL_DIR) == FAST_MODEL_DIR
    assert check_default_model(None) is None


def test_readyz_names_the_default_model(tmp_path):
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.settings import Settings

    if not (FAST_MODEL_DIR / "manifest.json").exists():
        pytest.skip("models/fast not built")
    for model, label in ((None, "models/default"), (FAST_MODEL_DIR, str(FAST_MODEL_DIR))):
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
