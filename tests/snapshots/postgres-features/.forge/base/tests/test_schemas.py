"""The input types of shared/schemas.py at their limits."""

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from demo.shared.schemas import JSON_MAX_DEPTH, JsonDocument

DOCUMENT: TypeAdapter[Any] = TypeAdapter(JsonDocument)


def _nested(depth: int) -> Any:
    value: Any = []
    for level in range(depth - 1):
        value = [value] if level % 2 else {"k": value}
    return value


def test_a_document_at_the_depth_limit_is_accepted_and_answered() -> None:
    document = _nested(JSON_MAX_DEPTH)
    assert DOCUMENT.validate_python(document) == document
    assert DOCUMENT.dump_json(document)


def test_one_level_deeper_is_refused() -> None:
    with pytest.raises(ValidationError, match=f"deeper than {JSON_MAX_DEPTH} levels"):
        DOCUMENT.validate_python(_nested(JSON_MAX_DEPTH + 1))


@pytest.mark.parametrize(
    "document", [{"k": "a\ud800"}, ["\udfff"], {"\udc00": 1}, [{"k": ["\ud83d"]}]]
)
def test_lone_surrogates_are_refused(document: Any) -> None:
    with pytest.raises(ValidationError, match="surrogates"):
        DOCUMENT.validate_python(document)


def test_a_paired_surrogate_is_an_ordinary_character() -> None:
    assert DOCUMENT.validate_json('{"k": "\\ud83d\\ude00"}') == {"k": "\U0001f600"}
