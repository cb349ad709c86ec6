#!/usr/bin/env bash
# Sourced by .ci/test (as root, Debian) before pytest: make sure Debian chromium is present for the
# browser tests (tests/browser, marked `browser`). Idempotent and non-interactive.
# Exports TEXTMINE_CHROMIUM for the tests.
if [ ! -x /usr/bin/chromium ]; then
  export DEBIAN_FRONTEND=noninteractive
  if command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq >/dev/null \
      && apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null \
      || echo "browser.sh: could not install chromium; browser tests will be skipped" >&2
  else
    echo "browser.sh: apt-get not found; browser tests will be skipped" >&2
  fi
fi
if [ -x /usr/bin/chromium ]; then
  export TEXTMINE_CHROMIUM=/usr/bin/chromium
fi
true
