#pragma once
// latentwalk/torch/detail/pickle_tensors.hpp — checks, before LibTorch unpickles an archive, that
// every tensor its pickle builds fits in the bytes that back it.
//
//     auto problem = latentwalk::torch::detail::pickle::check_tensors(
//         pickle_bytes, "data/", [&](const std::string& record) { return size_of(record); });
//     if (problem) refuse(*problem);   // a clause: "it declares storage 'data/0' ... but ..."
//
// Why: LibTorch 1.13's Unpickler (torch/csrc/jit/serialization/unpickler.cpp) sizes a storage from
// the pickle's persistent id ('storage', torch.<T>Storage, key, location, numel) — numel × itemsize
// bytes — and backs it with the zip record `<dir><key>`, whatever that record's size; and
// torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...) sets a view's sizes and
// strides without comparing them with the storage. A damaged or fuzzed archive whose CRC-32s are
// consistent (fuzz/checkpoint_load found one) then yields tensors that read past LibTorch's heap
// buffer: on a CUDA device already while loading (the copy), on the CPU at the first read (a
// checkpoint's read_text). This walks the pickle as LibTorch's Unpickler does and refuses such a
// file before LibTorch reads it.
//
// Method: an abstract interpreter of exactly the opcodes LibTorch 1.13's Unpickler accepts, with its
// stack, marks, memo and globals table; it tracks integers, strings, tuples and tensors (the bytes
// of the storage behind each) and treats every other value as unknown. At each place where LibTorch
// creates tensor memory it checks:
//   - BINPERSID: the argument is a tuple of literal values ("storage", a dtype in 0..17, a key, a
//     location, numel ≥ 0); numel × itemsize (overflow refused) ≤ the record's size;
//   - REDUCE/BUILD of _rebuild_tensor_v2 / _rebuild_qtensor: the storage tensor, offset, sizes and
//     strides are known, non-negative, as many strides as sizes, and
//     (offset + Σ (size_i − 1)·stride_i + 1) × itemsize ≤ the storage's bytes (or some size is 0).
// It refuses, as a file it cannot verify, what LibTorch's own writer never produces: a tensor
// built from values it cannot follow (results of other globals), sparse tensors
// (_rebuild_sparse_tensor builds them without checking their indices), RRefs, unknown opcodes and
// globals, a stack or mark underflow (undefined behaviour in LibTorch), a memo index beyond the
// pickle's length (LibTorch would allocate up to 2^32 memo slots), a string longer than the rest of
// the pickle (LibTorch allocates the claimed length first), a truncated pickle.
//
// Cost: one pass over the pickle, memory proportional to it (values are shared, not copied).
//
// Limits (honest): the interpreter follows LibTorch's stack exactly except in one case it cannot
// see: REDUCE of a TorchScript *enum* class whose value matches none of the enum's values, where
// LibTorch drops a stack slot. Such a file needs an enum class in its own code/ section, so it is
// crafted, not damaged — and a TorchScript archive is code anyway: load only files you trust.
// The caller (verify_zip_archive) walks the pickles LibTorch unpickles: data.pkl and constants.pkl on
// load, the code's *.debug_pkl when it reports an error in the code (those without records).
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace latentwalk::torch::detail::pickle {

/// LibTorch 1.13's scalar types in c10::ScalarType order (AT_FORALL_SCALAR_TYPES_WITH_COMPLEX_AND_QINTS):
/// the storage class name is `<name>Storage`, the element size `itemsize` bytes. A test compares this
/// table with c10::toString and c10::elementSize.
struct scalar_type_info {
    std::string_view name;
    std::uint32_t itemsize;
};
inline constexpr scalar_type_info scalar_types[] = {
    {"Byte", 1},        {"Char", 1},         {"Short", 2},          {"Int", 4},    {"Long", 8},   {"Half", 2},
    {"Float", 4},       {"Double", 8},       {"ComplexHalf", 4},    {"ComplexFloat", 8},          {"ComplexDouble", 16},
    {"Bool", 1},        {"QInt8", 1},        {"QUInt8", 1},         {"QInt32", 4}, {"BFloat16", 2},
    {"QUInt4x2", 1},    {"QUInt2x4", 1},
};
inline constexpr std::int64_t scalar_type_count = static_cast<std::int64_t>(std::size(scalar_types));

/// LibTorch 1.13's quantization schemes (at::QScheme order), which `torch.<name>` globals push as integers.
inline constexpr std::string_view qscheme_names[] = {"per_tensor_affine", "per_channel_affine", "per_tensor_symmetric",
                                                     "per_channel_symmetric", "per_channel_affine_float_qparams"};

namespace impl {

struct value;
using tuple_ptr = std::shared_ptr<const std::vector<value>>;

struct value {
    enum class kind : std::uint8_t { unknown, integer, string, tuple, tensor };
    kind k = kind::unknown;
    std::int64_t integer = 0;
    std::shared_ptr<const std::string> text;
    tuple_ptr items;
    std::uint64_t storage_bytes = 0;  // tensor: the bytes of the storage behind it
    std::uint32_t itemsize = 0;       // tensor: the storage's element size

    static value make_int(std::int64_t v) {
        value x;
        x.k = kind::integer;
        x.integer = v;
        return x;
    }
    static value make_tensor(std::uint64_t bytes, std::uint32_t size) {
        value x;
        x.k = kind::tensor;
        x.storage_bytes = bytes;
        x.itemsize = size;
        return x;
    }
};

enum class global_kind : std::uint8_t { rebuild_tensor, restore_type_tag, ordered_dict, other };

inline std::string quote_name(std::string_view s) {
    std::string out = "'";
    for (std::size_t i = 0; i < s.size() && i < 80; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            static const char* digits = "0123456789abcdef";
            out += "\\x";
            out += digits[c >> 4];
            out += digits[c & 15];
        }
    }
    if (s.size() > 80) out += "...";
    return out + "'";
}

struct refusal {
    std::string why;
};

class machine {
public:
    machine(std::string_view pickle, std::string_view tensor_dir,
            const std::function<std::optional<std::uint64_t>(const std::string&)>& record_size)
        : in_(pickle), dir_(tensor_dir), record_size_(record_size) {}

    void run() {
        if (byte() != 0x80) fail("it does not start with the PROTO opcode");
        if (byte() != 2) fail("it is not pickle protocol 2, the only one LibTorch 1.13 reads");
        while (step()) {
        }
    }

private:
    std::string_view in_;
    std::size_t pos_ = 0;
    std::string dir_;
    const std::function<std::optional<std::uint64_t>(const std::string&)>& record_size_;
    std::vector<value> stack_;
    std::vector<std::size_t> marks_;
    std::vector<value> memo_;
    std::vector<global_kind> globals_;

    [[noreturn]] void fail(const std::string& why) const {
        throw refusal{why + " (at byte " + std::to_string(pos_) + " of the pickle)"};
    }

    std::uint8_t byte() {
        if (pos_ >= in_.size()) fail("it ends in the middle of an instruction");
        return static_cast<std::uint8_t>(in_[pos_++]);
    }
    std::uint64_t little(int n) {
        if (in_.size() - pos_ < static_cast<std::size_t>(n)) fail("it ends in the middle of an instruction");
        std::uint64_t v = 0;
        for (int i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(in_[pos_ + i])) << (8 * i);
        pos_ += static_cast<std::size_t>(n);
        return v;
    }
    std::string line() {
        const auto nl = in_.find('\n', pos_);
        if (nl == std::string_view::npos) fail("a GLOBAL name runs to the end of the pickle");
        std::string s(in_.substr(pos_, nl - pos_));
        pos_ = nl + 1;
        return s;
    }

    value pop(const char* op) {
        if (stack_.empty()) fail(std::string(op) + " finds the stack empty (LibTorch would read out of bounds)");
        value v = std::move(stack_.back());
        stack_.pop_back();
        return v;
    }
    std::size_t pop_mark(const char* op) {
        if (marks_.empty()) fail(std::string(op) + " has no MARK to end");
        const std::size_t start = marks_.back();
        marks_.pop_back();
        if (start > stack_.size())
            fail(std::string(op) + "'s MARK lies above the stack (LibTorch would read out of bounds)");
        return start;
    }
    void push_unknown() { stack_.emplace_back(); }

    void memo_put(std::uint64_t id) {
        if (stack_.empty()) fail("BINPUT finds the stack empty");
        if (id > in_.size())
            fail("it stores memo entry " + std::to_string(id) + ", more than a pickle of " + std::to_string(in_.size()) +
                 " bytes can number (LibTorch would allocate that many slots)");
        if (id >= memo_.size()) memo_.resize(static_cast<std::size_t>(id) + 1);
        memo_[static_cast<std::size_t>(id)] = stack_.back();
    }
    void memo_get(std::uint64_t id) {
        if (id >= memo_.size()) fail("it reads memo entry " + std::to_string(id) + ", which it never stored");
        stack_.push_back(memo_[static_cast<std::size_t>(id)]);
    }

    void tuple_of(std::size_t start) {
        auto items = std::make_shared<std::vector<value>>(std::make_move_iterator(stack_.begin() + static_cast<std::ptrdiff_t>(start)),
                                                          std::make_move_iterator(stack_.end()));
        stack_.resize(start);
        value t;
        t.k = value::kind::tuple;
        t.items = std::move(items);
        stack_.push_back(std::move(t));
    }
    void tuple_n(std::size_t n) {
        if (stack_.size() < n) fail("TUPLE" + std::to_string(n) + " finds fewer than " + std::to_string(n) + " values on the stack");
        tuple_of(stack_.size() - n);
    }

    void global(const std::string& module, const std::string& name) {
        auto add = [&](global_kind k) {
            globals_.push_back(k);
            stack_.push_back(value::make_int(static_cast<std::int64_t>(globals_.size() - 1)));
        };
        const std::string full = module + "." + name;
        if (module == "__main__") {
            if (name == "TensorID" || name == "IntList") return add(global_kind::other);
        } else if (module == "torch.jit._pickle") {
            if (name == "restore_type_tag") return add(global_kind::restore_type_tag);
            if (name == "build_tensor_from_id" || name == "build_intlist" || name == "build_tensorlist" ||
                name == "build_doublelist" || name == "build_boollist")
                return add(global_kind::other);
        } else if (module == "torch._utils" && (name == "_rebuild_tensor_v2" || name == "_rebuild_qtensor")) {
            return add(global_kind::rebuild_tensor);
        } else if (module == "torch._utils" && name == "_rebuild_sparse_tensor") {
            fail("it holds a sparse tensor (torch._utils._rebuild_sparse_tensor), which LibTorch 1.13 builds without "
                 "checking its indices, so latentwalk does not load it");
        } else if (module == "builtins" && name == "complex") {
            return add(global_kind::other);
        } else if (module == "collections" && name == "OrderedDict") {
            return add(global_kind::ordered_dict);
        } else if (module == "torch" && name == "device") {
            return add(global_kind::other);
        } else if (module == "torch.distributed.rpc") {
            fail("it holds a distributed RRef (" + quote_name(full) + "), which latentwalk does not load");
        } else if (module == "torch") {
            for (std::int64_t t = 0; t < scalar_type_count; ++t)
                if (name == std::string(scalar_types[t].name) + "Storage") {
                    stack_.push_back(value::make_int(t));
                    return;
                }
            for (std::size_t q = 0; q < std::size(qscheme_names); ++q)
                if (name == qscheme_names[q]) {
                    stack_.push_back(value::make_int(static_cast<std::int64_t>(q)));
                    return;
                }
        } else {
            return add(global_kind::other);  // a TorchScript class or enum (LibTorch's type resolver)
        }
        fail("it names the global " + quote_name(full) + ", which LibTorch 1.13's unpickler does not know");
    }

    static bool known_ints(const value& v, std::vector<std::int64_t>& out) {
        if (v.k != value::kind::tuple) return false;
        out.clear();
        for (const auto& x : *v.items) {
            if (x.k != value::kind::integer) return false;
            out.push_back(x.integer);
        }
        return true;
    }

    value rebuild_tensor(const value& arg) {
        const char* cannot = "a tensor view (torch._utils._rebuild_tensor_v2) is built from values that are not literal "
                             "(a storage, an offset, a tuple of sizes, a tuple of strides), so its extent cannot be verified";
        if (arg.k != value::kind::tuple || arg.items->size() < 4) fail(cannot);
        const auto& e = *arg.items;
        if (e[0].k != value::kind::tensor || e[1].k != value::kind::integer) fail(cannot);
        std::vector<std::int64_t> sizes, strides;
        if (!known_ints(e[2], sizes) || !known_ints(e[3], strides)) fail(cannot);
        if (sizes.size() != strides.size())
            fail("a tensor view has " + std::to_string(sizes.size()) + " sizes but " + std::to_string(strides.size()) + " strides");
        const std::int64_t offset = e[1].integer;
        if (offset < 0) fail("a tensor view has the negative storage offset " + std::to_string(offset));
        bool empty = false;
        std::string shape;
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            if (sizes[i] < 0 || strides[i] < 0)
                fail("a tensor view has a negative size or stride (" + std::to_string(sizes[i]) + ", " +
                     std::to_string(strides[i]) + ")");
            empty = empty || sizes[i] == 0;
            shape += (i ? ", " : "") + std::to_string(sizes[i]);
        }
        const value& storage = e[0];
        if (!empty) {
            // The last element's index: offset + Σ (size_i − 1)·stride_i, in unsigned 64-bit with overflow checks.
            std::uint64_t last = static_cast<std::uint64_t>(offset);
            bool overflow = false;
            for (std::size_t i = 0; i < sizes.size(); ++i) {
                std::uint64_t term = 0;
                overflow = overflow || __builtin_mul_overflow(static_cast<std::uint64_t>(sizes[i] - 1),
                                                              static_cast<std::uint64_t>(strides[i]), &term);
                overflow = overflow || __builtin_add_overflow(last, term, &last);
            }
            std::uint64_t need = 0;
            overflow = overflow || __builtin_add_overflow(last, std::uint64_t{1}, &last) ||
                       __builtin_mul_overflow(last, static_cast<std::uint64_t>(storage.itemsize), &need);
            if (overflow || need > storage.storage_bytes)
                fail("a tensor view of sizes (" + shape + ") at storage offset " + std::to_string(offset) + " needs " +
                     (overflow ? std::string("more than 2^64") : std::to_string(need)) + " bytes but its storage holds " +
                     std::to_string(storage.storage_bytes));
        }
        return value::make_tensor(storage.storage_bytes, storage.itemsize);
    }

    void persistent_id() {
        const value arg = pop("BINPERSID");
        const char* cannot = "a storage declaration (BINPERSID) is not a tuple of literal values ('storage', a dtype, "
                             "a key, a location, an element count), so its size cannot be verified";
        if (arg.k != value::kind::tuple || arg.items->size() < 5) fail(cannot);
        const auto& e = *arg.items;
        if (e[0].k != value::kind::string || *e[0].text != "storage" || e[1].k != value::kind::integer ||
            e[2].k != value::kind::string || e[3].k != value::kind::string || e[4].k != value::kind::integer)
            fail(cannot);
        if (e[1].integer < 0 || e[1].integer >= scalar_type_count)
            fail("a storage declaration gives the dtype " + std::to_string(e[1].integer) + ", which is no LibTorch 1.13 scalar type");
        const auto& type = scalar_types[e[1].integer];
        const std::string record = dir_ + *e[2].text;
        const std::int64_t numel = e[4].integer;
        if (numel < 0) fail("the storage " + quote_name(record) + " is declared with " + std::to_string(numel) + " elements");
        std::uint64_t bytes = 0;
        if (__builtin_mul_overflow(static_cast<std::uint64_t>(numel), static_cast<std::uint64_t>(type.itemsize), &bytes))
            fail("the storage " + quote_name(record) + " is declared with " + std::to_string(numel) + " elements of " +
                 std::string(type.name) + ", more than 2^64 bytes");
        if (numel > 0) {  // LibTorch reads the record only then
            const auto have = record_size_(record);
            if (!have) fail("it declares the storage " + quote_name(record) + ", which the archive does not hold");
            if (bytes > *have)
                fail("it declares the storage " + quote_name(record) + " as " + std::to_string(numel) + " elements of torch." +
                     std::string(type.name) + "Storage (" + std::to_string(bytes) + " bytes) but that record holds " +
                     std::to_string(*have) + " bytes");
        }
        stack_.push_back(value::make_tensor(bytes, type.itemsize));
    }

    /// One instruction; false after STOP.
    bool step() {
        const std::uint8_t op = byte();
        switch (op) {
            case ']': case '}': case 'N': case 0x88: case 0x89: push_unknown(); break;  // EMPTY_LIST/DICT, NONE, NEWTRUE/FALSE
            case ')': {  // EMPTY_TUPLE
                value t;
                t.k = value::kind::tuple;
                t.items = std::make_shared<std::vector<value>>();
                stack_.push_back(std::move(t));
            } break;
            case 'q': memo_put(little(1)); break;  // BINPUT
            case 'r': memo_put(little(4)); break;  // LONG_BINPUT
            case 'h': memo_get(little(1)); break;  // BINGET
            case 'j': memo_get(little(4)); break;  // LONG_BINGET
            case '(': marks_.push_back(stack_.size()); break;  // MARK
            case 'K': stack_.push_back(value::make_int(static_cast<std::int64_t>(little(1)))); break;  // BININT1
            case 'M': stack_.push_back(value::make_int(static_cast<std::int64_t>(little(2)))); break;  // BININT2
            case 'J':  // BININT: signed 32-bit
                stack_.push_back(value::make_int(static_cast<std::int32_t>(static_cast<std::uint32_t>(little(4)))));
                break;
            case 0x8a: {  // LONG1: LibTorch reads only 8-byte ones
                if (little(1) != 8) fail("a LONG1 integer is not 8 bytes long, the only length LibTorch 1.13 reads");
                stack_.push_back(value::make_int(static_cast<std::int64_t>(little(8))));
            } break;
            case 'X': {  // BINUNICODE
                const std::uint64_t n = little(4);
                if (n > in_.size() - pos_)
                    fail("a string claims " + std::to_string(n) + " bytes, more than the " + std::to_string(in_.size() - pos_) +
                         " left in the pickle (LibTorch would allocate them first)");
                value s;
                s.k = value::kind::string;
                s.text = std::make_shared<const std::string>(in_.substr(pos_, static_cast<std::size_t>(n)));
                pos_ += static_cast<std::size_t>(n);
                stack_.push_back(std::move(s));
            } break;
            case 'G': (void)little(8); push_unknown(); break;  // BINFLOAT
            case 't': tuple_of(pop_mark("TUPLE")); break;
            case 0x85: tuple_n(1); break;
            case 0x86: tuple_n(2); break;
            case 0x87: tuple_n(3); break;
            case 'e': {  // APPENDS: the list below the mark takes the values above it
                if (marks_.empty() || marks_.back() == 0) fail("APPENDS has no list below its MARK");
                stack_.resize(pop_mark("APPENDS"));
            } break;
            case 'l': stack_.resize(pop_mark("LIST")); push_unknown(); break;
            case 'd': case 'u': {  // DICT, SETITEMS: key/value pairs above the mark
                const char* name = op == 'd' ? "DICT" : "SETITEMS";
                if (op == 'u' && (marks_.empty() || marks_.back() == 0)) fail("SETITEMS has no dictionary below its MARK");
                const std::size_t start = pop_mark(name);
                if ((stack_.size() - start) % 2 != 0)
                    fail(std::string(name) + " has an odd number of keys and values (LibTorch would read past the stack)");
                stack_.resize(start);
                if (op == 'd') push_unknown();
            } break;
            case 'c': {  // GLOBAL module\nname\n
                const std::string module = line();
                const std::string name = line();
                global(module, name);
            } break;
            case 0x81: (void)pop("NEWOBJ"); break;  // LibTorch drops the argument; BUILD does the work
            case 'b': case 'R': {  // BUILD, REDUCE: <global index> <argument> → the global's result
                if (stack_.size() < 2) fail("REDUCE or BUILD finds fewer than two values on the stack");
                const value arg = pop("REDUCE");
                const value fn = pop("REDUCE");
                if (fn.k != value::kind::integer)
                    fail("REDUCE or BUILD applies a global through a value that cannot be followed");
                if (fn.integer < 0 || static_cast<std::uint64_t>(fn.integer) >= globals_.size())
                    fail("REDUCE or BUILD names global " + std::to_string(fn.integer) + " of " + std::to_string(globals_.size()));
                switch (globals_[static_cast<std::size_t>(fn.integer)]) {
                    case global_kind::rebuild_tensor: stack_.push_back(rebuild_tensor(arg)); break;
                    case global_kind::restore_type_tag:
                        if (arg.k == value::kind::tuple && arg.items->size() >= 2) stack_.push_back((*arg.items)[0]);
                        else push_unknown();
                        break;
                    case global_kind::ordered_dict:
                    case global_kind::other: push_unknown(); break;
                }
            } break;
            case 'Q': persistent_id(); break;  // BINPERSID
            case '.': return false;            // STOP
            default: {
                static const char* digits = "0123456789abcdef";
                --pos_;
                fail(std::string("it has the opcode 0x") + digits[op >> 4] + digits[op & 15] +
                     ", which LibTorch 1.13's unpickler does not read");
            }
        }
        return true;
    }
};

}  // namespace impl

/// Walks `pickle` as LibTorch 1.13's Unpickler does, with storage records at `tensor_dir` + key
/// whose sizes `record_size` gives (std::nullopt: no such record). Returns std::nullopt when every
/// tensor fits its bytes, else a clause saying what does not ("it declares the storage 'data/0' as
/// 6341 elements of torch.ByteStorage (6341 bytes) but that record holds 512 bytes (at byte 240 of
/// the pickle)"). Throws nothing else but std::bad_alloc.
inline std::optional<std::string> check_tensors(
    std::string_view pickle, std::string_view tensor_dir,
    const std::function<std::optional<std::uint64_t>(const std::string&)>& record_size) {
    try {
        impl::machine(pickle, tensor_dir, record_size).run();
    } catch (const impl::refusal& r) {
        return r.why;
    }
    return std::nullopt;
}

}  // namespace latentwalk::torch::detail::pickle
