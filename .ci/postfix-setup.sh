#!/usr/bin/env bash
# Sets up a loopback-only Postfix that only accepts mail from clients presenting a
# verified TLS client certificate (SMTPS on 465, STARTTLS-required submission on 587),
# plus a throw-away PKI, for the camel-smtps-cert integration tests.
#
# Usage (as root):  .ci/postfix-setup.sh
# Env:  SMTPSCERT_POSTFIX_DIR   output dir for PKI + postfix-it.properties
#                               (default /tmp/smtpscert-postfix)
#       SMTPSCERT_REGENERATE_PKI=1  force a fresh PKI even if the current one is valid
#
# Idempotent: re-running rewrites the Postfix settings, restarts Postfix and re-verifies.
# Outbound mail is disabled (default/relay transport = error), nothing leaves loopback.
set -Eeuo pipefail

DIR="${SMTPSCERT_POSTFIX_DIR:-/tmp/smtpscert-postfix}"
PKI="$DIR/pki"
PASS=changeit
MAIL_USER=smtpsit
DOMAIN=smtpscert.test
LOG=/var/log/postfix.log
CLIENTS=(alice bob mallory)
# PEM-only identities for CertificateRotationIT: rotation-1..6 from the trusted intermediate (rotated by symlink
# swap), rollover-a1 from that CA ("A") and rollover-b1 from client CA B, which Postfix trusts only while the IT
# has switched the CA file below to B.
ROTATION_CLIENTS=(rotation-1 rotation-2 rotation-3 rotation-4 rotation-5 rotation-6 rollover-a1 rollover-b1)
# The CA file the TLS ports read: a copy of client-ca-bundle.pem, rewritten on every run. CertificateRotationIT
# replaces its content and runs `postfix reload`, and restores it afterwards.
SMTPD_CA="$DIR/smtpd-client-ca.pem"
export PATH="$PATH:/usr/sbin:/sbin"

log() { printf '==> %s\n' "$*"; }
die() {
    printf 'ERROR: %s\n' "$*" >&2
    if [ -f "$LOG" ]; then
        printf -- '--- last 50 lines of %s ---\n' "$LOG" >&2
        tail -n 50 "$LOG" >&2
    fi
    exit 1
}
# Any unexpected failing command also shows the Postfix log, to ease diagnosis in CI.
trap 'die "command failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR

[ "$(id -u)" -eq 0 ] || die "must run as root (installs packages, configures Postfix)"
# master.cf "-o" values cannot contain whitespace.
case "$DIR" in *[[:space:]]*) die "SMTPSCERT_POSTFIX_DIR must not contain whitespace: '$DIR'";; esac
START=$(date +%s)

