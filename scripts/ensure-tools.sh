#!/usr/bin/env bash
# Makes sure the external programs the project runs are present, installing them into tools/ when
# they are not:
#   - the Temporal CLI (`temporal server start-dev` is the embedded server of `npm start` and the tests);
#   - Temporal's time-skipping test server (a Java program fetched from Maven Central);
#   - the Temporal server itself and its SQL schema tool (`temporal-server`, `temporal-sql-tool`), built
#     from go.temporal.io/server at the version docker-compose.yml runs: the production path (PostgreSQL
#     persistence and visibility) that the tests and `npm run faults -- --production` start.
# Idempotent; when everything is already present it only prints what it resolved.
#
# Usage: bash scripts/ensure-tools.sh [temporal] [test-server] [temporal-server]     (no argument: all)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TEMPORAL_CLI_VERSION="v1.5.1"
TEMPORAL_CLI_PACKAGE="github.com/temporalio/cli/cmd/temporal"
TOOLS_BIN="$ROOT/tools/bin"
TEST_SERVER_DIR="$ROOT/tools/test-server"
TEMPORAL_SERVER_MODULE="go.temporal.io/server"

want_temporal=0
want_test_server=0
want_temporal_server=0
if [ "$#" -eq 0 ]; then
  want_temporal=1
  want_test_server=1
  want_temporal_server=1
fi
for arg in "$@"; do
  case "$arg" in
    temporal) want_temporal=1 ;;
    test-server) want_test_server=1 ;;
    temporal-server) want_temporal_server=1 ;;
    *) echo "ensure-tools: unknown argument '$arg' (expected: temporal, test-server, temporal-server)" >&2; exit 2 ;;
  esac
done

fail() {
  echo "ensure-tools: $*" >&2
  exit 1
}

