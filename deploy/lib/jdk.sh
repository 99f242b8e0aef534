# Sourced by Courier's scripts and .ci/run: makes sure JAVA_HOME/java is a JDK 21 or newer.
# Keeps the current one when it is new enough; otherwise picks the newest JDK >= 21 it can find.

courier_java_major() {  # $1 = path to a java binary; prints its major version (17, 21, 25...)
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

courier_pick_jdk() {
  local candidate major best="" best_major=0
  for candidate in "${JAVA_HOME:-}/bin/java" "$(command -v java 2>/dev/null)"; do
    if [ -x "$candidate" ]; then
      major=$(courier_java_major "$candidate")
      if [ "${major:-0}" -ge 21 ] 2>/dev/null; then
        export JAVA_HOME; JAVA_HOME=$(cd "$(dirname "$(readlink -f "$candidate")")/.." && pwd)
        return 0
      fi
    fi
  done
  for candidate in /usr/lib/jvm/*/bin/java "$HOME"/.sdkman/candidates/java/*/bin/java /opt/java/*/bin/java; do
    [ -x "$candidate" ] || continue
    major=$(courier_java_major "$candidate")
    if [ "${major:-0}" -ge 21 ] 2>/dev/null && [ "$major" -gt "$best_major" ]; then
      best=$candidate; best_major=$major
    fi
  done
  if [ -z "$best" ]; then
    echo "Courier needs a JDK 21 or newer, and none was found (default java: $(java -version 2>&1 | head -1))." >&2
    echo "Install one, e.g. 'apt-get install openjdk-21-jdk' or Temurin 21 from https://adoptium.net, or set JAVA_HOME to it." >&2
    return 1
  fi
  export JAVA_HOME; JAVA_HOME=$(cd "$(dirname "$best")/.." && pwd)
  export PATH="$JAVA_HOME/bin:$PATH"
}

courier_pick_jdk
