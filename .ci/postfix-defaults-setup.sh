#!/usr/bin/env bash
# A SECOND loopback-only Postfix instance, "as shipped" as far as TLS sessions go: Postfix's own defaults for
# tls_ssl_options (session tickets on) and for the server-side session cache (none), so resumption works the way a
# relay left at its defaults gives it. Same PKI and client-certificate requirement as the first instance from
# .ci/postfix-setup.sh (which calls this script at its end), on its own ports 1465 (SMTPS) and 1587 (STARTTLS), with
# its own config, queue and data directories, its own log and its own Maildir, and smtpd_tls_loglevel = 2 so that its
# log says "Reusing old session" for every resumed connection. The first instance is not touched.
#
# Usage (as root, after .ci/postfix-setup.sh has made the PKI):  .ci/postfix-defaults-setup.sh
# Env:  SMTPSCERT_POSTFIX_DIR   as for postfix-setup.sh (default /tmp/smtpscert-postfix)
# Idempotent: re-running rewrites this instance's settings and restarts only this instance.
set -Eeuo pipefail

DIR="${SMTPSCERT_POSTFIX_DIR:-/tmp/smtpscert-postfix}"
PKI="$DIR/pki"
CONF=/etc/postfix-defaults
QUEUE=/var/spool/postfix-defaults
DATA=/var/lib/postfix-defaults
LOG=/var/log/postfix-defaults.log
SMTPS_PORT=1465
SUBMISSION_PORT=1587
MAIL_USER=smtpsit
DOMAIN=smtpscert.test
MAILDIR_NAME=Maildir-defaults
# The PKI's client CA bundle itself, not the first instance's smtpd-client-ca.pem, which CertificateRotationIT switches
# to another CA while it runs: a benchmark against this instance must not see client certificates refused meanwhile.
SMTPD_CA="$PKI/client-ca-bundle.pem"
export PATH="$PATH:/usr/sbin:/sbin"

log() { printf '==> [defaults instance] %s\n' "$*"; }
die() {
    printf 'ERROR: [defaults instance] %s\n' "$*" >&2
    [ -f "$LOG" ] && { printf -- '--- last 50 lines of %s ---\n' "$LOG" >&2; tail -n 50 "$LOG" >&2; }
    exit 1
}
trap 'die "command failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR
[ "$(id -u)" -eq 0 ] || die "must run as root"
[ -s "$PKI/server/server.crt" ] && [ -s "$SMTPD_CA" ] || die "no PKI in $PKI: run .ci/postfix-setup.sh first"
pf() { postfix -c "$CONF" "$@"; }

HOME_DIR=$(getent passwd "$MAIL_USER" | cut -d: -f6)
[ -n "$HOME_DIR" ] || die "user $MAIL_USER missing: run .ci/postfix-setup.sh first"
MAILDIR="$HOME_DIR/$MAILDIR_NAME"
install -d -o "$MAIL_USER" -g "$MAIL_USER" -m 0755 "$MAILDIR" "$MAILDIR"/{cur,new,tmp}

log "configuring $CONF"
mkdir -p "$CONF"
# Start afresh each time, so nothing of an earlier run survives: an empty main.cf (every parameter at Postfix's
# built-in default unless set below) and the distribution's master.cf.
: >"$CONF/main.cf"
cp /usr/share/postfix/master.cf.dist "$CONF/master.cf"
# Only what this instance needs to run next to the first one. Nothing about TLS sessions is set: no tls_ssl_options,
# no smtpd_tls_session_cache_database, default smtpd_tls_session_cache_timeout (3600 s, also the ticket key lifetime).
postconf -c "$CONF" -e \
    "compatibility_level = 3.6" \
    "queue_directory = $QUEUE" \
    "data_directory = $DATA" \
    "command_directory = /usr/sbin" \
    "daemon_directory = /usr/lib/postfix/sbin" \
    "shlib_directory = /usr/lib/postfix" \
    "meta_directory = /etc/postfix" \
    "mail_owner = postfix" \
    "setgid_group = postdrop" \
    "syslog_name = postfix-defaults" \
    "maillog_file = $LOG" \
    "inet_interfaces = loopback-only" \
    "inet_protocols = ipv4" \
    "myhostname = localhost" \
    "mydestination = \$myhostname, localhost, localhost.localdomain, $DOMAIN" \
    "mynetworks = 127.0.0.0/8" \
    "relayhost =" \
    "alias_maps =" \
    "alias_database =" \
    "default_transport = error:outbound mail disabled (smtpscert CI)" \
    "relay_transport = error:outbound mail disabled (smtpscert CI)" \
    "home_mailbox = $MAILDIR_NAME/" \
    "mailbox_command =" \
    "smtpd_tls_cert_file = $PKI/server/server.crt" \
    "smtpd_tls_key_file = $PKI/server/server.key" \
    "smtpd_tls_CAfile = $SMTPD_CA" \
    "tls_append_default_CA = no" \
    "smtpd_client_connection_rate_limit = 0" \
    "smtpd_client_connection_count_limit = 0" \
    "smtpd_client_message_rate_limit = 0" \
    "smtpd_client_recipient_rate_limit = 0" \
    "smtpd_client_new_tls_session_rate_limit = 0" \
    "default_process_limit = 100" \
    "smtpd_error_sleep_time = 0" \
    "smtpd_junk_command_limit = 100000" \
    "in_flow_delay = 0" \
    "local_destination_concurrency_limit = 20"
