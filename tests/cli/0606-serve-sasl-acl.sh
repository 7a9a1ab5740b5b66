#!/usr/bin/env bash
# kq-serve --users and --acl: connections must authenticate with SASL/PLAIN;
# a wrong password or no SASL at all is refused; ACL rules decide per topic
# and group who reads, writes and administers, and what no rule allows is
# denied. Bad files are clear errors naming file and line.
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/serve.sh"

printf '# users\nalice:wonderland\nbob:builder\neve:x:y\n' > users.txt
chmod 600 users.txt
cat > acl.txt <<'ACL'
# alice owns orders; bob may only read it and use group billing; everybody reads logs-*
alice all   topic orders
alice admin topic new-*
bob   read  topic orders
bob   read  group billing
*     read  topic logs-*
*     write topic logs-*
ACL
kq-topics create orders --partitions 2 || fail "create orders"
kq-topics create logs-app || fail "create logs-app"
kq-topics create secret || fail "create secret"
start_kq_serve --users users.txt --acl acl.txt

as() {  # as USER PASSWORD kcat-args...: kcat authenticated as USER
  local user=$1 password=$2
  shift 2
  kcat -b "$KQ_SERVE" -X security.protocol=SASL_PLAINTEXT -X sasl.mechanisms=PLAIN \
    -X sasl.username="$user" -X sasl.password="$password" -X socket.timeout.ms=3000 \
    -X message.timeout.ms=3000 -m 5 "$@"
}

# alice writes orders; bob reads it; bob may not write it.
printf 'o1\no2\n' | as alice wonderland -P -t orders -p 0 || fail "alice could not produce to orders"
[ "$(as bob builder -C -t orders -p 0 -e -q)" = "$(printf 'o1\no2')" ] || fail "bob could not read orders"
run as bob builder -P -t orders -p 0 <<<'bad'
[ "$(kq-consume orders:0 | wc -l)" -eq 2 ] || fail "bob's write to orders reached the log"
expect_err_contains "authorization failed"

# Everyone reads and writes logs-*; nobody touches secret.
printf 'l1\n' | as bob builder -P -t logs-app || fail "bob could not write logs-app"
[ "$(as alice wonderland -C -t logs-app -e -q)" = "l1" ] || fail "alice could not read logs-app"
run as alice wonderland -C -t secret -e -q
[ "$RC" -ne 0 ] || fail "alice read a topic no rule grants"
# Listing shows only what the principal may read.
run as bob builder -L
expect_rc 0
expect_out_contains '"orders"'
case $OUT in *'"secret"'*) fail "bob's topic list shows secret: $OUT" ;; esac

# Wrong password, unknown user, the password of another user, no SASL.
run as alice builder -L
[ "$RC" -ne 0 ] || fail "a wrong password was accepted"
run as mallory x -L
[ "$RC" -ne 0 ] || fail "an unknown user was accepted"
run kcat -b "$KQ_SERVE" -L -m 3 -X socket.timeout.ms=3000
[ "$RC" -ne 0 ] || fail "a client without SASL was served"
grep -q 'event=authentication_failed.*user=mallory' "$KQ_TEST_TMP/.serve-log" || fail "no log line for a failed login"
# A password with a colon: everything after the first colon.
printf 'e\n' | as eve x:y -P -t logs-app || fail "eve's password with a colon did not work"

stop_kq_serve TERM

# Bad files.
run kq-serve -d "$KQ_DIR" --listen 127.0.0.1:0 --users nosuch.txt
expect_rc 1
expect_err_contains "nosuch.txt"
printf 'alice wonderland\n' > bad-users.txt
run kq-serve -d "$KQ_DIR" --listen 127.0.0.1:0 --users bad-users.txt
expect_rc 1
expect_err_contains "bad-users.txt:1: expected NAME:PASSWORD"
printf 'alice read topic\nalice fly topic x\n' > bad-acl.txt
run kq-serve -d "$KQ_DIR" --listen 127.0.0.1:0 --users users.txt --acl bad-acl.txt
expect_rc 1
expect_err_contains "bad-acl.txt:1: expected PRINCIPAL OPERATION RESOURCE NAME"
run kq-serve -d "$KQ_DIR" --listen 127.0.0.1:0 --acl acl.txt
expect_rc 2
expect_err_contains "--acl needs --users"
pass