install_hint_temporal() {
  cat >&2 <<HINT
ensure-tools: the Temporal CLI ${TEMPORAL_CLI_VERSION} is needed. Any one of these works:
  1. with Go (1.25 or newer) installed, let this script build it, or run yourself:
       GOBIN="$TOOLS_BIN" CGO_ENABLED=0 go install ${TEMPORAL_CLI_PACKAGE}@${TEMPORAL_CLI_VERSION}
  2. download a release archive from https://github.com/temporalio/cli/releases/tag/${TEMPORAL_CLI_VERSION}
     and put the \`temporal\` binary on your PATH or at $TOOLS_BIN/temporal;
  3. point TEMPORAL_CLI at an existing \`temporal\` binary.
HINT
}

resolve_temporal() {
  if [ -n "${TEMPORAL_CLI:-}" ]; then
    [ -x "$TEMPORAL_CLI" ] || fail "TEMPORAL_CLI=$TEMPORAL_CLI is not an executable file"
    TEMPORAL_PATH="$TEMPORAL_CLI"
    TEMPORAL_SOURCE="TEMPORAL_CLI"
    return
  fi
  if command -v temporal >/dev/null 2>&1; then
    TEMPORAL_PATH="$(command -v temporal)"
    TEMPORAL_SOURCE="PATH"
    return
  fi
  if [ -x "$TOOLS_BIN/temporal" ]; then
    TEMPORAL_PATH="$TOOLS_BIN/temporal"
    TEMPORAL_SOURCE="tools/bin"
    return
  fi
  if ! command -v go >/dev/null 2>&1; then
    echo "ensure-tools: the Temporal CLI was not found (TEMPORAL_CLI, PATH, tools/bin) and Go is not installed." >&2
    install_hint_temporal
    exit 1
  fi
  echo "ensure-tools: building the Temporal CLI ${TEMPORAL_CLI_VERSION} with $(go version | cut -d' ' -f3) into tools/bin (a few minutes the first time)..." >&2
  mkdir -p "$TOOLS_BIN"
  # The -X flag stamps the version the release builds report (`temporal --version`).
  if ! GOBIN="$TOOLS_BIN" CGO_ENABLED=0 go install -ldflags "-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION#v}" \
    "${TEMPORAL_CLI_PACKAGE}@${TEMPORAL_CLI_VERSION}"; then
    echo "ensure-tools: 'go install ${TEMPORAL_CLI_PACKAGE}@${TEMPORAL_CLI_VERSION}' failed." >&2
    install_hint_temporal
    exit 1
  fi
  [ -x "$TOOLS_BIN/temporal" ] || { install_hint_temporal; exit 1; }
  TEMPORAL_PATH="$TOOLS_BIN/temporal"
  TEMPORAL_SOURCE="tools/bin, just built"
}

write_test_server_wrapper() {
  local wrapper="$TEST_SERVER_DIR/run"
  if [ ! -x "$wrapper" ]; then
    cat >"$wrapper" <<'WRAPPER'
#!/usr/bin/env bash
# Starts Temporal's time-skipping test server from the jars in lib/ (fetched by scripts/ensure-tools.sh).
# Arguments are passed through: <port> [--enable-time-skipping].
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# C1-only JIT and the serial GC open the port sooner; the SDK gives the server about 5 s to answer.
# shellcheck disable=SC2086
exec java ${TEMPORAL_TEST_SERVER_JAVA_OPTS--XX:TieredStopAtLevel=1 -XX:+UseSerialGC} -cp "$dir/lib/*" io.temporal.testserver.TestServer "$@"
WRAPPER
    chmod +x "$wrapper"
  fi
}

ensure_test_server() {
  command -v java >/dev/null 2>&1 || fail "Java (17 or newer) is needed to run Temporal's time-skipping test server. Install a JDK or JRE, e.g. 'apt-get install openjdk-17-jre-headless', then rerun 'npm run setup'."
  local lib="$TEST_SERVER_DIR/lib" stamp pom_sum
  stamp="$TEST_SERVER_DIR/lib/.pom.sha256"
  pom_sum="$(sha256sum "$TEST_SERVER_DIR/pom.xml" | cut -d' ' -f1)"
  # Fetch when the jars are missing or were fetched for another version of pom.xml.
  if ! compgen -G "$lib/temporal-test-server-*.jar" >/dev/null || [ "$(cat "$stamp" 2>/dev/null)" != "$pom_sum" ]; then
    command -v mvn >/dev/null 2>&1 || fail "Maven is needed once to fetch the time-skipping test server from Maven Central (tools/test-server/pom.xml). Install it (e.g. 'apt-get install maven') and rerun 'npm run setup'."
    echo "ensure-tools: fetching the time-skipping test server from Maven Central..." >&2
    rm -rf "$lib"
    local mvn_log
    mvn_log="$(mktemp)"
    if ! mvn -q -B -f "$TEST_SERVER_DIR/pom.xml" dependency:copy-dependencies -DoutputDirectory=lib -DincludeScope=runtime >"$mvn_log" 2>&1; then
      cat "$mvn_log" >&2
      rm -f "$mvn_log"
      fail "fetching the test server failed; see the Maven output above (network, or a proxy in ~/.m2/settings.xml)."
    fi
    rm -f "$mvn_log"
    compgen -G "$lib/temporal-test-server-*.jar" >/dev/null \
      || fail "Maven ran, but no temporal-test-server jar appeared in tools/test-server/lib."
    echo "$pom_sum" >"$stamp"
  fi
  write_test_server_wrapper
  TEST_SERVER_JAR="$(basename "$(compgen -G "$lib/temporal-test-server-*.jar" | head -n1)")"
}

# The server version is the one docker-compose.yml runs (its temporalio/server image tag): one place says it.
temporal_server_version() {
  local v
  v="$(sed -n 's#^ *image: *temporalio/server:\([0-9][0-9.]*\).*#\1#p' "$ROOT/docker-compose.yml" | head -n1)"
  [ -n "$v" ] || fail "docker-compose.yml names no temporalio/server image version"
  echo "v$v"
}

ensure_temporal_server() {
  local version stamp
  version="$(temporal_server_version)"
  stamp="$TOOLS_BIN/.temporal-server.version"
  if [ -x "$TOOLS_BIN/temporal-server" ] && [ -x "$TOOLS_BIN/temporal-sql-tool" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
    TEMPORAL_SERVER_SOURCE="tools/bin"
  else
    command -v go >/dev/null 2>&1 || fail "Go (1.25 or newer) is needed to build the Temporal server ${version} (the production path) from ${TEMPORAL_SERVER_MODULE}."
    echo "ensure-tools: building the Temporal server ${version} and its SQL tool with $(go version | cut -d' ' -f3) into tools/bin (several minutes the first time)..." >&2
    mkdir -p "$TOOLS_BIN"
    local build
    build="$(mktemp -d)"
    GOBIN="$build" CGO_ENABLED=0 go install "${TEMPORAL_SERVER_MODULE}/cmd/server@${version}" "${TEMPORAL_SERVER_MODULE}/cmd/tools/sql@${version}" \
      || fail "'go install ${TEMPORAL_SERVER_MODULE}/cmd/server@${version}' failed."
    mv "$build/server" "$TOOLS_BIN/temporal-server"
    mv "$build/sql" "$TOOLS_BIN/temporal-sql-tool"
    rmdir "$build"
    echo "$version" >"$stamp"
    TEMPORAL_SERVER_SOURCE="tools/bin, just built"
  fi
  TEMPORAL_SERVER_VERSION="$version"
}

if [ "$want_temporal" = 1 ]; then
  resolve_temporal
  version="$("$TEMPORAL_PATH" --version 2>/dev/null | head -n1 || true)"
  echo "temporal CLI:  $TEMPORAL_PATH ($TEMPORAL_SOURCE; ${version:-version unknown})"
fi
if [ "$want_test_server" = 1 ]; then
  ensure_test_server
  echo "test server:   $TEST_SERVER_DIR/run ($TEST_SERVER_JAR, $(java -version 2>&1 | head -n1))"
fi
if [ "$want_temporal_server" = 1 ]; then
  ensure_temporal_server
  echo "temporal server: $TOOLS_BIN/temporal-server and temporal-sql-tool ($TEMPORAL_SERVER_SOURCE; $TEMPORAL_SERVER_VERSION)"
fi
