"""The per-epoch progress bar that ``fit(verbose=1)`` shows, in a terminal or a notebook.

In a Jupyter kernel the bar is one display that is updated in place (so a saved
notebook keeps only its final state); in a terminal it redraws one line with a
carriage return; elsewhere (a log file) it prints one line per epoch.
"""
import sys
import time

BAR_WIDTH = 20
MIN_SECONDS_BETWEEN_REDRAWS = 0.1


def _in_notebook():
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class ProgressBar:
    """``Epoch 3/10  [====================] 32/32 - 0.1s - loss: 0.4213 - accuracy: 0.8750``."""

    def __init__(self, epoch, epochs, steps, verbose):
        self.prefix = f"Epoch {epoch + 1}/{epochs}"
        self.steps = steps
        self.verbose = verbose
        self.start = time.perf_counter()
        self.last_draw = 0.0
        self.handle = None
        self.mode = "off" if not verbose else "notebook" if _in_notebook() else \
            "terminal" if sys.stdout.isatty() else "lines"

    def _line(self, step, logs):
        filled = int(BAR_WIDTH * step / self.steps)
        bar = "=" * filled + "." * (BAR_WIDTH - filled)
        seconds = time.perf_counter() - self.start
        values = " - ".join(f"{key}: {value:.4f}" for key, value in logs.items())
        return f"{self.prefix}  [{bar}] {step}/{self.steps} - {seconds:.1f}s - {values}"

    def _draw(self, text, final):
        if self.mode == "notebook":
            from IPython.display import display
            if self.handle is None:
                self.handle = display({"text/plain": text}, raw=True, display_id=True)
            else:
                self.handle.update({"text/plain": text}, raw=True)
        elif self.mode == "terminal":
            sys.stdout.write("\r" + text + ("\n" if final else ""))
            sys.stdout.flush()
        elif final:
            print(text)

    def update(self, step, logs):
        """Redraw after ``step`` batches, at most every 0.1 s (drawing costs time too)."""
        if self.mode in ("off", "lines"):
            return
        now = time.perf_counter()
        if now - self.last_draw >= MIN_SECONDS_BETWEEN_REDRAWS:
            self.last_draw = now
            self._draw(self._line(step, logs), final=False)

    def finish(self, logs):
        """Draw the epoch's final line with its logs."""
        if self.mode != "off":
            self._draw(self._line(self.steps, logs), final=True)
