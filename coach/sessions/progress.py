"""Trends over sessions: a PNG plot and a short summary in words."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coach.sessions.history import SessionSummary


@dataclass(frozen=True)
class Trend:
    name: str
    first: float
    last: float
    average: float
    better_when_lower: bool
    band: tuple[float, float] | None = None
    """For pace: better means closer to this range."""

    def _off(self, v: float) -> float:
        if self.band is None:
            raise ValueError(f"{self.name}: no band to measure the distance from")
        lo, hi = self.band
        return max(lo - v, 0.0, v - hi)

    def sentence(self, unit: str) -> str:
        if self.band:
            delta = self._off(self.last) - self._off(self.first)
            improved = delta < 0
        else:
            delta = self.last - self.first
            improved = (delta < 0) == self.better_when_lower and delta != 0
        word = "better" if improved else ("no change" if delta == 0 else "worse")
        return (f"{self.name}: {self.first:.0f}{unit} → {self.last:.0f}{unit} ({word}), "
                f"average {self.average:.0f}{unit}")


def trends(rows: list[SessionSummary], wpm_range: tuple[float, float] = (130.0, 160.0)
           ) -> list[tuple[Trend, str]]:
    """Trends of the sessions that have timing, oldest first (needs at least one)."""
    done = [r for r in rows if r.total_s is not None]
    out = []
    # Timing fields are all set or all missing (see summarize): total_s stands for all.
    timed = [(r.situation_task_s, r.action_share) for r in done
             if r.situation_task_s is not None and r.action_share is not None]
    st = [s for s, _ in timed]
    share = [a * 100 for _, a in timed]
    flags = [r.red_flags for r in done if r.red_flags is not None]
    if st:
        out.append((Trend("Situation+Task", st[0], st[-1], sum(st) / len(st), True), " s"))
        out.append((Trend("Action share", share[0], share[-1], sum(share) / len(share),
                          False), "%"))
    pace = [r.wpm for r in done if r.wpm is not None]
    if pace:
        out.append((Trend("Pace", pace[0], pace[-1], sum(pace) / len(pace), False, wpm_range),
                    " words a minute"))
    if flags:
        out.append((Trend("Red flags", flags[0], flags[-1], sum(flags) / len(flags), True), ""))
    return out


def plot(rows: list[SessionSummary], path: Path, budget_s: float, target: float,
         wpm_range: tuple[float, float]) -> None:
    """Four small charts over sessions, with the budget and the target drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    done = [r for r in rows if r.total_s is not None]
    xs = list(range(1, len(done) + 1))
    fig, axes = plt.subplots(4, 1, figsize=(8, 10), sharex=True)
    axes[0].plot(xs, [r.situation_task_s for r in done], "o-", color="#3b82f6")
    axes[0].axhline(budget_s, color="#dc2626", ls="--", label=f"{budget_s:.0f} s budget")
    axes[0].set_ylabel("Situation+Task (s)")
    axes[0].legend(loc="upper right")
    axes[1].plot(xs, [r.action_share * 100 for r in done if r.action_share is not None], "o-",
                 color="#22c55e")
    axes[1].axhline(target * 100, color="#111", ls="--", label=f"{target * 100:.0f}% target")
    axes[1].set_ylabel("Action share (%)")
    axes[1].set_ylim(0, 100)
    axes[1].legend(loc="lower right")
    axes[2].bar(xs, [r.red_flags or 0 for r in done], color="#f59e0b")
    axes[2].set_ylabel("Red flags")
    axes[2].set_ylim(0, max(3, *(r.red_flags or 0 for r in done)) + 1)
    axes[2].yaxis.get_major_locator().set_params(integer=True)
    paced = [(x, r.wpm) for x, r in zip(xs, done, strict=True) if r.wpm is not None]
    if paced:
        axes[3].plot(*zip(*paced, strict=True), "o-", color="#a855f7")
    lo, hi = wpm_range
    axes[3].axhspan(lo, hi, color="#22c55e", alpha=0.15, label=f"{lo:.0f}-{hi:.0f} words a minute")
    axes[3].set_ylabel("Pace (words a minute)")
    axes[3].legend(loc="upper right")
    axes[3].set_xlabel("Session")
    axes[3].set_xticks(xs, [r.id[4:8] + "\n" + r.id[9:13] for r in done], fontsize=7)
    fig.suptitle("coach: progress over sessions")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
