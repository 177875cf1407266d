# SPDX-License-Identifier: MIT
"""The pass/fail bookkeeping of the integration scripts: check() counts a check or prints why
it failed, outcome() prints the totals and gives the exit status. Imported by the scripts beside
it (their own folder is first on sys.path). Python 3 standard library only."""

failures = []
passed = 0


def fail(name, detail=""):
    """A failed check: printed at once (long details cut), counted for the summary."""
    failures.append(name)
    print(f"FAIL {name}: {str(detail)[:3000]}")


def check(name, condition, detail=""):
    """Counts `name` as passed when `condition` holds, else fails it with `detail`."""
    global passed
    if condition:
        passed += 1
    else:
        fail(name, detail)


def outcome(label):
    """Prints "LABEL: N passed, M failed"; returns the exit status (1 when any check failed)."""
    print(f"{label}: {passed} passed, {len(failures)} failed")
    return 1 if failures else 0
