#!/usr/bin/env bash
# System packages the tests use for real, installed when CI runs as root (.ci/run calls this first).
# Each part appends its own block; keep blocks independent.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: not root, skipping system packages" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq

# maturity-matrixkit-exporters: headless Chromium renders the HTML outputs to PNG and poppler's pdftoppm renders PDF
# pages to PNG, kept under artifacts/ for review (tests fail rather than skip when CI=true and these are missing).
apt-get install -y -qq --no-install-recommends chromium poppler-utils fonts-dejavu-core

# maturity-matrixkit-web: Debian's Chromium runs the end-to-end and accessibility tests through Playwright
# (executable_path=/usr/bin/chromium; no browser is ever downloaded), and PostgreSQL's server binaries let the
# API and storage tests start a throwaway server of their own on 127.0.0.1 (initdb + pg_ctl in a temporary
# directory, run as the 'postgres' user; see plugins/web/tests/conftest.py). With CI=true those tests fail,
# never skip, when either is missing.
apt-get install -y -qq --no-install-recommends chromium postgresql fonts-dejavu-core

# maturity-matrixkit-exporters: LibreOffice prints the Word and Excel outputs to PDF so that pdftoppm can render
# them to PNG for review (artifacts/exporters/), with Carlito and Liberation Sans, metric-compatible with Calibri and
# Arial (the fonts the workbooks and documents name), so pages break where Excel and Word would break them.
apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui libreoffice-calc-nogui \
  fonts-crosextra-carlito fonts-liberation2

# maturity-matrixkit-web[icu]: PyICU (ICU's Unicode TR39 confusable skeletons, for comparing participants' names) is
# built against the system's ICU when the development environment is installed.
apt-get install -y -qq --no-install-recommends libicu-dev pkg-config g++
