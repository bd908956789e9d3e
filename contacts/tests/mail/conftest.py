"""Real-world shaped messages (``*.eml`` next to this file) for the e-mail tests."""

from collections.abc import Callable
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def eml_bytes(name: str) -> bytes:
    return (HERE / name).read_bytes()


@pytest.fixture
def eml() -> Callable[[str], bytes]:
    return eml_bytes
