"""Run ``textmine serve`` as a real uvicorn subprocess on 127.0.0.1 (random free port) for tests and benchmarks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run a ``textmine`` CLI command in a subprocess."""
    return subprocess.run([sys.executable, "-c", "from textmine.cli import main; main()", *args],
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=cwd, timeout=300)


class Server:
    """``textmine serve`` in a subprocess; ``kill()`` sends SIGKILL (a crash), ``stop()`` SIGTERM."""

    def __init__(self, database: str, env: dict | None = None, cwd: Path | None = None, log: Path | None = None):
        self.database = database
        self.env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), str(REPO)]), **(env or {})}
        self.cwd = cwd
        self.log = log
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> "Server":
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from textmine.cli import main; main()", "serve", "--host", "127.0.0.1",
             "--port", str(self.port), "--database", self.database, "--log-level", "warning"],
            env=self.env, cwd=self.cwd, stdout=out, stderr=subprocess.STDOUT)
        self.wait_for("/healthz", timeout)
        return self

    def wait_for(self, path: str, timeout: float) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; log: {self.log}")
            try:
                if httpx.get(self.url + path, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{path} not OK after {timeout}s")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