# ---------------------------------------------------------------------------
# 1. Packages (apt-get update only when something is actually missing)
# ---------------------------------------------------------------------------
need=()
command -v postfix >/dev/null 2>&1 || need+=(postfix)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v python3 >/dev/null 2>&1 || need+=(python3)
KEYTOOL=$(command -v keytool 2>/dev/null || true)
if [ -z "$KEYTOOL" ] && [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/keytool" ]; then
    KEYTOOL="$JAVA_HOME/bin/keytool"
fi
[ -n "$KEYTOOL" ] || need+=(default-jre-headless)
if [ ${#need[@]} -gt 0 ]; then
    log "installing: ${need[*]}"
    # Preseed so the postfix postinst never prompts and never configures relaying.
    printf '%s\n' \
        "postfix postfix/main_mailer_type select Local only" \
        "postfix postfix/mailname string $DOMAIN" | debconf-set-selections
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    KEYTOOL=${KEYTOOL:-$(command -v keytool)}
fi
log "Postfix $(postconf -h mail_version), $(openssl version | cut -d' ' -f1-2)"

# ---------------------------------------------------------------------------
# 2. PKI (kept across runs while valid, so running tests don't see keys change)
# ---------------------------------------------------------------------------
pki_ok() {
    local f
    for f in "$PKI"/server/server.{crt,key} "$PKI"/trust.pem "$PKI"/truststore.p12 \
             "$PKI"/client-ca-bundle.pem "$PKI"/client-ca-b.pem; do
        [ -s "$f" ] || return 1
    done
    for f in "${ROTATION_CLIENTS[@]}"; do
        [ -s "$PKI/clients/$f.pem" ] && [ -s "$PKI/clients/$f.key" ] || return 1
        openssl x509 -checkend 604800 -noout -in "$PKI/clients/$f.pem" >/dev/null || return 1
    done
    for f in "${CLIENTS[@]}"; do
        [ -s "$PKI/clients/$f.p12" ] && [ -s "$PKI/clients/$f.key" ] || return 1
        # Regenerate if anything expires within a week.
        openssl x509 -checkend 604800 -noout -in "$PKI/clients/$f.pem" >/dev/null || return 1
    done
    openssl x509 -checkend 604800 -noout -in "$PKI/server/server.crt" >/dev/null
}

make_pki() {
    local w="$PKI.new"
    rm -rf "$w" && mkdir -p "$w"/{ca,server,clients}
    # Own minimal config: independent of /etc/ssl/openssl.cnf defaults.
    cat >"$w/ca/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
[dn]
[v3_root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_intermediate]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[v3_server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = email:$ENV::CLIENT_EMAIL
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
    local cnf="$w/ca/openssl.cnf" O="/O=camel-smtps-cert test"
    export CLIENT_EMAIL=unused@$DOMAIN

    # genpkey writes unencrypted PKCS#8 ("BEGIN PRIVATE KEY"), which Java/Camel can read.
    key() { # out rsa|ec
        if [ "$2" = ec ]; then
            openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
                -pkeyopt ec_param_enc:named_curve -out "$1" 2>/dev/null
        else
            openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null
        fi
    }
    root_ca() { # name subject
        key "$w/ca/$1.key" rsa
        openssl req -new -x509 -sha256 -days 3650 -config "$cnf" -extensions v3_root \
            -key "$w/ca/$1.key" -subj "$2" -out "$w/ca/$1.crt"
    }
    issue() { # keyfile subject issuer-name ext-section days out
        openssl req -new -config "$cnf" -key "$1" -subj "$2" -out "$w/ca/tmp.csr"
        openssl x509 -req -sha256 -days "$5" -in "$w/ca/tmp.csr" \
            -CA "$w/ca/$3.crt" -CAkey "$w/ca/$3.key" \
            -CAserial "$w/ca/$3.srl" -CAcreateserial \
            -extfile "$cnf" -extensions "$4" -out "$6" 2>/dev/null
        rm -f "$w/ca/tmp.csr"
    }

    # Server side: CA + CN=localhost cert presented by Postfix.
    root_ca server-ca "/CN=smtpscert Server CA$O"
    key "$w/server/server.key" rsa
    issue "$w/server/server.key" "/CN=localhost$O" server-ca v3_server 825 "$w/server/server.crt"
    cp "$w/ca/server-ca.crt" "$w/trust.pem"

    # Client side: root -> intermediate -> leaves. Postfix trusts root + intermediate.
    root_ca client-root-ca "/CN=smtpscert Client Root CA$O"
    key "$w/ca/client-intermediate-ca.key" rsa
    issue "$w/ca/client-intermediate-ca.key" "/CN=smtpscert Client Intermediate CA$O" \
        client-root-ca v3_intermediate 3650 "$w/ca/client-intermediate-ca.crt"
    cat "$w/ca/client-root-ca.crt" "$w/ca/client-intermediate-ca.crt" >"$w/client-ca-bundle.pem"
    # Separate CA that Postfix does NOT trust, for the negative test (mallory).
    root_ca untrusted-ca "/CN=smtpscert Untrusted CA$O"

    local name type issuer
    for name in "${CLIENTS[@]}"; do
        case $name in
            alice)   type=rsa; issuer=client-intermediate-ca ;;
            bob)     type=ec;  issuer=client-intermediate-ca ;;
            mallory) type=rsa; issuer=untrusted-ca ;;
        esac
        export CLIENT_EMAIL="$name@$DOMAIN"
        key "$w/clients/$name.key" "$type"
        issue "$w/clients/$name.key" "/CN=$name$O" "$issuer" v3_client 825 "$w/clients/$name.crt"
        # Chain file: leaf then its issuer (intermediate; for mallory the untrusted CA).
        cat "$w/clients/$name.crt" "$w/ca/$issuer.crt" >"$w/clients/$name.pem"
        # Modern PBES2/AES + SHA-256 MAC (OpenSSL 3 defaults, spelled out): Java 17 reads it.
        openssl pkcs12 -export -name "$name" -in "$w/clients/$name.pem" -inkey "$w/clients/$name.key" \
            -keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256 \
            -passout "pass:$PASS" -out "$w/clients/$name.p12"
        "$KEYTOOL" -list -storetype PKCS12 -keystore "$w/clients/$name.p12" -storepass "$PASS" \
            -alias "$name" -v | grep 'Certificate chain length: 2' >/dev/null \
            || die "keytool cannot read $name.p12 or chain incomplete"
    done

    # Second client CA (B), a root without intermediate, and the PEM-only leaves (see ROTATION_CLIENTS).
    root_ca client-ca-b "/CN=smtpscert Client CA B$O"
    cp "$w/ca/client-ca-b.crt" "$w/client-ca-b.pem"
    for name in "${ROTATION_CLIENTS[@]}"; do
        case $name in
            rotation-[246]) type=ec;  issuer=client-intermediate-ca ;;
            rollover-b1)    type=rsa; issuer=client-ca-b ;;
            *)              type=rsa; issuer=client-intermediate-ca ;;
        esac
        export CLIENT_EMAIL="$name@$DOMAIN"
        key "$w/clients/$name.key" "$type"
        issue "$w/clients/$name.key" "/CN=$name$O" "$issuer" v3_client 825 "$w/clients/$name.crt"
        cat "$w/clients/$name.crt" "$w/ca/$issuer.crt" >"$w/clients/$name.pem"
    done

    # Java truststore for clients (trusts the server CA only).
    "$KEYTOOL" -importcert -noprompt -alias smtpscert-server-ca -file "$w/trust.pem" \
        -storetype PKCS12 -keystore "$w/truststore.p12" -storepass "$PASS" >/dev/null 2>&1
    "$KEYTOOL" -list -storetype PKCS12 -keystore "$w/truststore.p12" -storepass "$PASS" >/dev/null

    rm -f "$w"/ca/*.srl
    # Test-only material: everything world-readable except the CA signing keys.
    find "$w" -type d -exec chmod 0755 {} +
    find "$w" -type f -exec chmod 0644 {} +
    chmod 0600 "$w"/ca/*.key
    rm -rf "$PKI" && mv "$w" "$PKI"
}

mkdir -p "$DIR" && chmod 0755 "$DIR"
if [ "${SMTPSCERT_REGENERATE_PKI:-0}" != 1 ] && pki_ok; then
    log "reusing existing PKI in $PKI"
else
    log "creating PKI in $PKI"
    make_pki
fi

# ---------------------------------------------------------------------------
# 3. Postfix configuration
# ---------------------------------------------------------------------------
# Dedicated local mailbox user; Maildir so each message is one file the tests can read.
id "$MAIL_USER" >/dev/null 2>&1 \
    || useradd --create-home --shell /usr/sbin/nologin --comment "camel-smtps-cert IT mailbox" "$MAIL_USER"
HOME_DIR=$(getent passwd "$MAIL_USER" | cut -d: -f6)
MAILDIR="$HOME_DIR/Maildir"
chmod 0755 "$HOME_DIR"
install -d -o "$MAIL_USER" -g "$MAIL_USER" -m 0755 "$MAILDIR" "$MAILDIR"/{cur,new,tmp}

# Always the trusted client CA again, also after an interrupted CertificateRotationIT switched it to CA B.
cp "$PKI/client-ca-bundle.pem" "$SMTPD_CA.tmp" && chmod 0644 "$SMTPD_CA.tmp" && mv "$SMTPD_CA.tmp" "$SMTPD_CA"

log "configuring Postfix (main.cf)"
postconf -e \
    "inet_interfaces = loopback-only" \
    "inet_protocols = ipv4" \
    "mydestination = \$myhostname, localhost, localhost.localdomain, $DOMAIN" \
    "mynetworks = 127.0.0.0/8" \
    "relayhost =" \
    "default_transport = error:outbound mail disabled (smtpscert CI)" \
    "relay_transport = error:outbound mail disabled (smtpscert CI)" \
    "home_mailbox = Maildir/" \
    "mailbox_command =" \
    "mailbox_transport =" \
    "maillog_file = $LOG" \
    "smtpd_tls_cert_file = $PKI/server/server.crt" \
    "smtpd_tls_key_file = $PKI/server/server.key" \
    "smtpd_tls_CAfile = $SMTPD_CA" \
    "smtpd_tls_CApath =" \
    "tls_append_default_CA = no" \
    "smtpd_tls_security_level = may" \
    "smtpd_tls_received_header = yes" \
    "smtpd_tls_loglevel = 1" \
    "smtpd_tls_protocols = >=TLSv1.2" \
    "smtpd_tls_mandatory_protocols = >=TLSv1.2" \
    "smtpd_tls_session_cache_database = btree:\${data_directory}/smtpd_scache" \
    "tls_ssl_options = NO_TICKET" \
    "smtpd_client_connection_rate_limit = 0" \
    "smtpd_client_connection_count_limit = 0" \
    "smtpd_client_message_rate_limit = 0" \
    "smtpd_client_recipient_rate_limit = 0" \
    "smtpd_client_new_tls_session_rate_limit = 0" \
    "smtpd_client_auth_rate_limit = 0" \
    "smtpd_recipient_limit = 10000" \
    "default_process_limit = 100" \
    "smtpd_error_sleep_time = 0" \
    "smtpd_soft_error_limit = 1000" \
    "smtpd_hard_error_limit = 1000" \
    "smtpd_junk_command_limit = 100000" \
    "in_flow_delay = 0" \
    "local_destination_concurrency_limit = 20"
# Notes: NO_TICKET makes OpenSSL keep sessions in Postfix's session cache (stateful TLS 1.3 tickets): then every
# resumed connection gets a fresh ticket. With Postfix's stateless tickets a resumed TLS 1.3 connection gets none,
# and as clients use a ticket once (JSSE does), only every second connection could resume.
# Rate limits at 0 = unlimited, so thousands of messages/minute on one connection
# are fine; junk_command_limit is high because JavaMail probes connections with NOOP/RSET;
# in_flow_delay=0 stops cleanup throttling senders when local delivery lags behind.

log "configuring Postfix (master.cf)"
# No chroot: without the Debian init script nobody copies /etc files into the jail.
postconf -F '*/*/chroot = n'
# maillog_file needs the postlog service (present in Debian 12's master.cf, add if not).
postconf -M postlog/unix-dgram 2>/dev/null | grep . >/dev/null \
    || postconf -M "postlog/unix-dgram = postlog unix-dgram n - n - 1 postlogd"
