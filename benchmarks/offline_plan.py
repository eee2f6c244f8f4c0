"""Offline plan cost per stack beside its floor.

    python benchmarks/offline_plan.py dev prod [--repeat 3]

For each stack, in fresh interpreters: the real offline run (`run_program`) and a floor that
imports the same modules and declares as many trivial resources (resource groups) under the same
mocks. Prints the best wall time and peak RSS of each, and the ratio (aim: at most 1.5x).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

FLOOR_PROGRAM = """
import pulumi
from pulumi_azure_native import resources
for i in range({count}):
    resources.ResourceGroup(f"rg{{i}}", resource_group_name=f"rg{{i}}", location="westeurope")
"""


def child(kind: str, stack: str, count: int, modules: list[str]) -> None:
    sys.path.insert(0, str(REPO_ROOT))
    import importlib

    from infra.offline import runner

    if kind == "plan":
        before = set(sys.modules)
        result = runner.run_program(stack)
        declared = len(result.resources)
        imported = sorted(m for m in set(sys.modules) - before if m.startswith(("pulumi", "infra", "yaml")))
    else:
        for module in modules:  # the same imports as the real run
            importlib.import_module(module)
        with tempfile.TemporaryDirectory() as tmp:
            program = Path(tmp) / "__main__.py"
            program.write_text(FLOOR_PROGRAM.format(count=count))
            runner.PROGRAM = program
            result = runner.run_program(stack)
        declared = len(result.resources)
        imported = []
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"declared": declared, "peak_mib": peak_kib / 1024, "modules": imported}))


def measure(kind: str, stack: str, count: int = 0, modules: list[str] | None = None) -> dict:
    args = [sys.executable, __file__, "--child", kind, stack, str(count), json.dumps(modules or [])]
    start = time.perf_counter()
    output = subprocess.run(args, check=True, capture_output=True, text=True, cwd=REPO_ROOT).stdout
    result = json.loads(output.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - start
    return result


def best(runs: list[dict]) -> dict:
    return min(runs, key=lambda r: r["wall_s"]) | {"peak_mib": max(r["peak_mib"] for r in runs)}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]), json.loads(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stacks", nargs="+")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'stack':<8} {'resources':>9} {'plan s':>8} {'floor s':>8} {'ratio':>6} {'plan MiB':>9} {'floor MiB':>9}")
    for stack in args.stacks:
        plan = best([measure("plan", stack) for _ in range(args.repeat)])
        floor = best([measure("floor", stack, plan["declared"], plan["modules"]) for _ in range(args.repeat)])
        ratio = plan["wall_s"] / floor["wall_s"]
        print(
            f"{stack:<8} {plan['declared']:>9} {plan['wall_s']:>8.2f} {floor['wall_s']:>8.2f} {ratio:>6.2f} "
            f"{plan['peak_mib']:>9.1f} {floor['peak_mib']:>9.1f}"
        )


if __name__ == "__main__":
    main()
