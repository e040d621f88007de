#!/usr/bin/env bash
# Builds the service with proposed changes applied, for measuring them without touching the working tree:
#   bench/build-variant.sh NAME PATCH...   ->  bench/work/variants/NAME/target/greenlight.jar
# then e.g.  JAR=bench/work/variants/NAME/target/greenlight.jar LABEL="..." RESULTS=... bench/webhook-intake.sh
# The copy takes pom.xml and src/ only: the service still runs from the repository root, with its routes/.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 2 ]] || { echo "usage: $0 NAME PATCH..." >&2; exit 2; }
name=$1; shift
dir=bench/work/variants/$name
rm -rf "$dir"
mkdir -p "$dir"
cp -r pom.xml src "$dir/"
for p in "$@"; do
  patch -s -p1 -d "$dir" < "$p"
done
(cd "$dir" && mvn -B -o -q package -DskipTests)
echo "$dir/target/greenlight.jar"
