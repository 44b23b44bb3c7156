"""Run a student's notebook in a separate process and reach its functions across the boundary.

Grading must not depend on any object that student code can reach (exercises/README.md,
"How grading works"). So ``exercises/grade.py`` runs the notebook's cells in a *worker*
process (``python -m nnlib.grading_sandbox``) and runs every test, with its expected values,
comparisons and scoring, in its own process. The two talk through a pair of pipes in a small
message format: a length-prefixed JSON object whose values are plain data only (``None``,
booleans, integers, floats, strings, bytes, NumPy arrays of numbers or strings, lists, tuples,
dicts, ``...``). Anything else the notebook holds -- a function, a class, a Keras model -- stays
in the worker and is represented in the grader by a ``Remote`` handle: calling it, reading an
attribute or an item, or converting it with ``np.asarray`` sends a request and gets plain data
(or another handle) back. Patching NumPy, ``nnlib.grading``, otter, builtins or ``sys.modules``
inside the notebook therefore changes only the worker; returning an object with a forged
``__eq__`` or ``__array__`` gives the grader a handle, never that object.

Faults cost only the call or the cell they happen in: the worker limits the CPU time of every
call and cell (``signal.setitimer(ITIMER_PROF)``, CPU time, so a busy machine does not cause
false time-outs), and the grader watches the worker from outside, killing it when its CPU time
runs past the limit (a loop that swallows the time-limit exception) or when it does not answer
within a generous wall-clock limit (a loop that sleeps), or noticing when it dies
(``os._exit``, a crash). ``Sandbox.restart`` then starts a fresh worker.

"Your own code" questions: ``Sandbox.forbid(names)`` replaces, in the worker, the code of every
function in ``nnlib`` with one of those names by code that raises ``ForbiddenLibraryCall``, so
the library's answer is unavailable however the student reached the function (an import, an
alias, a dict, ``importlib``, ``functools.partial``, a default argument, ``getattr``); the
worker reports the attempt and the grader scores the question 0.
"""
import base64
import json
import os
import select
import signal
import struct
import subprocess
import sys
import time

import numpy as np

import builtins as _builtins

type, isinstance, len, list, dict, tuple, int, float, str, bytes, complex, bool, repr, callable, getattr = (
    _builtins.type, _builtins.isinstance, _builtins.len, _builtins.list, _builtins.dict, _builtins.tuple,
    _builtins.int, _builtins.float, _builtins.str, _builtins.bytes, _builtins.complex, _builtins.bool,
    _builtins.repr, _builtins.callable, _builtins.getattr)

MAX_MESSAGE = 64 * 2 ** 20
"""Largest message (bytes) the grader accepts from the worker: a bigger answer is a fault."""

SAFE_KINDS = "biufcU"
"""NumPy dtype kinds that cross the boundary by value (no object arrays)."""

WALL_FACTOR = 10.0
"""The grader waits up to max(WALL_FACTOR * CPU limit, MIN_WALL) seconds of wall-clock time."""
MIN_WALL = 60.0
CPU_GRACE = 2.0
"""CPU seconds past a call's limit after which the grader kills a worker that has not stopped."""


class WorkerDied(Exception):
    """The worker process stopped or had to be stopped during a request."""


class ProtocolError(WorkerDied):
    """The worker sent something that is not a valid message."""


class ForbiddenLibraryCall(BaseException):
    """Raised in the worker by a library function the current question asks students to write."""


# --- framing ---------------------------------------------------------------------------------------

