"""The NewsCLIPpings README's way of getting at pairs: load data.json and one split file with
json.load, build a dict by id, and join the first 100 annotation rows to their captions and
image paths. Prints seconds and peak RSS as JSON."""
import json
import resource
import sys
import time

data_json, split_file = sys.argv[1], sys.argv[2]
start = time.perf_counter()
with open(data_json) as f:
    data = json.load(f)
by_id = {item["id"]: item for item in data}
with open(split_file) as f:
    annotations = json.load(f)["annotations"]
pairs = []
for row in annotations[:100]:
    caption = by_id[row["id"]]
    image = by_id[row["image_id"]]
    pairs.append((caption["caption"], image["image_path"], row["falsified"]))
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "pairs": len(pairs), "maxRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
