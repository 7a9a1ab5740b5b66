// A seeded mutation fuzzer for the Kafka request decoders, for g++ (no
// libFuzzer needed): it mutates librdkafka's golden request frames (and every
// message's generated sample) and feeds each result to the request header
// decoder and then to EVERY message decoder (requests and responses) at every
// supported version.
//
// Properties checked on every input:
//   - decoding never crashes, hangs or reads out of bounds (run it under ASan:
//     `make test-sanitize` does);
//   - a failed decode is Corruption with a message;
//   - a decode allocates at most AllocationBound(input size) bytes, so a forged
//     length or count cannot make it allocate for what is not there;
//   - whatever decodes re-encodes to bytes that decode again and re-encode to
//     the same bytes (encode is a fixed point after one decode).
//
// Usage: protocol_fuzz [--seconds N] [--seed S] [--iterations N]
// Prints the seed; a failure prints the input as hex and exits 1.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/protocol/alloc_counter.h"
#include "core/protocol/generated_samples.h"
#include "core/protocol/protocol_test_util.h"

namespace kq::protocol {
namespace {

using Clock = std::chrono::steady_clock;

std::string Encoded(const auto& m, int16_t version) {
  WireWriter w;
  m.Encode(w, version);
  return testing::Flatten(w);
}

[[noreturn]] void Die(std::string_view what, std::string_view input, std::string_view detail) {
  std::fprintf(stderr, "protocol_fuzz: %.*s\n  detail: %.*s\n  input: %s\n",
               static_cast<int>(what.size()), what.data(), static_cast<int>(detail.size()),
               detail.data(), kq::testing::HexEncode(input).c_str());
  std::exit(1);
}

// One seed: a whole request payload (header + body), or a bare body.
struct Seed {
  std::string bytes;
  bool has_header = false;
};

// The golden request frames, and every message's sample at every version
// (with and without nulls), so response decoders and the flexible encodings
// start from valid inputs too.
std::vector<Seed> MakeSeeds(const std::vector<testing::GoldenFrame>& frames) {
  std::vector<Seed> seeds;
  for (const auto& g : frames) seeds.push_back({g.frame.substr(4), true});
  ForEachMessageType([&]<typename T>() {
    for (int v = T::kMinVersion; v <= T::kMaxVersion; ++v) {
      for (bool nulls : {false, true}) {
        const T m = testing::MakeSample<T>(static_cast<int16_t>(v), nulls);
        WireWriter w;
        m.Encode(w, static_cast<int16_t>(v));
        seeds.push_back({testing::Flatten(w), false});
      }
    }
  });
  return seeds;
}

// The most a decode may allocate for an input of n bytes. Counts and lengths
// are checked against the bytes left before anything is allocated, so memory
// grows with the input: an element in memory is at most a few hundred bytes
// for each byte it takes on the wire, plus the first reservation of
// kMaxReserve elements and the error message.
uint64_t AllocationBound(size_t n) { return 256 * 1024 + 512 * static_cast<uint64_t>(n); }

uint64_t g_max_allocation = 0;

// Runs every decoder over `body`; returns how many decoded.
int DecodeWithEverything(std::string_view body) {
  int decoded = 0;
  ForEachMessageType([&]<typename T>() {
    for (int v = T::kMinVersion; v <= T::kMaxVersion; ++v) {
      const int16_t version = static_cast<int16_t>(v);
      // A copy of exactly the body, so ASan catches a read past its end.
      const std::string exact(body);
      T m;
      const uint64_t before = testing::AllocatedBytes();
      Status s = DecodeBody(exact, 0, version, &m);
      const uint64_t allocated = testing::AllocatedBytes() - before;
      g_max_allocation = std::max(g_max_allocation, allocated);
      if (allocated > AllocationBound(body.size())) {
        Die("decode allocated more than its bound", body,
            std::string(ApiName(T::kApiKey)) + " allocated " + std::to_string(allocated));
      }
      if (!s.ok()) {
        if (!s.IsCorruption() || s.message().empty()) Die("unexpected status", body, s.ToString());
        continue;
      }
      ++decoded;
      const std::string once = Encoded(m, version);
      T again;
      Status s2 = DecodeBody(once, 0, version, &again);
      if (!s2.ok()) Die("re-encoded message does not decode", body, s2.ToString());
      if (Encoded(again, version) != once) {
        Die("encode is not a fixed point", body, std::string(ApiName(T::kApiKey)));
      }
    }
  });
  return decoded;
}

class Mutator {
 public:
  explicit Mutator(uint64_t seed) : rng_(seed) {}

