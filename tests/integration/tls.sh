# tests/integration/tls.sh: certificate verification is on by default.
# hasura-emu serves HTTPS with a throwaway CA's certificate for 127.0.0.1:
# hasync refuses it without --cacert (exit 3, a TLS error that names
# --cacert), accepts it with --cacert or --insecure (which warns), refuses
# an unreadable --cacert (exit 2) and a self-signed certificate for another
# host name even when trusted.  The Sentry sender verifies the same way.
. "$(dirname "$0")/../lib/testlib.sh"
. "$top_srcdir/tests/lib/emu.sh"
command -v openssl >/dev/null 2>&1 || skip_all "openssl is not installed"
plan 34

# ---- certificates (all under $T, gone on exit) ----
# mkcert NAME SAN: a self-signed certificate NAME.pem/NAME.key with SAN.
mkcert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" \
	    -addext "subjectAltName=$2" -keyout "$T/$1.key" -out "$T/$1.pem" \
	    >>"$T/openssl.log" 2>&1
}
mkcert ca "DNS:hasync-test-ca.invalid" &&
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
    -keyout "$T/srv.key" -out "$T/srv.csr" >>"$T/openssl.log" 2>&1 &&
printf '%s\n' 'subjectAltName=IP:127.0.0.1' 'basicConstraints=CA:FALSE' \
    'extendedKeyUsage=serverAuth' >"$T/srv.ext" &&
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
    -CAcreateserial -days 2 -extfile "$T/srv.ext" -out "$T/srv.pem" \
    >>"$T/openssl.log" 2>&1 &&
mkcert self "IP:127.0.0.1" &&
mkcert wrong "DNS:example.invalid" ||
    { sed 's/^/# /' "$T/openssl.log"; echo "Bail out! openssl failed"; exit 1; }
echo 'not a certificate' >"$T/garbage.pem"

pg_test_db

# ---- the emulator's own TLS options ----
"$EMU" --database-url "$DATABASE_URL" --tls-cert "$T/srv.pem" \
    >"$T/half.out" 2>"$T/half.err"
is "$?" 2 "emulator: --tls-cert without --tls-key exits 2"
is "$(wc -l <"$T/half.err")" 1 "emulator: with one line"
"$EMU" --database-url "$DATABASE_URL" --tls-cert "$T/nonexistent.pem" \
    --tls-key "$T/srv.key" >/dev/null 2>"$T/missing.err"
is "$?" 2 "emulator: an unreadable --tls-cert exits 2"
like "$(cat "$T/missing.err")" '^hasura-emu: --tls-cert: cannot read .*nonexistent.pem' \
    "emulator: and names the file"
timeout 10 "$EMU" --database-url "$DATABASE_URL" --tls-cert "$T/srv.pem" \
    --tls-key "$T/self.key" >/dev/null 2>"$T/mismatch.err"
is "$?:$(wc -l <"$T/mismatch.err")" 2:1 "emulator: a key that does not match the certificate: exit 2, one line"
like "$(cat "$T/mismatch.err")" 'with TLS' "emulator: and says TLS"

emu_start s --instances 2 --tls-cert "$T/srv.pem" --tls-key "$T/srv.key"
S=${EMU_URL_s}
like "$S" '^https://127\.0\.0\.1:[0-9]+$' "emulator: the ready line says https"
like "${EMU_URLS_s[1]}" '^https://' "emulator: every instance serves https"
v=$(curl -s --noproxy '*' --max-time 5 --cacert "$T/ca.pem" "$S/v1/version")
like "$v" '"version":"v2' "emulator: curl with the CA gets /v1/version over TLS"
curl -s --noproxy '*' --max-time 5 "$S/v1/version" >/dev/null 2>&1
is "$?" 60 "emulator: curl without the CA refuses the certificate"
v=$(curl -s --noproxy '*' --max-time 5 "http://${S#https://}/v1/version" 2>&1)
unlike "$v" '"version"' "emulator: plain HTTP is not served on the TLS port"

# stats URL: how many metadata requests URL's instance saw.
stats() {
	curl -s --noproxy '*' --max-time 5 --cacert "$T/ca.pem" "$1/emu/stats" |
	    emu_json 'sum(j["metadata_requests"].values())'
}

# ---- verification on by default ----
"$HASYNC" --batch -e "$S" --timeout 3000 >"$T/def.out" 2>"$T/def.err"
is "$?" 3 "no --cacert: refused, exit 3"
err=$(tail -n 1 "$T/def.out" | emu_json 'j["instances"][0]["error"]' 2>/dev/null)
[ -n "$err" ] || diag "stdout: $(cat "$T/def.out")" "stderr: $(cat "$T/def.err")"
like "$err" '^TLS: ' "the instance's error says TLS"
like "$err" '--cacert' "and suggests --cacert"
is "$(tail -n 1 "$T/def.out" | emu_json 'j["instances"][0]["is_consistent"]')" null \
    "nothing is claimed about consistency"