# Common overrides for both TLS-only ports: verified client cert required, no SASL.
common_opts=(
    smtpd_tls_security_level=encrypt
    smtpd_tls_req_ccert=yes
    smtpd_tls_ask_ccert=yes
    "smtpd_tls_CAfile=$SMTPD_CA"
    "smtpd_tls_cert_file=$PKI/server/server.crt"
    "smtpd_tls_key_file=$PKI/server/server.key"
    smtpd_tls_received_header=yes
    smtpd_tls_loglevel=1
    "smtpd_tls_protocols=>=TLSv1.2"
    "smtpd_tls_mandatory_protocols=>=TLSv1.2"
    smtpd_sasl_auth_enable=no
    smtpd_client_restrictions=permit_tls_all_clientcerts,reject
    smtpd_helo_restrictions=
    smtpd_sender_restrictions=
    smtpd_relay_restrictions=permit_tls_all_clientcerts,reject
    smtpd_recipient_restrictions=
)
for svc in smtps submission; do
    # Delete + re-add so re-runs never accumulate stale "-o" options.
    postconf -MX "$svc/inet" 2>/dev/null || true
    postconf -M "$svc/inet = $svc inet n - n - - smtpd"
    postconf -P "$svc/inet/syslog_name=postfix/$svc"
    for o in "${common_opts[@]}"; do postconf -P "$svc/inet/$o"; done
