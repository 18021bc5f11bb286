"""Part 2 worker: one upload of a cached workbook, ours or the naive reference, in its own process.

`python -m bench.upload --rows 100000 --impl ours|naive [--profile]` prints timings and the peak RSS of this
process (VmHWM), so every size and implementation is measured from a clean interpreter.

ours  = `cohort.workbook.upload.check_upload_bytes` (guard, fastexcel read, Polars validation) + `DatasetStore.publish`
        with the app's own upload limit; if the guard refuses the file, the refusal is recorded and the
        pipeline is measured once more without the guard (`read_workbook` + publish), to show what it can do.
naive = `pd.read_excel(engine="openpyxl")` + the same contract checks row by row in Python + `DataFrame.to_parquet`.
bare  = `polars.read_excel(engine="calamine")` of every sheet: the floor of the reader (no guard, no checks).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from bench.common import PROFILE_DIR, REPO_ROOT, emit, rss_mb


def _peak_mb() -> float:
    # VmHWM, not ru_maxrss: ru_maxrss survives fork+exec, so a child would report its parent's peak.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_ours(data: bytes, store_root: Path, name: str) -> dict:
    from cohort.settings import load_settings
    from cohort.store import DatasetStore
    from cohort.workbook.read import read_workbook
    from cohort.workbook.upload import MB, check_upload_bytes

    store = DatasetStore(store_root)
    max_bytes = load_settings().max_upload_mb * MB
    result: dict = {"max_upload_mb": load_settings().max_upload_mb}
    cpu = time.process_time()
    started = time.perf_counter()
    outcome = check_upload_bytes(data, name, max_bytes)
    result["check_s"] = time.perf_counter() - started
    result["cpu_s"] = time.process_time() - cpu
    result["stages_s"] = dict(outcome.seconds)
    result["refused"] = outcome.refused
    dataset = outcome.dataset
    if outcome.refused or dataset is None:
        result["refusal"] = "; ".join(p.message for p in outcome.report.errors[:2])[:400]
        started = time.perf_counter()
        read = read_workbook(data, name=name)  # the same reader, without the guard
        result["unguarded_check_s"] = time.perf_counter() - started
        result["unguarded_stages_s"] = dict(read.seconds)
        dataset = read.dataset
        if dataset is None:
            result["errors"] = [p.message for p in read.report.errors[:3]]
            return result
    result["rows"] = dataset.monthly.height
    cpu = time.process_time()
    started = time.perf_counter()
    store.publish(dataset, name="bench", description="", published_by="bench",
                  validation_summary="bench")
    result["publish_s"] = time.perf_counter() - started
    result["cpu_s"] += time.process_time() - cpu  # CPU seconds of all threads: less sensitive to a loaded machine
    result["total_s"] = result.get("unguarded_check_s", result["check_s"]) + result["publish_s"]
    if result["refused"]:
        result["total_s"] += result["check_s"]
    return result


# --- the naive reference ---------------------------------------------------------------------------------

COUNTS = ("bijstand", "gesprekken", "uitstroom", "uitstroom_werk", "klachten_bejegening",
          "klachten_bereikbaarheid", "klachten_koers", "klachten_overig")
OPTIONAL = ("uitgenodigd", "ontheffingen", "maatregelen", "herinstroom", "jobhunter", "leerstage",
            "proefplaatsing", "loonkostensubsidie", "buurtteam")


def _missing(value: object) -> bool:
    # `value != value` is True for NaN and for pandas' NaT
    return value is None or value != value or (isinstance(value, str) and not value.strip())


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _as_count(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def naive_checks(units, monthly) -> tuple[list[str], list[dict]]:
    """The contract rules, one row at a time, as one would write them without Polars."""
    errors: list[str] = []
    codes: set[str] = set()
    for i, row in enumerate(units.to_dict("records"), start=2):
        code = row.get("code")
        for col in ("code", "naam", "soort"):
            if _missing(row.get(col)):
                errors.append(f"eenheden rij {i}: {col} leeg")
        if row.get("soort") not in ("gebied", "doelgroep"):
            errors.append(f"eenheden rij {i}: soort ongeldig")
        if code in codes:
            errors.append(f"eenheden rij {i}: dubbele code")
        codes.add(code)
        if row.get("soort") == "gebied" and _missing(row.get("stadsdeel")):
            errors.append(f"eenheden rij {i}: stadsdeel leeg")
        start = None if _missing(row.get("start")) else _as_date(row.get("start"))
        end = None if _missing(row.get("eind")) else _as_date(row.get("eind"))
        if start and end and end < start:
            errors.append(f"eenheden rij {i}: eind voor start")
    seen: set[tuple[date, str]] = set()
    typed: list[dict] = []
    present_optional = [c for c in OPTIONAL if c in monthly.columns]
    for i, row in enumerate(monthly.to_dict("records"), start=2):
        code = row.get("code")
        if _missing(code) or code not in codes:
            errors.append(f"maandcijfers rij {i}: onbekende code {code!r}")
        month = _as_date(row.get("maand"))
        if month is None:
            errors.append(f"maandcijfers rij {i}: geen datum")
        elif month.day != 1:
            month = month.replace(day=1)
        if (month, code) in seen:
            errors.append(f"maandcijfers rij {i}: dubbele rij")
        seen.add((month, code))
        out: dict = {"maand": month, "code": code}
        for col in (*COUNTS, *present_optional):
            value = row.get(col)
            if _missing(value):
                if col in COUNTS:
                    errors.append(f"maandcijfers rij {i}: {col} leeg")
                out[col] = None
                continue
            count = _as_count(value)
            if count is None:
                errors.append(f"maandcijfers rij {i}: {col} geen geheel getal >= 0")
            out[col] = count
        if (out.get("uitstroom_werk") or 0) > (out.get("uitstroom") or 0):
            errors.append(f"maandcijfers rij {i}: uitstroom_werk > uitstroom")
        typed.append(out)
    return errors, typed


def run_naive(data: bytes, store_root: Path) -> dict:
    import io

    import pandas as pd

    result: dict = {}
    cpu = time.process_time()
    started = time.perf_counter()
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=["eenheden", "maandcijfers"], engine="openpyxl")
    result["read_s"] = time.perf_counter() - started
    started = time.perf_counter()
    errors, typed = naive_checks(sheets["eenheden"], sheets["maandcijfers"])
    result["check_rows_s"] = time.perf_counter() - started
    result["errors"] = len(errors)
    started = time.perf_counter()
    frame = pd.DataFrame(typed)
    store_root.mkdir(parents=True, exist_ok=True)
    target = store_root / "monthly.parquet"
    frame.to_parquet(target)
    with target.open("rb") as handle:
        os.fsync(handle.fileno())
    result["store_s"] = time.perf_counter() - started
    result["rows"] = len(typed)
    result["cpu_s"] = time.process_time() - cpu
    result["total_s"] = result["read_s"] + result["check_rows_s"] + result["store_s"]
    return result


def run_bare(data: bytes) -> dict:
    """The floor of the reader: `polars.read_excel(engine="calamine")` of every sheet, nothing else."""
    import io

    import polars as pl

    cpu = time.process_time()
    started = time.perf_counter()
    sheets = pl.read_excel(io.BytesIO(data), engine="calamine", sheet_id=0)
    result = {"total_s": time.perf_counter() - started, "cpu_s": time.process_time() - cpu}
    result["rows"] = sheets["maandcijfers"].height
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--impl", choices=("ours", "naive", "bare"), required=True)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    from bench.datagen import upload_workbook

    path = upload_workbook(args.rows)
    baseline = rss_mb(os.getpid())
    started = time.perf_counter()
    data = path.read_bytes()
    load_s = time.perf_counter() - started
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.002)
        profiler.start()
    with tempfile.TemporaryDirectory(prefix="cohort-bench-store-") as tmp:
        if args.impl == "ours":
            result = run_ours(data, Path(tmp), path.name)
        elif args.impl == "bare":
            result = run_bare(data)
        else:
            result = run_naive(data, Path(tmp))
    if profiler is not None:
        profiler.stop()
        PROFILE_DIR.mkdir(parents=True, exist_ok=True)
        out = PROFILE_DIR / f"upload_{args.impl}_{args.rows}.txt"
        out.write_text(profiler.output_text(unicode=True, color=False, show_all=False), encoding="utf-8")
        result["profile"] = str(out.relative_to(REPO_ROOT))
    emit({"rows": args.rows, "impl": args.impl, "file_mb": len(data) / 1024 / 1024, "file_load_s": load_s,
          "baseline_rss_mb": baseline, "peak_rss_mb": _peak_mb(), **result})


if __name__ == "__main__":
    main()
