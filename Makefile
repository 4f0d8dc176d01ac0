# Every target creates the virtual environment it needs when it is missing.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PEERS_VENV ?= .venv-peers
PEERS_PY := $(PEERS_VENV)/bin/python
SHARED ?= ../shared
# Fashion-MNIST and MNIST are read from here (see README, "Where data comes from").
export TRAINLAB_DATA_DIR ?= $(abspath $(SHARED)/datasets)

.PHONY: demo test bench bench-peers fuzz clean venv

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

$(PEERS_VENV)/.installed: $(SHARED)/peers/requirements.txt
	test -x $(PEERS_PY) || $(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_PY) -m pip install -q -r $(SHARED)/peers/requirements.txt
	touch $@

demo: $(VENV)/.installed
	$(PY) -m trainlab demo

# The suite runs inside tests/setup/with_services.sh: it installs Chromium and PostgreSQL
# when missing (Debian packages; as root or with sudo, else it fails naming the command),
# starts a throwaway PostgreSQL cluster for the tuner's worker test and removes it after.
test: $(VENV)/.installed
	tests/setup/with_services.sh $(PY) -m pytest -n 2 --dist loadfile -q

bench: $(VENV)/.installed $(PEERS_VENV)/.installed
	$(PY) bench/run.py --peers-python $(PEERS_PY) --shared $(SHARED)

# every tests/fuzz/target_*.py with FUZZ_N inputs, in parallel subprocesses; table into bench/RESULTS.md
FUZZ_N ?= 100000
FUZZ_ARGS ?=
fuzz: $(VENV)/.installed
	$(PY) bench/fuzz.py --n $(FUZZ_N) $(FUZZ_ARGS)

clean:
	rm -rf $(VENV) $(PEERS_VENV) build dist src/*.egg-info .pytest_cache
