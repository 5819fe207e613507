#!/bin/sh
# Writes the Debian changelog for one build: changelog.sh VERSION OUTDIR -> OUTDIR/changelog.gz (gzip -9n, as
# Debian policy asks). Dated from the last commit so the same tree gives the same package.
set -eu
version=$1
out=$2
date=$(git log -1 --format=%aD 2>/dev/null || true)
[ -n "$date" ] || date=$(date -R)
mkdir -p "$out"
{
  printf 'wssguard (%s) unstable; urgency=medium\n\n' "$version"
  printf '  * Built from the wssguard repository; see its history for changes.\n\n'
  printf ' -- wssguard maintainers <wssguard@lists.wssguard.io>  %s\n' "$date"
} | gzip -9n >"$out/changelog.gz"