# ---- --cacert ----
before=$(stats "$S")
"$HASYNC" --batch -e "$S" -e "${EMU_URLS_s[1]}" --cacert "$T/ca.pem" \
    >"$T/ca.out" 2>"$T/ca.err"
is "$?" 0 "--cacert CA: accepted, consistent, exit 0"
is "$(tail -n 1 "$T/ca.out" | emu_json '[i["is_consistent"] for i in j["instances"]]')" \
    '[true,true]' "both instances answered over TLS"
is "$(wc -l <"$T/ca.err")" 0 "--cacert: nothing on stderr"
ok "$([ "$(stats "$S")" -gt "$before" ] && echo 0 || echo 1)" \
    "the metadata requests reached the TLS instance"

"$HASYNC" --batch -e "$S" --cacert "$T/nonexistent.pem" >"$T/nofile.out" 2>"$T/nofile.err"
is "$?" 2 "--cacert with an unreadable file: exit 2"
is "$(wc -l <"$T/nofile.err")" 1 "with one line on stderr"
like "$(cat "$T/nofile.err")" '--cacert: cannot read .*nonexistent.pem' "naming the file"
if [ "$(id -u)" -ne 0 ]; then
	cp "$T/ca.pem" "$T/noperm.pem" && chmod 000 "$T/noperm.pem"
	"$HASYNC" --batch -e "$S" --cacert "$T/noperm.pem" >/dev/null 2>"$T/noperm.err"
	is "$?:$(wc -l <"$T/noperm.err")" 2:1 "--cacert without read permission: exit 2, one line"
else
	skip "root reads a mode 000 file"
fi

"$HASYNC" --batch -e "$S" --cacert "$T/garbage.pem" --timeout 3000 >"$T/garb.out" 2>&1
is "$?" 3 "--cacert that holds no certificate: refused, exit 3"
like "$(tail -n 1 "$T/garb.out" | emu_json 'j["instances"][0]["error"]')" '^TLS: ' \
    "with a TLS error"

"$HASYNC" --batch -e "$S" --cacert "$T/self.pem" --timeout 3000 >"$T/other.out" 2>&1
is "$?" 3 "--cacert naming another CA: refused, exit 3"

# ---- --insecure ----
"$HASYNC" --batch -e "$S" --insecure >"$T/ins.out" 2>"$T/ins.err"
is "$?" 0 "--insecure: accepted, exit 0"
like "$(cat "$T/ins.err")" '^\{"level":"warn",.*"message":"--insecure: TLS' "--insecure warns on stderr (a JSON line)"

# ---- self-signed: right host accepted, wrong host refused even if trusted ----
emu_start self --tls-cert "$T/self.pem" --tls-key "$T/self.key"
"$HASYNC" --batch -e "$EMU_URL_self" --cacert "$T/self.pem" >"$T/self.out" 2>&1
is "$?" 0 "self-signed for 127.0.0.1, trusted with --cacert: exit 0"
emu_stop self
emu_start wrong --tls-cert "$T/wrong.pem" --tls-key "$T/wrong.key"
"$HASYNC" --batch -e "$EMU_URL_wrong" --cacert "$T/wrong.pem" --timeout 3000 \
    >"$T/wrong.out" 2>&1
is "$?" 3 "self-signed for example.invalid, trusted with --cacert: refused, exit 3"
like "$(tail -n 1 "$T/wrong.out" | emu_json 'j["instances"][0]["error"]')" '^TLS: ' \
    "with a TLS error"
emu_stop wrong

# ---- Sentry over https verifies too ----
# The DSN points at the TLS emulator, which answers the envelope with 404:
# "refused with HTTP 404" proves the handshake succeeded.
port=$(free_port)
dsn="https://k@${S#https://}/1"
SENTRY_DSN=$dsn "$HASYNC" --batch -e "http://127.0.0.1:$port" --timeout 2000 \
    >"$T/sn.out" 2>&1
like "$(cat "$T/sn.out")" 'sentry: event not delivered: .*(SSL|certificate)' \
    "Sentry without --cacert: the certificate is refused"
SENTRY_DSN=$dsn "$HASYNC" --batch -e "http://127.0.0.1:$port" --timeout 2000 \
    --cacert "$T/ca.pem" >"$T/sc.out" 2>&1
like "$(cat "$T/sc.out")" 'sentry: event refused with HTTP 404' \
    "Sentry with --cacert: the certificate is accepted"
SENTRY_DSN=$dsn "$HASYNC" --batch -e "http://127.0.0.1:$port" --timeout 2000 \
    --insecure >"$T/si.out" 2>&1
like "$(cat "$T/si.out")" 'sentry: event refused with HTTP 404' "Sentry with --insecure: not verified"
