# -*- coding: utf-8 -*-
"""Unit tests of plugins/plugin_utils/snapshots.py (pure logic of csv_snapshot and csv_snapshot_info)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.wsfc.csv.plugins.plugin_utils import snapshots as S

SYSTEM = {"id": "{B5946137-7B9F-4925-AF80-51ABD60B20D5}", "name": "Microsoft Software Shadow Copy provider 1.0", "type": 1}
SOFT = {"id": "{11111111-1111-1111-1111-111111111111}", "name": "Vendor software", "type": 2}
HARD = {"id": "{22222222-2222-2222-2222-222222222222}", "name": "Array", "type": 3}


@pytest.mark.parametrize("providers, expected", [
    ([SYSTEM], SYSTEM), ([SYSTEM, SOFT], SOFT), ([SYSTEM, SOFT, HARD], HARD), ([HARD, SYSTEM], HARD), ([], None),
])
def test_default_provider_follows_selecting_providers(providers, expected):
    assert S.default_provider(providers) == expected


def test_auto_lets_vss_choose_and_reports_what_it_will_choose():
    provider_id, provider, note = S.choose_provider("auto", [SYSTEM, HARD], "N2", "Disk A")
    assert provider_id is None and provider == HARD  # no provider named to add volume: VSS selects
    assert "hardware" in note and HARD["id"] in note and "provider=auto" in note


@pytest.mark.parametrize("requested, providers, words", [
    ("hardware", [SYSTEM], ["no hardware VSS provider", "N2", "Disk A", "provider=auto"]),
    ("hardware", [SYSTEM, HARD, dict(HARD, id="{44444444-4444-4444-4444-444444444444}")],
     ["2 hardware VSS providers", "Name the one to use by its ID"]),
    ("software", [HARD], ["system provider", "not registered", "N2"]),
    ("{33333333-3333-3333-3333-333333333333}", [SYSTEM], ["not registered", "N2", "Disk A"]),
    ("fast", [SYSTEM], ["provider must be"]),
    ("auto", [], ["No VSS provider", "N2"]),
])
def test_refused_provider_requests(requested, providers, words):
    with pytest.raises(S.SnapshotError) as err:
        S.choose_provider(requested, providers, "N2", "Disk A")
    for word in words:
        assert word in str(err.value)


def test_hardware_software_and_ids_are_named_to_diskshadow():
    assert S.choose_provider("hardware", [SYSTEM, HARD], "N", "C")[:2] == (HARD["id"], HARD)
    # DiskShadow can name the provider, so software is honoured even where VSS would choose hardware
    assert S.choose_provider("SOFTWARE", [SYSTEM, HARD], "N", "C")[:2] == (SYSTEM["id"], SYSTEM)
    assert S.choose_provider(SYSTEM["id"].lower().strip("{}"), [SYSTEM, HARD], "N", "C")[:2] == (SYSTEM["id"], SYSTEM)
    assert S.choose_provider(SOFT["id"], [SYSTEM, SOFT], "N", "C")[2].startswith("the software provider Vendor")


@pytest.mark.parametrize("provider, kind, where", [(SYSTEM, "system", "software"), (SOFT, "software", "software"),
                                                   (HARD, "hardware", "hardware")])
def test_provider_type_and_where_its_snapshots_surface(provider, kind, where):
    assert S.provider_type(provider) == kind and S.provider_kind(provider) == where


@pytest.mark.parametrize("no_writers, expected", [(False, "application"), (True, "crash"), (None, None)])
def test_consistency_is_whether_writers_took_part(no_writers, expected):
    assert S.consistency({"no_writers": no_writers}) == expected


def test_the_per_volume_limit_counts_the_shadow_copies_of_that_volume_only():
    csv = {"name": "Disk A", "volume_names": ["\\\\?\\Volume{a}\\"]}
    mine = [{"volume_name": "\\\\?\\Volume{A}\\"}] * 511
    other = [{"volume_name": "\\\\?\\Volume{b}\\"}] * 5
    assert S.limit_problem(csv, mine + other, "N1") is None
    message = S.limit_problem(csv, mine + [{"volume_name": "\\\\?\\Volume{a}"}], "N1")
    assert "already has 512 shadow copies on N1" in message and "on_limit=warn" in message
    assert len(S.volume_shadows(csv, mine + other)) == 511


def test_a_recorded_entry_must_still_match_its_shadow_copy():
    entry = {"id": "{A}", "volume_name": "\\\\?\\Volume{a}\\", "created": "2026-01-05T01:00:00.0000000Z"}
    shadow = {"volume_name": "\\\\?\\Volume{A}", "install_date": "2026-01-05T01:00:00.0000000Z"}
    assert S.recorded_mismatch(entry, shadow) is None
    assert "not of" in S.recorded_mismatch(entry, dict(shadow, volume_name="\\\\?\\Volume{b}\\"))
    assert "created at" in S.recorded_mismatch(entry, dict(shadow, install_date="2026-01-06T00:00:00.0000000Z"))
    older = {"id": "{A}", "csv": "Disk A", "created": shadow["install_date"]}  # no volume_name: the CSV's names
    assert S.recorded_mismatch(older, shadow, {"name": "Disk A", "volume_names": ["\\\\?\\Volume{a}\\"]}) is None
    assert S.recorded_mismatch(older, shadow, {"name": "Disk A", "volume_names": ["\\\\?\\Volume{z}\\"]})


def test_registry_parsing_and_tags():
    assert S.parse_registry(None) == [] and S.parse_registry("") == []
    text = "\ufeff" + json.dumps({"version": 1, "snapshots": [
        {"id": "{AAAAAAAA-0000-0000-0000-000000000001}", "csv": "Disk A", "tag": "t"},
        {"id": "not a guid", "csv": "Disk A", "tag": "t"},
        {"id": "{AAAAAAAA-0000-0000-0000-000000000002}", "csv": "Disk B", "tag": "t"}]})
    entries = S.parse_registry(text)
    assert [e["csv"] for e in entries] == ["Disk A", "Disk B"]
    assert S.tagged(entries, "disk a", "t") == entries[:1] and S.tagged(entries, "Disk A", "u") == []
    single = S.parse_registry(json.dumps({"snapshots": {"id": "{AAAAAAAA-0000-0000-0000-000000000003}"}}))
    assert len(single) == 1
    with pytest.raises(S.SnapshotError, match="not valid JSON"):
        S.parse_registry("{oops")


def test_split_existing_only_keeps_what_windows_still_lists():
    entries = [{"id": "{AAAAAAAA-0000-0000-0000-000000000001}"}, {"id": "{AAAAAAAA-0000-0000-0000-000000000002}"}]
    alive, gone = S.split_existing(entries, [{"id": "{aaaaaaaa-0000-0000-0000-000000000001}"}])
    assert alive == entries[:1] and gone == entries[1:]


@pytest.mark.parametrize("service, node, surfaced, local", [
    ("NODE1.contoso.com", "NODE2", "NODE1", False),
    ("node2.contoso.com", "NODE2", "NODE2", True),
    ("", "NODE2", None, False),
])
def test_shape_snapshot_reports_where_it_is_surfaced(service, node, surfaced, local):
    shadow = {"id": "{aaaaaaaa-0000-0000-0000-000000000001}", "provider_id": SYSTEM["id"], "service_machine": service,
              "device_object": "\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy3"}
    out = S.shape_snapshot(shadow, node, [SYSTEM], "Disk A", "t")
    assert out["surfaced_on"] == surfaced and out["local_reads"] is local
    assert out["id"] == "{AAAAAAAA-0000-0000-0000-000000000001}" and out["provider_type"] == "system"
    assert out["consistency"] is None and out["exposed_path"] is None  # not read: not claimed
    assert out["csv"] == "Disk A" and out["tag"] == "t"


def test_match_csv_and_volume_lookup():
    csvs = [{"name": "Disk A", "path": "C:\\ClusterStorage\\Volume1", "volume_names": ["\\\\?\\Volume{x}\\"]}]
    assert S.match_csv(csvs, name="disk a") == csvs[0]
    assert S.match_csv(csvs, path="c:\\clusterstorage\\volume1\\") == csvs[0]
    assert S.match_csv(csvs, name="nope") is None
    assert S.csv_for_volume(csvs, "\\\\?\\Volume{X}") == csvs[0] and S.csv_for_volume(csvs, "") is None


# ---- the registry's folder, owner and corruption (issue 17) ---------------------------------------------------

INHERITED = "O:BAD:AI(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIID;0x1200a9;;;BU)"


def test_only_system_or_administrators_may_own_the_registry_folder():
    for ok in (None, S.REGISTRY_SDDL, "O:SYD:P(A;;FA;;;SY)", "O:S-1-5-32-544D:P", "O:S-1-5-18", INHERITED):
        assert S.registry_owner_problem(ok, "NODE1") is None, ok
    for bad in ("O:S-1-5-21-1-2-3-1001D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)", "O:BUD:P", "D:P(A;;FA;;;SY)", ""):
        msg = S.registry_owner_problem(bad, "NODE1")
        assert "not by SYSTEM or Administrators" in msg and "NODE1" in msg and "Nothing was created or deleted" in msg


def test_the_explicit_acl_is_recognised_and_an_inherited_or_wider_one_is_not():
    assert S.registry_acl_is_ours(S.REGISTRY_SDDL)
    assert S.registry_acl_is_ours("O:SYD:PAI(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)")  # order does not matter
    for not_ours in (None, INHERITED, "O:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FA;;;BU)",
                     "O:BAD:AI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)", "O:S-1-5-21-9D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"):
        assert not S.registry_acl_is_ours(not_ours), not_ours


def test_a_corrupt_registry_gives_no_entries_and_says_why():
    entries, problem = S.read_registry('{"version": 2, "snapshots": [{"id": "{6F1F7A8E-0D1C-4D6F-9A55-2B')
    assert entries == [] and "is not valid JSON" in problem and S.REGISTRY_PATH in problem
    good = json.dumps({"version": 2, "snapshots": [{"id": "{6f1f7a8e-0d1c-4d6f-9a55-2b9a4c1e0a11}", "csv": "D"}]})
    assert S.read_registry(good)[1] is None and len(S.read_registry(good)[0]) == 1
    assert S.read_registry(None) == ([], None)
    warning = S.corrupt_warning(problem, "NODE1", moved_to="X")
    assert "moved aside to X" in warning and "None of its entries is trusted" in warning
    assert "next snapshot" in S.corrupt_warning(problem, "NODE1")


def test_the_quarantine_name_comes_from_the_nodes_clock():
    assert S.quarantine_path("2026-01-05T01:00:00.1234567Z") == S.REGISTRY_PATH + ".corrupt-20260105T010000Z"
    assert S.quarantine_path(None) == S.REGISTRY_PATH + ".corrupt-unknownZ"
