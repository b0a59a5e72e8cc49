"""The lab tests test the lab source tree they sit in, whatever copy of ``wsfc_lab`` the interpreter has installed.

An editable install can point at another checkout (a clean clone elsewhere); the tests, and the
``python -m wsfc_lab`` processes some of them start, import this tree's package instead.
"""

import os
import sys
from pathlib import Path

LAB = str(Path(__file__).resolve().parents[1])
if LAB not in sys.path:
    sys.path.insert(0, LAB)
os.environ["PYTHONPATH"] = os.pathsep.join([LAB] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
                                                     if p and p != LAB])
