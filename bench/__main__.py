"""`python -m bench {roster,listpage} [options]` — see docs/performance.md.

python -m bench roster --rows 100000 --db sqlite postgres
python -m bench listpage --load 1000000 --runs 30
"""

from __future__ import annotations

import sys

USAGE = __doc__ or ""


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in ("roster", "listpage"):
        print(USAGE)
        raise SystemExit(2)
    name, rest = sys.argv[1], sys.argv[2:]
    if name == "roster":
        from . import roster

        roster.main(rest)
    else:
        from . import listpage

        listpage.main(rest)


main()
