# Two commands for a fresh machine with Python 3.11:
#   make lab    set everything up and open the course in JupyterLab
#   make test   set everything up and run every test (unit tests, every chapter under nbval, browser test)
# Both are idempotent: the environment lives in .venv/ and is reused.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# torch is installed first, then kept: an importable torch in .venv is never replaced. On the course
# machines the CPU build is served under this pin. Elsewhere PyPI's torch for Linux is a multi-GB
# CUDA build; for the CPU build use PyTorch's CPU index (see README):
#   make setup TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"
TORCH_SPEC ?= torch==2.13.0
TORCH_PIP_ARGS ?=
# Two workers: one per core on the 2-core reference machine.
WORKERS ?= 2

.PHONY: setup git-filter lab test unit chapters notebooks browser-deps site slides bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed, found " + sys.version' 
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c 'import torch' 2>/dev/null || $(BIN)/python -m pip install $(TORCH_PIP_ARGS) "$(TORCH_SPEC)"
	$(BIN)/python -m pip install -e ".[test]"
	touch $(STAMP)

# nbstripout as this clone's git filter (.gitattributes names it): outputs saved into a notebook
# never reach git, so running a chapter in place leaves `git status` clean. The filter keeps the
# cell ids (JupyterLab keeps them too) and strips language_info, which the kernel writes into a
# notebook on opening and which differs between machines.
setup: $(STAMP)
	@$(MAKE) -s git-filter

git-filter:
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	    $(BIN)/nbstripout --install --attributes .gitattributes && \
	    git config filter.nbstripout.clean "'$(abspath $(BIN))/python' -m nbstripout --keep-id" && \
	    git config filter.nbstripout.extrakeys "metadata.language_info metadata.jupytext"; fi

# One CPU thread per kernel, as in `make test` (gan_course.device.set_threads says why: on a busy 2-core
# machine two threads made toy training 3-6x slower). GAN_COURSE_THREADS=N (or auto) overrides it.
# jupyter_lab_config.py: the file browser lists each chapter once (its notebook), and a notebook
# saved with outputs leaves `git status` clean.
lab: setup
	OMP_NUM_THREADS=$${OMP_NUM_THREADS:-1} $(BIN)/jupyter lab chapters/ --config=jupyter_lab_config.py

# Chromium for the browser test: Debian's package (playwright cannot download browsers here).
browser-deps:
	@sh scripts/ensure_chromium.sh

test: setup browser-deps
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n $(WORKERS) --dist loadfile \
	    --nbval-lax --nbval-cell-timeout=600 tests chapters -p no:cacheprovider -rfEs

unit: setup
	$(BIN)/python -m pytest tests -q

chapters: setup
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n $(WORKERS) --dist loadfile --nbval-lax chapters

# Regenerate every notebook from its .py source (the .py is the source of truth), mark solutions
# and slides (scripts/mark_slides.py), then write the .py back exactly as a JupyterLab save would.
notebooks: setup
	$(BIN)/jupytext --update --to ipynb chapters/[0-9][0-9]_*.py
	$(BIN)/python scripts/mark_slides.py chapters/[0-9][0-9]_*.ipynb
	$(BIN)/jupytext --to py:percent chapters/[0-9][0-9]_*.ipynb

# The course site (Sphinx + myst-nb + sphinx-book-theme): every chapter executed, with navigation,
# search and previous/next links, opened from _site/index.html, offline. MathJax and the widget
# manager come from the npm registry once (build/npm) and are copied into the site.
site: setup
	OMP_NUM_THREADS=1 $(BIN)/python scripts/build_site.py --out _site

# Slides of one chapter as reveal.js HTML (CHAPTER=01_minimax): _site/slides/CHAPTER.slides.html,
# with reveal.js, MathJax and the widget manager beside it (offline). In JupyterLab, RISE presents
# the open chapter live (Alt+R).
CHAPTER ?= 01_minimax
slides: setup
	OMP_NUM_THREADS=1 $(BIN)/python scripts/build_site.py --slides $(CHAPTER) --out _site

# Speed of the course's trainers against plain PyTorch loops (benchmarks/results/*.json).
bench: setup
	$(BIN)/python benchmarks/bench.py --device cpu
	$(BIN)/python -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' \
	    && $(BIN)/python benchmarks/bench.py --device cuda --skip-chapters || true

clean:
	rm -rf $(VENV) build test-artifacts _site
