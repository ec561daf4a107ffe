"""Problem 5.1's classic reference: an interpolated Kneser-Ney character n-gram model, from counts.

For order n (context of n - 1 characters), with D_k = n1 / (n1 + 2 n2) per order k (n1, n2: how many
k-grams were seen once, twice; D_k = 1/2 when none was seen once, where the estimate would be 0 and give
every character not seen after a context probability 0):

    P_k(w | h) = max(c_k(h w) - D_k, 0) / c_k(h .) + D_k N_k(h .) / c_k(h .) * P_{k-1}(w | h')
    P_0(w) = 1 / V

where h' drops the oldest character of h, c_k(h .) = sum_w c_k(h w), N_k(h .) = #{w : c_k(h w) > 0},
and a context never seen (c_k(h .) = 0) falls back to P_{k-1}. The top order uses raw counts; lower
orders use continuation counts c_k(g) = #{v : v g was seen}, Kneser and Ney's idea that a lower order
matters only for contexts the higher orders have not seen.

Counting is vectorised: every k-gram is a 64-bit polynomial hash of its ids, computed for all
positions at once, and counts come from np.unique. A second, independent hash confirms that no two
training k-grams share a hash (`fit` raises otherwise).
"""

import numpy as np

_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def _gram_hashes(ids, max_order, multiplier):
    """hashes[k][t] identifies the k-gram ending at t (ids[t-k+1..t]); valid for t >= k - 1."""
    ids = np.asarray(ids, np.uint64) + np.uint64(1)
    hashes = [np.zeros(len(ids), np.uint64)]
    with np.errstate(over="ignore"):
        for _ in range(max_order):
            previous = np.concatenate([[np.uint64(0)], hashes[-1][:-1]])
            hashes.append(previous * multiplier + ids)  # wraps mod 2^64
    return hashes


class _Table:
    """Counts of k-grams with their contexts' totals and distinct-continuation numbers."""

    def __init__(self, gram_keys, counts, context_keys):
        order = np.argsort(gram_keys)
        self.keys, self.counts = gram_keys[order], counts[order].astype(np.float64)
        self.context_keys, inverse = np.unique(context_keys[order], return_inverse=True)
        self.context_totals = np.bincount(inverse, weights=self.counts)
        self.context_types = np.bincount(inverse).astype(np.float64)
        n1, n2 = np.sum(self.counts == 1), np.sum(self.counts == 2)
        self.discount = n1 / (n1 + 2 * n2) if n1 else 0.5

    @staticmethod
    def _lookup(sorted_keys, values, queries):
        index = np.clip(np.searchsorted(sorted_keys, queries), 0, len(sorted_keys) - 1)
        return np.where(sorted_keys[index] == queries, values[index], 0.0)

    def interpolate(self, grams, contexts, lower):
        total = self._lookup(self.context_keys, self.context_totals, contexts)
        types = self._lookup(self.context_keys, self.context_types, contexts)
        count = self._lookup(self.keys, self.counts, grams)
        seen = total > 0
        safe = np.where(seen, total, 1.0)
        mixed = np.maximum(count - self.discount, 0.0) / safe + self.discount * types / safe * lower
        return np.where(seen, mixed, lower)


