"""A throw-away PostgreSQL cluster that a test or benchmark may stop and start at will.

The shared PostgreSQL server must never be stopped, so outage tests and `bench/load.py
--outage-at` run their own: initdb into a temporary directory (as the postgres OS user, since
initdb refuses root), listening on 127.0.0.1 only, trust auth, fsync off (nothing to keep).
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


class ClusterError(AssertionError):
    pass


def pg_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise ClusterError(f"{name} not found under /usr/lib/postgresql/*/bin: install the postgresql package")
    return found[-1]


class PrivateCluster:
    def __init__(self, port, root=None, max_connections=60):
        self.port, self.max_connections = port, max_connections
        # Under /tmp directly: pytest's and mkdtemp's own parents are root-only, and the
        # postgres user must reach the data directory.
        self.root = Path(root or tempfile.mkdtemp(prefix="shangju-pg-"))
        self.data = self.root / "pgdata"

    def url(self, database):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def as_postgres(self, *cmd, timeout=300):
        run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        result = subprocess.run([*run_as, *cmd], capture_output=True, text=True, timeout=timeout, cwd=self.root)
        if result.returncode != 0:
            raise ClusterError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def create(self):
        try:
            self._init()
        except BaseException:
            self.destroy()  # a half-made cluster must not stay behind in /tmp
            raise
        return self

    def _init(self):
        initdb = pg_bin("initdb")  # first, so a missing PostgreSQL fails loudly before anything else
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                raise ClusterError(
                    f"port {self.port} is taken, probably by another private cluster "
                    "(bench/load.py --outage-at or tests/faults running at the same time): run them one after the other"
                )
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self.as_postgres(initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.root}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 32MB\n"
                f"max_connections = {self.max_connections}\n"
            )
        self.start()

    def psql(self, sql, database="postgres"):
        return self.as_postgres("psql", "-h", "127.0.0.1", "-p", str(self.port), "-d", database, "-qAtc", sql)

    def start(self):
        self.as_postgres(pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "start")

    def stop(self):
        # -m fast: open connections are cut, as in a crash or a restart for maintenance.
        self.as_postgres(pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def running(self):
        return (self.data / "postmaster.pid").exists()

    def destroy(self):
        if self.running():
            try:
                self.stop()
            except ClusterError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)
