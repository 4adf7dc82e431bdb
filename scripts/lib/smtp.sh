# shellcheck shell=bash
# A throw-away SMTP server for the e-mail tests: aiosmtpd (PyPI, in a virtual environment under
# target/) on a free port of 127.0.0.1, writing what it receives into a folder. Sourced by
# scripts/test after pg.sh (free_port). Exports THROUGHLINE_TEST_SMTP=127.0.0.1:PORT and
# THROUGHLINE_TEST_MAILDIR for the tests.

SMTP_VENV=target/mail-venv
SMTP_PID=""
SMTP_DIR=""

smtp_ensure() {
    if [ -x "$SMTP_VENV/bin/python" ] && "$SMTP_VENV/bin/python" -c 'import aiosmtpd' 2>/dev/null; then
        return 0
    fi
    python3 -m venv "$SMTP_VENV" || return
    if ! "$SMTP_VENV/bin/pip" install --quiet --disable-pip-version-check 'aiosmtpd>=1.4,<2'; then
        {
            echo "scripts/test: could not install aiosmtpd from PyPI. Without network access, install it by hand:"
            echo "  python3 -m venv $SMTP_VENV && $SMTP_VENV/bin/pip install aiosmtpd"
        } >&2
        rm -rf "$SMTP_VENV"
        return 1
    fi
}

smtp_start() {
    local port i
    smtp_ensure || return 1
    port=$(free_port) || return 1
    SMTP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/throughline-mail.XXXXXX")
    "$SMTP_VENV/bin/python" tests/mail/smtp_sink.py "$port" "$SMTP_DIR/inbox" >"$SMTP_DIR/log" 2>&1 &
    SMTP_PID=$!
    for i in $(seq 1 100); do
        if grep -q ready "$SMTP_DIR/log" 2>/dev/null; then
            export THROUGHLINE_TEST_SMTP="127.0.0.1:$port"
            export THROUGHLINE_TEST_MAILDIR="$SMTP_DIR/inbox"
            echo "aiosmtpd at $THROUGHLINE_TEST_SMTP, messages in $THROUGHLINE_TEST_MAILDIR"
            return 0
        fi
        if ! kill -0 "$SMTP_PID" 2>/dev/null; then break; fi
        sleep 0.1
    done
    echo "scripts/test: the SMTP server did not start; its log:" >&2
    cat "$SMTP_DIR/log" >&2 || true
    return 1
}

smtp_stop() {
    if [ -n "$SMTP_PID" ]; then
        kill "$SMTP_PID" 2>/dev/null || true
        wait "$SMTP_PID" 2>/dev/null || true
        SMTP_PID=""
    fi
    if [ -n "$SMTP_DIR" ]; then
        rm -rf "$SMTP_DIR"
        SMTP_DIR=""
    fi
    unset THROUGHLINE_TEST_SMTP THROUGHLINE_TEST_MAILDIR
}
