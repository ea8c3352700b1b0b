#!/usr/bin/env python3
"""Turns compare.sh's samples into docs/bench/results.md, results.json and one PNG chart per
workload (median bar, min-max whiskers, log scale when the spread is large).
   report.py SAMPLES.tsv SKIPS.tsv META.json OUT_DIR
SAMPLES lines: system, repeat (0 = setup), metric, value (seconds, kB, or "timeout")."""
import json
import statistics
import sys
from collections import defaultdict

ORDER = ["floor", "bash", "traio", "runit", "s6", "supervisord", "pm2"]
LABELS = {"floor": "floor (posix_spawn)", "bash": "bash & loop"}

# (title, metric, unit, baseline system or None, what it is)
WORKLOADS = [
    ("W1: run N /bin/true until all are reaped", "w1", "s", "floor"),
    ("W2 up: start N sleeps until all run", "w2_up", "s", "floor"),
    ("W2 down: stop N sleeps until all are reaped", "w2_down", "s", "floor"),
    ("W3: one status query of all N live programs (client start-up included)", "w3_status", "s", None),
    ("W3: ping round trip", "w3_ping", "s", None),
    ("W4: supervisor memory (PSS) per live program", "w4_per_program_kb", "kB", None),
    ("W4: supervisor base PSS, no programs", "w4_base_pss_kb", "kB", None),
    ("W4: supervisor base RSS, no programs", "w4_base_rss_kb", "kB", None),
    ("Idle: times the supervisor ran in 10 s with N programs live", "w4_idle_wakeups", "runs", None),
    ("W5: ps --json with 10,000 live async jobs", "w5_ps", "s", None),
    ("W5: daemon RSS with 10,000 live async jobs", "w5_rss_kb", "kB", None),
    ("W5: daemon RSS growth per async job", "w5_rss_per_job_kb", "kB", None),
]


def read_samples(path):
    samples = defaultdict(lambda: defaultdict(list))
    for line in open(path):
        fields = line.rstrip("\n").split("\t")
        if len(fields) < 4:
            continue
        system, _rep, metric, value = fields[:4]
        samples[system][metric].append(value)
    return samples


def numbers(values, timeout):
    """The values as floats (a timeout counts as the bound) and whether any timed out."""
    timed_out = any(v == "timeout" for v in values)
    out = []
    for v in values:
        try:
            out.append(timeout if v == "timeout" else float(v))
        except ValueError:
            pass
    return out, timed_out


def fmt(value, unit):
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "runs":
        return f"{value:,.0f}"
    return f"{value:,.1f} kB" if value < 100 else f"{value:,.0f} kB"


def table(metric, unit, baseline, samples, timeout):
    rows = []
    for system in ORDER:
        values, timed_out = numbers(samples.get(system, {}).get(metric, []), timeout)
        if values:
            rows.append((system, statistics.median(values), min(values), max(values), timed_out))
    if not rows:
        return None, []
    base = next((r[1] for r in rows if r[0] == baseline), None)
    if base is None:
        baseline, base = "best", min(r[1] for r in rows)
    lines = [f"| system | median | min – max | × {baseline} |", "|---|---:|---:|---:|"]
    for system, median, low, high, timed_out in rows:
        name = LABELS.get(system, system)
        bounded = timed_out and median >= timeout
        shown = f"> {timeout:.0f} s" if bounded else fmt(median, unit)
        top = f"> {timeout:.0f} s" if timed_out else fmt(high, unit)
        spread = f"{fmt(low, unit)} – {top}"
        ratio = f"{median / base:.2f}" if base > 0 else "–"
        if bounded:
            ratio = "> " + ratio
        lines.append(f"| {name} | {shown} | {spread} | {ratio} |")
    return "\n".join(lines), rows


SUMMARY = [("W1 (×floor)", "w1", "s", "floor"), ("W2 up", "w2_up", "s", "floor"),
           ("W2 down", "w2_down", "s", "floor"), ("W3 status", "w3_status", "s", None),
           ("W4 PSS/program", "w4_per_program_kb", "kB", None),
           ("Idle: runs in 10 s", "w4_idle_wakeups", "runs", None)]


