"""The CLI's error masking keeps a scheduler address's host and port but never any of its user part, also when the
password holds «/» or «@» as typed, and does not swallow a bracket around it."""

from __future__ import annotations

import pytest

from textmine.cli import redact_message


@pytest.mark.parametrize("msg, shown, hidden", [
    ("tcp://kari:pa/ss@10.0.0.5:8786 failed", "tcp://***@10.0.0.5:8786 failed", ("kari", "pa/ss", "ss@")),
    ("tcp://kari:p@ss@10.0.0.5:8786", "tcp://***@10.0.0.5:8786", ("kari", "p@ss", "ss@")),
    ("(kari:hemmelig@10.0.0.5:8786)", "(***@10.0.0.5:8786)", ("kari", "hemmelig")),
    ("Could not connect to 'kari:x/y@127.0.0.1:2'", "'***@127.0.0.1:2'", ("kari", "x/y")),
])
def test_scheduler_credentials_are_masked_whole(msg, shown, hidden):
    out = redact_message(msg)
    assert shown in out
    for secret in hidden:
        assert secret not in out


def test_an_address_without_credentials_is_shown_as_written():
    msg = "Timed out connecting to tcp://127.0.0.1:8786 after 5 s"
    assert redact_message(msg) == msg
