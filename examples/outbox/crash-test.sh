#!/usr/bin/env bash
# Runs the outbox crash test (or the throughput measurement) against the local Postfix of .ci/postfix-setup.sh.
#   examples/outbox/crash-test.sh                                   30,000 mails, 3 consumer JVMs, one killed with kill -9
#   examples/outbox/crash-test.sh --messages 3000                   smaller
#   examples/outbox/crash-test.sh --mode throughput --messages 6000 --instances 1,2,3
# Needs the component installed (mvn -q install -DskipTests at the repository root). Exit code 0 when every check passed.
set -euo pipefail
cd "$(dirname "$0")"
MVN=(mvn -B -ntp -q)
PKI="${SMTPSCERT_POSTFIX_DIR:-/tmp/smtpscert-postfix}/pki"

# one key store with both identities, key aliases alice and bob, for allowIdentityFromHeader
mkdir -p target
rm -f target/identities.p12
for alias in alice bob; do
    keytool -importkeystore -noprompt -srckeystore "$PKI/clients/$alias.p12" -srcstoretype PKCS12 \
        -srcstorepass changeit -srcalias "$alias" -destkeystore target/identities.p12 -deststoretype PKCS12 \
        -deststorepass changeit -destalias "$alias" >/dev/null 2>&1
done

"${MVN[@]}" compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
exec java -Xmx1g -cp "target/classes:$(cat target/classpath.txt)" io.github.smtpscert.examples.outbox.CrashTest "$@"
