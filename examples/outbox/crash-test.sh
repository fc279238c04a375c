#!/usr/bin/env bash
# Runs the outbox crash test (or the throughput measurement) against the local Postfix of .ci/postfix-setup.sh.
#   examples/outbox/crash-test.sh                       30,000 mails, 3 consumer JVMs, one killed with kill -9
#   examples/outbox/crash-test.sh --messages 3000       fewer mails
#   examples/outbox/crash-test.sh --mode throughput --messages 6000 --instances 1,2,3
# Needs the component installed (mvn -q install -DskipTests at the repository root). Logs of every JVM go to
# examples/outbox/target/crash-test/. Exit code 0 when every check passed.
set -euo pipefail
cd "$(dirname "$0")"
./make-identities.sh
mvn -B -ntp -q compile dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile=target/classpath.txt
exec java -Xmx1g -cp "target/classes:$(cat target/classpath.txt)" io.github.smtpscert.examples.outbox.CrashTest "$@"
