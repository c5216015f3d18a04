// torch: the pickle walk that checks, before LibTorch unpickles an archive, that every tensor fits the
// bytes behind it (torch/detail/pickle_tensors.hpp). Pickles are written here opcode by opcode, as
// LibTorch's pickler writes them (torch/csrc/jit/serialization/pickler.cpp), then damaged one rule at a time.
#include <latentwalk/torch/detail/pickle_tensors.hpp>

#include <c10/core/QScheme.h>
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/test_support.hpp"

namespace pk = latentwalk::torch::detail::pickle;

namespace {

/// A protocol-2 pickle, written opcode by opcode.
struct pickle {
    std::string s = std::string("\x80\x02", 2);

    pickle& op(unsigned char c) {
        s += static_cast<char>(c);
        return *this;
    }
    pickle& raw(std::uint64_t v, int bytes) {
        for (int i = 0; i < bytes; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
        return *this;
    }
    pickle& integer(std::int64_t v) {  // as LibTorch's Pickler::pushInt
        if (v >= 0 && v <= 0xff) return op('K').raw(static_cast<std::uint64_t>(v), 1);
        if (v >= 0 && v <= 0xffff) return op('M').raw(static_cast<std::uint64_t>(v), 2);
        if (v >= INT32_MIN && v <= INT32_MAX) return op('J').raw(static_cast<std::uint32_t>(static_cast<std::int32_t>(v)), 4);
        return op(0x8a).raw(8, 1).raw(static_cast<std::uint64_t>(v), 8);
    }
    pickle& text(const std::string& t) {
        op('X').raw(t.size(), 4);
        s += t;
        return *this;
    }
    pickle& global(const std::string& module, const std::string& name) {
        op('c');
        s += module + "\n" + name + "\n";
        return *this;
    }
    pickle& ints(const std::vector<std::int64_t>& v) {
        op('(');
        for (auto x : v) integer(x);
        return op('t');
    }
    /// ('storage', torch.<type>Storage, key, 'cpu', numel) BINPERSID
    pickle& storage(const std::string& type, const std::string& key, std::int64_t numel) {
        op('(').text("storage").global("torch", type + "Storage").text(key).text("cpu").integer(numel).op('t');
        return op('Q');
    }
    /// _rebuild_tensor_v2(storage, offset, sizes, strides, False, OrderedDict())
    pickle& tensor(const std::string& type, const std::string& key, std::int64_t numel, std::int64_t offset,
                   const std::vector<std::int64_t>& sizes, const std::vector<std::int64_t>& strides) {
        global("torch._utils", "_rebuild_tensor_v2").op('(');
        storage(type, key, numel).integer(offset).ints(sizes).ints(strides).op(0x89);
        global("collections", "OrderedDict").op(')').op('R');
        return op('t').op('R');
    }
    std::string stop() const { return s + "."; }
};

std::optional<std::string> check(const std::string& bytes, std::map<std::string, std::uint64_t> records = {{"data/0", 24}}) {
    return pk::check_tensors(bytes, "data/", [&](const std::string& name) -> std::optional<std::uint64_t> {
        const auto it = records.find(name);
        if (it == records.end()) return std::nullopt;
        return it->second;
    });
}

std::string refusal(const std::string& bytes, std::map<std::string, std::uint64_t> records = {{"data/0", 24}}) {
    const auto r = check(bytes, std::move(records));
    return r ? *r : "(accepted)";
}

}  // namespace

CATCH_TEST_CASE("torch: the pickle walk's scalar-type and quantization-scheme tables are LibTorch's") {
    // The 18 of AT_FORALL_SCALAR_TYPES_WITH_COMPLEX_AND_QINTS come before Undefined (NumOptions counts it too).
    CATCH_REQUIRE(pk::scalar_type_count == static_cast<std::int64_t>(c10::ScalarType::Undefined));
    for (std::int64_t t = 0; t < pk::scalar_type_count; ++t) {
        const auto type = static_cast<c10::ScalarType>(t);
        CATCH_INFO("scalar type " << t);
        CATCH_CHECK(std::string(pk::scalar_types[t].name) == c10::toString(type));
        CATCH_CHECK(pk::scalar_types[t].itemsize == c10::elementSize(type));
    }
    CATCH_REQUIRE(std::size(pk::qscheme_names) == static_cast<std::size_t>(c10::COMPILE_TIME_NUM_QSCHEMES));
    for (std::size_t q = 0; q < std::size(pk::qscheme_names); ++q)
        CATCH_CHECK(std::string(pk::qscheme_names[q]) == c10::toString(static_cast<c10::QScheme>(q)));
}

CATCH_TEST_CASE("torch: the pickle walk accepts tensors within their storage and refuses a storage larger than its record, naming both sizes") {
    // 6 floats = 24 bytes; a 2x2 view at offset 2 with strides (1, 2) ends at element 5: exactly fits.
    const auto fits = pickle{}.tensor("Float", "0", 6, 2, {2, 2}, {1, 2}).stop();
    CATCH_CHECK_FALSE(check(fits).has_value());
    // The bare storage tensor as the value, and an empty storage without any record (LibTorch reads none).
    CATCH_CHECK_FALSE(check(pickle{}.storage("Float", "0", 6).stop()).has_value());
    CATCH_CHECK_FALSE(check(pickle{}.storage("Double", "9", 0).stop()).has_value());

    const auto r = refusal(pickle{}.tensor("Float", "0", 7, 0, {7}, {1}).stop());
    CATCH_CHECK_THAT(r, Catch::Contains("'data/0'") && Catch::Contains("7 elements of torch.FloatStorage (28 bytes)") &&
                            Catch::Contains("that record holds 24 bytes"));
    // The same storage, larger dtype: 6 doubles need 48 bytes.
    CATCH_CHECK_THAT(refusal(pickle{}.storage("Double", "0", 6).stop()), Catch::Contains("(48 bytes)"));
    CATCH_CHECK_THAT(refusal(pickle{}.storage("Float", "1", 1).stop()), Catch::Contains("'data/1', which the archive does not hold"));
}

CATCH_TEST_CASE("torch: the pickle walk refuses a tensor view that reaches past its storage, one element past the end included") {
    // Strides (1, 3) end at element 2 + 1 + 3 = 6, the seventh of six.
    CATCH_CHECK_THAT(refusal(pickle{}.tensor("Float", "0", 6, 2, {2, 2}, {1, 3}).stop()),
                     Catch::Contains("sizes (2, 2) at storage offset 2 needs 28 bytes but its storage holds 24"));
    CATCH_CHECK_THAT(refusal(pickle{}.tensor("Float", "0", 6, 6, {1}, {1}).stop()), Catch::Contains("needs 28 bytes"));
    // An empty view may sit anywhere; negative strides, offsets and unequal ranks are refused.
    CATCH_CHECK_FALSE(check(pickle{}.tensor("Float", "0", 6, 1000, {0, 5}, {5, 1}).stop()).has_value());
    CATCH_CHECK_THAT(refusal(pickle{}.tensor("Float", "0", 6, 5, {2}, {-1}).stop()), Catch::Contains("negative size or stride"));
    CATCH_CHECK_THAT(refusal(pickle{}.tensor("Float", "0", 6, -1, {1}, {1}).stop()), Catch::Contains("negative storage offset"));
    CATCH_CHECK_THAT(refusal(pickle{}.tensor("Float", "0", 6, 0, {2, 3}, {3}).stop()), Catch::Contains("2 sizes but 1 strides"));
    // An extent beyond 2^64 bytes must not wrap around to a small number.
    CATCH_CHECK_THAT(refusal(pickle{}.tensor("Float", "0", 6, 0, {2, 2}, {INT64_MAX, INT64_MAX}).stop()),
                     Catch::Contains("more than 2^64"));
}

CATCH_TEST_CASE("torch: the pickle walk follows the memo and literal dtypes as LibTorch does, and refuses storage declarations it cannot follow") {
    // The storage tuple from memoized pieces (what LibTorch's pickler writes for a second tensor).
    pickle p;
    p.op('(').text("storage").op('q').raw(0, 1).global("torch", "ByteStorage").op('q').raw(1, 1).text("0").text("cpu");
    p.op('q').raw(2, 1).integer(24).op('t').op('Q');
    p.op('(').op('h').raw(0, 1).op('h').raw(1, 1).text("0").op('h').raw(2, 1).integer(25).op('t').op('Q').op(0x86);
    CATCH_CHECK_THAT(refusal(p.stop()), Catch::Contains("25 elements of torch.ByteStorage (25 bytes)"));
    // A dtype given as an integer (LibTorch converts any integer): 6 = Float; 18 is no type.
    pickle literal;
    literal.op('(').text("storage").integer(6).text("0").text("cpu").integer(7).op('t').op('Q');
    CATCH_CHECK_THAT(refusal(literal.stop()), Catch::Contains("torch.FloatStorage (28 bytes)"));
    pickle no_type;
    no_type.op('(').text("storage").integer(18).text("0").text("cpu").integer(1).op('t').op('Q');
    CATCH_CHECK_THAT(refusal(no_type.stop()), Catch::Contains("dtype 18"));
    // An element count from a global's result is not followed: refused as unverifiable.
    pickle opaque;
    opaque.op('(').text("storage").global("torch", "FloatStorage").text("0").text("cpu");
    opaque.global("builtins", "complex").ints({1, 2}).op('R').op('t').op('Q');
    CATCH_CHECK_THAT(refusal(opaque.stop()), Catch::Contains("not a tuple of literal values"));
    CATCH_CHECK_THAT(refusal(pickle{}.storage("Float", "0", -1).stop()), Catch::Contains("-1 elements"));
    CATCH_CHECK_THAT(refusal(pickle{}.storage("Double", "0", INT64_C(1) << 62).stop()), Catch::Contains("more than 2^64 bytes"));
}

CATCH_TEST_CASE("torch: the pickle walk refuses what would be undefined behaviour or a huge allocation in LibTorch's unpickler") {
    CATCH_CHECK_THAT(refusal(pickle{}.op(0x86).stop()), Catch::Contains("TUPLE2 finds fewer than 2"));
    CATCH_CHECK_THAT(refusal(pickle{}.op(0x81).stop()), Catch::Contains("NEWOBJ finds the stack empty"));
    CATCH_CHECK_THAT(refusal(pickle{}.integer(1).op('(').op(0x81).op(0x81).op('t').stop()), Catch::Contains("NEWOBJ"));
    CATCH_CHECK_THAT(refusal(pickle{}.integer(1).op('(').integer(2).op(0x81).op(0x81).op('t').stop()),
                     Catch::Contains("MARK lies above the stack"));
    CATCH_CHECK_THAT(refusal(pickle{}.op('(').integer(1).op('d').stop()), Catch::Contains("odd number"));
    CATCH_CHECK_THAT(refusal(pickle{}.integer(1).op('r').raw(0xffffffffU, 4).stop()), Catch::Contains("memo entry 4294967295"));
    CATCH_CHECK_THAT(refusal(pickle{}.op('h').raw(3, 1).stop()), Catch::Contains("memo entry 3, which it never stored"));
    CATCH_CHECK_THAT(refusal(pickle{}.op('X').raw(0xfffffff0U, 4).stop()), Catch::Contains("claims 4294967280 bytes"));
    CATCH_CHECK_THAT(refusal(pickle{}.op(0x8c).raw(1, 1).stop()), Catch::Contains("opcode 0x8c"));
    CATCH_CHECK_THAT(refusal(pickle{}.op('R').stop()), Catch::Contains("fewer than two"));
    CATCH_CHECK_THAT(refusal(pickle{}.integer(7).op(')').op('R').stop()), Catch::Contains("names global 7 of 0"));
    CATCH_CHECK_THAT(refusal(pickle{}.global("torch._utils", "_rebuild_sparse_tensor").stop()), Catch::Contains("sparse tensor"));
    CATCH_CHECK_THAT(refusal(pickle{}.global("torch", "NoSuchStorage").stop()), Catch::Contains("'torch.NoSuchStorage'"));
    CATCH_CHECK_THAT(refusal(std::string("\x80\x04.", 3)), Catch::Contains("protocol 2"));
    const auto whole = pickle{}.tensor("Float", "0", 6, 0, {6}, {1}).stop();
    for (std::size_t cut = 2; cut < whole.size(); ++cut) {  // every truncation: refused, never read past
        CATCH_INFO("the pickle cut to " << cut << " of " << whole.size() << " bytes");
        CATCH_CHECK_THAT(refusal(whole.substr(0, cut)),
                         Catch::Contains("ends in the middle") || Catch::Contains("runs to the end of the pickle") ||
                             Catch::Contains("left in the pickle"));
    }
    CATCH_CHECK_THAT(refusal(whole.substr(0, whole.size() - 1)), Catch::Contains("ends in the middle"));
}
