"""Generates a TinyStories-like corpus: short, simple children's stories built from templates.

The example must train without downloading anything, so the corpus is made here from word lists
and a fixed seed: the same seed always gives the same text, byte for byte, on any Python 3.
Run as a script to write data/generated_stories.txt; data.py imports it to generate in memory.
"""

import argparse
import os
import random

DEFAULT_SEED = 1337
# About 200 KB: enough text that a tiny model cannot memorise it in a short run, yet small
# enough that the 400-step tinystories run passes over it more than once, so the `epoch` in
# its checkpoints moves (0 at step 200, 1 at step 400).
DEFAULT_TARGET_CHARS = 200_000

NAMES = ["Lily", "Tom", "Mia", "Ben", "Sue", "Max", "Anna", "Sam", "Lucy", "Tim", "Zoe", "Jack"]
ANIMALS = ["cat", "dog", "bird", "frog", "bunny", "duck", "fox", "bear", "mouse", "puppy"]
ADJECTIVES = ["big", "small", "red", "happy", "soft", "shiny", "little", "funny", "kind", "blue"]
THINGS = ["ball", "kite", "box", "hat", "boat", "cake", "book", "toy", "flower", "drum"]
PLACES = ["park", "garden", "forest", "beach", "house", "farm", "lake", "school", "hill", "town"]
# People get their own adjectives: a "shiny girl" reads wrong even in a toy corpus.
PERSON_ADJECTIVES = ["kind", "happy", "funny", "brave", "little", "curious", "clever", "shy"]
FEELINGS = ["happy", "sad", "scared", "excited", "proud", "tired", "surprised", "angry"]
WEATHER = ["sunny", "rainy", "windy", "cold", "warm", "bright"]
FRIENDS = ["mom", "dad", "grandma", "grandpa", "sister", "brother", "friend", "teacher"]

OPENINGS = [
    "Once upon a time, there was a {adj} {animal} named {name}.",
    "Once upon a time, in a {adj} {place}, there lived a {animal}.",
    "One {weather} day, {name} went to the {place}.",
    "There was a little {animal} who lived near the {place}.",
    "{name} was a {padj} girl who loved to play.",
    "{name} was a {padj} boy who liked to run and jump.",
]
MIDDLES = [
    "{name} found a {adj} {thing} under a tree.",
    "The {animal} wanted to play with the {thing}, but it was too high.",
    "{name} saw a {animal} in the {place}. The {animal} looked {feeling}.",
    "{name} asked {pronoun} {friend}, \"Can we go to the {place} today?\"",
    "\"Look at my {thing}!\" said {name}. \"It is so {adj}!\"",
    "The sky was {weather}, and the {animal} ran to the {place}.",
    "{name} and the {animal} played with the {thing} all day.",
    "Suddenly, the {thing} fell into the {place} and {name} felt {feeling}.",
    "{Pronoun} {friend} said, \"Be careful, {name}. The {thing} can break.\"",
    "{name} tried again and again. It was hard, but {pronoun_subj} did not give up.",
]
ENDINGS = [
    "In the end, {name} and the {animal} were best friends.",
    "{name} said sorry, and everyone was {feeling} again.",
    "From that day on, {name} always shared {pronoun} {thing}.",
    "They went home and had a {adj} cake. It was a good day.",
    "{name} learned that it is good to help others.",
    "The {animal} smiled, and {name} smiled too. The end.",
]


def _fill(template, rng, cast):
    words = {
        "adj": rng.choice(ADJECTIVES),
        "padj": rng.choice(PERSON_ADJECTIVES),
        "animal": rng.choice(ANIMALS),
        "thing": rng.choice(THINGS),
        "place": rng.choice(PLACES),
        "feeling": rng.choice(FEELINGS),
        "weather": rng.choice(WEATHER),
        "friend": rng.choice(FRIENDS),
    }
    words.update(cast)
    return template.format(**words)


def make_story(rng):
    """One story: an opening, three to five middle sentences and an ending, one paragraph."""
    name = rng.choice(NAMES)
    girl = name in ("Lily", "Mia", "Sue", "Anna", "Lucy", "Zoe")
    # The main character and pronouns stay fixed within a story so the text is coherent.
    cast = {
        "name": name,
        "pronoun": "her" if girl else "his",
        "Pronoun": "Her" if girl else "His",
        "pronoun_subj": "she" if girl else "he",
    }
    opening = rng.choice(OPENINGS)
    if "{name} was a" in opening:
        # Those two openings say "girl" or "boy"; keep them consistent with the name.
        opening = opening.replace("girl", "boy") if not girl else opening.replace("boy", "girl")
    sentences = [_fill(opening, rng, cast)]
    sentences += [_fill(t, rng, cast) for t in rng.sample(MIDDLES, rng.randint(3, 5))]
    sentences.append(_fill(rng.choice(ENDINGS), rng, cast))
    return " ".join(sentences)


def generate(seed=DEFAULT_SEED, target_chars=DEFAULT_TARGET_CHARS):
    """Stories separated by blank lines until the text reaches target_chars (whole stories)."""
    rng = random.Random(seed)
    stories, total = [], 0
    while total < target_chars:
        story = make_story(rng)
        stories.append(story)
        total += len(story) + 2
    return "\n\n".join(stories) + "\n"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(here, "generated_stories.txt"))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--chars", type=int, default=DEFAULT_TARGET_CHARS)
    args = parser.parse_args()
    text = generate(args.seed, args.chars)
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, args.out)
    print(f"wrote {len(text):,} chars to {args.out}")


if __name__ == "__main__":
    main()
