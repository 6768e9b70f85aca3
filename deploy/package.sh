#!/usr/bin/env bash
# Makes each part a self-contained package: target/dist/fleetrec-<part>-<version>.tar.gz holding the
# runnable jar, a launcher, the systemd unit, a sample environment file and INSTALL (see README "Deploy").
#   deploy/package.sh [--jlink] [--out DIR] [ingest] [web] [agent]     (default: all three)
# --jlink adds runtime/, a Java trimmed by jlink to the modules the jar needs, so the host needs no Java.
# The jars must be built first (./fleetrec build); ./fleetrec package does both.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPLOY="$ROOT/deploy"
# The project's own version: the first <version> of the root pom, which has no parent.
VERSION="$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -n 1)"
OUT="$ROOT/target/dist"
JLINK=no
PARTS=()

while (($#)); do
  case "$1" in
    --jlink) JLINK=yes ;;
    --out) OUT="$(realpath -m "$2")"; shift ;;
    ingest|web|agent) PARTS+=("$1") ;;
    *) echo "usage: deploy/package.sh [--jlink] [--out DIR] [ingest] [web] [agent]" >&2; exit 2 ;;
  esac
  shift
done
((${#PARTS[@]})) || PARTS=(ingest web agent)

# Per part: the Maven module, the command the unit runs, and the JVM options ./fleetrec up gives it
# (org.fleetrec.stack.Part#jvmOptions; a test keeps the two equal).
module_of() { case "$1" in ingest) echo ingest-server ;; web) echo web ;; agent) echo endpoint-agent ;; esac; }
jvm_options_of() {
  case "$1" in
    agent) echo "-Xmx256m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError" ;;
    *) echo "-Xmx512m -XX:+ExitOnOutOfMemoryError" ;;
  esac
}
describe() {
  case "$1" in
    ingest) echo "Fleet Recorder ingest server" ;;
    web) echo "Fleet Recorder web app and REST API" ;;
    agent) echo "Fleet Recorder endpoint agent" ;;
  esac
}

jdk_tool() {
  local tool="$1" java_bin
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/$tool ]]; then echo "$JAVA_HOME/bin/$tool"; return; fi
  if command -v "$tool" >/dev/null 2>&1; then command -v "$tool"; return; fi
  java_bin="$(readlink -f "$(command -v java)")"
  if [[ -x "$(dirname "$java_bin")/$tool" ]]; then echo "$(dirname "$java_bin")/$tool"; return; fi
  echo "package: $tool is missing; it comes with a JDK 17 (Debian: openjdk-17-jdk-headless)" >&2
  exit 1
}

# Modules the jar's classes name, plus what is only found at run time through service loaders:
# EC keys and curves for TLS (the development certificate is EC), extra charsets, and sun.misc.Unsafe
# that Netty, JNA and Jackson reach for by reflection.
runtime_modules() {
  local jar="$1" found
  found="$("$(jdk_tool jdeps)" --multi-release 17 --ignore-missing-deps --print-module-deps "$jar")"
  echo "$found,jdk.crypto.ec,jdk.charsets,jdk.unsupported"
}

write_launcher() {
  local part="$1" jar="$2" file="$3"
  cat >"$file" <<SH
#!/bin/sh
# $(describe "$part"): fleetrec-$part [its arguments]. The Java used is the one bundled in
# runtime/ when this package has one, else \$JAVA_HOME's, else java on the PATH (17 or newer).
# FLEETREC_JAVA_OPTS adds JVM options after the defaults below (a later -Xmx wins).
set -eu
home=\$(dirname "\$(dirname "\$(readlink -f "\$0")")")
if [ -x "\$home/runtime/bin/java" ]; then
  java="\$home/runtime/bin/java"
elif [ -n "\${JAVA_HOME:-}" ] && [ -x "\$JAVA_HOME/bin/java" ]; then
  java="\$JAVA_HOME/bin/java"
else
  java=java
fi
# Word splitting of the option lists is meant.
# shellcheck disable=SC2086
exec "\$java" $(jvm_options_of "$part") \${FLEETREC_JAVA_OPTS:-} -jar "\$home/lib/$jar" "\$@"
SH
  chmod 0755 "$file"
}

package_part() {
  local part="$1" module jar name dir
  module="$(module_of "$part")"
  jar="$ROOT/$module/target/$module-$VERSION-all.jar"
  if [[ ! -f $jar ]]; then
    echo "package: $jar is missing; build it first (./fleetrec build)" >&2
    exit 1
  fi
  name="fleetrec-$part-$VERSION"
  dir="$OUT/$name"
  rm -rf "$dir" "$OUT/$name.tar.gz"
  mkdir -p "$dir/bin" "$dir/lib" "$dir/etc" "$dir/systemd"
  cp "$jar" "$dir/lib/fleetrec-$part.jar"
  write_launcher "$part" "fleetrec-$part.jar" "$dir/bin/fleetrec-$part"
  install -m 0644 "$DEPLOY/systemd/fleetrec-$part.service" "$dir/systemd/"
  install -m 0600 "$DEPLOY/env/$part.env" "$dir/etc/"
  sed -e "s/@PART@/$part/g" -e "s/@VERSION@/$VERSION/g" "$DEPLOY/INSTALL" >"$dir/INSTALL"
  if [[ $JLINK == yes ]]; then
    local modules
    modules="$(runtime_modules "$jar")"
    "$(jdk_tool jlink)" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
      --compress=2 --output "$dir/runtime"
  fi
  # Owned by root once unpacked, whoever built it; sorted, so the listing reads the same every time.
  tar --sort=name --owner=0 --group=0 --numeric-owner -C "$OUT" -czf "$OUT/$name.tar.gz" "$name"
  echo "$OUT/$name.tar.gz"
}

mkdir -p "$OUT"
for part in "${PARTS[@]}"; do
  package_part "$part"
done
