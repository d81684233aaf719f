# Sourced by bin/bsth and bin/mvn25: sets JAVA25 to a JDK 25+ home, or exits with one line.
# Order: JAVA_HOME, then `java` on PATH, then a JDK under /usr/lib/jvm.
_bsth_java_major() { # the JDK's release file when it has one (starting a JVM just to ask costs 0.1-1 s), else the JVM itself
  local v=""
  [ -f "$1/release" ] && v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9.]*\).*/\1/p' "$1/release" | head -n1)
  [ -n "$v" ] || v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1)
  echo "$v"
}
_bsth_ok() {
  [ -x "$1/bin/java" ] || return 1
  local v; v=$(_bsth_java_major "$1")
  [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null
}
JAVA25=""
if [ -n "${JAVA_HOME:-}" ] && _bsth_ok "$JAVA_HOME"; then
  JAVA25=$JAVA_HOME
elif command -v java >/dev/null 2>&1 && _bsth_ok "$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"; then
  JAVA25=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
else
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    if _bsth_ok "$d"; then JAVA25=$d; break; fi
  done
fi
if [ -z "$JAVA25" ]; then
  echo "bsth: no JDK 25 found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm); install one or set JAVA_HOME" >&2
  exit 2
fi