done
postconf -P "smtps/inet/smtpd_tls_wrappermode=yes"

newaliases
postfix check || die "postfix check failed"

# ---------------------------------------------------------------------------
# 4. (Re)start Postfix — full restart, since inet_interfaces changes need one.
# ---------------------------------------------------------------------------
if postfix status >/dev/null 2>&1; then
    log "stopping running Postfix"
    postfix stop >/dev/null 2>&1
    for _ in $(seq 1 100); do postfix status >/dev/null 2>&1 || break; sleep 0.2; done
    postfix status >/dev/null 2>&1 && die "Postfix did not stop"
fi
log "starting Postfix"
postfix start >/dev/null 2>&1 || die "postfix start failed"

wait_port() {
    local i
    for i in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.2
    done
    die "port $1 not accepting connections after 20s"
}
wait_port 465
wait_port 587

# ---------------------------------------------------------------------------
# 5. Self-test: handshake checks with openssl, then real deliveries with python3
# ---------------------------------------------------------------------------
# Talk SMTP over TLS: EHLO then QUIT; prints the transcript. -quiet keeps the server's
# lines unmixed with session dumps; -verify_return_error aborts on a bad server cert,
# so reaching "221" also proves the server cert/hostname verified against trust.pem.
s_client() { # port client|- [extra openssl args...]
    local port=$1 who=$2; shift 2
    local cert=()
    [ "$who" = - ] || cert=(-cert "$PKI/clients/$who.pem" -key "$PKI/clients/$who.key")
    { sleep 0.7; printf 'EHLO selftest.%s\r\n' "$DOMAIN"; sleep 0.5; printf 'QUIT\r\n'; sleep 0.5; } \
        | timeout 20 openssl s_client -connect "127.0.0.1:$port" -servername localhost \
            -verify_hostname localhost -CAfile "$PKI/trust.pem" -verify_return_error \
            -quiet "${cert[@]}" "$@" 2>&1 || true
}
expect_ok() { # description transcript
    if grep -q '^221 ' <<<"$2" && ! grep -q '^421 ' <<<"$2"; then
        log "OK   $1"
    else
        printf '%s\n' "$2" | tail -n 30 >&2
        die "expected success: $1"
    fi
}
expect_rejected() { # description transcript
    # Postfix completes the TLS handshake, then refuses the SMTP session with
    # "421 4.7.1 ... No client certificate presented" / "Client certificate not trusted".
    # (With -starttls, s_client echoes the plaintext EHLO's last "250" line, so don't test 250.)
    if grep -q '^221 ' <<<"$2" || ! grep -q '^421 4\.7\.1 ' <<<"$2"; then
        printf '%s\n' "$2" | tail -n 30 >&2
        die "expected rejection: $1"
    fi
    log "OK   $1 -> $(grep -m1 '^421 ' <<<"$2" | tr -d '\r')"
}
expect_ok       "465 SMTPS with alice (RSA) client cert" "$(s_client 465 alice)"
expect_rejected "465 SMTPS without client cert"          "$(s_client 465 -)"
expect_rejected "465 SMTPS with mallory (untrusted CA)"  "$(s_client 465 mallory)"
expect_rejected "465 SMTPS with rollover-b1 (CA B)"      "$(s_client 465 rollover-b1)"
expect_ok       "587 STARTTLS with bob (EC) client cert" "$(s_client 587 bob -starttls smtp)"
expect_rejected "587 STARTTLS without client cert"       "$(s_client 587 - -starttls smtp)"

