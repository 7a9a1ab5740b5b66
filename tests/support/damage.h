// Random damage to one file of a partition directory, the way disks and
// careless hands do it: a flipped bit, a run of random bytes, a cut, or
// garbage appended. Used by the fuzz tests of the log and of repair.
//
// Left out: changes to the two batch header fields that Kafka's format keeps
// outside the CRC because a broker rewrites them, the base offset (bytes
// 0-7) and the partition leader epoch (bytes 12-15). A changed base offset
// that keeps offsets in order cannot be told from one written that way; a
// changed epoch is reported by --verify, but which side is wrong (the batch
// or the checkpoint) cannot be known, so repair leaves it.
#pragma once

#include <random>
#include <string>
#include <string_view>

#include "io/mem_env.h"

namespace kq::testing {

// True when bytes [from, to) of a segment file touch a batch's base offset
// or partition leader epoch (the header fields outside the CRC).
bool TouchesFieldsOutsideCrc(std::string_view log, size_t from, size_t to);

// Damages one file of `dir`, picked at random; returns what was done.
std::string DamageRandomFile(io::MemEnv& env, const std::string& dir, std::mt19937& rng);
// One to three DamageRandomFile calls; returns what was done, "; "-separated.
std::string DamageRandomFiles(io::MemEnv& env, const std::string& dir, std::mt19937& rng);

}  // namespace kq::testing
