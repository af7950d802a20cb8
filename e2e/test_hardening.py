"""Short versions of the soak runs (`make soak` runs the long ones; soak/README.md).

Each starts its own sluice, sluice-mock(s) and fault upstream on loopback ports chosen by the
kernel, stops them by PID, and asserts the driver's verdict; the figures are printed (pytest -s).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from soak import drain, faults, reload  # noqa: E402


def _verdict(name: str, result: dict) -> None:
    text = json.dumps(result, indent=1, default=str)
    print(f"{name}: {text}")
    assert result["ok"], f"{name} failed:\n{text}"


def test_faultSoak_short_everyAnswerAsSpecified_fdsBackToBaseline_rssFlat():
    # 3,000 requests, every fault kind, the victim upstream SIGKILLed every 2 s; well under 60 s.
    _verdict("faults", faults.run(3000, concurrency=64, max_seconds=60, kill_every=2.0, log=print))


def test_reloads_underLoad_short_noFailedRequest():
    load = "wrk" if shutil.which("wrk") else "python"
    _verdict("reload", reload.run(20, interval=0.1, load=load, log=print))


def test_sigterm_withOpenStreams_short_everyStreamCompletes_exitZero():
    _verdict("drain", drain.run(20, drain_timeout_s=6.0, stream_seconds=2.0, bound_timeout_s=2.0, log=print))
