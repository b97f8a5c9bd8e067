"""The pandas reference for `mind prepare`: read the interactions, sort each user's rows by time with a
stable sort, and group by user (sequence lengths and item lists as arrays)."""
import argparse

import numpy as np
import pandas as pd

parser = argparse.ArgumentParser()
parser.add_argument("--file", required=True)
parser.add_argument("--sep", default=",")
parser.add_argument("--user", required=True)
parser.add_argument("--item", required=True)
parser.add_argument("--time", required=True)
args = parser.parse_args()

frame = pd.read_csv(args.file, sep=args.sep, usecols=[args.user, args.item, args.time], engine="c")
# Dense ids in order of first appearance, as mind does.
frame["user"], users = pd.factorize(frame[args.user])
frame["item"], items = pd.factorize(frame[args.item])
frame = frame.sort_values(["user", args.time], kind="stable")
lengths = frame.groupby("user", sort=True).size().to_numpy()
offsets = np.concatenate([[0], np.cumsum(lengths)])
sequence_items = frame["item"].to_numpy(dtype=np.int32)
print(len(users), len(items), len(sequence_items), int(offsets[-1]))
