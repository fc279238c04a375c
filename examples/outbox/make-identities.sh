#!/usr/bin/env bash
# Writes target/identities.p12: one PKCS12 key store with both client identities of the local Postfix
# (.ci/postfix-setup.sh), key aliases alice and bob, password changeit. The route picks one per message.
set -euo pipefail
cd "$(dirname "$0")"
PKI="${SMTPSCERT_POSTFIX_DIR:-/tmp/smtpscert-postfix}/pki"
mkdir -p target
rm -f target/identities.p12
for alias in alice bob; do
    keytool -importkeystore -noprompt -srckeystore "$PKI/clients/$alias.p12" -srcstoretype PKCS12 \
        -srcstorepass changeit -srcalias "$alias" -destkeystore target/identities.p12 -deststoretype PKCS12 \
        -deststorepass changeit -destalias "$alias" >/dev/null 2>&1 || { echo "keytool could not copy $alias" >&2; exit 1; }
done
