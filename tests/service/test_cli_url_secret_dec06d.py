"""The CLI never prints a database password, also when it is given in the URL's query string (libpq's
``?password=…``), e.g. in the one-line error of a store it cannot reach."""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("_clitools", Path(__file__).resolve().parents[1] / "clitools.py")
_cli = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_cli)


def test_unreachable_store_error_masks_a_query_string_password():
    url = "postgresql+psycopg://tm@127.0.0.1:1/nodb?password=S3cretPw&connect_timeout=2"
    res = _cli.run_cli("keys", "list", "--database", url)
    assert res.exit_code != 0
    text = res.output + (res.stderr if res.stderr_bytes is not None else "")
    assert "S3cretPw" not in text and "password=***" in text