# TLS session resumption as the tests count it: each connection resumes the session the previous one left
# behind (clients use a TLS 1.3 ticket once, so the server must hand out a new one on every resumption).
resume_hop() { # session-in|- session-out; prints openssl's "New, ..." or "Reused, ..." line
    local in=()
    [ "$1" = - ] || in=(-sess_in "$1")
    { sleep 0.7; printf 'QUIT\r\n'; sleep 0.5; } \
        | timeout 20 openssl s_client -connect 127.0.0.1:465 -servername localhost -CAfile "$PKI/trust.pem" \
            -verify_return_error -cert "$PKI/clients/alice.pem" -key "$PKI/clients/alice.key" \
            "${in[@]}" -sess_out "$2" 2>&1 | grep -E '^(New|Reused),' || true
}
SESS=$(mktemp -d)
[[ "$(resume_hop - "$SESS/0")" == New,* ]] || die "first TLS connection for the resumption check failed"
for hop in 1 2 3; do
    [[ "$(resume_hop "$SESS/$((hop - 1))" "$SESS/$hop")" == Reused,* ]] \
        || die "connection $hop did not resume the previous connection's TLS session" \
               "(needs tls_ssl_options = NO_TICKET and smtpd_tls_session_cache_database)"
done
rm -rf "$SESS"
log "OK   465 every connection resumes the previous connection's TLS session"

