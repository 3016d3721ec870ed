"""Make sure the browser tests can run: Debian's Chromium and a CJK font (installs them as root)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

CHROMIUM = "/usr/bin/chromium"


def has_cjk_font() -> bool:
    try:
        out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        return False
    return bool(out.strip())


def main() -> int:
    missing = []
    if not os.path.exists(CHROMIUM):
        missing.append("chromium")
    if not has_cjk_font():
        missing.append("fonts-noto-cjk")
    if not missing:
        return 0
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        print(f"Browser tests need: {' '.join(missing)}. Install them with apt-get (as root).", file=sys.stderr)
        return 1
    print(f"Installing {' '.join(missing)} for the browser tests…", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=True, env=env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
