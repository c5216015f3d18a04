#!/usr/bin/python3
"""Writes the seed corpora of latentwalk's fuzz targets (fuzz/corpus/<target>/). Deterministic; run
from anywhere: /usr/bin/python3 fuzz/corpus/make_seeds.py. Needs python3-torch (Debian) for the TorchScript
and checkpoint seeds. torchscript_load also starts from tests/torch/fixtures (scripts/fuzz.sh and the
ctest smoke run pass that folder as a second corpus). Files named finding-* are inputs that found a defect
(kept as regression seeds, not written by this script): torchscript_load/finding-flatbuffer-magic and
finding-zip-with-flatbuffer-magic made LibTorch's FlatBuffer loader die with SIGSEGV before the zip check
refused files with the "PTMF" magic; checkpoint_load/finding-tensor-past-storage.pt made read_text read past
LibTorch's heap buffer and finding-string-longer-than-pickle.pt made LibTorch allocate 4.2 GB, before the
pickle walk (torch/detail/pickle_tensors.hpp) refused both."""
import gzip
import io
import os
import random
import struct
import zipfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def folder(target):
    path = os.path.join(HERE, target)
    os.makedirs(path, exist_ok=True)
    return path


def write(target, name, data):
    with open(os.path.join(folder(target), name), "wb") as f:
        f.write(data)


def fixed_zip(build):
    """A zip from zipfile with every timestamp fixed, so the bytes do not depend on the clock."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        build(z)
    return out.getvalue()


def info(name, method=zipfile.ZIP_STORED):
    i = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    i.compress_type = method
    return i


# --- torchscript_load: small zips of every layout the verifier reads, and a tiny TorchScript module.
write("torchscript_load", "stored.zip", fixed_zip(lambda z: z.writestr(info("a/version"), b"3\n")))
write("torchscript_load", "deflated.zip",
      fixed_zip(lambda z: z.writestr(info("a/code/x.py", zipfile.ZIP_DEFLATED), b"def forward(self, x):\n    return x\n" * 8)))


def zip64(z):
    with z.open(info("a/data/0"), "w", force_zip64=True) as f:
        f.write(bytes(range(64)))


write("torchscript_load", "zip64.zip", fixed_zip(zip64))
write("torchscript_load", "empty.zip", struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0, 0, 0, 0, 0))

torch.manual_seed(5)


class Affine(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(4, 3)

    def forward(self, z):
        return torch.tanh(self.fc(z))


buf = io.BytesIO()
torch.jit.save(torch.jit.script(Affine()), buf)
write("torchscript_load", "affine4.pt", buf.getvalue())


# --- checkpoint_load: what training::save_atomically and the flow trainers write (a scripted module
# whose attributes and buffers are the archive's keys), read by checkpoint_load's readers.
def mt19937_64_default_state():
    """libstdc++'s text form of a default-seeded std::mt19937_64: 312 words, then the index."""
    mt = [5489]
    for i in range(1, 312):
        mt.append((6364136223846793005 * (mt[-1] ^ (mt[-1] >> 62)) + i) & (2**64 - 1))
    return " ".join(str(w) for w in mt) + " 312"


class Checkpoint(torch.nn.Module):
    step: int

    def __init__(self, engine_text):
        super().__init__()
        self.step = 1234
        self.register_buffer("weights", torch.arange(64, dtype=torch.double))
        self.register_buffer("engine", torch.tensor(list(engine_text.encode()), dtype=torch.uint8))
        self.register_buffer("meta_dim", torch.tensor(3.0, dtype=torch.double))

    def forward(self):
        return self.weights


for name, text in (("checkpoint.pt", mt19937_64_default_state()), ("bad_engine.pt", "not an engine state")):
    buf = io.BytesIO()
    torch.jit.save(torch.jit.script(Checkpoint(text)), buf)
    write("checkpoint_load", name, buf.getvalue())


# --- data_readers: byte 0 selects the reader (see fuzz/data_readers.cpp), the rest is the file.
def idx(magic, dims, values):
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + bytes(values)


