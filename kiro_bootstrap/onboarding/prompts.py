"""Questions on the terminal: one line in, a clear re-ask on a bad answer, EOF means no."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

MAX_ATTEMPTS = 3


@dataclass
class Prompter:
    """Ask on `stdout`, read from `stdin` (both the terminal)."""

    stdin: TextIO
    stdout: TextIO

    def say(self, text: str = "") -> None:
        """One line for the person."""
        print(text, file=self.stdout, flush=True)

    def ask(self, question: str) -> str | None:
        """One answer, stripped; None at end of input."""
        print(question, end=" ", file=self.stdout, flush=True)
        line = self.stdin.readline()
        return line.strip() if line else None

    def confirm(self, question: str, *, default: bool = True) -> bool:
        """Yes or no; Enter takes the default, end of input is no."""
        hint = "[Y/n]" if default else "[y/N]"
        answer = self.ask(f"{question} {hint}")
        if answer is None:
            return False
        if not answer:
            return default
        return answer.lower() in ("y", "yes")

    def ask_valid(self, question: str, check: Callable[[str], str | None]) -> str | None:
        """Ask until `check` (the problem, or None) accepts the answer; None after 3 tries."""
        for _ in range(MAX_ATTEMPTS):
            answer = self.ask(question)
            if answer is None:
                return None
            problem = check(answer)
            if problem is None:
                return answer
            self.say(f"  {problem}")
        return None
