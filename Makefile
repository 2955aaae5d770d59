# carmine: `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
CORPUS ?= corpus
GOLD   ?= ../shared/gold/dev.jsonl
SHARED ?= ../shared

# Everything a rebuild depends on; make itself skips `run` when none of it changed.
SOURCES := $(shell find pipeline configs -type f \( -name '*.py' -o -name '*.yaml' -o -name '*.jsonl' -o -name '*.csv' -o -name '*.txt' \) 2>/dev/null)
CURATION := $(wildcard $(CORPUS)/curation/*.jsonl) $(wildcard $(CORPUS)/retired.jsonl)

.PHONY: help setup constraints docs run fetch import test eval eval-blind eval-battery calibrate bench lint review review-import export-gold report synthesis clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# constraints.txt pins the versions the test suite last passed with (regenerate with
# `make constraints` after changing dependencies in pyproject.toml).
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

setup: $(VENV)/.installed ## Create .venv and install the package with its dev tools (idempotent)

constraints: setup ## Re-pin constraints.txt to the versions installed in .venv
	$(PY) -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

JOBS ?= 1

$(CORPUS)/evidence.csv: $(VENV)/.installed $(CORPUS)/captures.jsonl $(CURATION) $(SOURCES)
	$(PY) -m pipeline run --corpus $(CORPUS) --jobs $(JOBS)

run: $(CORPUS)/evidence.csv ## Rebuild documents, extractions and the evidence table from corpus/ (offline; only what changed) [JOBS=n]

fetch: setup ## Fetch new reports (online), then rebuild: make fetch [DISCOVER=1] [DOI=10.3389/...]
	$(PY) -m pipeline fetch --corpus $(CORPUS) $(if $(DISCOVER),--discover,) $(if $(DOI),--doi $(DOI),)
	$(MAKE) run

import: setup ## Import the shared seed and captured pages into corpus/ (already done once; adds nothing new)
	$(PY) -m pipeline import --corpus $(CORPUS) $(SHARED)/seed $(SHARED)/corpus/frontiers

test: setup ## Run the test suite
	$(PY) -m pytest -q

EXTRA_GOLD := tests/fixtures/gold/extra.jsonl
HELDOUT_GOLD := tests/fixtures/gold/heldout.jsonl

#: the sets we annotated and tune on, after dev (tests/fixtures/gold/README.md says how each was used)
TUNED_GOLD := $(EXTRA_GOLD) $(HELDOUT_GOLD) tests/fixtures/gold/tune.jsonl tests/fixtures/gold/blind.jsonl \
  tests/fixtures/gold/blind2.jsonl tests/fixtures/gold/blind3.jsonl \
  tests/fixtures/gold/blind4.jsonl tests/fixtures/gold/blind5.jsonl tests/fixtures/gold/blind6.jsonl

eval: setup ## Score the extractor: the sets we tuned on, then dev gold last (per-field P/R/F1, rates_f1, macro-F1)
	@$(PY) -m pipeline eval $(foreach g,$(TUNED_GOLD) $(GOLD),--gold $(g)) --scorer $(dir $(GOLD))score.py \
	  --output-dir $(CORPUS)/build

#: the sets nobody has tuned on: totals only (blind7, fourth round: 11 real abstracts, few rate statements; battery6,
#: fifth round: 30 synthetic abstracts by writers who saw neither the rules nor the earlier batteries; battery8,
#: fifth round's end: 25 synthetic page renderings, scored once with the round's final rules; battery10, sixth round:
#: 24 synthetic abstracts looking like the trials, cohorts and meta-analyses the extractor meets; battery12, seventh
#: round: 13 synthetic trials, cohorts and meta-analyses, scored once with the round's final rules; battery14, eighth
#: round: 12 synthetic conference, PubMed-like and run-together abstracts; blind8, eighth round: 8 real CC BY
#: abstracts, most cut where the index's excerpt ends; battery16, battery18, battery20 and battery22, ninth round: 12-14 synthetic documents
#: of every design each)
BLIND_GOLD := tests/fixtures/gold/blind8.jsonl tests/fixtures/gold/blind7.jsonl tests/fixtures/gold/battery6.jsonl tests/fixtures/gold/battery8.jsonl \
  tests/fixtures/gold/battery10.jsonl tests/fixtures/gold/battery12.jsonl tests/fixtures/gold/battery14.jsonl \
  tests/fixtures/gold/battery16.jsonl tests/fixtures/gold/battery18.jsonl tests/fixtures/gold/battery20.jsonl \
  tests/fixtures/gold/battery22.jsonl

#: our own phrasing battery: short cohort statements annotated for crs, icans, response and n_patients only
BATTERY_GOLD := tests/fixtures/gold/battery.jsonl

#: our own duration battery: annotated for durations, transplant, patients, study_design and n_patients only
BATTERY2_GOLD := tests/fixtures/gold/battery2.jsonl
#: our own synthetic full abstracts, every field annotated, tuned on (tests/fixtures/gold/README.md): battery3 (36,
#: third round), battery4 (30, fourth round, independent phrasings), battery5 (30, fifth round, two writers with
#: phenomena lists), battery7 (40, fifth round's end, A: transplants, B: responses and counts), battery9 (30, sixth
#: round, A: cell sources and expansion peaks, B: transplants and their timing), battery11 (30, seventh round, trials,
#: cohorts and meta-analyses as abstracts and captured pages), battery13 (12, eighth round, structured abstracts and
#: captured pages rich in rates), battery15 (14, ninth round, comparator arms, listed peaks, paired rates), battery17 (14,
#: ninth round, conference abstracts, hard counts and toxicity statements), battery19 (14, ninth round, case reports
#: and series, every response category and duration), battery21 (12, ninth round, cohorts and meta-analyses rich in rates)
FULL_BATTERY_GOLD := tests/fixtures/gold/battery3.jsonl tests/fixtures/gold/battery4.jsonl \
  tests/fixtures/gold/battery5.jsonl tests/fixtures/gold/battery7.jsonl tests/fixtures/gold/battery9.jsonl \
  tests/fixtures/gold/battery11.jsonl tests/fixtures/gold/battery13.jsonl tests/fixtures/gold/battery15.jsonl \
  tests/fixtures/gold/battery17.jsonl tests/fixtures/gold/battery19.jsonl tests/fixtures/gold/battery21.jsonl

eval-battery: setup ## Our phrasing batteries, on the fields each annotates (rates; durations, transplant, patients)
	@echo "== $(BATTERY_GOLD)"; $(PY) -m pipeline eval --gold $(BATTERY_GOLD) --scorer $(dir $(GOLD))score.py \
	  --output $(CORPUS)/build/battery.pred.jsonl | grep -E '^(n_patients|crs|icans|response)|rates'
	@echo "== $(BATTERY2_GOLD)"; $(PY) -m pipeline eval --gold $(BATTERY2_GOLD) --scorer $(dir $(GOLD))score.py \
	  --output $(CORPUS)/build/battery2.pred.jsonl | grep -E '^(study_design|n_patients|transplant|durations|patients) '
	@for g in $(FULL_BATTERY_GOLD); do echo "== $$g"; $(PY) -m pipeline eval --gold $$g --scorer $(dir $(GOLD))score.py \
	  --output $(CORPUS)/build/$$(basename $$g .jsonl).pred.jsonl | grep -E '^(rates_f1|macro_f1)='; done

eval-blind: setup ## The blind sets' totals only (macro-F1, rates_f1); never tune on them (tests/fixtures/gold/README.md)
	@test -n "$(strip $(BLIND_GOLD))" || { echo "no blind gold set: every committed set has been tuned on (tests/fixtures/gold/README.md); annotate a fresh one and add it to BLIND_GOLD"; }
	@for g in $(BLIND_GOLD); do echo "== $$g"; $(PY) -m pipeline eval --gold $$g --scorer $(dir $(GOLD))score.py \
	  --output $(CORPUS)/build/$$(basename $$g .jsonl).pred.jsonl | grep -E '^(rates_f1|macro_f1)='; done

# Calibration measures on the sets we tune on, never on the blind set (tests/fixtures/gold/README.md).
CALIBRATION_GOLD := $(GOLD) $(TUNED_GOLD)

calibrate: setup ## Measure each rule's precision on the gold sets: configs/calibration.json (the values' confidence)
	$(PY) -m pipeline calibrate $(CALIBRATION_GOLD) --scorer $(dir $(GOLD))score.py

bench: setup ## Throughput and memory benchmark, printing the targets met or missed [QUICK=1: under a minute]
	$(PY) -m pipeline bench --corpus $(CORPUS) $(if $(QUICK),--quick,)

lint: setup ## Ruff and mypy
	$(VENV)/bin/ruff check pipeline tests
	$(VENV)/bin/mypy pipeline

review: run ## Write review CSVs for curators under corpus/review/
	$(PY) -m pipeline review --corpus $(CORPUS)

review-import: setup ## Apply a filled review CSV: make review-import FILE=corpus/review/xxx.csv
	$(PY) -m pipeline review-import --corpus $(CORPUS) $(FILE)

export-gold: run ## Curated values as extra gold (GUIDE format): corpus/curation/gold.jsonl
	$(PY) -m pipeline export-gold --corpus $(CORPUS)

$(CORPUS)/synthesis.csv: $(CORPUS)/evidence.csv $(filter pipeline/synthesis/%,$(SOURCES))
	$(PY) -m pipeline synthesize --corpus $(CORPUS)

synthesis: $(CORPUS)/synthesis.csv ## Pooled rates across studies with 95% CIs: corpus/synthesis.{csv,parquet} (offline)

$(CORPUS)/report/report.html: $(CORPUS)/evidence.csv $(filter pipeline/report/% pipeline/synthesis/%,$(SOURCES))
	$(PY) -m pipeline report --corpus $(CORPUS)

report: $(CORPUS)/report/report.html ## Write the HTML analysis report under corpus/report/ (when the table changed)

docs/evidence_schema.md: pipeline/table/schema.py $(VENV)/.installed
	$(PY) -c "from pipeline.table import write_data_dictionary; write_data_dictionary()"

docs/synthesis_schema.md: pipeline/synthesis/schema.py $(VENV)/.installed
	$(PY) -c "from pipeline.synthesis.schema import write_dictionary; write_dictionary()"

docs: docs/evidence_schema.md docs/synthesis_schema.md ## Regenerate the data dictionaries from the declared schemas

clean: ## Remove rebuilt outputs (never the raw captures, retirements, curation decisions or corpus/review/)
	rm -rf $(CORPUS)/build $(CORPUS)/evidence*.csv $(CORPUS)/evidence*.parquet $(CORPUS)/synthesis.csv $(CORPUS)/synthesis.parquet $(CORPUS)/report
