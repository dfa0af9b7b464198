"""Write the SDL to schema.graphql: `python -m schema.export` (a test fails when it drifts)."""

from __future__ import annotations

import sys
from pathlib import Path

from schema.schema import sdl

SDL_PATH = Path(__file__).resolve().parent.parent / "schema.graphql"


def main() -> int:
    SDL_PATH.write_text(sdl())
    print(f"wrote {SDL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