# Deliver one real message per port and check it lands in the Maildir with the
# client CN recorded in the Received: header.
send_mail() { # port mode client token
    python3 - "$@" "$PKI" "$MAIL_USER@localhost" <<'PY'
import smtplib, ssl, sys
from email.message import EmailMessage
port, mode, who, token, pki, rcpt = sys.argv[1:]
ctx = ssl.create_default_context(cafile=f"{pki}/trust.pem")
ctx.load_cert_chain(f"{pki}/clients/{who}.pem", f"{pki}/clients/{who}.key")
msg = EmailMessage()
msg["From"] = f"{who}@smtpscert.test"
msg["To"] = rcpt
msg["Subject"] = f"postfix-setup self-test {token}"
msg.set_content(f"self-test from {who} via port {port} ({mode})\n")
if mode == "smtps":
    s = smtplib.SMTP_SSL("localhost", int(port), context=ctx, timeout=20)
else:
    s = smtplib.SMTP("localhost", int(port), timeout=20)
    s.starttls(context=ctx)
s.send_message(msg)
s.quit()
PY
}
check_delivery() { # port mode client
    local token="selftest-$1-$3-$$-$(date +%s%N)" f="" i hdr
    send_mail "$1" "$2" "$3" "$token" || die "sending via $1 as $3 failed"
    for i in $(seq 1 150); do
        f=$(grep -rlF -- "$token" "$MAILDIR/new" 2>/dev/null | head -n1 || true)
        [ -n "$f" ] && break
        sleep 0.2
    done
    [ -n "$f" ] || die "message $token did not arrive in $MAILDIR/new within 30s"
    # First Received: header incl. folded continuation lines.
    hdr=$(awk '/^Received:/{p=1; print; next} p && /^[ \t]/{print; next} p{exit}' "$f")
    grep -qF "Client CN \"$3\"" <<<"$hdr" && grep -qF 'verified OK' <<<"$hdr" \
        || { printf '%s\n' "$hdr" >&2; die "Received header lacks verified client CN $3"; }
    log "OK   delivered via $1 as $3; Received header:"
    printf '%s\n' "$hdr" | sed 's/^/      /'
    rm -f "$f"   # leave the Maildir as the tests expect it (self-test mail removed)
}
check_delivery 465 smtps alice
check_delivery 587 starttls bob

# ---------------------------------------------------------------------------
# 6. Properties for the Java integration tests
# ---------------------------------------------------------------------------
PROPS="$DIR/postfix-it.properties"
{
    echo "# Generated by .ci/postfix-setup.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "host=localhost"
    echo "smtpsPort=465"
    echo "submissionPort=587"
    echo "recipient=$MAIL_USER@localhost"
    echo "maildir=$MAILDIR"
    echo "trustStore=$PKI/truststore.p12"
    echo "trustStorePassword=$PASS"
    echo "trustPem=$PKI/trust.pem"
    for name in "${CLIENTS[@]}"; do
        echo "$name.keyStore=$PKI/clients/$name.p12"
        echo "$name.keyStorePassword=$PASS"
        echo "$name.certificateFile=$PKI/clients/$name.pem"
        echo "$name.privateKeyFile=$PKI/clients/$name.key"
    done
    for name in "${ROTATION_CLIENTS[@]}"; do
        echo "$name.certificateFile=$PKI/clients/$name.pem"
        echo "$name.privateKeyFile=$PKI/clients/$name.key"
    done
    echo "smtpdClientCaFile=$SMTPD_CA"
    echo "clientCaBundle=$PKI/client-ca-bundle.pem"
    echo "clientCaB=$PKI/client-ca-b.pem"
    echo "postfixLog=$LOG"
} >"$PROPS.tmp"
chmod 0644 "$PROPS.tmp" && mv "$PROPS.tmp" "$PROPS"

# ---------------------------------------------------------------------------
# 6b. The second instance, Postfix's TLS session defaults (tickets on), on 1465/1587; adds its keys to $PROPS
# ---------------------------------------------------------------------------
SMTPSCERT_POSTFIX_DIR="$DIR" bash "$(dirname "${BASH_SOURCE[0]}")/postfix-defaults-setup.sh"

# ---------------------------------------------------------------------------
# 7. Summary
# ---------------------------------------------------------------------------
cat <<EOF

Postfix $(postconf -h mail_version) ready on 127.0.0.1 in $(( $(date +%s) - START ))s
  465 smtps (implicit TLS) and 587 submission (STARTTLS required), verified client cert required
  trusted clients: alice (RSA), bob (EC P-256); mallory (untrusted CA) is rejected
  rotation ITs:    rotation-1..6, rollover-a1 (trusted CA), rollover-b1 (CA B, trusted only while switched)
  client CA file:  $SMTPD_CA (CertificateRotationIT switches it; this script restores it)
  recipient:   $MAIL_USER@localhost (also @$DOMAIN) -> $MAILDIR/new
  second instance, TLS session settings as shipped (tickets on): 1465 smtps, 1587 submission,
               /etc/postfix-defaults, log /var/log/postfix-defaults.log, mail $HOME_DIR/Maildir-defaults/new
  properties:  $PROPS
  PKI:         $PKI
  log:         $LOG
  clear mail:  find $MAILDIR/new $MAILDIR/cur -type f -delete
EOF
