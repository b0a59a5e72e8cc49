# wsfc.csv developer entry points. Both main commands work on a fresh machine with only Python 3.11 and pip:
#   make demo   - start the 4-node lab cluster, back it up with the csv_backup playbook (report in build/demo/reports), stop the lab
#   make test   - every check: unit, lab, sanity, lint, integration
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

.PHONY: demo test units lab-tests sanity lint integration collection changelog bench clean

$(STAMP): requirements.txt requirements-dev.txt lab/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -m pip install -q -r requirements-dev.txt -e ./lab 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -c "import ansible, winrm, wsfc_lab, tree_sitter_powershell, ansiblelint"
	touch $(STAMP)

# Build the collection tarball and install it, so every check runs against what users would install.
collection: $(STAMP)
	rm -rf $(BUILD)/dist $(COLLECTIONS)
	$(BIN)/ansible-galaxy collection build --output-path $(BUILD)/dist . >/dev/null
	$(BIN)/ansible-galaxy collection install -p $(COLLECTIONS) $(BUILD)/dist/wsfc-csv-*.tar.gz >/dev/null
	@echo "collection installed in $(COLLECTION)"

demo: collection
	@rm -rf $(DEMO_DIR)
	$(BIN)/python -m wsfc_lab up --topology $(TOPOLOGY) --workdir $(DEMO_DIR)
	group=$$($(BIN)/python -m wsfc_lab group --workdir $(DEMO_DIR)); \
	  $(BIN)/ansible-playbook wsfc.csv.show_csvs -i $(DEMO_DIR)/inventory.yml -e target=$$group && \
	  $(BIN)/ansible-playbook wsfc.csv.csv_backup -i $(DEMO_DIR)/inventory.yml -e target=$$group \
	    -e csv_backup_read_gbps=32 -e 'csv_backup_target=\\backup01\csv' -e csv_backup_report_dir=$(DEMO_DIR)/reports \
	    -e csv_backup_job_poll_interval=2; \
	  rc=$$?; $(BIN)/python -m wsfc_lab down --workdir $(DEMO_DIR); exit $$rc

test: units lab-tests sanity lint integration changelog
	@echo "make test: all checks passed"

units: collection
	cd $(COLLECTION) && PYTHONPATH=$(COLLECTIONS) $(PYTEST) -q tests/unit

lab-tests: $(STAMP)
	$(PYTEST) -q lab/tests

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

integration: collection
	$(PYTEST) -q tests/integration

changelog: $(STAMP)
	$(BIN)/antsibull-changelog lint

# Benchmarks print tables; they are not tests (see bench/). BENCH_ARGS is passed to the window benchmark.
bench: collection
	$(BIN)/python bench/plan_speed.py
	$(BIN)/python bench/strategy_windows.py $(BENCH_ARGS)

clean:
	rm -rf $(BUILD) $(VENV)
