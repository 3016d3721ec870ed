"""Serve the login page with gunicorn in the environment's profile and fetch it with its static files.

CI runs it in the production profile after `collectstatic`: the page must answer 200 and every
stylesheet and script it links must come from the manifest (hashed names) and answer 200 through
WhiteNoise, as behind the proxy. Exits non-zero otherwise.

    python scripts/smoke_serve.py HOST   # HOST: one of ALLOWED_HOSTS
"""

from __future__ import annotations

import http.client
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(port: int, host: str, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    # As the proxy sends it: TLS ended there, the client's address appended.
    conn.request("GET", path, headers={"Host": host, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    response = conn.getresponse()
    return response.status, response.read()


def main(host: str) -> int:
    port = free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}"],
        cwd=ROOT,
    )
    try:
        for _ in range(100):
            try:
                status, body = fetch(port, host, "/login/")
                break
            except OSError:
                if server.poll() is not None:
                    print("gunicorn exited before serving", file=sys.stderr)
                    return 1
                time.sleep(0.2)
        else:
            print("gunicorn did not answer", file=sys.stderr)
            return 1
        if status != 200:
            print(f"/login/ answered {status}", file=sys.stderr)
            return 1
        assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', body)
        if not assets:
            print("/login/ links no stylesheet or script", file=sys.stderr)
            return 1
        for asset in assets:
            path = asset.decode()
            if not re.search(r"\.[0-9a-f]{12}\.(css|js)$", path):
                print(f"{path} is not a manifest (hashed) name", file=sys.stderr)
                return 1
            asset_status, _ = fetch(port, host, path)
            if asset_status != 200:
                print(f"{path} answered {asset_status}", file=sys.stderr)
                return 1
        print(f"/login/ 200 with {len(assets)} hashed static files served")
        return 0
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
