#!/usr/bin/env python3
"""Two CSV lists of made-up people for timing `haven link` end to end (docs/benchmarks.md,
"Resuming"): N records each, half of each list's people on the other, 10% of names with one
letter changed. Columns as docs/linkage/synthetic.json reads them. No real person is in them.
Usage: make_link_lists.py N OUT_DIR [SEED]"""
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
random.seed(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
syllables = ("ka lo mi su ra ne to vi da fe ga hi jo ku ma no pa ri sa te ya zo bel mar son lin "
             "kov ich ova ez").split()


def name():
    return "".join(random.choice(syllables) for _ in range(random.randint(2, 4)))


given = [name() for _ in range(3000)]
family = [name() for _ in range(20000)]


def person(i):
    return [f"p{i}", random.choice(given), random.choice(family),
            f"{random.randint(1950, 2010)}-{random.randint(1, 12):02d}-{random.randint(1, 28):02d}",
            random.choice("mf"), str(random.randint(1000, 9999))]


def typo(text):
    if len(text) < 3 or random.random() > 0.1:
        return text
    i = random.randrange(len(text))
    return text[:i] + random.choice("abcdefghijklmnopqrstuvwxyz") + text[i + 1:]


people = [person(i) for i in range(n * 3 // 2)]
for tag, chosen in (("a", people[:n]), ("b", people[n // 2:n // 2 + n])):
    with open(f"{out}/{tag}.csv", "w") as f:
        f.write("id,given_name,surname,dob,sex,postcode\n")
        for p in chosen:
            f.write(",".join([tag + p[0], typo(p[1]), typo(p[2])] + p[3:]) + "\n")
