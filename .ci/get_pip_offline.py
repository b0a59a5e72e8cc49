"""Stand-in for ansible-test's get-pip bootstrap script, for machines that reach PyPI but not ci-files.

ansible-test creates each sanity virtual environment without pip and then runs
a cached ``get-pip`` script (``~/.ansible/test/cache/get_pip_<version>.py``)
with pip's install arguments. The real script is downloaded from a host that
our CI cannot reach; this one installs pip from the wheel bundled with the
interpreter (``ensurepip``) and then runs ``pip install`` with the same
arguments, so the pinned versions ansible-test asks for still come from PyPI.
"""

import subprocess
import sys

GET_PIP_ONLY_OPTIONS = {"--no-setuptools", "--no-wheel"}


def main():
    # ensurepip runs in its own process: in-process it sets PIP_CONFIG_FILE=/dev/null in os.environ, which would
    # hide the machine's pip configuration (index, CA bundle) from the install below.
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    raise SystemExit(subprocess.call([sys.executable, "-m", "pip", "install"] + args))


if __name__ == "__main__":
    main()
