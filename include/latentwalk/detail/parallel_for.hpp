#pragma once
// latentwalk/detail/parallel_for.hpp — run body(i) for i = 0 … count − 1 on up to `threads` threads.
//
// Used where the work items are independent (the warpage experiments' latent pairs): the caller draws
// every random input first, in order, and combines the per-item results in index order afterwards, so
// the result is bit for bit the one-thread result whatever the thread count. threads ≤ 1 runs inline.
// An exception in any item stops the other threads from taking new items, and the exception of the
// lowest failing index is rethrown (the one a one-thread run would have thrown).
// Standard library only (std::thread).
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace latentwalk::detail {

template <class Body>
void parallel_for(long long count, int threads, Body&& body) {
    if (count <= 0) return;
    const long long workers = std::min<long long>(std::max(1, threads), count);
    if (workers <= 1) {
        for (long long i = 0; i < count; ++i) body(i);
        return;
    }
    std::atomic<long long> next{0};
    std::atomic<bool> failed{false};
    std::mutex m;
    long long failed_index = count;
    std::exception_ptr error;
    auto work = [&] {
        for (;;) {
            if (failed.load(std::memory_order_relaxed)) return;
            const long long i = next.fetch_add(1);
            if (i >= count) return;
            try {
                body(i);
            } catch (...) {
                std::lock_guard<std::mutex> lock(m);
                if (i < failed_index) {
                    failed_index = i;
                    error = std::current_exception();
                }
                failed.store(true, std::memory_order_relaxed);
            }
        }
    };
    std::vector<std::thread> pool;
    pool.reserve(static_cast<std::size_t>(workers - 1));
    for (long long t = 1; t < workers; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
}

}  // namespace latentwalk::detail