# The first instance listens on 25: this one has no port-25 listener, only its two TLS ports.
postconf -c "$CONF" -MX smtp/inet
postconf -c "$CONF" -F '*/*/chroot = n'
postconf -c "$CONF" -M postlog/unix-dgram 2>/dev/null | grep . >/dev/null \
    || postconf -c "$CONF" -M "postlog/unix-dgram = postlog unix-dgram n - n - 1 postlogd"
common_opts=(
    smtpd_tls_security_level=encrypt
    smtpd_tls_req_ccert=yes
    smtpd_tls_ask_ccert=yes
    smtpd_tls_received_header=yes
    smtpd_tls_loglevel=2
    "smtpd_tls_protocols=>=TLSv1.2"
    "smtpd_tls_mandatory_protocols=>=TLSv1.2"
    smtpd_sasl_auth_enable=no
    smtpd_client_restrictions=permit_tls_all_clientcerts,reject
    smtpd_helo_restrictions=
    smtpd_sender_restrictions=
    smtpd_relay_restrictions=permit_tls_all_clientcerts,reject
    smtpd_recipient_restrictions=
)
for entry in "smtps:$SMTPS_PORT" "submission:$SUBMISSION_PORT"; do
    svc=${entry%%:*} port=${entry##*:}
    postconf -c "$CONF" -MX "$svc/inet" 2>/dev/null || true
    postconf -c "$CONF" -MX "127.0.0.1:$port/inet" 2>/dev/null || true
    postconf -c "$CONF" -M "127.0.0.1:$port/inet = 127.0.0.1:$port inet n - n - - smtpd"
    postconf -c "$CONF" -P "127.0.0.1:$port/inet/syslog_name=postfix-defaults/$svc"
    for o in "${common_opts[@]}"; do postconf -c "$CONF" -P "127.0.0.1:$port/inet/$o"; done
done
postconf -c "$CONF" -P "127.0.0.1:$SMTPS_PORT/inet/smtpd_tls_wrappermode=yes"

install -d -m 0755 "$QUEUE"
install -d -o postfix -m 0700 "$DATA"
# Postfix logs its own start-up errors to syslog, which a container may not have: a failing check shows nothing.
pf check || die "postfix -c $CONF check failed (its reason went to syslog)"
pf status >/dev/null 2>&1 && { log "stopping this instance"; pf stop >/dev/null 2>&1 || true; }
for _ in $(seq 1 100); do pf status >/dev/null 2>&1 || break; sleep 0.2; done
log "starting this instance (ports $SMTPS_PORT, $SUBMISSION_PORT)"
pf start >/dev/null 2>&1 || die "postfix -c $CONF start failed"
for port in "$SMTPS_PORT" "$SUBMISSION_PORT"; do
    ok=0
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && { ok=1; break; }
        sleep 0.2
    done
    [ "$ok" = 1 ] || die "port $port not accepting connections after 20s"
done

# Self-test: a full handshake, then one resumption from the first connection's session (as shipped, a TLS 1.3
# resumption gets no new ticket, so a chain of resumptions like the first instance's check would fail here).
hop() { # session-in|- session-out
    local in=()
    [ "$1" = - ] || in=(-sess_in "$1")
    { sleep 0.7; printf 'QUIT\r\n'; sleep 0.5; } \
        | timeout 20 openssl s_client -connect "127.0.0.1:$SMTPS_PORT" -servername localhost -CAfile "$PKI/trust.pem" \
            -verify_return_error -cert "$PKI/clients/alice.pem" -key "$PKI/clients/alice.key" \
            "${in[@]}" -sess_out "$2" 2>&1 | grep -E "^(New|Reused)," || true
}
SESS=$(mktemp -d)
out=$(hop - "$SESS/0"); [[ "$out" == New,* ]] || die "handshake with alice on $SMTPS_PORT failed: $out"
out=$(hop "$SESS/0" "$SESS/1"); [[ "$out" == Reused,* ]] || die "no resumption on $SMTPS_PORT: $out"
rm -rf "$SESS"
log "OK   $SMTPS_PORT alice: full handshake, then resumed"

# Its keys in postfix-it.properties (rewritten in place; the first instance's keys are kept).
PROPS="$DIR/postfix-it.properties"
if [ -f "$PROPS" ]; then
    grep -v '^defaults\.' "$PROPS" >"$PROPS.tmp" || true
    {
        echo "defaults.smtpsPort=$SMTPS_PORT"
        echo "defaults.submissionPort=$SUBMISSION_PORT"
        echo "defaults.maildir=$MAILDIR"
        echo "defaults.postfixLog=$LOG"
        echo "defaults.configDirectory=$CONF"
    } >>"$PROPS.tmp"
    chmod 0644 "$PROPS.tmp" && mv "$PROPS.tmp" "$PROPS"
fi
log "ready: 127.0.0.1:$SMTPS_PORT smtps, :$SUBMISSION_PORT submission; config $CONF; log $LOG; mail $MAILDIR/new"
