# wsfc.csv developer entry points. Both main commands work on a fresh machine with only Python 3.11 and pip:
#   make demo   - start the 4-node lab cluster, back it up with the csv_backup playbook (report in build/demo/reports), stop the lab
#   make test   - every check (unit, lab, sanity, lint, integration on winrm, psrp and Kerberos) and the ansible-core matrix
PYTHON ?= python3
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
BUILD := $(abspath build)
COLLECTIONS := $(BUILD)/collections
COLLECTION := $(COLLECTIONS)/ansible_collections/wsfc/csv
STAMP := $(VENV)/.installed
SHELL := /bin/bash
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider
TOPOLOGY ?= lab/topologies/four-node-10gbe.yml
DEMO_DIR := $(BUILD)/demo
export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export HYPOTHESIS_STORAGE_DIRECTORY := $(BUILD)/hypothesis
export ANSIBLE_HOST_KEY_CHECKING := False
export ANSIBLE_NOCOLOR := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test units lab-tests lab-reference sanity lint integration collection changelog bench clean release-notes report-picture matrix matrix-sessions

$(STAMP): requirements.txt requirements-dev.txt lab/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -m pip install -q -r requirements-dev.txt -e ./lab 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -c "import ansible, winrm, wsfc_lab, tree_sitter_powershell, ansiblelint, nox, xdist"
	touch $(STAMP)

# Build the collection tarball and install it, so every check runs against what users would install.
collection: $(STAMP)
	rm -rf $(BUILD)/dist $(COLLECTIONS)
	$(BIN)/ansible-galaxy collection build --output-path $(BUILD)/dist . >/dev/null
	$(BIN)/ansible-galaxy collection install -p $(COLLECTIONS) $(BUILD)/dist/wsfc-csv-*.tar.gz >/dev/null
	@echo "collection installed in $(COLLECTION)"

# The target is JSON extra vars: as key=value (-e csv_backup_target=\\backup01\csv) Ansible would turn \\ into \.
# It is the share the demo topology declares; each node writes to it through its teamed 20 Gb/s (target_gbps).
demo: collection
	@rm -rf $(DEMO_DIR)
	$(BIN)/python -m wsfc_lab up --topology $(TOPOLOGY) --workdir $(DEMO_DIR)
	group=$$($(BIN)/python -m wsfc_lab group --workdir $(DEMO_DIR)); \
	  $(BIN)/ansible-playbook wsfc.csv.show_csvs -i $(DEMO_DIR)/inventory.yml -e target=$$group && \
	  $(BIN)/ansible-playbook wsfc.csv.csv_backup -i $(DEMO_DIR)/inventory.yml -e target=$$group \
	    -e csv_backup_read_gbps=32 -e csv_backup_report_dir=$(DEMO_DIR)/reports \
	    -e '{"csv_backup_target": "\\\\backup01\\csv", "csv_backup_targets": [{"path": "\\\\backup01\\csv", "gbps": 100}]}' \
	    -e csv_backup_job_poll_interval=2; \
	  rc=$$?; $(BIN)/python -m wsfc_lab state --workdir $(DEMO_DIR) > $(DEMO_DIR)/state.json; \
	  $(BIN)/python -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))["targets"], indent=1))' \
	    $(DEMO_DIR)/state.json; \
	  $(BIN)/python -m wsfc_lab down --workdir $(DEMO_DIR); exit $$rc

# The main ansible-core version (requirements-dev.txt) runs every check here in .venv; the matrix then runs the
# others (noxfile.py) and prints the table of every version, the main one's rows taken from the targets above.
# The checks are independent, and most of their time is spent waiting for the lab's modelled time: they run side
# by side (make -j, each one's output together when it ends), with the other cores' sessions of the version matrix
# beside them; the matrix table at the end has a row for each. kerberos-setup comes first: it installs into .venv.
CHECKS := units lab-tests sanity lint integration psrp-tests kerberos-tests changelog
TEST_JOBS ?= 6
test: kerberos-setup
	$(MAKE) --no-print-directory -j $(TEST_JOBS) --output-sync=target $(CHECKS) matrix-sessions
	$(NOX) -s matrix -- --table-only --main-passed $(CHECKS)
	@echo "make test: all checks passed"

MATRIX_JOBS ?= 3
matrix-sessions: $(STAMP)
	$(NOX) -s matrix -- --sessions-only --jobs $(MATRIX_JOBS)

# Every other ansible-core of meta/runtime.yml in a nox virtual environment of its own (units, sanity, the lab runs on
# winrm and psrp), two at a time; logs and the table in $(BUILD)/matrix. One core: make matrix SESSION=core-2.16.
NOX = WSFC_BUILD=$(BUILD) $(BIN)/nox -f noxfile.py
matrix: $(STAMP)
	$(NOX) -s $(or $(SESSION),matrix)

units: collection
	cd $(COLLECTION) && PYTHONPATH=$(COLLECTIONS) $(PYTEST) -q tests/unit

lab-tests: $(STAMP)
	$(PYTEST) -q lab/tests

# The lab's copy of ../shared/reference/cmdlets.json (Microsoft's documented cmdlet syntax), read where ../shared is
# not (see lab/wsfc_lab/shared_reference.py); a lab test fails until it is refreshed after ../shared changes.
lab-reference:
	gzip -9 -n -c ../shared/reference/cmdlets.json > lab/reference/shared-cmdlets.json.gz