  std::string Mutate(std::string s) {
    const int n = 1 + Below(4);
    for (int i = 0; i < n; ++i) MutateOnce(s);
    return s;
  }

 private:
  int Below(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }

  void MutateOnce(std::string& s) {
    if (s.empty()) {
      s.push_back(static_cast<char>(rng_()));
      return;
    }
    const size_t at = rng_() % s.size();
    static constexpr unsigned char kInteresting[] = {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff};
    switch (Below(8)) {
      case 0:  // flip a bit
        s[at] = static_cast<char>(s[at] ^ (1 << Below(8)));
        break;
      case 1:  // an interesting byte
        s[at] = static_cast<char>(kInteresting[Below(sizeof kInteresting)]);
        break;
      case 2: {  // an interesting 32-bit value (lengths and counts)
        static constexpr uint32_t kWords[] = {0xffffffffu, 0x7fffffffu, 0x80000000u,
                                              0x00010000u, 0xfffffffeu, 0};
        const uint32_t w = kWords[Below(6)];
        for (int i = 0; i < 4 && at + i < s.size(); ++i) {
          s[at + i] = static_cast<char>(w >> (24 - 8 * i));
        }
        break;
      }
      case 3:  // truncate
        s.resize(at);
        break;
      case 4:  // delete a run
        s.erase(at, 1 + Below(8));
        break;
      case 5:  // insert random bytes
        s.insert(at, std::string(1 + Below(8), static_cast<char>(rng_())));
        break;
      case 6: {  // duplicate a run
        const std::string run = s.substr(at, 1 + Below(16));
        s.insert(rng_() % (s.size() + 1), run);
        break;
      }
      default:  // a random byte
        s[at] = static_cast<char>(rng_());
        break;
    }
  }

  std::mt19937_64 rng_;
};

int Run(int argc, char** argv) {
  double seconds = 20;
  uint64_t seed = static_cast<uint64_t>(Clock::now().time_since_epoch().count());
  uint64_t max_iterations = UINT64_MAX;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--seconds") {
      seconds = std::atof(argv[i + 1]);
    } else if (flag == "--seed") {
      seed = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (flag == "--iterations") {
      max_iterations = std::strtoull(argv[i + 1], nullptr, 10);
    } else {
      std::fprintf(stderr, "usage: protocol_fuzz [--seconds N] [--seed S] [--iterations N]\n");
      return 2;
    }
  }
  auto frames = testing::LoadGoldenFrames();
  if (!frames.ok()) {
    std::fprintf(stderr, "protocol_fuzz: %s\n", frames.status().ToString().c_str());
    return 1;
  }
  std::printf("protocol_fuzz: seed %llu, %.0f s\n", static_cast<unsigned long long>(seed), seconds);
  Mutator mutator(seed);
  std::mt19937_64 pick(seed ^ 0x9e3779b97f4a7c15ull);
  const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  uint64_t iterations = 0, headers_ok = 0, bodies_ok = 0;
  const std::vector<Seed> seeds = MakeSeeds(*frames);
  while (iterations < max_iterations && Clock::now() < deadline) {
    // Half the time a golden frame: they exercise the header decoder too.
    const Seed& seed_input =
        (pick() % 2 == 0) ? seeds[pick() % frames->size()] : seeds[pick() % seeds.size()];
    const std::string input = mutator.Mutate(seed_input.bytes);
    if (!seed_input.has_header) {
      bodies_ok += DecodeWithEverything(input);
    } else {
      RequestHeader h;
      auto body = DecodeRequestHeader(input, &h);
      if (body.ok()) {
        ++headers_ok;
        bodies_ok += DecodeWithEverything(std::string_view(input).substr(*body));
      } else if (!body.status().IsCorruption()) {
        Die("unexpected header status", input, body.status().ToString());
      }
    }
    ++iterations;
  }
  std::printf(
      "protocol_fuzz: %llu inputs, %llu headers decoded, %llu bodies decoded, "
      "largest decode allocation %llu bytes\n",
      static_cast<unsigned long long>(iterations), static_cast<unsigned long long>(headers_ok),
      static_cast<unsigned long long>(bodies_ok),
      static_cast<unsigned long long>(g_max_allocation));
  return 0;
}

}  // namespace
}  // namespace kq::protocol

int main(int argc, char** argv) { return kq::protocol::Run(argc, argv); }