class KneserNeyCounts:
    """Raw and continuation counts of every order up to `max_order`; `model(order)` evaluates one order."""

    def __init__(self, max_order, vocab_size, seed=0):
        for name, value, least in (("max_order", max_order, 1), ("vocab_size", vocab_size, 1), ("seed", seed, 0)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
                raise ValueError(f"{name} must be an int >= {least}. Received: {name}={value!r}")
        self.max_order, self.vocab_size = int(max_order), int(vocab_size)
        rng = np.random.default_rng(seed)
        self._multipliers = [np.uint64(rng.integers(1, 2 ** 63)) * np.uint64(2) + np.uint64(1) for _ in range(2)]

    def _checked_ids(self, ids, shortest):
        """`ids` as a 1-D integer array of at least `shortest` ids in 0..V-1, else a ValueError saying which."""
        ids = np.asarray(ids)
        if ids.ndim != 1 or len(ids) < shortest:
            raise ValueError(f"need a 1-D id sequence of at least {shortest} ids. Received: shape={ids.shape}")
        if not ids.size:
            return ids.astype(np.int64)
        if not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"ids must be integers (token ids). Received: dtype {ids.dtype}")
        if ids.min() < 0 or ids.max() >= self.vocab_size:
            raise ValueError(f"ids must lie in 0..{self.vocab_size - 1}. Received: {ids.min()}..{ids.max()}")
        return ids

    def _checked_order(self, order):
        if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= self.max_order:
            raise ValueError(f"order must be an int in 1..{self.max_order}. Received: order={order!r}")
        if not hasattr(self, "raw"):
            raise ValueError("these counts are empty: call fit(training ids) first")

    def fit(self, ids):
        ids = self._checked_ids(ids, self.max_order + 1)
        hashes = _gram_hashes(ids, self.max_order, self._multipliers[0])
        check = _gram_hashes(ids, self.max_order, self._multipliers[1])
        self.raw, self.continuation = {}, {}
        distinct = {}
        for k in range(1, self.max_order + 1):
            grams = hashes[k][k - 1:]
            keys, first, counts = np.unique(grams, return_index=True, return_counts=True)
            if len(np.unique(check[k][k - 1:])) != len(keys):
                raise RuntimeError(f"64-bit hash collision among the {k}-grams; use another seed")
            first += k - 1                                             # positions in the text
            contexts = hashes[k - 1][first - 1] if k > 1 else np.zeros(len(keys), np.uint64)
            self.raw[k] = _Table(keys, counts, contexts)
            distinct[k] = (keys, first)
        for k in range(1, self.max_order):
            _, first_longer = distinct[k + 1]
            suffixes, continuation_counts = np.unique(hashes[k][first_longer], return_counts=True)
            keys, first = distinct[k]
            positions = first[np.searchsorted(keys, suffixes)]
            contexts = hashes[k - 1][positions - 1] if k > 1 else np.zeros(len(suffixes), np.uint64)
            self.continuation[k] = _Table(suffixes, continuation_counts, contexts)
        return self

    def log_probs(self, ids, order):
        """log P(ids[t] | up to order - 1 previous ids) for every t, in nats (earlier ids as available)."""
        self._checked_order(order)
        ids = self._checked_ids(ids, 1)
        hashes = _gram_hashes(ids, order, self._multipliers[0])
        length = len(ids)
        probability = np.full(length, 1.0 / self.vocab_size)
        for k in range(1, order + 1):
            table = self.raw[k] if k == order else self.continuation[k]
            contexts = (np.concatenate([[np.uint64(0)], hashes[k - 1][:-1]]) if k > 1
                        else np.zeros(length, np.uint64))
            updated = table.interpolate(hashes[k], contexts, probability)
            probability = np.where(np.arange(length) >= k - 1, updated, probability)  # a full k-gram exists
        return np.log(probability)

    def next_distribution(self, context, order):
        """P(w | context) for every w: a (V,) vector summing to 1 (for tests and sampling)."""
        self._checked_order(order)
        context = self._checked_ids(context, 0)[-(order - 1):] if order > 1 else np.zeros(0, np.int64)
        rows = np.array([np.append(context, w) for w in range(self.vocab_size)])
        return np.exp(np.array([self.log_probs(row, order)[-1] for row in rows]))


def adaptive_log_probs(train_ids, ids, order, vocab_size, chunk, seed=0):
    """The count model's dynamic evaluation: log P(ids[t]) (len(ids),) in nats, where the positions of chunk c,
    [c chunk, (c + 1) chunk), are scored by counts of the training text followed by ids[:c chunk].

    Every position is scored before its own n-gram is counted, as in the RNN's dynamic evaluation
    (tfsheet.training.dynamic_evaluation); the counts are refitted once per chunk. Joining the two texts
    adds order - 1 n-grams that straddle the join, a negligible share of a training text of any size.
    """
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise ValueError(f"chunk must be an int >= 1. Received: chunk={chunk!r}")
    train_ids, ids = np.asarray(train_ids), np.asarray(ids)
    if ids.ndim != 1 or not ids.size:
        raise ValueError(f"ids must be a 1-D sequence of at least one id to score. Received: shape={ids.shape}")
    pieces = []
    for start in range(0, len(ids), chunk):
        counts = KneserNeyCounts(order, vocab_size, seed).fit(np.concatenate([train_ids, ids[:start]]))
        pieces.append(counts.log_probs(ids[:start + chunk], order)[start:])   # earlier ids as context
    return np.concatenate(pieces)
