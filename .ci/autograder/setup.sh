#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image from autograder.zip (unpacked in
# /autograder/source). It installs the Swift toolchain the kit is tested with, from swift.org's tarball for this
# Ubuntu release, checked against its signature; then the Debian packages of the kit's one list (.ci/packages, the
# same CI and the dev container install); then it grades the untouched starters once, which builds everything a
# grading run needs, so that each submission only rebuilds its own lab folders.
#
#   setup.sh             do all that (Gradescope)
#   setup.sh --dry-run   say what it would download and install, and change nothing
#   setup.sh --build     only the last part, with the Swift already on PATH
#   setup.sh --verify FILE SIGNATURE   only the signature check (the kit's test tries it on a stand-in)
set -euo pipefail

# The kit's Swift: the version of its dev container and CI image (swift:6.3.1-bookworm); a test keeps them equal.
SWIFT_VERSION=6.3.1
# swift.org's "Swift 6.x Release Signing Key": the toolchain's signature must be this key's, whatever else
# swift.org's key file holds.
SWIFT_SIGNING_KEY="${SETUP_SIGNING_KEY:-52BB7E3DE28A71BE22EC05FFEF80A866B47A981F}"
SWIFT_KEYS_URL=https://swift.org/keys/all-keys.asc
SWIFT_PREFIX=/opt/swift  # run_autograder puts /opt/swift/usr/bin on PATH

here="$(cd "$(dirname "$0")" && pwd)"
kit="${SETUP_KIT:-$here/kit}"  # SETUP_KIT: the kit's test reads the repository's own list
mode="${1:-install}"

# The Ubuntu release, as swift.org names its builds: "22.04". SETUP_OS_RELEASE and SETUP_ARCH stand in for the
# machine's own in the kit's test.
ubuntu_release() {
  local file="${SETUP_OS_RELEASE:-/etc/os-release}" id="" version=""
  id="$(. "$file" && echo "${ID:-}")"
  version="$(. "$file" && echo "${VERSION_ID:-}")"
  case "$id:$version" in
    ubuntu:22.04 | ubuntu:24.04) echo "$version" ;;
    *)
      echo "setup.sh: this image is $id $version; Swift $SWIFT_VERSION's tarballs are for Ubuntu 22.04 and 24.04." >&2
      echo "Choose one of those as the autograder's base image (Gradescope: Configure Autograder, Base Image)." >&2
      return 1
      ;;
  esac
}

# swift.org's layout: swift-6.3.1-release/ubuntu2204[-aarch64]/swift-6.3.1-RELEASE/swift-6.3.1-RELEASE-ubuntu22.04[-aarch64].tar.gz
toolchain_url() {
  local release="$1" arch="${SETUP_ARCH:-$(dpkg --print-architecture)}" suffix=""
  case "$arch" in
    amd64) suffix="" ;;
    arm64) suffix="-aarch64" ;;
    *) echo "setup.sh: no Swift toolchain for the architecture $arch" >&2; return 1 ;;
  esac
  local tag="swift-$SWIFT_VERSION-RELEASE"
  echo "https://download.swift.org/swift-$SWIFT_VERSION-release/ubuntu${release//./}$suffix/$tag/$tag-ubuntu$release$suffix.tar.gz"
}

# What the toolchain itself needs on each release (swift.org's install instructions, and its official images).
toolchain_packages() {
  local common="binutils git gnupg2 libc6-dev libcurl4-openssl-dev libedit2 libpython3-dev libsqlite3-0 libxml2-dev libz3-dev pkg-config tzdata unzip zlib1g-dev curl ca-certificates"
  case "$1" in
    22.04) echo "$common libgcc-11-dev libstdc++-11-dev python3-lldb-13" ;;
    24.04) echo "$common libgcc-13-dev libstdc++-13-dev libncurses-dev" ;;
  esac
}

# The kit's own list, read as .ci/install-packages reads it: one package a line, # starts a comment.
kit_packages() {
  local line
  while read -r line || [ -n "$line" ]; do
    line="${line%%#*}"
    for package in $line; do printf '%s ' "$package"; done
  done <"$kit/.ci/packages"
  echo
}

# Whether $2 is a good signature of $1 by the pinned key (VALIDSIG names the signing key's primary fingerprint
# last), not revoked. The keys come from swift.org's key file (SETUP_KEYS: a local file instead, for the kit's test).
verify_signature() {
  local file="$1" signature="$2" status
  GNUPGHOME="$(mktemp -d)"
  export GNUPGHOME
  if [ -n "${SETUP_KEYS:-}" ]; then
    gpg --batch --quiet --import "$SETUP_KEYS" 2>/dev/null
  else
    curl -fsSL "$SWIFT_KEYS_URL" | gpg --batch --quiet --import 2>/dev/null
  fi
  status="$(gpg --batch --status-fd 1 --verify "$signature" "$file" 2>/dev/null || true)"
  rm -rf "$GNUPGHOME"
  unset GNUPGHOME
  if ! grep -Eq "^\[GNUPG:\] VALIDSIG .* $SWIFT_SIGNING_KEY\$" <<<"$status" || grep -q "REVKEYSIG" <<<"$status"; then
    echo "setup.sh: $file is not signed by the Swift release key $SWIFT_SIGNING_KEY: not installed." >&2
    return 1
  fi
}

install_toolchain() {
  local url="$1" work
  work="$(mktemp -d)"
  curl -fsSL "$url" -o "$work/swift.tar.gz"
  curl -fsSL "$url.sig" -o "$work/swift.tar.gz.sig"
  verify_signature "$work/swift.tar.gz" "$work/swift.tar.gz.sig"
  mkdir -p "$SWIFT_PREFIX"
  tar -xzf "$work/swift.tar.gz" --directory "$SWIFT_PREFIX" --strip-components=1
  chmod -R o+r "$SWIFT_PREFIX/usr/lib/swift"
  rm -rf "$work"
}

# Grades the starters once: every program a run builds is then built, and the grader shown to work on this image.
build_kit() {
  cd "$kit"
  make --no-print-directory grade FORMAT=json OUT=.autograder/starters-graded.json >/dev/null
  echo "The kit builds and grades here: $(swift --version 2>&1 | head -1)"
}

case "$mode" in
  --dry-run)
    release="$(ubuntu_release)"
    echo "ubuntu: $release"
    echo "swift: $SWIFT_VERSION"
    echo "toolchain: $(toolchain_url "$release")"
    echo "signature: $(toolchain_url "$release").sig"
    echo "signing key: $SWIFT_SIGNING_KEY (from $SWIFT_KEYS_URL)"
    echo "toolchain packages: $(toolchain_packages "$release")"
    echo "kit packages: $(kit_packages)"
    ;;
  --build)
    build_kit
    ;;
  --verify)
    verify_signature "${2:?usage: setup.sh --verify FILE SIGNATURE}" "${3:?usage: setup.sh --verify FILE SIGNATURE}"
    echo "good signature by $SWIFT_SIGNING_KEY"
    ;;
  install)
    release="$(ubuntu_release)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2046  # one package a word
    apt-get install -y -qq --no-install-recommends $(toolchain_packages "$release") >/dev/null
    install_toolchain "$(toolchain_url "$release")"
    export PATH="$SWIFT_PREFIX/usr/bin:$PATH"
    "$kit/.ci/install-packages" "$kit/.ci/packages"
    build_kit
    ;;
  *)
    echo "usage: setup.sh [--dry-run | --build | --verify FILE SIGNATURE]" >&2
    exit 2
    ;;
esac
