"""Print the confusion matrix of the adversarial answer set (a report, not a test).

    python tests/banks/adversarial_matrix.py          # this tree's grader (banks try's path)
    cd /work/main && PYTHONPATH=$PWD python /path/to/adversarial_matrix.py --old FILE.yaml
                                                      # an older tree's grade_short

Rows: right paraphrases, wrong answers (and each kind), model answers; columns: the suggested
rating. `-v` lists the answers that miss their target.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import yaml

from studybuddy.banks import load_bundled_banks

RATINGS = ("again", "hard", "good", "easy")


def main(argv: list[str]) -> None:
    old, verbose = "--old" in argv, "-v" in argv
    files = [a for a in argv if not a.startswith("-")]
    answers_file = Path(files[0]) if files else Path(__file__).with_name("adversarial_answers.yaml")
    answers = yaml.safe_load(answers_file.read_text(encoding="utf-8"))
    questions = {q.id: q for bank in load_bundled_banks().banks for q in bank.questions()}
    if old:
        from studybuddy.banks.grading import grade_short

        def suggest(qid: str, text: str) -> str:
            return str(grade_short(questions[qid], text).details["suggested"])
    else:
        from studybuddy.banks.trial import try_answer

        def suggest(qid: str, text: str) -> str:
            return str(try_answer(questions[qid], text).as_json()["suggested"])

    counts: Counter[tuple[str, str]] = Counter()
    misses = []
    for qid, entry in answers.items():
        for text in entry.get("right") or []:
            rating = suggest(qid, text)
            counts["right", rating] += 1
            if rating == "again":
                misses.append(f"right -> again  {qid}: {text}")
        for item in entry.get("wrong") or []:
            rating = suggest(qid, item["answer"])
            counts["wrong", rating] += 1
            counts[item["kind"], rating] += 1
            if rating != "again":
                misses.append(f"{item['kind']} -> {rating}  {qid}: {item['answer']}")
        rating = suggest(qid, questions[qid].model_answer)
        counts["model answer", rating] += 1
        if rating != "good":
            misses.append(f"model answer -> {rating}  {qid}")
    rows = ["right", "wrong", "swap", "negation", "wrong-factor", "echo", "misconception"]
    for row in [*rows, "model answer"]:
        total = sum(n for (r, _), n in counts.items() if r == row)
        cells = "  ".join(f"{rating} {counts[row, rating]:3}" for rating in RATINGS)
        print(f"{row:13} {total:4}   {cells}")
    if verbose:
        print(*misses, sep="\n")


if __name__ == "__main__":
    main(sys.argv[1:])
