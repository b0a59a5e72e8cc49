"""The lab's inventory.yml holds the lab's password, so only its owner may read it."""

from __future__ import annotations

import stat

from wsfc_lab import inventory


def test_the_inventory_is_written_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "inventory.yml"
    path.write_text("old")
    path.chmod(0o644)  # a file an earlier lab left, world-readable
    inventory.write(path, {"all": {"vars": {"ansible_password": "s3cret"}}})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "s3cret" in path.read_text() and "old" not in path.read_text()