# ansible-test looks for the git repository around the collection and tests only tracked files; build/ is
# ignored by ours, so inside it every target would be skipped. A copy outside any repository is tested in full.
SANITY_ROOT := /tmp/wsfc-csv-sanity-$(shell id -u)
sanity: collection
	$(BIN)/python .ci/prepare_ansible_test.py
	rm -rf $(SANITY_ROOT) && mkdir -p $(SANITY_ROOT)/ansible_collections/wsfc
	cp -r $(COLLECTION) $(SANITY_ROOT)/ansible_collections/wsfc/csv
	cd $(SANITY_ROOT)/ansible_collections/wsfc/csv && $(BIN)/ansible-test sanity --venv --python 3.11 --color no \
		| tee $(BUILD)/sanity.log; test "$${PIPESTATUS[0]}" = 0
	! grep -q "All targets skipped" $(BUILD)/sanity.log

lint: collection
	$(BIN)/ansible-lint --offline

# Side by side, a test file per worker (a file's labs are module fixtures); most of their time is the labs' modelled
# time passing, so more workers than CPUs pay off. INTEGRATION_WORKERS=0 runs them one after another.
INTEGRATION_WORKERS ?= 4
integration: collection
	$(PYTEST) -q $(if $(filter 0,$(INTEGRATION_WORKERS)),,-n $(INTEGRATION_WORKERS) --dist loadfile) tests/integration

changelog: $(STAMP)
	$(BIN)/antsibull-changelog lint

# CHANGELOG.rst and changelogs/changelog.yaml for galaxy.yml's version, generated by antsibull-changelog from the
# fragments in a scratch copy (the fragments stay; see docs/make_release_notes.py). RELEASE_DATE=YYYY-MM-DD to set it.
release-notes: $(STAMP)
	$(BIN)/python docs/make_release_notes.py $(if $(RELEASE_DATE),--date $(RELEASE_DATE))

# docs/images/report-timeline.svg (the picture in README.md): the timeline of the report a fresh `make demo` writes.
report-picture: demo
	$(BIN)/python docs/make_report_picture.py $(DEMO_DIR)/reports

# Benchmarks print tables; they are not tests (see bench/). BENCH_ARGS is passed to the window benchmark,
# OVERHEAD_ARGS to the orchestration overhead one (e.g. OVERHEAD_ARGS="--nodes 4 --nodes 16").
bench: collection
	$(BIN)/python bench/plan_speed.py
	$(BIN)/python bench/strategy_windows.py $(BENCH_ARGS)
	$(BIN)/python bench/orchestration_overhead.py $(OVERHEAD_ARGS)

clean:
	rm -rf $(BUILD) $(VENV)

# ---- PSRP and Kerberos (issue 15). `make test` calls psrp-tests and kerberos-tests; kerberos-setup installs what
# the Kerberos runs need on a fresh machine: MIT Kerberos from Debian's packages (the KDC, kadmin.local, kinit and the
# headers the Python bindings build against) and the Kerberos extras of pyspnego, pywinrm and pypsrp in the venv.
KERBEROS_DEBS := krb5-kdc krb5-admin-server krb5-user libkrb5-dev
KERBEROS_STAMP := $(VENV)/.kerberos-installed
PSRP_RUNS := tests/integration/modules/test_cluster_info.py::test_target_matches_lab_state \
	tests/integration/modules/test_cluster_info.py::test_adhoc_module_works_from_the_lab_inventory \
	tests/integration/roles/test_csv_backup_run.py::test_balanced_reads_every_csv_once_and_locally \
	"tests/integration/faults/test_faults.py::test_a_dropped_connection_is_retried_for_a_read_and_the_state_read_again_before_a_change_is_retried" \
	tests/integration/faults/test_faults.py::test_a_slow_winrm_call_is_waited_for_and_nothing_is_done_twice

.PHONY: kerberos-setup kerberos-tests psrp-tests

$(KERBEROS_STAMP): $(STAMP)
	@missing=0; for tool in krb5kdc kdb5_util kadmin.local kinit klist kvno; do \
	  PATH="$$PATH:/usr/sbin:/sbin" command -v $$tool >/dev/null || missing=1; done; \
	dpkg -s libkrb5-dev >/dev/null 2>&1 || missing=1; \
	if [ $$missing = 1 ]; then \
	  echo "kerberos-setup: apt-get install $(KERBEROS_DEBS)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(KERBEROS_DEBS) >/dev/null; \
	fi
	$(BIN)/python -m pip install -q 'pyspnego[kerberos]>=0.9' 'pywinrm[kerberos]>=0.4.3' 'pypsrp[kerberos]>=0.8' \
	  2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -c "import gssapi, krb5, kerberos, spnego, pypsrp"
	touch $(KERBEROS_STAMP)

kerberos-setup: $(KERBEROS_STAMP)

# The lab's Kerberos tests (a real KDC on loopback, pywinrm and pypsrp with a ticket) and cluster_info over winrm and
# psrp with Kerberos; WSFC_LAB_REQUIRE_KERBEROS=1 turns a missing Kerberos install into a failure, not a skip.
kerberos-tests: kerberos-setup collection
	WSFC_LAB_REQUIRE_KERBEROS=1 PATH="$$PATH:/usr/sbin:/sbin" $(PYTEST) -q lab/tests/test_winrm_kerberos.py
	WSFC_LAB_REQUIRE_KERBEROS=1 PATH="$$PATH:/usr/sbin:/sbin" $(PYTEST) -q tests/integration/connections/test_kerberos.py

# The integration scenarios that must pass on psrp too (cluster_info, one full csv_backup run, the connection faults),
# run with the one setting that moves every scenario from winrm to psrp.
psrp-tests: collection
	WSFC_LAB_CONNECTION=psrp $(PYTEST) -q $(PSRP_RUNS)
