# Every target sets up .venv itself, so a fresh clone needs only Python 3.11 and `make`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8000
# The teacher's guide reads the chapters' stored outputs and timings, so it runs after them.
NOTEBOOKS := $(sort $(wildcard book/[0-9][0-9]_*.ipynb)) book/teaching.ipynb

.PHONY: help venv book check test execute serve bench lab dist student assignments mutation clean

help:
	@echo "make book     build the HTML book from the stored notebook outputs"
	@echo "make check    the fast unit tests (about a minute): run it after every edit"
	@echo "make test     run the whole test suite (unit tests, nbval, book build, browser)"
	@echo "make execute  re-run every notebook top to bottom and store its outputs"
	@echo "make serve    serve the built book on http://localhost:$(PORT)"
	@echo "make lab      open the notebooks in JupyterLab (with jupyterlab-myst)"
	@echo "make student  the student edition (no solutions): notebooks and HTML in _build/student"
	@echo "make assignments  nbgrader source and release notebooks in _build/assignments"
	@echo "make dist     build a wheel of mlc_utils into dist/ (for Colab or a JupyterHub)"
	@echo "make bench    print the performance figures of mlc_utils"
	@echo "make mutation mutation testing of the TensorFlow-free modules (slow; not in make test)"

# Reinstall only when the package's dependencies change.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[book,test]"
	@touch $(STAMP)

venv: $(STAMP)

book: $(STAMP)
	@start=$$(date +%s); \
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going || exit $$?; \
	echo ""; \
	echo "Built in $$(( $$(date +%s) - start )) s. Open this file in a browser:"; \
	echo "  file://$(CURDIR)/_build/html/index.html"

# The contributor's loop: the unit tests of mlc_utils without the `slow` and `book` tiers and without
# nbval (no notebook is collected from tests/). `make check PYTEST_ARGS=--lf` re-runs the last failures.
check: $(STAMP)
	$(BIN)/python -m pytest tests -m "not slow and not book" -q $(PYTEST_ARGS)

# Everything, fast tiers first (conftest.py orders them); CI runs this.
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Each notebook runs offline: in a loopback-only network namespace where Linux allows it (the
# install step above stays outside it), else with the socket guard (tools/offline.py says which).
execute: $(STAMP)
	@$(BIN)/python tools/offline.py mode
	@for nb in $(NOTEBOOKS); do \
		start=$$(date +%s%N); \
		$(BIN)/python tools/offline.py run -- $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
			--ExecutePreprocessor.timeout=600 --log-level=WARN \
			--ExecutePreprocessor.extra_arguments="['--IPKernelApp.capture_fd_output=False']" \
			"$$nb" 2>.execute.log || { cat .execute.log; echo "FAILED: $$nb"; exit 1; }; \
		elapsed=$$(( ($$(date +%s%N) - start) / 100000000 )); \
		printf '%5d.%d s  %s\n' $$((elapsed / 10)) $$((elapsed % 10)) "$$nb"; \
	done; rm -f .execute.log

serve:
	@test -f _build/html/index.html || $(MAKE) book
	@echo "Serving the book on http://localhost:$(PORT) (Ctrl-C to stop)"
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

# JupyterLab with jupyterlab-myst (both in the test extra), so exercises, solutions, math and
# cross-references render as in the book; numbers in the prose are stored outputs of say().
lab: $(STAMP)
	@$(BIN)/jupyter labextension list 2>&1 | grep -q "jupyterlab-myst.*enabled" \
		|| { echo "jupyterlab-myst is not enabled: $(BIN)/pip install jupyterlab-myst"; exit 1; }
	$(BIN)/jupyter lab --notebook-dir=book \
		--LabApp.default_url=/lab/tree/$(notdir $(firstword $(NOTEBOOKS)))

# A wheel of mlc_utils that a teacher can upload to Colab or a JupyterHub without the repository.
dist: $(STAMP)
	rm -rf dist && $(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .
	@ls dist/*.whl

bench: $(STAMP)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python "$$script" || exit 1; done

# The student edition: solutions removed (not hidden), exercise outputs cleared, its own HTML book.
student: $(STAMP)
	@start=$$(date +%s); \
	$(BIN)/python tools/classroom.py student _build/student || exit $$?; \
	$(BIN)/jupyter-book build _build/student --warningiserror --nitpick --keep-going --quiet || exit $$?; \
	echo "Student edition built in $$(( $$(date +%s) - start )) s:"; \
	echo "  notebooks: _build/student/book/"; \
	echo "  HTML:      file://$(CURDIR)/_build/student/_build/html/index.html"

# nbgrader: source notebooks (solutions between ### BEGIN/END SOLUTION, checks as graded test cells),
# then nbgrader's own generate_assignment makes the students' release.
assignments: $(STAMP)
	@start=$$(date +%s); \
	$(BIN)/python tools/classroom.py assignments _build/assignments || exit $$?; \
	cd _build/assignments && export PATH="$(CURDIR)/$(BIN):$$PATH" && for dir in source/*/; do \
		$(CURDIR)/$(BIN)/nbgrader generate_assignment "$$(basename $$dir)" --force --log-level=WARN || exit $$?; \
	done; \
	echo "Assignments made in $$(( $$(date +%s) - start )) s: _build/assignments/source (teacher), release (students)"

# Mutation testing (issue 13): mutmut breaks _counting, metrics, thresholds, labels, _validation,
# exercises, data, plotting, stats and calibration on purpose, one module at a time, under `nice`, in a copy under build/mutation;
# the fast unit tests (no TensorFlow, no nbval) must catch >= 90 % of the mutants that change
# behaviour (tests/mutation_equivalent.txt lists those that cannot). Not part of `make test`.
MUTATION_MODULES ?= _counting labels metrics thresholds _validation exercises data plotting stats calibration
MUTATION_DIR ?= build/mutation
mutation: $(STAMP)
	@rm -rf $(MUTATION_DIR) && mkdir -p $(MUTATION_DIR)
	@cp -r mlc_utils tests pyproject.toml $(MUTATION_DIR)/
	@find $(MUTATION_DIR) -name __pycache__ -prune -exec rm -rf {} +
	@start=$$(date +%s); cd $(MUTATION_DIR) && for module in $(MUTATION_MODULES); do \
		echo "== mutmut: mlc_utils/$$module.py"; t0=$$(date +%s); \
		nice -n 10 $(CURDIR)/$(BIN)/mutmut run --max-children 2 "mlc_utils.$$module.*" >mutmut-$$module.log 2>&1 \
			|| { tail -20 mutmut-$$module.log; exit 1; }; \
		echo "   $$module took $$(( $$(date +%s) - t0 )) s"; \
	done; \
	$(CURDIR)/$(BIN)/python $(CURDIR)/tools/mutation_report.py $(MUTATION_MODULES); status=$$?; \
	echo "make mutation took $$(( $$(date +%s) - start )) s"; exit $$status

clean:
	rm -rf _build .cache
