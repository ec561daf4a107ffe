"""A character vocabulary built from the training text only, with an id for unknown characters (Problem 5)."""

import json

import numpy as np

UNKNOWN = "\ufffd"  # id 0: any character the training text never showed


class CharVocabulary:
    """Maps characters to ids 1..V-1 (sorted) and everything else to 0, UNKNOWN."""

    def __init__(self, characters):
        if not isinstance(characters, (list, tuple)) or not all(isinstance(c, str) and len(c) == 1 for c in characters):
            raise ValueError(f"characters must be a list of one-character strings. Received: {characters!r:.80}")
        characters = [c for c in characters if c != UNKNOWN]
        if not characters or len(set(characters)) != len(characters):
            raise ValueError(f"characters must be distinct and non-empty. Received: {len(characters)} characters")
        self.characters = [UNKNOWN, *characters]
        self._ids = {c: i for i, c in enumerate(self.characters)}

    @classmethod
    def from_text(cls, text):
        if not isinstance(text, str) or not text:
            raise ValueError(f"Cannot build a vocabulary from anything but non-empty text. Received: text={text!r:.80}")
        return cls(sorted(set(text)))

    def __len__(self):
        return len(self.characters)

    def encode(self, text):
        """str -> int32 ids (N,); unseen characters become 0."""
        if not isinstance(text, str):
            raise ValueError(f"text must be a str. Received: {type(text).__name__}")
        return np.fromiter((self._ids.get(c, 0) for c in text), dtype=np.int32, count=len(text))

    def decode(self, ids):
        """The text of a sequence of ids (one row: a batch of rows would run together into one string)."""
        ids = np.asarray(ids)
        if ids.ndim > 1:
            raise ValueError(f"decode takes one sequence of ids; received shape {ids.shape}. Decode each row of a "
                             "batch on its own")
        ids = ids.ravel()
        if ids.size and (not np.issubdtype(ids.dtype, np.integer) or ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"ids must be integers in [0, {len(self)}). Received: {ids.tolist()[:10]}")
        return "".join(self.characters[int(i)] for i in ids)

    def to_json(self):
        return json.dumps({"unknown_id": 0, "characters": self.characters}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text):
        """The vocabulary to_json wrote: {"unknown_id": 0, "characters": [UNKNOWN, c1, c2, ...]}, each c one
        character. Anything else is a ValueError that says what was expected."""
        try:
            value = json.loads(text)
        except (TypeError, ValueError, RecursionError) as error:   # RecursionError: nested too deep
            raise ValueError(f"a vocabulary must be the JSON that CharVocabulary.to_json writes: {error}") from None
        characters = value.get("characters") if isinstance(value, dict) else None
        if (not isinstance(characters, list) or not characters or characters[0] != UNKNOWN
                or type(value.get("unknown_id", 0)) is not int or value.get("unknown_id", 0) != 0
                or not all(isinstance(c, str) and len(c) == 1 for c in characters)):
            raise ValueError('a vocabulary must be {"unknown_id": 0, "characters": ["\\ufffd", one character each, '
                             '...]} as CharVocabulary.to_json writes it')
        return cls(characters[1:])
