# duban: the two commands are `make demo` and `make test`. Everything they need is
# installed by this file: npm packages, and PostgreSQL, Chromium, LibreOffice and HAProxy
# from Debian's packages when absent.

CARGO ?= cargo
NPM ?= npm
SHELL := /bin/bash

.PHONY: demo test web web-deps oidc-deps lint test-rust test-web e2e chromium office haproxy bench bench-pg clean python

demo: web
	$(CARGO) build --release -p duban-cli
	./target/release/duban demo

web-deps: web/node_modules/.installed
web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && $(NPM) ci --no-audit --no-fund
	touch $@

# The identity platform of the sign-in tests: node-oidc-provider, run on loopback.
oidc-deps: crates/testkit/oidc/node_modules/.installed
crates/testkit/oidc/node_modules/.installed: crates/testkit/oidc/package.json crates/testkit/oidc/package-lock.json
	cd crates/testkit/oidc && $(NPM) ci --no-audit --no-fund
	touch $@

web: web-deps
	cd web && $(NPM) run build

test: web lint test-web test-rust e2e
	@echo "make test: all suites passed"

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

test-web: web-deps
	cd web && npx vitest run

# Rust unit and integration tests on SQLite and on a throwaway PostgreSQL; the bulletin's
# documents are opened by LibreOffice and rendered by poppler; the sign-in through an
# identity platform meets a real OpenID Connect provider (node).
test-rust: office haproxy python oidc-deps
	DUBAN_REQUIRE_PG=1 DUBAN_REQUIRE_SOFFICE=1 ./scripts/with-postgres.sh $(CARGO) test --workspace

# Python 3 plays the outside world in the channel tests (SMTP, robots, webhooks, SMS).
python:
	@command -v python3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 >/dev/null; }

# LibreOffice (headless) and poppler-utils, to prove that generated documents open.
office:
	@{ command -v soffice >/dev/null && command -v pdftoppm >/dev/null && command -v pdftotext >/dev/null; } || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils >/dev/null; }

# HAProxy, the load balancer of the test of several instances on one PostgreSQL.
haproxy:
	@{ command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ]; } || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends haproxy >/dev/null; }

# Chromium, and a CJK font so that screenshots show Chinese text.
chromium:
	@{ command -v chromium >/dev/null && fc-list :lang=zh | grep -q .; } || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; }

e2e: web chromium oidc-deps
	$(CARGO) build -p duban-cli
	cd web && node e2e/run.mjs

bench:
	./scripts/bench.sh

# duban on one PostgreSQL at BENCH_LARGE projects (the figures of docs/SCALE.md).
bench-pg:
	./scripts/bench-pg.sh

clean:
	$(CARGO) clean
	rm -rf web/dist web/node_modules web/test-results