images = idx(0x00000803, [3, 4, 4], [(k * 37) % 256 for k in range(48)])
labels = idx(0x00000801, [3], [1, 9, 0])
digits = "".join(",".join(str((r * 7 + c) % 17) for c in range(64)) + "," + str(r) + "\n" for r in range(3)).encode()
for name, selector, body in (
        ("idx_images", 0, images), ("idx_images_first2", 6, images), ("idx_labels", 0, labels),
        ("digits", 1, digits), ("digits_first2", 7, digits)):
    write("data_readers", name, bytes([selector]) + body)
    write("data_readers", name + ".gz", bytes([selector]) + gzip.compress(body, mtime=0))
write("data_readers", "fashion_pair", bytes([2]) + struct.pack("<H", len(labels)) + labels + images)
write("data_readers", "fashion_pair.gz",
      bytes([5]) + struct.pack("<H", len(gzip.compress(labels, mtime=0))) + gzip.compress(labels, mtime=0) +
      gzip.compress(images, mtime=0))

# --- numerics: FuzzedDataProvider takes its integers from the end of the input: random bytes reach every
# operation and value mode.
rng = random.Random(2026)
for k in range(24):
    write("numerics", "random%02d" % k, bytes(rng.randrange(256) for _ in range(64 + 32 * (k % 6))))

# --- pickle_tensors: the pickles LibTorch unpickles on load (data.pkl, constants.pkl) of the checkpoint
# seeds, the finding, the test fixtures and a module with every kind of tensor LibTorch's pickler writes
# (views with offsets and strides, shared storages, every dtype family, empty and 0-d, quantized, lists,
# dicts and tuples of tensors, a frozen module's tensor constants).
class Diverse(torch.nn.Module):
    def __init__(self):
        super().__init__()
        g = torch.Generator().manual_seed(0)
        base = torch.randn(6, 8, generator=g)
        self.w = torch.nn.Parameter(base[1:4, 2:7])
        self.t = base.t()
        self.register_buffer("h", torch.randn(3, generator=g).half())
        self.register_buffer("bf", torch.randn(4, generator=g).bfloat16())
        self.register_buffer("c", torch.randn(2, dtype=torch.complex64, generator=g))
        self.register_buffer("i", torch.arange(5, dtype=torch.int32))
        self.register_buffer("b", torch.tensor([True, False]))
        self.register_buffer("e", torch.empty(0, 3))
        self.register_buffer("s", torch.tensor(3.5))
        self.lst = [torch.ones(2), torch.zeros(3, dtype=torch.int64)]
        self.dct = {"a": torch.ones(1), "b": base[5]}
        self.tup = (torch.ones(2, 2), 3)
        self.q = torch.quantize_per_tensor(torch.randn(4, generator=g), 0.1, 10, torch.quint8)
        self.sub = torch.nn.Linear(3, 2)

    def forward(self, x):
        return x * 2.0 + self.sub(x).sum()


class Constants(torch.nn.Module):
    def forward(self, x):
        return x + torch.arange(3.0) * torch.tensor([[1.0], [2.0]])


def pickles_of(name, data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for entry in z.infolist():
            inner = entry.filename.split("/", 1)[1]
            if inner in ("data.pkl", "constants.pkl") and entry.file_size > 4:
                write("pickle_tensors", name + "-" + inner, z.read(entry))


def saved(module):
    buf = io.BytesIO()
    torch.jit.save(module, buf)
    return buf.getvalue()


torch.manual_seed(0)
pickles_of("diverse", saved(torch.jit.script(Diverse())))
pickles_of("frozen_consts", saved(torch.jit.freeze(torch.jit.script(Constants()).eval())))
for path in ("checkpoint_load/checkpoint.pt", "checkpoint_load/finding-tensor-past-storage.pt"):
    with open(os.path.join(HERE, path), "rb") as f:
        pickles_of(os.path.splitext(os.path.basename(path))[0], f.read())
for fixture in ("mapping", "decoder", "constant"):
    with open(os.path.join(HERE, "..", "..", "tests", "torch", "fixtures", fixture + ".pt"), "rb") as f:
        pickles_of(fixture, f.read())
