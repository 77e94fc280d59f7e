"""Reads every stage table and the split dataset under a dataset root with pyarrow, as a data
scientist would, and prints {table: rows} as JSON; a table that is missing or unreadable is
reported by name, never skipped."""
import json
import os
import sys

import pyarrow.dataset as ds
import pyarrow.parquet as pq

root = sys.argv[1]
out = {}
for table in sys.argv[2:]:
    path = os.path.join(root, table)
    if not os.path.isdir(path):
        out[table] = "missing"
        continue
    try:
        data = ds.dataset(path, format="parquet", partitioning="hive").to_table()
        out[table] = {"rows": data.num_rows, "columns": len(data.schema)}
    except Exception as e:  # reported, not hidden
        out[table] = "unreadable: %s" % e
for split in ("train", "val", "test"):
    for table in ("clips", "frames", "pairs", "pair_frames"):
        path = os.path.join(root, "dataset", split, table)
        rows = 0
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                if name.endswith(".parquet"):
                    rows += pq.read_table(os.path.join(path, name)).num_rows
            out["dataset/%s/%s" % (split, table)] = rows
        else:
            out["dataset/%s/%s" % (split, table)] = "missing"
print(json.dumps(out, sort_keys=True))
