"""A character vocabulary built from the training text only, with an id for unknown characters (Problem 5)."""

import json

import numpy as np

UNKNOWN = "\ufffd"  # id 0: any character the training text never showed


class CharVocabulary:
    """Maps characters to ids 1..V-1 (sorted) and everything else to 0, UNKNOWN."""

    def __init__(self, characters):
        characters = [c for c in characters if c != UNKNOWN]
        if not characters or len(set(characters)) != len(characters):
            raise ValueError(f"characters must be distinct and non-empty. Received: {len(characters)} characters")
        self.characters = [UNKNOWN, *characters]
        self._ids = {c: i for i, c in enumerate(self.characters)}

    @classmethod
    def from_text(cls, text):
        if not text:
            raise ValueError("Cannot build a vocabulary from empty text. Received: text=''")
        return cls(sorted(set(text)))

    def __len__(self):
        return len(self.characters)

    def encode(self, text):
        """str -> int32 ids (N,); unseen characters become 0."""
        return np.fromiter((self._ids.get(c, 0) for c in text), dtype=np.int32, count=len(text))

    def decode(self, ids):
        return "".join(self.characters[int(i)] for i in np.asarray(ids).ravel())

    def to_json(self):
        return json.dumps({"unknown_id": 0, "characters": self.characters}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text):
        return cls(json.loads(text)["characters"][1:])
