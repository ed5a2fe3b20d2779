"""One counter for every factory, so names and slugs never collide within a test run."""

import itertools

_seq = itertools.count(1)


def next_number():
    return next(_seq)
