"""Write the pre-July-2025 administrative map as a data file.

Runs against vietnam-provinces 0.6.x, which holds the map just before the
merger (63 provinces → districts → communes) and cannot be installed beside the
current 2025.x release. Use scripts/build_legacy_map.sh, which makes a
throw-away virtual environment with the old release and runs this file.
"""

import gzip
import json
import sys

import vietnam_provinces
from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

out = sys.argv[1]
provinces = json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
compact = {
    "source": f"vietnam-provinces {vietnam_provinces.__version__} (data {vietnam_provinces.__data_version__})",
    "provinces": [
        {
            "code": p["code"],
            "name": p["name"],
            "type": p["division_type"],
            "districts": [
                {
                    "code": d["code"],
                    "name": d["name"],
                    "type": d["division_type"],
                    "communes": [[w["code"], w["name"], w["division_type"]] for w in d["wards"]],
                }
                for d in p["districts"]
            ],
        }
        for p in provinces
    ],
}
with gzip.GzipFile(out, "wb", mtime=0) as fh:
    fh.write(json.dumps(compact, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
print(f"wrote {out}: {len(compact['provinces'])} provinces")