def summary(samples, timeout):
    """One table of medians, workloads by system (ratio to the floor where there is one),
    the one the README quotes."""
    systems = [s for s in ORDER if s in samples]
    lines = ["| | " + " | ".join(LABELS.get(s, s).split(" ")[0] for s in systems) + " |",
             "|---|" + "---:|" * len(systems)]
    for title, metric, unit, baseline in SUMMARY:
        base_values, _ = numbers(samples.get(baseline, {}).get(metric, []), timeout) if baseline else ([], 0)
        base = statistics.median(base_values) if base_values else None
        cells = []
        for system in systems:
            values, timed_out = numbers(samples[system].get(metric, []), timeout)
            if not values:
                cells.append("–")
                continue
            median = statistics.median(values)
            cell = f"> {timeout:.0f} s" if timed_out and median >= timeout else fmt(median, unit)
            if base and system != baseline:
                cell += f" ({median / base:.1f}×)"
            cells.append(cell)
        lines.append(f"| {title.replace(' (×floor)', '')} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def chart(path, title, unit, rows, timeout):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    names = [LABELS.get(r[0], r[0]) for r in rows]
    medians = [r[1] for r in rows]
    low = [r[1] - r[2] for r in rows]
    high = [r[3] - r[1] for r in rows]
    colors = ["#d62728" if r[0] == "traio" else "#7f7f7f" if r[0] in ("floor", "bash") else "#1f77b4"
              for r in rows]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.bar(names, medians, yerr=[low, high], capsize=4, color=colors)
    positive = [m for m in medians if m > 0]
    if positive and max(positive) / min(positive) > 20:
        ax.set_yscale("log")
    ax.set_ylabel({"s": "seconds", "runs": "times scheduled"}.get(unit, "kB"))
    ax.set_title(title, fontsize=10)
    for i, r in enumerate(rows):
        label = f"> {timeout:.0f} s" if r[4] and r[1] >= timeout else fmt(r[1], unit)
        ax.annotate(label, (i, r[1]), ha="center", va="bottom", fontsize=7,
                    xytext=(0, 2), textcoords="offset points")
    plt.xticks(rotation=20, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    samples_path, skips_path, meta_path, out = sys.argv[1:5]
    samples = read_samples(samples_path)
    skips = [line.rstrip("\n").split("\t", 1) for line in open(skips_path) if line.strip()]
    meta = json.load(open(meta_path))
    timeout = float(meta["timeout_s"])
    v = meta["versions"]
    md = ["# traio against its peers: results",
          "",
          f"Generated by `bash bench/compare.sh` on {meta['date']}: kernel {meta['kernel']}, "
          f"{meta['cpus']} CPUs ({meta['cpu_model']}), N = {meta['n']}, {meta['reps']} repeats per "
          f"system, interleaved; load average at the end {meta['load_average_at_end']}; "
          f"the run took {meta['duration_s']} s.",
          f"Versions: traio {v['traio']}, supervisor {v['supervisor']}, runit {v['runit']}, "
          f"s6 {v['s6']}, pm2 {v['pm2']} (node {v['node']}).",
          "Times are medians of the repeats (W3: of the medians of up to 10 queries per repeat); "
          "ratios are to the floor measured in the same run, or to the best system where there is "
          f"no floor. A wait bounded by the timeout shows as \"> {timeout:.0f} s\". "
          "What each workload measures: [README.md](README.md).",
          ""]
    md += ["## Summary (medians; × the floor of the same run)", "", summary(samples, timeout), ""]
    for name, reason in skips:
        md.append(f"- **{name} skipped**: {reason}")
    if skips:
        md.append("")
    for title, metric, unit, baseline in WORKLOADS:
        text, rows = table(metric, unit, baseline, samples, timeout)
        if text is None:
            continue
        md += [f"## {title}", "", text, ""]
        if metric in ("w4_base_rss_kb", "w5_rss_per_job_kb"):
            continue
        png = f"{metric}.png"
        try:
            chart(f"{out}/{png}", title, unit, rows, timeout)
            md += [f"![{title}]({png})", ""]
        except ImportError as error:
            print(f"report.py: no chart ({error})", file=sys.stderr)
    open(f"{out}/results.md", "w").write("\n".join(md))
    raw = {s: {m: vals for m, vals in metrics.items()} for s, metrics in samples.items()}
    json.dump({"meta": meta, "skipped": dict(skips), "samples": raw}, open(f"{out}/results.json", "w"),
              indent=1)
    print("\n".join(md))


if __name__ == "__main__":
    main()
