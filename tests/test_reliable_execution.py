"""_ext/reliable_execution.py: the book build's notebook client polls in short slices, so a missed
ZeroMQ wake-up costs a fraction of a second instead of the whole cell timeout, and timeouts keep
their meaning. Fast: a stand-in channel, no kernel."""
import asyncio
import importlib.util
import pathlib
from queue import Empty

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("reliable_execution", ROOT / "_ext" / "reliable_execution.py")
reliable_execution = importlib.util.module_from_spec(spec)
spec.loader.exec_module(reliable_execution)


def make_channel(ready_on_call):
    """A channel whose get_msg has a message from its ``ready_on_call``-th call on (None: never)."""
    class Channel:
        def __init__(self):
            self.timeouts = []

        async def get_msg(self, timeout=None):
            self.timeouts.append(timeout)
            if ready_on_call is not None and len(self.timeouts) >= ready_on_call:
                return {"msg_type": "execute_reply"}
            await asyncio.sleep(timeout or 0)
            raise Empty
    return Channel


def test_waiting_for_ever_is_done_in_slices_and_returns_the_message():
    channel_class = reliable_execution.slice_polling(make_channel(ready_on_call=4), slice_seconds=0.01)
    channel = channel_class()
    assert asyncio.run(channel.get_msg(timeout=None)) == {"msg_type": "execute_reply"}
    assert channel.timeouts == [0.01, 0.01, 0.01, 0.01]


def test_a_timeout_still_raises_empty_at_its_deadline():
    channel_class = reliable_execution.slice_polling(make_channel(ready_on_call=None), slice_seconds=0.02)
    channel = channel_class()
    with pytest.raises(Empty):
        asyncio.run(channel.get_msg(timeout=0.1))
    assert 3 <= len(channel.timeouts) <= 8
    assert all(0 <= t <= 0.02 for t in channel.timeouts)
    with pytest.raises(Empty):                       # a zero timeout polls once and gives up
        asyncio.run(channel_class().get_msg(timeout=0))


def test_patching_twice_wraps_once():
    channel_class = make_channel(ready_on_call=1)
    reliable_execution.slice_polling(channel_class, slice_seconds=0.01)
    first = channel_class.get_msg
    reliable_execution.slice_polling(channel_class, slice_seconds=0.01)
    assert channel_class.get_msg is first


def test_the_book_build_uses_it():
    from jupyter_client.channels import AsyncZMQSocketChannel

    original = AsyncZMQSocketChannel.get_msg
    try:
        reliable_execution.slice_polling()
        assert getattr(AsyncZMQSocketChannel.get_msg, "_sliced", False)
    finally:
        AsyncZMQSocketChannel.get_msg = original
    config = (ROOT / "_config.yml").read_text()
    assert "reliable_execution: _ext" in config, "_config.yml must load _ext/reliable_execution.py"
