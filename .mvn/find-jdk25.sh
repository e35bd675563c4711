# Sourced by ./mvnw and the deploy scripts: picks a JDK 25 so nobody has to export JAVA_HOME.
# Order: JAVA_HOME, then `java` on PATH, then /usr/lib/jvm/*25*. Fails with a clear message.
medfed_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}
medfed_pick_jdk25() {
  local candidate
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] &&
     [ "$(medfed_java_major "$JAVA_HOME")" = "25" ]; then
    return 0
  fi
  if command -v java >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    if [ "$(medfed_java_major "$candidate")" = "25" ]; then
      export JAVA_HOME="$candidate"; return 0
    fi
  fi
  for candidate in /usr/lib/jvm/*25* /Library/Java/JavaVirtualMachines/*25*/Contents/Home; do
    if [ -x "$candidate/bin/java" ] && [ "$(medfed_java_major "$candidate")" = "25" ]; then
      export JAVA_HOME="$candidate"; return 0
    fi
  done
  echo "MedFed needs a JDK 25: set JAVA_HOME to one, put its java on PATH, or install one under /usr/lib/jvm." >&2
  return 1
}
medfed_pick_jdk25 || exit 1
export PATH="$JAVA_HOME/bin:$PATH"
