#!/bin/sh
# Regenerate the build system: ./autogen.sh && ./configure && make
set -eu
cd "$(dirname "$0")"
autoreconf --install --force --warnings=all
