"""A throwaway PostgreSQL cluster for the tests and the benchmark: initdb + pg_ctl.

The server listens only on a unix socket in its own temporary directory (no TCP port, so
nothing clashes with other clusters on the machine) and trusts local connections. It runs
as an unprivileged user when started by root, because PostgreSQL refuses to run as root:
the ``postgres`` user the distribution package creates, else ``nobody``.

The server binaries come from PATH, or from the folder ``pg_config --bindir`` names (Debian's
``postgresql-common`` puts a ``pg_config`` on PATH that points at the versioned server
folder, which is not on PATH); without them, :func:`start` raises
:class:`MissingServerError` naming the command that installs them.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

INSTALL_HINT = (
    "PostgreSQL's server binaries (initdb, pg_ctl) are needed for the PostgreSQL tests and "
    "were not found on PATH or in the folder `pg_config --bindir` names; install them with "
    "`apt-get install -y postgresql` (Debian/Ubuntu) or your system's postgresql server package"
)
PORT = 5432  # only names the socket file in the cluster's own directory
USER = "payportal"  # the cluster's superuser


class MissingServerError(RuntimeError):
    """PostgreSQL's server binaries are not installed."""


def find_bin_dir() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl``."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        answer = subprocess.run(  # the PATH's pg_config, no shell
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        folder = Path(answer.stdout.strip())
        if answer.returncode == 0 and (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise MissingServerError(INSTALL_HINT)


def _server_user() -> str | None:
    """The user to run the server as, or ``None`` to run as ourselves (not root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise MissingServerError("running as root and neither a 'postgres' nor a 'nobody' user exists")


class Cluster:
    """A started cluster; :attr:`conninfo` connects to its ``postgres`` database."""

    def __init__(self) -> None:
        self.bin_dir = find_bin_dir()
        self.user = _server_user()
        self.dir = Path(tempfile.mkdtemp(prefix="payportal-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self.started = False

    @property
    def socket_dir(self) -> str:
        return str(self.dir)

    def conninfo(self, dbname: str = "postgres", **options: str) -> str:
        parts = [f"host={self.socket_dir}", f"port={PORT}", f"user={USER}", f"dbname={dbname}"]
        parts += [f"{key}={value}" for key, value in options.items()]
        return " ".join(parts)

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.user is not None:
            runuser = shutil.which("runuser")
            if runuser:
                command = [runuser, "-u", self.user, "--", *command]
            else:
                command = ["su", self.user, "-s", "/bin/sh", "-c", " ".join(command)]
        result = subprocess.run(
            command, cwd=self.dir, capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(
                f"{' '.join(args[:2])} failed ({result.returncode}):\n"
                f"{result.stdout}{result.stderr}{log}"
            )

    def start(self) -> Cluster:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            USER,
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        )
        settings = {
            "listen_addresses": "''",
            "unix_socket_directories": f"'{self.socket_dir}'",
            "port": str(PORT),
            "max_connections": "100",
            # A throwaway cluster: durability is not what is tested, speed is welcome.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")
        self.started = True
        return self

    def stop(self) -> None:
        try:
            if self.started:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            self.started = False
            shutil.rmtree(self.dir, ignore_errors=True)


def start() -> Cluster:
    """Start a new cluster (stop it with :meth:`Cluster.stop`)."""
    cluster = Cluster()
    try:
        return cluster.start()
    except BaseException:
        cluster.stop()
        raise
