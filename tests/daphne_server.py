"""The real ASGI application under Daphne on free loopback ports: the one launcher of the test
suite's `asgi_server` fixture and of the benchmarks.

Standard library only, and nothing imported from the checkout: the benchmarks load this file
from its path (`benchmarks/checkout.py`), because the repository root must never be on
`sys.path` (the folder `site/` would shadow the standard library's `site`).

Each server runs `python -m daphne ... pbsite.asgi:application` in the checkout with the
environment it is given (DATABASE_URL, settings, ...), writes its output to a log file of its
own, and counts as started once `/healthz` answers 200. A server that exits or does not answer
within `timeout` seconds is stopped, and its log is in the error.
"""

import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DaphneStartError(RuntimeError):
    pass


class DaphneServers:
    """`count` Daphne processes, one port each; stop them with `stop()` or a `with` block."""

    def __init__(
        self,
        count: int = 1,
        *,
        env: dict[str, str],
        log_dir: Path,
        quiet: bool = False,
        timeout: float = 60.0,
    ):
        self.processes: list[subprocess.Popen] = []
        self.ports: list[int] = []
        self.logs: list[Path] = []
        verbosity = ["-v", "0"] if quiet else []  # 0: warnings only, and no access log
        try:
            for _n in range(count):
                port = free_port()
                log = Path(log_dir) / f"daphne-{port}.log"
                with log.open("wb") as out:
                    process = subprocess.Popen(
                        [sys.executable, "-m", "daphne", *verbosity, "-b", "127.0.0.1"]
                        + ["-p", str(port), "pbsite.asgi:application"],
                        cwd=ROOT,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                self.processes.append(process)
                self.ports.append(port)
                self.logs.append(log)
            for process, port, log in zip(self.processes, self.ports, self.logs, strict=True):
                self._wait(process, port, log, timeout)
        except BaseException:
            self.stop()
            raise

    @staticmethod
    def _wait(process: subprocess.Popen, port: int, log: Path, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise DaphneStartError(f"Daphne did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.2)

    @property
    def url(self) -> str:
        """The first server's address, http://127.0.0.1:<port>."""
        return f"http://127.0.0.1:{self.ports[0]}"

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1)

    def rss_kib(self) -> int:
        """The servers' resident memory in all, from /proc (Linux)."""
        total = 0
        for process in self.processes:
            for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total

    def log_tail(self, lines: int = 20) -> str:
        text = []
        for log in self.logs:
            content = log.read_text(errors="replace").strip().splitlines()
            if content:
                text.append(f"-- {log.name}\n" + "\n".join(content[-lines:]))
        return "\n".join(text)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> "DaphneServers":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
