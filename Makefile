# Shortcuts; each job sets up its own virtual environment (see scripts/dev.py).
PYTHON ?= python3
.PHONY: demo test bench clean
demo:
	$(PYTHON) scripts/dev.py demo
test:
	$(PYTHON) scripts/dev.py test
bench:
	$(PYTHON) scripts/dev.py bench
clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache .hypothesis
