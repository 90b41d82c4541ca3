"""Render the HTML report of fixtures/demo-2023 in headless Chromium to docs/report.png (the README shows it).

Run by hand from the repository root (Chromium installed, e.g. `apt-get install chromium`):

    .venv/bin/python tools/screenshot.py [--chromium chromium] [--out docs/report.png]
"""
import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from verifier.engine.run import verify_record
from verifier.report import html


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium",
                        default=shutil.which("chromium") or shutil.which("chromium-browser") or "chromium")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "report.png")
    parser.add_argument("--size", default="1000,2400", help="window width,height in pixels")
    args = parser.parse_args()
    verdict = verify_record(ROOT / "fixtures" / "demo-2023")
    verdict.record = "fixtures/demo-2023"
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html.render(verdict), encoding="utf-8")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        # --no-sandbox: Chromium refuses to run as root with its sandbox; the page is our own, with no script
        subprocess.run([args.chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--window-size={args.size}", f"--screenshot={args.out.resolve()}", page.as_uri()],
                       check=True, capture_output=True, timeout=120)
    print(args.out)


if __name__ == "__main__":
    main()
