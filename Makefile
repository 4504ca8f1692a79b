PORT ?= 8000
UV := scripts/uv

.PHONY: run test test-fast lint fmt bench drills

# Start the web server and a Celery worker on the embedded defaults (one Ctrl-C stops both).
run:
	@$(UV) sync --frozen --quiet
	@$(UV) run python manage.py migrate --noinput -v 0
	@$(UV) run python manage.py seed_demo
	@echo
	@echo "  cto is starting at http://127.0.0.1:$(PORT)/   (PORT=... make run to change it)"
	@echo "  admin: http://127.0.0.1:$(PORT)/admin/   portal: http://127.0.0.1:$(PORT)/portal/"
	@echo
# Links in emails follow PORT unless SITE_URL is set: in the environment (kept here) or in .env
# (honcho gives its values to both processes over this one). Set here, not in the settings,
# because honcho hands each process a PORT of its own: the worker, which sends the emails, gets
# the web's plus 100.
	@SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" $(UV) run honcho start -f Procfile.dev -p $(PORT)

# Lint, bring up PostgreSQL and Redis if needed, and run the whole test suite on them; then the
# page tests and the crawl on SQLite with the file-system broker, as make run serves them.
test:
	@scripts/test $(ARGS)

# The inner loop: the suite without browser and real-worker tests, in parallel (pytest-xdist,
# WORKERS=n), on PostgreSQL and Redis; lint is ruff check only (format and mypy: make test).
test-fast:
	@scripts/test-fast $(ARGS)

# Measure what the issues set targets for (prints Markdown tables); needs PostgreSQL like make test.
bench:
	@scripts/bench

# Fault drills (races, rate limits, fuzz, broker and database outages, killed and poisoned
# workers): each starts what it needs and prints PASS/FAIL with its figures (~7 min).
drills:
	@scripts/drills $(ARGS)

# Lint, format check and type check only.
lint:
	@$(UV) run ruff check .
	@$(UV) run ruff format --check .
	@$(UV) run mypy cto
	@$(UV) run mypy -p bench -p drills

# Rewrite the code in the house format.
fmt:
	@$(UV) run ruff format .
	@$(UV) run ruff check --fix .