def _write(fd, message):
    data = json.dumps(message, separators=(",", ":")).encode()
    payload = struct.pack(">Q", len(data)) + data
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exactly(fd, size, wait=None):
    chunks, remaining = [], size
    while remaining:
        if wait is not None:
            wait()
        chunk = os.read(fd, min(remaining, 2 ** 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


# --- encoding: plain data by value, everything else by handle --------------------------------------

def _array_message(array):
    array = np.array(array, order="C", copy=True)
    return {"a": base64.b64encode(array.tobytes()).decode(), "d": array.dtype.str, "s": list(array.shape)}


def encode(value, to_handle, depth=0):
    """A JSON-able description of ``value``; ``to_handle(value)`` describes what is not data."""
    if depth > 50:
        return to_handle(value)
    if value is None or type(value) in (bool, str):
        return value
    if type(value) is int:
        return value if abs(value) < 2 ** 53 else {"i": str(value)}
    if type(value) is float:
        return {"f": value.hex()}
    if type(value) is complex:
        return {"c": [value.real.hex(), value.imag.hex()]}
    if value is Ellipsis:
        return {"e": 1}
    if type(value) is bytes:
        return {"b": base64.b64encode(value).decode()}
    if type(value) is np.ndarray and value.dtype.kind in SAFE_KINDS:
        return _array_message(value)
    if isinstance(value, np.generic) and value.dtype.kind in SAFE_KINDS:
        return {"n": _array_message(np.asarray(value))}
    if type(value) in (list, tuple):
        return {"l" if type(value) is list else "t": [encode(v, to_handle, depth + 1) for v in value]}
    if type(value) is dict:
        return {"m": [[encode(k, to_handle, depth + 1), encode(v, to_handle, depth + 1)] for k, v in value.items()]}
    return to_handle(value)


def decode(message, from_handle, depth=0):
    """The value a message describes; plain types only, ``from_handle`` builds the rest."""
    if depth > 60:
        raise ProtocolError("the message is nested too deeply")
    if message is None or isinstance(message, (bool, str)):
        return message
    if isinstance(message, int):
        return message
    if isinstance(message, float):
        return message
    if not isinstance(message, dict) or len(message) < 1:
        raise ProtocolError(f"unexpected value {str(message)[:80]}")
    if "f" in message:
        return float.fromhex(str(message["f"]))
    if "i" in message:
        return int(str(message["i"])[:5000])
    if "c" in message:
        return complex(float.fromhex(message["c"][0]), float.fromhex(message["c"][1]))
    if "e" in message:
        return Ellipsis
    if "b" in message:
        return base64.b64decode(message["b"])
    if "a" in message:
        return _decode_array(message)
    if "n" in message:
        return _decode_array(message["n"])[()]
    if "l" in message:
        return [decode(v, from_handle, depth + 1) for v in message["l"]]
    if "t" in message:
        return tuple(decode(v, from_handle, depth + 1) for v in message["t"])
    if "m" in message:
        result = {}
        for key, value in message["m"]:
            key = decode(key, from_handle, depth + 1)
            try:
                hash(key)
            except TypeError:
                raise ProtocolError("a dict key that cannot be hashed") from None
            result[key] = decode(value, from_handle, depth + 1)
        return result
    return from_handle(message)


def _decode_array(message):
    dtype = np.dtype(str(message["d"]))
    if dtype.kind not in SAFE_KINDS:
        raise ProtocolError(f"an array of dtype {dtype} (only numbers and strings are accepted)")
    shape = tuple(int(n) for n in message["s"])
    data = base64.b64decode(message["a"])
    if len(data) != dtype.itemsize * int(np.prod(shape, dtype=np.int64)):
        raise ProtocolError("an array whose data does not match its shape")
    return np.frombuffer(data, dtype=dtype).reshape(shape).copy()


# --- the grader's side -------------------------------------------------------------------------------

_BUILTIN_EXCEPTIONS = {name: value for name, value in vars(__import__("builtins")).items()
                       if isinstance(value, type) and issubclass(value, Exception)}


def student_exception(error):
    """A local exception standing for one raised by student code in the worker.

    Its class has the student's exception's name and derives from the first built-in
    ``Exception`` class in that exception's ancestry (so a test's ``except ValueError`` and
    ``expect_raises(ValueError, ...)`` work); a ``BaseException`` such as ``SystemExit``
    becomes an ordinary ``Exception`` here. ``student_line`` holds the student's failing line.
    """
    names = [str(n) for n in error.get("mro", [])][:30]
    base = next((_BUILTIN_EXCEPTIONS[n] for n in names if n in _BUILTIN_EXCEPTIONS), Exception)
    name = (names[0] if names else "Exception")[:80]
    if not name.isidentifier():
        name = "StudentException"
    cls = type(name, (base,), {"__module__": "student"})
    try:
        exception = cls(str(error.get("message", ""))[:2000])
    except Exception:  # a built-in base with a special constructor
        cls = type(name, (Exception,), {"__module__": "student"})
        exception = cls(str(error.get("message", ""))[:2000])
    exception.student_line = str(error.get("line") or "")[:500]
    return exception


class Remote:
    """An object that stays in the worker; the grader holds only its handle."""

    def __init__(self, sandbox, info):
        object.__setattr__(self, "_sandbox", sandbox)
        object.__setattr__(self, "_handle", int(info["h"]))
        object.__setattr__(self, "_type_name", str(info.get("type", "object"))[:80])
        object.__setattr__(self, "_repr", str(info.get("repr", ""))[:200])
        object.__setattr__(self, "_generation", sandbox.generation)
        object.__setattr__(self, "_mro", [(str(m), str(q)) for m, q in list(info.get("mro") or [])[:30]])

    @property
    def __class__(self):
        """The grader's own class of the same name, if the grader has imported it (so that a test's
        ``isinstance(model, keras.Model)`` holds for a remote Keras model); the handle's class otherwise.
        Only modules the grader has already imported are looked at."""
        for module_name, qualname in self._mro:
            module = sys.modules.get(module_name)
            if module is None or module_name in ("__main__", "builtins"):
                continue
            value = module
            for part in qualname.split("."):
                value = getattr(value, part, None) if part != "<locals>" else None
                if value is None:
                    break
            if isinstance(value, type):
                return value
        return type(self)

    def _request(self, op, **fields):
        if self._generation != self._sandbox.generation:
            raise WorkerDied("the notebook's process was restarted, so this object no longer exists.")
        return self._sandbox.request({"op": op, "h": self._handle, **fields})

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._request("getattr", name=name)

    def __setattr__(self, name, value):
        raise AttributeError("a grader cannot change the student's objects")

    def __getitem__(self, key):
        return self._request("getitem", key=self._sandbox.encode_argument(key))

    def __len__(self):
        result = self._request("len")
        if type(result) is not int or result < 0:
            raise TypeError(f"object of type '{self._type_name}' has no len()")
        return result

    def __iter__(self):
        items = self._request("iter")
        if type(items) is not list:
            raise TypeError(f"'{self._type_name}' object is not iterable")
        return iter(items)

    def __bool__(self):
        return self._request("bool") is True

    def __array__(self, dtype=None, copy=None):
        array = self._request("array")
        if not isinstance(array, np.ndarray):
            raise TypeError(f"a {self._type_name} cannot be turned into an array of numbers")
        return array if dtype is None else array.astype(dtype)

    def __repr__(self):
        return self._repr or f"<{self._type_name}>"

    __str__ = __repr__

    def __reduce__(self):
        raise TypeError("a handle to the student's object cannot be copied")

    def __deepcopy__(self, memo):
        return self

    def __copy__(self):
        return self


class RemoteFunction(Remote):
    """A callable object in the worker (a function, a bound method, a class)."""

    def __call__(self, *args, **kwargs):
        sandbox = self._sandbox
        encoded = [sandbox.encode_argument(a) for a in args]
        named = {str(k): sandbox.encode_argument(v) for k, v in kwargs.items()}
        return self._request("call", args=encoded, kwargs=named, cpu=sandbox.call_timeout)

    @property
    def __name__(self):
        return self._repr.split(" ")[1] if self._repr.startswith(("<function ", "<class ")) else self._type_name


class RemoteClass(RemoteFunction):
    """A class in the worker: calling it constructs an object there; ``isinstance`` asks the worker."""

    def __instancecheck__(self, instance):
        if not isinstance(instance, Remote) or instance._sandbox is not self._sandbox:
            return False
        return self._request("isinstance", obj=instance._handle) is True


class Sandbox:
    """The grader's end of one worker process (see the module docstring)."""

    def __init__(self, cwd=None, env=None):
        self.cwd, self.env = cwd, env
        self.process = None
        self.generation = 0
        self.callbacks = {}
        self.call_timeout = 5.0
        self.last_mutated = []
        self.forbidden_used = []
        self.faults = []          # what went wrong, for the status column
        self.start()

    # process management
    def start(self):
        grader_read, worker_write = os.pipe()
        worker_read, grader_write = os.pipe()
        env = dict(os.environ if self.env is None else self.env)
        env.setdefault("MPLBACKEND", "Agg")
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "nnlib.grading_sandbox", str(worker_read), str(worker_write)],
            pass_fds=(worker_read, worker_write), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, cwd=self.cwd, env=env, start_new_session=True)
        os.close(worker_read)
        os.close(worker_write)
        self.read_fd, self.write_fd = grader_read, grader_write
        self.generation += 1
        self.callbacks = {}

    def stop(self):
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            for fd in (self.read_fd, self.write_fd):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self.process = None

    def restart(self):
        self.stop()
        self.start()

    @property
    def alive(self):
        return self.process is not None and self.process.poll() is None

    def _cpu_seconds(self):
        try:
            with open(f"/proc/{self.process.pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return 0.0

    # requests
    def request(self, message, cpu=None):
        """Send ``message``, serve the worker's callbacks, and return the decoded reply.

        Raises WorkerDied (after stopping the worker) if it dies, sends garbage, or runs past
        ``cpu`` + CPU_GRACE CPU seconds or max(WALL_FACTOR * cpu, MIN_WALL) wall seconds;
        grading.TimeLimitExceeded if the worker itself stopped the student's code in time.
        """
        from nnlib import grading
        if not self.alive:
            raise WorkerDied("the notebook's process is not running.")
        cpu = message.get("cpu", cpu) or self.call_timeout
        message["cpu"] = cpu
        try:
            _write(self.write_fd, message)
        except OSError:
            self._die("the notebook's process stopped")
        while True:
            reply = self._receive(cpu)
            if "callback" in reply:
                self._serve_callback(reply)
                continue
            break
        if reply.get("forbidden"):
            self.forbidden_used.extend(str(n) for n in reply["forbidden"])
        self.last_mutated = [int(i) for i in reply.get("mutated", [])]
        if reply.get("timeout"):
            self.faults.append(f"a call did not finish within {cpu:g} s of CPU time")
            raise grading.TimeLimitExceeded()
        if "error" in reply:
            error = student_exception(reply["error"])
            names = [str(n) for n in reply["error"].get("mro", [])]
            if "Exception" not in names and names:
                self.faults.append(f"{names[0]} was raised")
            raise error
        return decode(reply.get("value"), self._from_handle)

    def _receive(self, cpu):
        start_wall, start_cpu = time.monotonic(), self._cpu_seconds()
        wall_limit = max(WALL_FACTOR * cpu, MIN_WALL)

        def wait():
            while True:
                ready, _, _ = select.select([self.read_fd], [], [], 0.1)
                if ready:
                    return
                if self.process.poll() is not None:
                    return
                if self._cpu_seconds() - start_cpu > cpu + CPU_GRACE:
                    self._die(f"did not stop after {cpu:g} s of CPU time (a loop that swallows the time limit?)",
                              timeout=True)
                if time.monotonic() - start_wall > wall_limit:
                    self._die(f"did not answer within {wall_limit:g} s (a loop that waits or sleeps?)", timeout=True)

        try:
            size = struct.unpack(">Q", _read_exactly(self.read_fd, 8, wait))[0]
            if size > MAX_MESSAGE:
                self._die(f"sent an answer of {size / 2 ** 20:.0f} MB, more than the "
                          f"{MAX_MESSAGE / 2 ** 20:.0f} MB a grader accepts")
            reply = json.loads(_read_exactly(self.read_fd, size, wait))
        except (EOFError, OSError):
            self._die("stopped (os._exit, a crash, or not enough memory)")
        except (ValueError, UnicodeDecodeError):
            self._die("sent something that is not a message", protocol=True)
        if not isinstance(reply, dict):
            self._die("sent something that is not a message", protocol=True)
        return reply

    def _die(self, reason, timeout=False, protocol=False):
        from nnlib import grading
        self.stop()
        self.faults.append(reason)
        if timeout:
            error = grading.TimeLimitExceeded(reason)
            raise error
        raise (ProtocolError if protocol else WorkerDied)(f"the notebook's process {reason}.")

    def _serve_callback(self, message):
        function = self.callbacks.get(message.get("callback"))
        try:
            if function is None:
                raise ProtocolError("an unknown callback")
            args = decode({"l": message.get("args", [])}, self._from_handle)
            kwargs = decode({"m": [[k, v] for k, v in (message.get("kwargs") or {}).items()]}, self._from_handle)
            result = {"value": self.encode_argument(function(*args, **kwargs))}
        except WorkerDied:
            raise
        except Exception as error:
            result = {"error": f"{type(error).__name__}: {error}"}
        _write(self.write_fd, result)

    def _from_handle(self, info):
        if "h" not in info:
            raise ProtocolError(f"unknown value {str(info)[:80]}")
        kind = info.get("kind")
        cls = RemoteClass if kind == "class" else RemoteFunction if kind == "callable" else Remote
        return cls(self, info)

    def encode_argument(self, value):
        """Encode a grader value for the worker: data by value, handles back, local functions as callbacks."""
        def to_handle(item):
            if isinstance(item, Remote):
                if item._sandbox is not self or item._generation != self.generation:
                    raise WorkerDied("an object of an earlier run of the notebook was passed on.")
                return {"h": item._handle}
            if callable(item):
                key = len(self.callbacks) + 1
                self.callbacks[key] = item
                return {"cb": key}
            raise TypeError(f"cannot pass a {type(item).__name__} to student code")
        return encode(value, to_handle)

    # conveniences
    def run_cell(self, source, cpu):
        return self.request({"op": "run_cell", "source": source, "cpu": cpu})

    def get(self, name):
        """The value of ``name`` in the notebook's namespace, or None if it is undefined."""
        return self.request({"op": "get", "name": name, "cpu": 10.0})

    def forbid(self, names):
        self.forbidden_used = []
        return self.request({"op": "forbid", "names": sorted(names), "cpu": 10.0})

    def allow(self):
        return self.request({"op": "allow", "cpu": 10.0})

    def function_uses(self, remote):
        return set(self.request({"op": "uses", "h": remote._handle, "cpu": 10.0}) or ())


# --- the worker's side -------------------------------------------------------------------------------

class _Worker:
    """The loop that runs in the worker process: it executes cells and answers requests."""

    def __init__(self, read_fd, write_fd):
        self.read_fd, self.write_fd = read_fd, write_fd
        self.objects = {}
        self.namespace = {"__name__": "__main__", "__builtins__": __builtins__}
        self.forbidden = {}          # function -> original code
        self.forbidden_used = []
        self.shell = None

    def to_handle(self, value):
        key = len(self.objects) + 1
        self.objects[key] = value
        kind = "class" if isinstance(value, type) else "callable" if callable(value) else "object"
        try:
            text = repr(value)[:200]
        except BaseException:  # a student's __repr__ may fail
            text = ""
        mro = []
        for cls in type(value).__mro__[:30]:
            mro.append([str(getattr(cls, "__module__", "")), str(getattr(cls, "__qualname__", ""))])
        return {"h": key, "kind": kind, "type": type(value).__name__, "repr": text, "mro": mro}

    def encode(self, value):
        return encode(value, self.to_handle)

    def from_message(self, info):
        if "h" in info:
            return self.objects[int(info["h"])]
        if "cb" in info:
            key = int(info["cb"])

            def callback(*args, **kwargs):
                _write(self.write_fd, {"callback": key, "args": [self.encode(a) for a in args],
                                       "kwargs": {str(k): self.encode(v) for k, v in kwargs.items()}})
                reply = json.loads(_read_exactly(self.read_fd, struct.unpack(">Q", _read_exactly(self.read_fd, 8))[0]))
                if "error" in reply:
                    raise RuntimeError(f"the grader's function raised {reply['error']}")
                return decode(reply["value"], self.from_message)
            return callback
        raise ValueError("unknown message")

    def decode(self, message):
        return decode(message, self.from_message)

    def error(self, error, code=None):
        traceback = _TOOLS["traceback"]
        line = ""
        try:
            frames = traceback.extract_tb(error.__traceback__)
            own = [f for f in frames if f.filename.startswith("<cell") and f.line]
            line = own[-1].line.strip() if own else ""
        except BaseException:
            pass
        try:
            message = str(error)
        except BaseException:
            message = ""
        return {"mro": [c.__name__ for c in type(error).__mro__], "message": message[:2000], "line": line}

    def limited(self, function, cpu):
        """function() under a CPU-time limit; returns a reply dict."""
        TimeLimitExceeded = _TOOLS["TimeLimitExceeded"]

        def on_alarm(signum, frame):
            raise TimeLimitExceeded()

        signal.signal(signal.SIGPROF, on_alarm)
        signal.setitimer(signal.ITIMER_PROF, cpu)
        try:
            try:
                value = function()
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
            return {"value": value}
        except TimeLimitExceeded:
            return {"timeout": True}
        except ForbiddenLibraryCall as error:
            return {"error": self.error(error)}
        except BaseException as error:  # SystemExit, KeyboardInterrupt, ... cost this call only
            return {"error": self.error(error)}

    def run_cell(self, source, cpu):
        if self.shell is None:
            try:
                from IPython.core.interactiveshell import InteractiveShell
                self.shell = InteractiveShell.instance(user_ns=self.namespace)
            except Exception:
                self.shell = False
        if self.shell:
            try:
                source = self.shell.transform_cell(source)
            except Exception:
                pass
        number = getattr(self, "cell_number", 0) + 1
        self.cell_number = number
        code = compile(source, f"<cell {number}>", "exec")

        def run():
            exec(code, self.namespace)
        reply = self.limited(run, cpu)
        if "value" in reply:
            reply["value"] = None
        return reply

    def call(self, message):
        copy, _same = _TOOLS["copy"], _TOOLS["_same"]
        function = self.objects[int(message["h"])]
        args = [self.decode(a) for a in message.get("args", [])]
        kwargs = {k: self.decode(v) for k, v in (message.get("kwargs") or {}).items()}
        try:
            before = copy.deepcopy(args)
        except BaseException:
            before = None
        reply = self.limited(lambda: function(*args, **kwargs), float(message["cpu"]))
        if "value" in reply:
            reply["value"] = self.encode(reply["value"])
            if before is not None:
                try:
                    reply["mutated"] = [i + 1 for i, (a, b) in enumerate(zip(before, args)) if not _same(a, b)]
                except BaseException:
                    pass
        return reply

    def forbid(self, names):
        importlib, pkgutil, types, nnlib = (_TOOLS[n] for n in ("importlib", "pkgutil", "types", "nnlib"))
        self.allow()
        stub = _forbidden_stub.__code__
        for info in pkgutil.walk_packages(nnlib.__path__, "nnlib."):
            if info.name.startswith(("nnlib.grading", "nnlib.widgets")):
                continue
            try:
                module = importlib.import_module(info.name)
            except BaseException:
                continue
            for value in list(vars(module).values()):
                if isinstance(value, types.FunctionType) and value.__name__ in names \
                        and (value.__module__ or "").startswith("nnlib") and value not in self.forbidden:
                    self.forbidden[value] = value.__code__
                    value.__code__ = stub.replace(co_name=value.__name__, co_freevars=(),
                                                  co_filename=value.__code__.co_filename) \
                        if not value.__code__.co_freevars else value.__code__
        global _WORKER
        _WORKER = self
        return None

    def allow(self):
        for function, code in self.forbidden.items():
            function.__code__ = code
        self.forbidden = {}
        self.forbidden_used = []
        return None

    def handle(self, message):
        op = message.get("op")
        cpu = float(message.get("cpu") or 5.0)
        if op == "run_cell":
            return self.run_cell(message["source"], cpu)
        if op == "call":
            return self.call(message)
        if op == "get":
            name = message["name"]
            if name not in self.namespace:
                return {"value": None}
            return {"value": self.encode(self.namespace[name])}
        if op == "forbid":
            return {"value": self.forbid(set(message["names"]))}
        if op == "allow":
            return {"value": self.allow()}
        target = self.objects[int(message["h"])]
        operations = {
            "getattr": lambda: getattr(target, message["name"]),
            "getitem": lambda: target[self.decode(message["key"])],
            "len": lambda: len(target),
            "iter": lambda: list(target),
            "bool": lambda: bool(target),
            "array": lambda: _safe_array(target),
            "isinstance": lambda: isinstance(self.objects[int(message["obj"])], target),
            "uses": lambda: sorted(_TOOLS["function_uses"](target)),
        }
        reply = self.limited(operations[op], cpu)
        if "value" in reply:
            reply["value"] = self.encode(reply["value"])
        return reply

    def serve(self):
        while True:
            try:
                size = struct.unpack(">Q", _read_exactly(self.read_fd, 8))[0]
                message = json.loads(_read_exactly(self.read_fd, size))
            except EOFError:
                return
            try:
                reply = self.handle(message)
            except BaseException as error:
                reply = {"error": self.error(error)}
            if self.forbidden_used:
                reply["forbidden"] = list(self.forbidden_used)
            try:
                _write(self.write_fd, reply)
            except (TypeError, ValueError) as error:
                _write(self.write_fd, {"error": self.error(error)})


_WORKER = None
_TOOLS = {}
"""What the worker needs, imported before any student code runs (a notebook may replace
``sys.modules`` entries or module attributes afterwards)."""


def _forbidden_stub(*args, **kwargs):
    import sys as _sys
    worker = _sys.modules["nnlib.grading_sandbox"]._WORKER
    name = _sys._getframe(0).f_code.co_name
    if worker is not None:
        worker.forbidden_used.append(name)
    raise _sys.modules["nnlib.grading_sandbox"].ForbiddenLibraryCall(
        f"nnlib's {name} is not available while this question is graded: write it yourself")


def _safe_array(value):
    array = np.asarray(value)
    if array.dtype.kind not in SAFE_KINDS:
        array = np.asarray(value, dtype=float)
    return array


def main(argv):
    read_fd, write_fd = int(argv[1]), int(argv[2])
    sys.modules["nnlib.grading_sandbox"] = sys.modules[__name__]
    import copy
    import importlib
    import pkgutil
    import traceback
    import types
    import nnlib
    from nnlib import grading
    _TOOLS.update(copy=copy, importlib=importlib, pkgutil=pkgutil, traceback=traceback, types=types, nnlib=nnlib,
                  _same=grading._same, function_uses=grading.function_uses,
                  TimeLimitExceeded=grading.TimeLimitExceeded)
    # The notebook's prints go nowhere (a huge output cannot fill a pipe or the grader's memory).
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    sys.stdout = open(os.devnull, "w")
    sys.stderr = open(os.devnull, "w")
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 3000))
    _Worker(read_fd, write_fd).serve()


if __name__ == "__main__":
    main(sys.argv)
