# cadre_analytics — `make` alone lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
UV_VERSION := 0.13.9
KERNEL := cadre-analytics
SETUP_STAMP := $(VENV)/.setup-done

YEAR ?=
DATA ?= data/sample
OUT ?= reports/$(YEAR)
# make validate writes beside the reports, never inside one (a report replaces its folder whole).
VALIDATION_OUT ?= reports/validation/$(YEAR)
REPORT_LANG ?= vi
FORCE ?=
CROSSWALK ?=
PEOPLE ?= 2600
SYNTH_OUT ?= data/synth

.PHONY: help setup report validate assumptions lab test test-fast lint format bench synth clean

help: ## Show this list of targets
	@echo "cadre_analytics — chỉ tiêu chất lượng CBCCVC / cadre qualification-quota analytics"
	@echo "Usage: make <target> [YEAR=2025] [DATA=dir] [OUT=dir] [REPORT_LANG=vi|en] [FORCE=1] [CROSSWALK=file]"
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# A missing YEAR stops make before anything runs, with one line.
ifneq ($(filter report validate,$(MAKECMDGOALS)),)
ifeq ($(strip $(YEAR)),)
$(error Thiếu YEAR / YEAR is missing: run e.g. 'make $(firstword $(filter report validate,$(MAKECMDGOALS))) YEAR=2025')
endif
endif

# Reinstalls only when the lock or pyproject changed (the stamp is newer otherwise).
$(SETUP_STAMP): requirements.lock pyproject.toml
	@echo "Cài đặt môi trường / Setting up $(VENV) (one time)…"
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	@$(VPY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	@$(VENV)/bin/uv pip sync --quiet --python $(VPY) requirements.lock
	@$(VENV)/bin/uv pip install --quiet --python $(VPY) --no-deps -e .
	@$(VPY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (cadre_analytics)" >/dev/null
	@touch $@

setup: $(SETUP_STAMP) ## Create .venv from the lock file and register the Jupyter kernel (only when needed)

report: $(SETUP_STAMP) ## Build OUT/report.html for YEAR from DATA (default: the bundled sample)
	@$(VPY) -m cadre_analytics report --year "$(YEAR)" --data "$(DATA)" --out "$(OUT)" --lang "$(REPORT_LANG)" $(if $(FORCE),--force,) $(if $(CROSSWALK),--crosswalk "$(CROSSWALK)",)

validate: $(SETUP_STAMP) ## Check DATA against the data contracts only; prints rows read/accepted/quarantined
	@$(VPY) -m cadre_analytics validate --year "$(YEAR)" --data "$(DATA)" --out "$(VALIDATION_OUT)" --lang "$(REPORT_LANG)" $(if $(CROSSWALK),--crosswalk "$(CROSSWALK)",)

synth: $(SETUP_STAMP) ## Regenerate a synthetic district of PEOPLE staff into SYNTH_OUT (default data/synth)
	@$(VPY) -m tools.synth --people "$(PEOPLE)" --years 2021-2025 --out "$(SYNTH_OUT)"

assumptions: $(SETUP_STAMP) ## Rewrite docs/assumptions.md (how the programme is read) from params/
	@$(VPY) -m cadre_analytics assumptions --out docs/assumptions.md

lab: $(SETUP_STAMP) ## Open JupyterLab on the notebooks
	@$(VENV)/bin/jupyter lab notebooks

lint: $(SETUP_STAMP) ## ruff check and ruff format --check
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

format: $(SETUP_STAMP) ## Reformat the code with ruff
	@$(VENV)/bin/ruff format .
	@$(VENV)/bin/ruff check --fix .

test: $(SETUP_STAMP) lint ## Run lint and the whole test suite (unit, slow, end-to-end, browser)
	@$(VENV)/bin/pytest

test-fast: $(SETUP_STAMP) ## Run the unit tier only (no slow, end-to-end or browser tests; under a minute)
	@$(VENV)/bin/pytest -m "not slow and not e2e and not browser"

bench: $(SETUP_STAMP) ## Benchmark the pipeline at 3k, 40k, 1M and 2.5M staff; writes bench/results.json
	@$(VPY) -m tools.bench

clean: ## Remove generated reports and tool caches (keeps .venv)
	rm -rf reports .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -not -path "./.venv/*" -exec rm -rf {} +
