"""Sphinx extension: notebook execution during the book build never stalls on a missed wake-up.

The symptom (seen in CI and reproduced here with jupyter_client 8.10, pyzmq 27.3, nbclient 0.11,
ipykernel 7.4): a cell that displays a live ipywidget finishes in the kernel in about 3 s (its
``status: idle`` arrives), yet the build waits for that cell for exactly the execution timeout
(``timeout: 120`` in _config.yml) and then goes on without an error. One build hit it in chapter 5
(142 s for a notebook that runs in 34 s); with several widget cells a chapter sat for minutes
with its kernel idle. With no timeout it would wait forever.

The cause: nbclient waits for the cell's ``execute_reply`` with
``await shell_channel.get_msg(timeout)``, which is ``await socket.poll(timeout)`` on pyzmq's
asyncio socket. ZeroMQ signals readiness through an edge-triggered file descriptor; when the
reply lands while the widgets' burst of IOPub messages is being handled, the wake-up can be
missed, and the poll only sees the waiting reply when its timer fires and pyzmq polls once more.

The fix: ``AsyncZMQSocketChannel.get_msg`` polls in slices of at most ``SLICE`` seconds up to
the same deadline (or for ever, for ``timeout=None``), so a missed wake-up costs at most
``SLICE`` seconds. Timeouts keep their meaning: ``Empty`` is raised at the original deadline.
Only the book-build process is changed (myst-nb executes notebooks in-process through
jupyter-cache and nbclient); nbval uses the blocking client, which does not have the problem.
Tested by tests/test_book_build.py.
"""
import time
from queue import Empty

SLICE = 0.25  # seconds


def slice_polling(channel_class=None, slice_seconds=SLICE):
    """Make ``channel_class.get_msg`` poll in slices; idempotent. Returns the class."""
    if channel_class is None:
        from jupyter_client.channels import AsyncZMQSocketChannel as channel_class
    original = channel_class.get_msg
    if getattr(original, "_sliced", False):
        return channel_class

    async def get_msg(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            step = slice_seconds if remaining is None else min(slice_seconds, remaining)
            try:
                return await original(self, timeout=step)
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    get_msg._sliced = True
    get_msg.__wrapped__ = original
    get_msg.__doc__ = original.__doc__
    channel_class.get_msg = get_msg
    return channel_class


def setup(app):
    slice_polling()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
