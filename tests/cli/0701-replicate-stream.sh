#!/usr/bin/env bash
# kq-replicate send | kq-replicate receive: byte-identical through a pipe,
# resumed from the receiver's state, and a cut or corrupted stream is
# refused naming the frame and byte position.
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/replicate.sh"

src=$KQ_TEST_TMP/src
kq-topics -d "$src" create t -p 2 -c segment.bytes=8192 -q
seq 1 5000 | kq-produce -d "$src" t -q --batch-bytes 2048

kq-replicate send "$src" | kq-replicate receive -q rcv
same_logs "$src" rcv
run kq-compact -d rcv --verify
expect_rc 0 "verify the receiver"

# Resume: only what the receiver lacks travels.
seq 1 100 | kq-produce -d "$src" t -q
kq-replicate receive rcv --print-state >state.json
grep -q '"kq_replicate_state":1' state.json || fail "state: $(cat state.json)"
kq-replicate send -q --since-state state.json "$src" >delta.bin
kq-replicate send -q "$src" >full.bin
[ "$(stat -c %s delta.bin)" -lt 2000 ] || fail "the delta stream has $(stat -c %s delta.bin) bytes"
run kq-replicate receive -j rcv <delta.bin
expect_rc 0 "receive the delta"
expect_out_contains '"batches":'
same_logs "$src" rcv

# A stream cut short: refused, and the receiver stays a prefix it can resume.
size=$(stat -c %s full.bin)
head -c $((size / 2)) full.bin >cut.bin
run kq-replicate receive cut <cut.bin
expect_rc 1 "cut stream"
expect_err_contains "replication stream: frame "
expect_err_contains "at byte "
head -c $((size - 3)) full.bin >cut2.bin
run kq-replicate receive cut <cut2.bin
expect_rc 1 "stream without its END"
run kq-replicate receive cut <full.bin
expect_rc 0 "the whole stream after a cut one"
same_logs "$src" cut

# A flipped byte in the middle of a frame.
cp full.bin bad.bin
printf '\x55' | dd of=bad.bin bs=1 seek=$((size / 3)) conv=notrunc 2>/dev/null
run kq-replicate receive bad <bad.bin
expect_rc 1 "corrupt stream"
expect_err_contains "CRC mismatch"
run kq-replicate receive junk </etc/hostname
expect_rc 1 "not a stream"
expect_err_contains "not a kq-replicate stream"
# A receiver killed before it wrote its .kq/ metadata, or one not made yet,
# stands nowhere: an empty state, and the sender sends everything.
mkdir half
run kq-replicate receive half --print-state
expect_rc 0 "state of a half-made receiver"
expect_out_contains '"partitions":[]'
run kq-replicate receive never-made --print-state
expect_rc 0 "state of a missing receiver"
expect_out_contains '"partitions":[]'
echo '{"nope": 1}' >bad-state.json
run kq-replicate send --since-state bad-state.json "$src"
expect_rc 2 "bad state file"
expect_err_contains "bad-state.json"
pass
