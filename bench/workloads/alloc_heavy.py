"""Workload 6a of the benchmark: allocation-heavy Python (dicts, lists, strings, tuples,
json), run with PYTHONMALLOC=malloc so that every object goes through malloc.

    python3 alloc_heavy.py ROUNDS
"""
import json
import sys


def one_round(seed):
    table = {}
    for i in range(2000):
        key = "item-%d-%d" % (seed, i)
        table[key] = [(j, str(j * seed)) for j in range(i % 17)]
    text = json.dumps(table)
    back = json.loads(text)
    words = sorted(k.upper() for k in back if len(back[k]) % 2 == 0)
    return len(text) + len(words)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    total = 0
    for r in range(rounds):
        total += one_round(r)
    return 0 if total > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
