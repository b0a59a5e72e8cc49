"""Put the offline pip bootstrap where ansible-test looks for its cached get-pip script.

ansible-test names the cache file after the pip version it pins
(``~/.ansible/test/cache/get_pip_<version>.py``); read that pin from the
installed ansible-test so the shim follows ansible-core upgrades.
"""

import os
import re
import shutil
import sys

import ansible_test._internal.python_requirements as requirements


def main():
    with open(requirements.__file__, encoding="utf-8") as handle:
        match = re.search(r"pip='([0-9.]+)'", handle.read())
    if not match:
        sys.exit("cannot find the pip version ansible-test pins")
    cache = os.path.expanduser("~/.ansible/test/cache/get_pip_%s.py" % match.group(1).replace(".", "_"))
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    shutil.copyfile(os.path.join(os.path.dirname(os.path.abspath(__file__)), "get_pip_offline.py"), cache)
    print("ansible-test pip bootstrap: %s" % cache)


if __name__ == "__main__":
    main()
