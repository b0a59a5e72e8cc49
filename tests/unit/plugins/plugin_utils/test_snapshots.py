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


def test_auto_reports_its_choice():
    provider, note = S.choose_provider("auto", [SYSTEM, HARD], "N2", "Disk A")
    assert provider == HARD and "hardware" in note and HARD["id"] in note and "provider=auto" in note


@pytest.mark.parametrize("requested, providers, words", [
    ("hardware", [SYSTEM], ["no hardware VSS provider", "N2", "Disk A", "provider=auto"]),
    ("software", [SYSTEM, HARD], ["prefers hardware", "N2", "Disk A"]),
    ("{33333333-3333-3333-3333-333333333333}", [SYSTEM], ["not registered", "N2", "Disk A"]),
    (SYSTEM["id"], [SYSTEM, HARD], ["VSS would use", HARD["id"], "Disk A"]),
    ("fast", [SYSTEM], ["provider must be"]),
    ("auto", [], ["No VSS provider", "N2"]),
])
def test_refused_provider_requests(requested, providers, words):
    with pytest.raises(S.SnapshotError) as err:
        S.choose_provider(requested, providers, "N2", "Disk A")
    for word in words:
        assert word in str(err.value)


def test_accepted_provider_requests():
    assert S.choose_provider("hardware", [SYSTEM, HARD], "N", "C")[0] == HARD
    assert S.choose_provider("SOFTWARE", [SYSTEM], "N", "C")[0] == SYSTEM
    assert S.choose_provider(SYSTEM["id"].lower().strip("{}"), [SYSTEM], "N", "C")[0] == SYSTEM


@pytest.mark.parametrize("code, words", [
    (6, ["Insufficient storage", "vssadmin resize shadowstorage"]),
    (11, ["provider not registered", "re-register"]),
    (4, ["volume not supported"]),
    (99, ["Undocumented return code"]),
])
def test_create_errors_name_node_csv_and_next_step(code, words):
    message = S.create_error(code, "NODE2", "Disk A")
    for word in ["NODE2", "Disk A", "returned %d" % code, "Nothing was created", "Next:"] + words:
        assert word in message


def test_every_documented_code_has_a_message():
    assert sorted(S.CREATE_RETURN_CODES) == list(range(1, 14))


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
    assert out["id"] == "{AAAAAAAA-0000-0000-0000-000000000001}" and out["provider_type"] == "software"
    assert out["csv"] == "Disk A" and out["tag"] == "t"


def test_match_csv_and_volume_lookup():
    csvs = [{"name": "Disk A", "path": "C:\\ClusterStorage\\Volume1", "volume_names": ["\\\\?\\Volume{x}\\"]}]
    assert S.match_csv(csvs, name="disk a") == csvs[0]
    assert S.match_csv(csvs, path="c:\\clusterstorage\\volume1\\") == csvs[0]
    assert S.match_csv(csvs, name="nope") is None
    assert S.csv_for_volume(csvs, "\\\\?\\Volume{X}") == csvs[0] and S.csv_for_volume(csvs, "") is None
