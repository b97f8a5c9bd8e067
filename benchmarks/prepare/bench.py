"""Runs `mind prepare` and the pandas reference on the same files, alternating, and records the
median wall time and peak RSS of each (from /usr/bin/time -v). Called by run.sh."""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(command):
    result = subprocess.run(["/usr/bin/time", "-v"] + command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stdout}\n{result.stderr}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", result.stderr).group(1)
    parts = [float(p) for p in wall.split(":")]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    user = float(re.search(r"User time \(seconds\): (\S+)", result.stderr).group(1))
    system = float(re.search(r"System time \(seconds\): (\S+)", result.stderr).group(1))
    return {"wall": seconds, "rss_mb": rss_kb / 1024, "cpu": user + system, "stdout": result.stdout}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mind", required=True)
    parser.add_argument("--cache", required=True)
    parser.add_argument("--synth", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    ml = os.path.join(args.cache, "ml-1m")
    cases = [
        {
            "name": "MovieLens-1M (RecBole .inter/.item/.user, 1,000,209 rows)",
            "mind": ["prepare", "--interactions", f"{ml}/ml-1m.inter", "--items", f"{ml}/ml-1m.item",
                     "--users", f"{ml}/ml-1m.user"],
            "pandas": ["--file", f"{ml}/ml-1m.inter", "--sep", "\t", "--user", "user_id:token",
                       "--item", "item_id:token", "--time", "timestamp:float"],
            "file": f"{ml}/ml-1m.inter",
        },
        {
            "name": "synthetic (mind synth, CSV)",
            "mind": ["prepare", "--interactions", f"{args.synth}/interactions.csv", "--items", f"{args.synth}/items.csv"],
            "pandas": ["--file", f"{args.synth}/interactions.csv", "--sep", ",", "--user", "user_id",
                       "--item", "item_id", "--time", "timestamp"],
            "file": f"{args.synth}/interactions.csv",
        },
    ]
    output_dir = os.path.join(args.work, "dataset")
    results = []
    for case in cases:
        rows = sum(1 for _ in open(case["file"], "rb")) - 1
        runs = {"mind": [], "pandas": []}
        report = ""
        for _ in range(args.repeat):
            shutil.rmtree(output_dir, ignore_errors=True)
            run = timed([args.mind] + case["mind"] + ["--output", output_dir])
            report = run.pop("stdout")
            runs["mind"].append(run)
            run = timed([sys.executable, os.path.join(HERE, "pandas_reference.py")] + case["pandas"])
            run.pop("stdout")
            runs["pandas"].append(run)
        summary = {"case": case["name"], "rows": rows, "bytes": os.path.getsize(case["file"]), "mind_report": report}
        for tool, values in runs.items():
            summary[tool] = {
                "wall_s": statistics.median(v["wall"] for v in values),
                "cpu_s": statistics.median(v["cpu"] for v in values),
                "peak_rss_mb": max(v["rss_mb"] for v in values),
                "walls": [v["wall"] for v in values],
            }
        summary["speedup"] = summary["pandas"]["wall_s"] / summary["mind"]["wall_s"]
        results.append(summary)
        print(f"{case['name']}: {rows:,} rows; mind {summary['mind']['wall_s']:.2f} s "
              f"({summary['mind']['peak_rss_mb']:.0f} MB), pandas {summary['pandas']['wall_s']:.2f} s "
              f"({summary['pandas']['peak_rss_mb']:.0f} MB), x{summary['speedup']:.1f}")
    import pandas
    machine = {
        "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor()),
        "cores": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
        "python": platform.python_version(),
        "pandas": pandas.__version__,
    }
    with open(args.output, "w") as handle:
        json.dump({"machine": machine, "repeat": args.repeat, "results": results}, handle, indent=2)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
