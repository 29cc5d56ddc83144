"""The real ASGI application under Daphne on free loopback ports: the one launcher of the test
suite's `asgi_server` fixture and of the benchmarks.

Standard library only, and nothing imported from the checkout: the benchmarks load this file
from its path (`benchmarks/checkout.py`), because the repository root must never be on
`sys.path` (the folder `site/` would shadow the standard library's `site`).

Each server runs `python -m daphne ... pbsite.asgi:application` in the checkout with the
environment it is given (DATABASE_URL, settings, ...), writes its output to a log file of its
own, and counts as started once `/healthz` answers 200. A server that exits or does not answer
within `timeout` seconds is stopped, and its log is in the error.

With `unix_sockets=True` each server listens on a UNIX socket instead (`daphne -u`, as in
production behind nginx or HAProxy: README, production step 4); the health check then comes
as the proxy's would, with `X-Forwarded-Proto: https` and the first of the environment's
`ALLOWED_HOSTS` as its host, so that production settings answer it.
"""

import http.client
import shutil
import socket
import subprocess
import sys
import tempfile
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


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over a UNIX socket, e.g. `UnixHTTPConnection(path).request("GET", "/healthz")`."""

    def __init__(self, path: Path, timeout: float = 5.0):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = str(path)

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


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
        unix_sockets: bool = False,
    ):
        self.processes: list[subprocess.Popen] = []
        self.ports: list[int] = []
        self.sockets: list[Path] = []
        self.logs: list[Path] = []
        self.env = env
        # A folder of its own under /tmp: a socket's path may have at most 107 bytes.
        self.socket_dir = Path(tempfile.mkdtemp(prefix="bb-daphne-")) if unix_sockets else None
        verbosity = ["-v", "0"] if quiet else []  # 0: warnings only, and no access log
        try:
            for n in range(count):
                if self.socket_dir:
                    path = self.socket_dir / f"daphne-{n}.sock"
                    listen, name = ["-u", str(path)], path.stem
                    self.sockets.append(path)
                else:
                    port = free_port()
                    listen, name = ["-b", "127.0.0.1", "-p", str(port)], f"daphne-{port}"
                    self.ports.append(port)
                log = Path(log_dir) / f"{name}.log"
                with log.open("wb") as out:
                    process = subprocess.Popen(
                        [sys.executable, "-m", "daphne", *verbosity, *listen]
                        + ["pbsite.asgi:application"],
                        cwd=ROOT,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                self.processes.append(process)
                self.logs.append(log)
            for n, (process, log) in enumerate(zip(self.processes, self.logs, strict=True)):
                self._wait(process, n, log, timeout)
        except BaseException:
            self.stop()
            raise

    def healthy(self, n: int = 0) -> bool:
        """Whether server `n` answers /healthz with 200."""
        try:
            if self.socket_dir:
                hosts = self.env.get("ALLOWED_HOSTS", "localhost").split(",")
                connection = UnixHTTPConnection(self.sockets[n], timeout=2)
                try:
                    connection.request(
                        "GET", "/healthz", headers={"Host": hosts[0], "X-Forwarded-Proto": "https"}
                    )
                    return connection.getresponse().status == 200
                finally:
                    connection.close()
            with urlopen(f"http://127.0.0.1:{self.ports[n]}/healthz", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def _wait(self, process: subprocess.Popen, n: int, log: Path, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self.healthy(n):
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
        if self.socket_dir:
            shutil.rmtree(self.socket_dir, ignore_errors=True)

    def __enter__(self) -> "DaphneServers":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
