"""``python -m wsfc_lab``: see :mod:`wsfc_lab.cli`."""

from wsfc_lab.cli import main

raise SystemExit(main())
