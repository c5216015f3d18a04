// Coverage feedback for libFuzzer targets built with GCC (fuzz/CMakeLists.txt, the preset `fuzz-torch`).
//
// Why: clang 14 cannot compile Debian's LibTorch headers in C++20, so the LibTorch targets
// (torchscript_load, checkpoint_load) are built with g++. GCC instruments for coverage with
// -fsanitize-coverage=trace-pc (a call to __sanitizer_cov_trace_pc() at the head of every basic block)
// and -fsanitize-coverage=trace-cmp (calls to __sanitizer_cov_trace_cmp{1,2,4,8},
// __sanitizer_cov_trace_const_cmp*, __sanitizer_cov_trace_switch, and __sanitizer_cov_trace_cmp{f,d}
// for floating point). libFuzzer (clang's libclang_rt.fuzzer) implements the integer compare hooks
// (they feed its value profile, -use_value_profile=1, and its table of recent compares), but its
// __sanitizer_cov_trace_pc only prints "no longer supported" and exits: it expects clang's
// inline 8-bit counters. This file supplies what is missing:
//   - a table of 2^18 8-bit counters registered with libFuzzer (__sanitizer_cov_8bit_counters_init,
//     before main), and a __sanitizer_cov_trace_pc that counts *edges* in it, AFL-style: the index is
//     hash(this block) XOR hash(previous block)/2. The CMake rule links a copy of libFuzzer's archive
//     in which its own __sanitizer_cov_trace_pc is made weak (objcopy --weaken-symbol), so this one wins.
//   - no-op __sanitizer_cov_trace_cmpf/cmpd (libFuzzer has no floating-point compare hook; GCC emits them).
// What libFuzzer then sees: the edges of the code compiled with -fsanitize-coverage (the target's
// translation unit: latentwalk's headers, the zip verification, and the LibTorch header code inlined
// there), as "ft:" features and in its corpus decisions. It has no PC table, so it prints no "cov:"
// count. LibTorch's shared libraries are not instrumented (neither for coverage nor by ASan beyond the
// allocator and libc interceptors): inside torch::jit::load the fuzzer is blind and mutates by the
// coverage of our code around it. Collisions in the hashed table merge a few edges; that loses some
// features, never reports a false one.
//
// This file itself must not be compiled with -fsanitize-coverage (it would call itself).
#include <cstddef>
#include <cstdint>

extern "C" void __sanitizer_cov_8bit_counters_init(std::uint8_t* begin, std::uint8_t* end);

namespace {

constexpr unsigned edge_bits = 18;
constexpr std::size_t edge_count = std::size_t{1} << edge_bits;
alignas(64) std::uint8_t edge_counters[edge_count];
thread_local std::uintptr_t previous_block = 0;

__attribute__((constructor)) void register_edge_counters() {
    __sanitizer_cov_8bit_counters_init(edge_counters, edge_counters + edge_count);
}

}  // namespace

extern "C" __attribute__((no_sanitize("address", "undefined"))) void __sanitizer_cov_trace_pc() {
    const auto pc = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
    // Fibonacci hashing of the block's address to edge_bits bits.
    const std::uintptr_t block = (static_cast<std::uint64_t>(pc) * 0x9E3779B97F4A7C15ULL) >> (64 - edge_bits);
    ++edge_counters[(block ^ previous_block) & (edge_count - 1)];
    previous_block = block >> 1;  // the shift makes A→B and B→A different edges
}

extern "C" void __sanitizer_cov_trace_cmpf(float, float) {}
extern "C" void __sanitizer_cov_trace_cmpd(double, double) {}
