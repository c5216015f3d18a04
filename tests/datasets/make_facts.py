#!/usr/bin/python3
# Facts of the real data files, read by an independent tool (Python's gzip module and numpy, Debian's
# python3-numpy), which tests/datasets/readers.cpp hardcodes. Run with Debian's interpreter:
#     /usr/bin/python3 tests/datasets/make_facts.py
# and paste what it prints into readers.cpp when the packages' files change.
import gzip
import numpy as np

FOLDER = "/usr/share/datasets/fashion-mnist"
DIGITS = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"

for split in ("train", "t10k"):
    for kind, rank in (("images", 3), ("labels", 1)):
        raw = gzip.open(f"{FOLDER}/{split}-{kind}-idx{rank}-ubyte.gz").read()
        magic = int.from_bytes(raw[:4], "big")
        dims = [int.from_bytes(raw[4 + 4 * d: 8 + 4 * d], "big") for d in range(rank)]
        data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank)
        print(f"{split}-{kind}: inflated bytes {len(raw)}, magic 0x{magic:08x}, dims {dims}")
        if kind == "images":
            imgs = data.reshape(dims)
            print(f"  byte sums of images 0..4: {[int(imgs[i].sum()) for i in range(5)]}")
            print(f"  byte sum of the last image: {int(imgs[-1].sum())}; total byte sum: {int(imgs.sum(dtype=np.int64))}")
            print(f"  image 0 row 14: {imgs[0, 14].tolist()}")
        else:
            print(f"  first 10 labels: {data[:10].tolist()}; last label: {int(data[-1])}")
            print(f"  label counts: {np.bincount(data, minlength=10).tolist()}")

d = np.loadtxt(DIGITS, delimiter=",")
X, y = d[:, :64].astype(int), d[:, 64].astype(int)
print(f"digits: rows {d.shape[0]}, columns {d.shape[1]}")
print(f"  pixel-count sums of rows 0..4: {[int(X[i].sum()) for i in range(5)]}; total: {int(X.sum())}")
print(f"  first 10 labels: {y[:10].tolist()}; last label: {int(y[-1])}; label counts: {np.bincount(y).tolist()}")
print(f"  row 0: {X[0].tolist()}")
