#!/usr/bin/env python3
"""
A Baton service in Python, with nothing but the standard library.

It is written from docs/protocol.md alone and shows every part of the service socket protocol a service needs:

  * a minimal WebSocket client (RFC 6455): the upgrade handshake, masked client frames, text frames, ping/pong,
    close, fragmented messages, 16- and 64-bit lengths;
  * `hello` -> `welcome`, with the instance id kept in a file so a restarted process re-attaches as the same instance;
  * tasks run on threads and answered with `result` or `task-error`, `ack`s both ways, an outbox of outcomes that is
    sent again after a reconnect, duplicate tasks recognised by `taskId`;
  * heartbeats, `cancel`, deadlines, `compensate` (this service cannot undo anything, and says so), `drain` on
    Ctrl-C or SIGTERM;
  * reconnecting with exponential backoff and jitter, and stopping where the protocol says to.

Start a server (`npx baton serve`), create a project with the admin token it printed, then:

    BATON_URL=http://127.0.0.1:7400 BATON_API_KEY=bk_... python3 examples/python/baton_service.py

and run a plan that uses it:

    curl -s -X POST "$BATON_URL/v1/orchestrations" -H "Authorization: Bearer $BATON_API_KEY" \\
      -H "Content-Type: application/json" \\
      -d '{"action": {"content": "Count words"},
           "plan": {"steps": [{"id": "count", "target": "word-count", "input": {"text": "to be or not to be"}}]}}'

`--trace` (or BATON_TRACE=1) prints every message in and out, which is a good way to learn the protocol. The instance
id is kept in `.baton/python/word-count.json` (`--state-dir`, BATON_STATE_DIR): a process started again in the same
folder comes back as the same instance and gets the tasks the server kept for it.

To write your own service, import this file and call `BatonService(...).run(...)` with your handler; the bottom of
the file (`main`) is the example. A handler gets the task's input and a `TaskContext`, returns the output, and raises
`TaskError` for an error it understands.
"""

from __future__ import annotations

import argparse
import atexit
import base64
import hashlib
import json
import os
import random
import select
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import traceback
import uuid
from collections import OrderedDict
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

try:  # Used to lock the instance-id file; not available on Windows, where it is simply not locked.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

PROTOCOL_VERSION = 1
# The largest frame either side accepts until `welcome.maxMessageBytes` says otherwise.
DEFAULT_MAX_MESSAGE_BYTES = 16_842_752
# How long to wait for `welcome` after sending `hello` before giving up on the connection.
WELCOME_TIMEOUT_S = 30.0
# Reconnect backoff: a random wait between 0 and a ceiling that starts here and doubles up to the maximum.
BACKOFF_INITIAL_S = 0.1
BACKOFF_MAX_S = 30.0
# Close codes after which reconnecting cannot help (see "Close codes" in docs/protocol.md).
STOP_CLOSE_CODES = {
    4001: "the API key was revoked",
    4004: "the service was deleted",
    4400: "the registration was refused; fix the service definition",
}
# How many finished tasks (and successful outputs by idempotency key) to remember, to answer repeats.
REMEMBER_FINISHED = 10_000


_log_lock = threading.Lock()


def log(line: str) -> None:
    """
    Everything this program says goes to stdout, one whole line at a time (several threads log) and flushed at once, so
    a supervising process sees it.
    """
    with _log_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def new_id() -> str:
    return str(uuid.uuid4())


def now_ms() -> int:
    return int(time.time() * 1000)


def websocket_url(base_url: str) -> str:
    """`<server base URL>/v1/ws`, with ws:// for http:// and wss:// for https://."""
    base = base_url.rstrip("/")
    for http, ws in (("https://", "wss://"), ("http://", "ws://")):
        if base.startswith(http):
            return ws + base[len(http) :] + "/v1/ws"
    raise ValueError(f"not an http:// or https:// URL: {base_url}")


# --------------------------------------------------------------------------------------------------------------------
# A minimal WebSocket client (RFC 6455)
# --------------------------------------------------------------------------------------------------------------------

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class HandshakeRefused(Exception):
    """The server answered the upgrade request with something other than 101 (401: the key was refused)."""

    def __init__(self, status: int, body: str):
        super().__init__(f"the server answered the WebSocket upgrade with HTTP {status}: {body[:200]}")
        self.status = status


class ConnectionClosed(Exception):
    """The WebSocket ended: `code` is the close code (1006 when the connection ended without a close frame)."""

    def __init__(self, code: int, reason: str = ""):
        super().__init__(f"closed with code {code}" + (f" ({reason})" if reason else ""))
        self.code = code
        self.reason = reason


def mask_payload(payload: bytes, key: bytes) -> bytes:
    """XORs the payload with the 4-byte key repeated (RFC 6455 section 5.3), a whole integer at a time."""
    if not payload:
        return b""
    repeated = (key * (len(payload) // 4 + 1))[: len(payload)]
    masked = int.from_bytes(payload, "little") ^ int.from_bytes(repeated, "little")
    return masked.to_bytes(len(payload), "little")


class WebSocket:
    """
    One client WebSocket over a (possibly TLS) socket.

    Reading is driven by the caller: wait until `fileno()` is readable (or `pending()` is true), then call
    `receive()`, which reads what arrived and returns the complete text messages, answering pings and closes itself.
    Writing (`send_text`, `close`) may happen from any thread; frames are written whole under a lock.
    """

    def __init__(self, sock: socket.socket, already_read: bytes):
        self._sock = sock
        self._buffer = bytearray(already_read)  # bytes read but not yet parsed into frames
        self._fragments: Optional[list[bytes]] = None  # the parts of a fragmented message so far
        self._fragment_opcode = OP_TEXT
        self._write_lock = threading.Lock()
        self._close_sent = False
        self._ended: Optional[ConnectionClosed] = None  # how the connection ended, once it has
        self.max_message_bytes = DEFAULT_MAX_MESSAGE_BYTES

    @classmethod
    def connect(cls, url: str, headers: dict[str, str], timeout: float = 10.0) -> "WebSocket":
        """Opens `ws://` or `wss://` `url` and performs the client handshake; raises HandshakeRefused or OSError."""
        parts = urlsplit(url)
        secure = parts.scheme == "wss"
        host = parts.hostname or "localhost"
        port = parts.port or (443 if secure else 80)
        sock = socket.create_connection((host, port), timeout=timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if secure:
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
            key = base64.b64encode(os.urandom(16)).decode()
            host_header = parts.netloc.rpartition("@")[2]  # host[:port], brackets of an IPv6 address kept
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            lines = [
                f"GET {path} HTTP/1.1",
                f"Host: {host_header}",
                "Upgrade: websocket",
                "Connection: Upgrade",
                f"Sec-WebSocket-Key: {key}",
                "Sec-WebSocket-Version: 13",
                *(f"{name}: {value}" for name, value in headers.items()),
            ]
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())

            # Read the response head; whatever follows it is already the first frames.
            response = b""
            while b"\r\n\r\n" not in response:
                chunk = sock.recv(4096)
                if not chunk:
                    raise ConnectionError("the server closed the connection during the WebSocket handshake")
                response += chunk
                if len(response) > 65536:
                    raise ConnectionError("the WebSocket handshake response is too large")
            head, rest = response.split(b"\r\n\r\n", 1)
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            status = int(status_line.split(" ")[1])
            response_headers = {}
            for line in header_lines:
                name, _, value = line.partition(":")
                response_headers[name.strip().lower()] = value.strip()
            if status != 101:
                raise HandshakeRefused(status, rest.decode("utf-8", "replace"))
            expected = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
            if response_headers.get("sec-websocket-accept") != expected:
                raise ConnectionError("the server's Sec-WebSocket-Accept does not match the key sent")
            return cls(sock, rest)
        except BaseException:
            sock.close()
            raise

    def fileno(self) -> int:
        return self._sock.fileno()

    def pending(self) -> bool:
        """True when `receive()` has something that `select` cannot see: decrypted TLS data, or the close."""
        tls_pending = self._sock.pending() if isinstance(self._sock, ssl.SSLSocket) else 0
        return tls_pending > 0 or self._ended is not None

    def set_write_timeout(self, seconds: float) -> None:
        """
        Bounds how long a write may block (a server that stops reading). Reads are unaffected in practice: they only
        happen once `select` says data is there.
        """
        self._sock.settimeout(seconds)

    # Writing -------------------------------------------------------------------------------------------------------

    def send_text(self, text: str) -> None:
        self._send_frame(OP_TEXT, text.encode("utf-8"))

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        # FIN set (we never fragment what we send), the opcode, then the length in 7, 7+16 or 7+64 bits with the
        # mask bit set: a client masks every frame with a fresh random key.
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        key = os.urandom(4)
        with self._write_lock:
            self._sock.sendall(header + key + mask_payload(payload, key))

    def close(self, code: int = 1000, reason: str = "", wait_s: float = 2.0) -> None:
        """The close handshake: sends a close frame, waits briefly for the server's, then closes the socket."""
        try:
            self._send_close(code, reason)
            end = time.monotonic() + wait_s
            while time.monotonic() < end:
                readable, _, _ = select.select([self._sock], [], [], max(0.0, end - time.monotonic()))
                if readable or self.pending():
                    self.receive()
        except (ConnectionClosed, OSError):
            pass
        finally:
            self._sock.close()

    def _send_close(self, code: int, reason: str = "") -> None:
        if not self._close_sent:
            self._close_sent = True
            self._send_frame(OP_CLOSE, struct.pack("!H", code) + reason.encode("utf-8")[:120])

    def abort(self) -> None:
        """Ends the connection without a close handshake. Safe from any thread: a blocked read or write wakes up."""
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def release(self) -> None:
        """Closes the socket itself (only the thread that reads it may call this)."""
        self._sock.close()

    # Reading -------------------------------------------------------------------------------------------------------

    def receive(self) -> list[str]:
        """
        Reads what the socket has and returns the text messages completed by it (often none or one). Pings are
        answered with pongs; a close frame is answered and raises ConnectionClosed, as does the end of the connection.
        """
        if self._ended is not None:
            raise self._ended
        try:
            data = self._sock.recv(65536)
        except ssl.SSLWantReadError:  # only part of a TLS record has arrived
            return []
        if not data:
            raise ConnectionClosed(1006, "the connection ended without a close frame")
        self._buffer += data
        messages = []
        try:
            while True:
                frame = self._take_frame()
                if frame is None:
                    return messages
                message = self._on_frame(*frame)
                if message is not None:
                    messages.append(message)
        except ConnectionClosed as closed:
            # A close that arrived together with messages (a `protocol-error` and then the close, say): hand over
            # the messages first; the next call raises.
            self._ended = closed
            if messages:
                return messages
            raise

    def _fail(self, code: int, reason: str) -> None:
        """The server broke the WebSocket rules: close with `code` (1002 protocol error, 1009 too big) and stop."""
        try:
            self._send_close(code, reason)
        except OSError:
            pass
        raise ConnectionClosed(code, reason)

    def _take_frame(self) -> Optional[tuple[bool, int, bytes]]:
        """Removes one complete frame from the buffer: (fin, opcode, payload), or None until more bytes arrive."""
        buffer = self._buffer
        if len(buffer) < 2:
            return None
        first, second = buffer[0], buffer[1]
        fin, opcode = bool(first & 0x80), first & 0x0F
        if first & 0x70:
            self._fail(1002, "reserved bits set without an extension")
        if second & 0x80:
            self._fail(1002, "a server must not mask its frames")
        length, offset = second & 0x7F, 2
        if length == 126:
            if len(buffer) < 4:
                return None
            (length,) = struct.unpack_from("!H", buffer, 2)
            offset = 4
        elif length == 127:
            if len(buffer) < 10:
                return None
            (length,) = struct.unpack_from("!Q", buffer, 2)
            offset = 10
        if opcode >= 0x8 and (length > 125 or not fin):
            self._fail(1002, "a control frame must be short and unfragmented")
        if length > self.max_message_bytes:
            self._fail(1009, "frame too large")
        if len(buffer) < offset + length:
            return None
        payload = bytes(buffer[offset : offset + length])
        del buffer[: offset + length]
        return fin, opcode, payload

    def _on_frame(self, fin: bool, opcode: int, payload: bytes) -> Optional[str]:
        if opcode == OP_PING:
            self._send_frame(OP_PONG, payload)
            return None
        if opcode == OP_PONG:
            return None
        if opcode == OP_CLOSE:
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
            reason = payload[2:].decode("utf-8", "replace")
            try:
                self._send_close(code if len(payload) >= 2 else 1000)  # answer the close handshake
            except OSError:
                pass
            raise ConnectionClosed(code, reason)
        if opcode in (OP_TEXT, OP_BINARY):
            if self._fragments is not None:
                self._fail(1002, "a new message started inside a fragmented one")
            if not fin:  # the first fragment: continuation frames follow
                self._fragments, self._fragment_opcode = [payload], opcode
                return None
            return self._complete(opcode, payload)
        if opcode == OP_CONTINUATION:
            if self._fragments is None:
                self._fail(1002, "a continuation frame without a message to continue")
            self._fragments.append(payload)
            if sum(len(part) for part in self._fragments) > self.max_message_bytes:
                self._fail(1009, "message too large")
            if not fin:
                return None
            whole, self._fragments = b"".join(self._fragments), None
            return self._complete(self._fragment_opcode, whole)
        self._fail(1002, f"unknown opcode {opcode}")
        return None

    def _complete(self, opcode: int, payload: bytes) -> Optional[str]:
        if opcode == OP_BINARY:
            log("ignoring a binary message from the server (the protocol uses text frames only)")
            return None
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            self._fail(1007, "a text message that is not UTF-8")
            return None


# --------------------------------------------------------------------------------------------------------------------
# A tiny JSON Schema check (a real service would use the `jsonschema` package)
# --------------------------------------------------------------------------------------------------------------------

JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool)
    or isinstance(value, float) and value.is_integer(),
    "number": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
}


def schema_problems(value: Any, schema: Optional[dict], path: str = "$") -> list[str]:
    """
    What is wrong with `value` under `schema`, for the keywords this example's schemas use: type, properties,
    required, additionalProperties (false), items, enum, minLength, maxLength, minimum, maximum.
    """
    if not schema:
        return []
    expected = schema.get("type")
    if expected is not None:
        kinds = expected if isinstance(expected, list) else [expected]
        if not any(JSON_TYPES[kind](value) for kind in kinds):
            return [f"{path} must be {' or '.join(kinds)}"]
    problems = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{path} must be one of {json.dumps(schema['enum'])}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        problems += [f"{path}.{name} is required" for name in schema.get("required", []) if name not in value]
        for name, item in value.items():
            if name in properties:
                problems += schema_problems(item, properties[name], f"{path}.{name}")
            elif schema.get("additionalProperties") is False:
                problems.append(f"{path}.{name} is not allowed")
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            problems += schema_problems(item, schema["items"], f"{path}[{index}]")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            problems.append(f"{path} must have at least {schema['minLength']} characters")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            problems.append(f"{path} must have at most {schema['maxLength']} characters")
    if JSON_TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(f"{path} must be at least {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            problems.append(f"{path} must be at most {schema['maximum']}")
    return problems


# --------------------------------------------------------------------------------------------------------------------
# The instance id, kept in a file so a restarted process re-attaches as the same instance
# --------------------------------------------------------------------------------------------------------------------


def _same_file(opened, path: str) -> bool:
    """Whether `path` still names the file `opened` is (a lock file removed and made again is another file)."""
    try:
        return os.path.samestat(os.fstat(opened.fileno()), os.stat(path))
    except OSError:
        return False


class InstanceFile:
    """
    `<directory>/<name>.json` holds the instance id of the last `welcome`. Each process locks a slot: a second
    process of the same service in the same directory uses `<name>.2.json`, and so on.
    """

    def __init__(self, directory: str, name: str):
        os.makedirs(directory, mode=0o700, exist_ok=True)
        slot = 1
        while True:
            stem = name if slot == 1 else f"{name}.{slot}"
            lock_path = os.path.join(directory, f"{stem}.lock")
            lock = open(lock_path, "a")  # kept open (and locked) while the process runs
            if fcntl is None:
                break
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                lock.close()
                slot += 1
                continue
            if _same_file(lock, lock_path):
                break
            lock.close()  # its holder removed it as it exited: take the slot's new file
        self._lock = lock
        self._lock_path = lock_path
        self.path = os.path.join(directory, f"{stem}.json")
        atexit.register(self.release)

    def release(self) -> None:
        """Removes the lock file while still holding it, then lets it go: a stopped service leaves no lock behind."""
        if self._lock.closed:
            return
        try:
            if fcntl is not None:
                os.remove(self._lock_path)
        except OSError:
            pass  # gone already
        self._lock.close()

    def load(self) -> Optional[str]:
        try:
            with open(self.path, encoding="utf-8") as file:
                return json.load(file).get("instanceId")
        except (OSError, ValueError, AttributeError):
            return None

    def save(self, instance_id: str) -> None:
        partial = f"{self.path}.{os.getpid()}.tmp"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump({"instanceId": instance_id}, file)
        os.replace(partial, self.path)  # all or nothing: a crash never leaves half a file


# --------------------------------------------------------------------------------------------------------------------
# The service
# --------------------------------------------------------------------------------------------------------------------


class TaskError(Exception):
    """Raise from a handler to answer the task with a `task-error`. `retryable=False`: another attempt cannot help."""

    def __init__(
        self,
        message: str,
        *,
        code: Optional[str] = None,
        retryable: bool = False,
        retry_after_ms: Optional[int] = None,
        details: Any = None,
    ):
        super().__init__(message)
        self.error: dict[str, Any] = {"message": message[:10000], "retryable": retryable}
        if code is not None:
            self.error["code"] = code
        if retry_after_ms is not None:
            self.error["retryAfterMs"] = retry_after_ms
        if details is not None:
            self.error["details"] = details


class TaskContext:
    """What a handler knows about its task, and how it reports progress and notices a cancel or its deadline."""

    def __init__(self, service: "BatonService", task: dict):
        self.task_id: str = task["taskId"]
        self.orchestration_id: str = task["orchestrationId"]
        self.step_id: str = task["stepId"]
        self.attempt: int = task["attempt"]
        self.idempotency_key: str = task["idempotencyKey"]
        # `deadline` is milliseconds since the epoch, or null.
        self.deadline: Optional[float] = None if task["deadline"] is None else task["deadline"] / 1000
        self.cancel_reason: Optional[str] = None
        self._cancelled = threading.Event()
        self._service = service

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def progress(self, data: Any) -> None:
        """Best effort: sent if connected, never acknowledged or sent again."""
        self._service._send({"type": "progress", "id": new_id(), "taskId": self.task_id, "data": data})

    def check(self) -> None:
        """Raises the `task-error` the protocol asks for once the task was cancelled or its deadline passed."""
        if self._cancelled.is_set():
            raise TaskError(f"the task was cancelled: {self.cancel_reason}", code="cancelled", retryable=False)
        if self.deadline is not None and time.time() >= self.deadline:
            raise TaskError("the task's deadline passed", code="deadline-exceeded", retryable=True)

    def sleep(self, seconds: float) -> None:
        """Waits, but wakes up (and raises) at a cancel or the deadline."""
        if self.deadline is not None:
            seconds = min(seconds, max(0.0, self.deadline - time.time()))
        self._cancelled.wait(seconds)
        self.check()


class _Task:
    def __init__(self, context: TaskContext):
        self.context = context
        self.outcome: Optional[dict] = None  # the `result` / `task-error` once finished


Handler = Callable[[Any, TaskContext], Any]


class BatonService:
    """
    Registers one service with a Baton server and runs its tasks until drained or told to stop.

    Threads: the thread that calls `run()` owns the socket's reading side (and the heartbeat timer); each task runs on
    its own thread, which sends its outcome itself. All shared state is guarded by `self._lock`.
    """

    def __init__(
        self,
        *,
        name: str,
        description: str,
        handler: Handler,
        input_schema: Optional[dict] = None,
        output_schema: Optional[dict] = None,
        version: Optional[str] = None,
        effect_free: bool = False,
        max_concurrency: int = 64,
        trace: bool = False,
    ):
        self.definition: dict[str, Any] = {"name": name, "description": description, "kind": "service"}
        if version is not None:
            self.definition["version"] = version
        if input_schema is not None:
            self.definition["input"] = input_schema
        if output_schema is not None:
            self.definition["output"] = output_schema
        # This example cannot undo its work: it registers as not revertible (and answers `compensate` accordingly).
        self.definition["revertible"] = False
        self.definition["effectFree"] = effect_free
        self.handler = handler
        self.input_schema, self.output_schema = input_schema, output_schema
        self.max_concurrency = max_concurrency
        self.trace = trace

        self.instance_id: Optional[str] = None
        self._lock = threading.RLock()
        self._ws: Optional[WebSocket] = None
        self._welcomed = False  # on the current socket
        self._welcomes = 0  # how many `welcome`s so far (the reconnect backoff starts again after each)
        self._heartbeat_s = 10.0
        self._max_message_bytes = DEFAULT_MAX_MESSAGE_BYTES
        # Outcomes sent (or to send) and not yet acknowledged, by message id, in the order first sent.
        self._outbox: "OrderedDict[str, dict]" = OrderedDict()
        # Every task received, running or finished (the last REMEMBER_FINISHED finished ones), by taskId.
        self._tasks: "OrderedDict[str, _Task]" = OrderedDict()
        # Answers to `compensate`, by compensationId, to send again for a repeat.
        self._compensations: "OrderedDict[str, dict]" = OrderedDict()
        # Successful outputs by idempotency key: a repeat of a step is answered without running the handler again.
        self._outputs_by_key: "OrderedDict[str, Any]" = OrderedDict()
        self._drain_requested = False
        self._drain_sent = False  # on the current socket
        # Wakes the thread that reads the socket (a drain request, a finished task) or waits to reconnect.
        self._wake_read, self._wake_write = socket.socketpair()
        self._wake_write.setblocking(False)  # a full buffer means a wake-up is pending already
        self._instance_file: Optional[InstanceFile] = None

    # Sending -------------------------------------------------------------------------------------------------------

    def _send(self, message: dict) -> bool:
        """Sends one message if a registered socket is open; False if it could not be sent now."""
        with self._lock:
            ws = self._ws
            if ws is None or not (self._welcomed or message["type"] == "hello"):
                return False
            text = json.dumps(message, separators=(",", ":"))
            if self.trace:
                log(f"-> {text[:500]}")
            try:
                ws.send_text(text)
                return True
            except OSError as error:
                # A write that fails or blocks too long means the connection is gone: drop it. The reading thread
                # notices and reconnects; whatever needed an ack is still in the outbox.
                log(f"sending failed ({error}); dropping the connection")
                ws.abort()
                return False

    def _send_acknowledged(self, message: dict) -> None:
        """An outcome: kept in the outbox until the server's `ack`, and sent again after each reconnect until then."""
        with self._lock:
            self._outbox[message["id"]] = message
            self._send(message)

    def _ack(self, message: dict) -> None:
        self._send({"type": "ack", "id": new_id(), "of": message["id"]})

    # Incoming messages ---------------------------------------------------------------------------------------------

    def _on_message(self, text: str) -> None:
        if self.trace:
            log(f"<- {text[:500]}")
        try:
            message = json.loads(text)
        except ValueError:
            log("ignoring a frame from the server that is not JSON")
            return
        kind = message.get("type") if isinstance(message, dict) else None
        handler = {
            "welcome": self._on_welcome,
            "ack": self._on_ack,
            "task": self._on_task,
            "cancel": self._on_cancel,
            "compensate": self._on_compensate,
            "heartbeat": lambda _: None,  # the answer to ours; hearing it is all that matters
            "protocol-error": self._on_protocol_error,
        }.get(kind)
        if handler is None:
            log(f"ignoring a message of unknown type {kind!r}")
            return
        if kind not in ("welcome", "protocol-error") and not self._welcomed:
            log(f"ignoring {kind!r} before welcome")
            return
        handler(message)

    def _on_welcome(self, welcome: dict) -> None:
        with self._lock:
            if self._welcomed:
                return
            if welcome["instanceId"] != self.instance_id and self.instance_id is not None:
                log(f"the server gave a new instance id (was {self.instance_id})")
            self.instance_id = welcome["instanceId"]
            self._heartbeat_s = welcome["heartbeatMs"] / 1000
            self._max_message_bytes = welcome["maxMessageBytes"]
            self._ws.max_message_bytes = self._max_message_bytes
            # A write blocked for three heartbeat intervals means the server is gone.
            self._ws.set_write_timeout(3 * self._heartbeat_s)
            self._welcomed = True
            self._welcomes += 1
            # Everything still waiting for its ack, in the order first sent.
            for message in list(self._outbox.values()):
                self._send(message)
            if self._drain_requested:
                self._send({"type": "drain", "id": new_id()})
                self._drain_sent = True
        if self._instance_file is not None:
            try:
                self._instance_file.save(self.instance_id)
            except OSError as error:
                log(f"could not save the instance id: {error}")
        log(
            f"registered {self.definition['name']}@{welcome['version']} as instance {self.instance_id} "
            f"(service {welcome['serviceId']}, heartbeat {welcome['heartbeatMs']} ms)"
        )

    def _on_ack(self, ack: dict) -> None:
        with self._lock:
            self._outbox.pop(ack["of"], None)

    def _on_task(self, task: dict) -> None:
        self._ack(task)  # acknowledged on receipt, repeats included
        task_id = task["taskId"]
        with self._lock:
            known = self._tasks.get(task_id)
            if known is not None:
                # A repeat: running -> nothing to do; finished -> its outcome again, unless still unacknowledged
                # (then it was, or will be, sent again anyway).
                if known.outcome is not None and known.outcome["id"] not in self._outbox:
                    known.outcome = {**known.outcome, "id": new_id()}
                    self._send_acknowledged(known.outcome)
                return
            context = TaskContext(self, task)
            self._tasks[task_id] = _Task(context)
            self._forget_old(self._tasks, lambda entry: entry.outcome is not None)
            remembered = task["idempotencyKey"] in self._outputs_by_key
            output = self._outputs_by_key.get(task["idempotencyKey"])
        log(f"task {task['stepId']} {task_id} attempt {task['attempt']}")
        if remembered:  # this step already succeeded here: answer from memory, do not run it again
            self._finish(task_id, {"type": "result", "output": output})
            return
        threading.Thread(target=self._run_task, args=(context, task["input"]), daemon=True).start()

    def _run_task(self, context: TaskContext, task_input: Any) -> None:
        try:
            # The server checks input and output against the registered schemas too; checking here as well costs
            # little, and gives a handler's mistake a clear message.
            problems = schema_problems(task_input, self.input_schema)
            if problems:
                raise TaskError(f"invalid input: {'; '.join(problems)}", code="invalid-input", retryable=False)
            output = self.handler(task_input, context)
            problems = schema_problems(output, self.output_schema)
            if problems:
                raise TaskError(f"invalid output: {'; '.join(problems)}", code="invalid-output", retryable=False)
            outcome: dict[str, Any] = {"type": "result", "output": output}
        except TaskError as error:
            outcome = {"type": "task-error", "error": error.error}
        except Exception as error:  # a bug or an unexpected failure: maybe another attempt does better
            traceback.print_exc()
            outcome = {
                "type": "task-error",
                "error": {"message": f"{type(error).__name__}: {error}"[:10000], "retryable": True},
            }
        self._finish(context.task_id, outcome)

    def _finish(self, task_id: str, outcome: dict) -> None:
        message = {"type": outcome["type"], "id": new_id(), "taskId": task_id}
        message.update((key, value) for key, value in outcome.items() if key != "type")
        if len(json.dumps(message, separators=(",", ":")).encode("utf-8")) > self._max_message_bytes:
            message = {
                "type": "task-error",
                "id": message["id"],
                "taskId": task_id,
                "error": {"message": "the output is too large to send", "code": "output-too-large", "retryable": False},
            }
        with self._lock:
            entry = self._tasks.get(task_id)
            if entry is not None:
                entry.outcome = message
                if message["type"] == "result":
                    self._outputs_by_key[entry.context.idempotency_key] = message["output"]
                    self._forget_old(self._outputs_by_key)
            self._send_acknowledged(message)
        log(f"{message['type']} {task_id}" + (f": {message['error']['message']}" if "error" in message else ""))
        self._wake()  # a drain may be able to finish now

    def _on_cancel(self, cancel: dict) -> None:
        self._ack(cancel)
        with self._lock:
            entry = self._tasks.get(cancel["taskId"])
        if entry is not None and entry.outcome is None:  # unknown or finished: acknowledged and ignored
            log(f"cancel {cancel['taskId']}: {cancel['reason']}")
            entry.context.cancel_reason = cancel["reason"]
            entry.context._cancelled.set()

    def _on_compensate(self, compensate: dict) -> None:
        # This service registered with `revertible: false`, so the server should never ask; answer all the same.
        self._ack(compensate)
        compensation_id = compensate["compensationId"]
        with self._lock:
            answer = self._compensations.get(compensation_id)
            if answer is not None and answer["id"] in self._outbox:
                return  # still waiting for its ack: it is sent again anyway
            answer = {
                "type": "compensation-result",
                "id": new_id(),
                "compensationId": compensation_id,
                "ok": False,
                "error": {"message": "this service cannot undo its steps", "code": "not-revertible", "retryable": False},
            }
            self._compensations[compensation_id] = answer
            self._forget_old(self._compensations)
            self._send_acknowledged(answer)

    def _on_protocol_error(self, error: dict) -> None:
        # Log it; it is no reason to disconnect (after `registration-refused` the server closes with 4400 itself).
        log(f"protocol-error {error['code']}: {error['message']}" + (f" (of {error['of']})" if "of" in error else ""))

    @staticmethod
    def _forget_old(entries: "OrderedDict", forgettable: Callable[[Any], bool] = lambda _: True) -> None:
        while len(entries) > REMEMBER_FINISHED:
            oldest_key = next(iter(entries))
            if not forgettable(entries[oldest_key]):
                break
            del entries[oldest_key]

    # Draining ------------------------------------------------------------------------------------------------------

    @property
    def draining(self) -> bool:
        return self._drain_requested

    def request_drain(self) -> None:
        """Graceful stop (safe from a signal handler): take no new tasks, finish the ones running, then close."""
        self._drain_requested = True
        self._wake()

    def _wake(self) -> None:
        try:
            self._wake_write.send(b"x")
        except OSError:
            pass

    def _pause(self, seconds: float) -> None:
        """Sleeps for `seconds`, or less if a drain is requested meanwhile."""
        end = time.monotonic() + seconds
        while not self._drain_requested and time.monotonic() < end:
            readable, _, _ = select.select([self._wake_read], [], [], max(0.0, end - time.monotonic()))
            if readable:
                self._wake_read.recv(4096)  # a wake-up that is not a drain (a task finished): keep waiting

    def _drained(self) -> bool:
        with self._lock:
            running = any(entry.outcome is None for entry in self._tasks.values())
            return self._drain_requested and not running and not self._outbox

    # Connecting ----------------------------------------------------------------------------------------------------

    def run(self, urls: list[str], api_key: str, state_directory: Optional[str] = None) -> int:
        """
        Connects, and reconnects after every failure, until drained (returns 0) or the server says to stop (1).
        With several URLs, each attempt takes the next one.
        """
        self._instance_file = InstanceFile(state_directory, self.definition["name"]) if state_directory else None
        self.instance_id = self._instance_file.load() if self._instance_file else None
        if self.instance_id:
            log(f"re-attaching as instance {self.instance_id}")
        ceiling = BACKOFF_INITIAL_S
        attempt = 0
        while True:
            url = urls[attempt % len(urls)]
            attempt += 1
            welcomes_before = self._welcomes
            try:
                self._connection(url, api_key)
                return 0  # drained and closed
            except HandshakeRefused as error:
                if error.status == 401:  # retrying with the same key cannot help
                    log(f"stopping: the server refused the API key ({error})")
                    return 1
                log(f"could not connect to {url}: {error}")
            except ConnectionClosed as error:
                log(f"the connection to {url} {error}")
                if error.code in STOP_CLOSE_CODES:
                    log(f"stopping: {STOP_CLOSE_CODES[error.code]}")
                    return 1
            except OSError as error:
                log(f"could not connect to {url}: {error}")
            if self._drained():
                return 0
            if self._welcomes > welcomes_before:
                ceiling = BACKOFF_INITIAL_S  # the backoff starts again after a successful registration
            delay = random.uniform(0, ceiling)  # "full jitter": spreads out many services reconnecting at once
            ceiling = min(ceiling * 2, BACKOFF_MAX_S)
            self._pause(delay)
            if self._drained():
                return 0

    def _connection(self, url: str, api_key: str) -> None:
        """
        One connection, from the upgrade to its end. Returns when a drain is complete; raises ConnectionClosed when
        the connection ends, HandshakeRefused or OSError when it cannot open.
        """
        ws_url = websocket_url(url)
        # The key goes in the upgrade request's header, never in the URL.
        ws = WebSocket.connect(ws_url, {"Authorization": f"Bearer {api_key}"})
        log(f"connected to {ws_url}")
        with self._lock:
            self._ws, self._welcomed, self._drain_sent = ws, False, False
        try:
            hello: dict[str, Any] = {
                "type": "hello",
                "id": new_id(),
                "protocol": PROTOCOL_VERSION,
                "service": self.definition,
                "maxConcurrency": self.max_concurrency,
            }
            if self.instance_id is not None:
                hello["instanceId"] = self.instance_id
            self._send(hello)
            opened = last_heard = time.monotonic()
            next_heartbeat = 0.0
            while True:
                # Wait for the server, the next heartbeat to send, or a wake-up (a drain, a finished task).
                now = time.monotonic()
                if not self._welcomed:
                    timeout = opened + WELCOME_TIMEOUT_S - now
                else:
                    timeout = min(next_heartbeat, last_heard + 3 * self._heartbeat_s) - now
                if ws.pending():
                    readable = [ws]
                else:
                    readable, _, _ = select.select([ws, self._wake_read], [], [], max(0.0, timeout))
                if self._wake_read in readable:
                    self._wake_read.recv(4096)
                if ws in readable or ws.pending():
                    for text in ws.receive():
                        self._on_message(text)
                    last_heard = time.monotonic()

                now = time.monotonic()
                if not self._welcomed:
                    if now >= opened + WELCOME_TIMEOUT_S:
                        ws.abort()
                        raise ConnectionClosed(1006, "no welcome within 30 s")
                    continue
                if now >= last_heard + 3 * self._heartbeat_s:
                    # Three intervals without a word from the server: it is gone. No close handshake.
                    ws.abort()
                    raise ConnectionClosed(1006, "the server went silent for three heartbeat intervals")
                if now >= next_heartbeat:
                    self._send({"type": "heartbeat", "id": new_id(), "at": now_ms()})
                    next_heartbeat = now + self._heartbeat_s
                if self._drain_requested and not self._drain_sent:
                    log("draining: no new tasks; finishing the running ones")
                    self._send({"type": "drain", "id": new_id()})
                    self._drain_sent = True
                if self._drained():
                    log("drained; closing")
                    with self._lock:
                        self._ws = None
                    ws.close(1000)
                    return
        except OSError as error:  # a reset connection, a failed read: the same as a close without a close frame
            raise ConnectionClosed(1006, str(error)) from error
        finally:
            with self._lock:
                if self._ws is ws:
                    self._ws, self._welcomed = None, False
            ws.release()


# --------------------------------------------------------------------------------------------------------------------
# The example: word-count
# --------------------------------------------------------------------------------------------------------------------

WORD_COUNT_INPUT = {
    "type": "object",
    "properties": {
        "text": {"type": "string"},
        "maxWords": {"type": "integer", "minimum": 0, "description": "refuse a text with more words than this"},
    },
    "required": ["text"],
    "additionalProperties": False,
}
WORD_COUNT_OUTPUT = {
    "type": "object",
    "properties": {"words": {"type": "integer", "minimum": 0}},
    "required": ["words"],
    "additionalProperties": False,
}


def count_words(task_input: dict, context: TaskContext) -> dict:
    """
    The handler. The server only sends input that matches WORD_COUNT_INPUT (and the library checks it again), so what
    is left to refuse is what a schema cannot say: here, a text with more words than the `maxWords` it came with.
    """
    context.check()  # a long-running handler checks now and then whether it was cancelled or ran out of time
    words = len(task_input["text"].split())
    limit = task_input.get("maxWords")
    if limit is not None and words > limit:
        # Another attempt would give the same answer: not retryable, so the step fails at once.
        raise TaskError(f"the text has {words} words, more than maxWords ({limit})", code="too-many-words")
    return {"words": words}


def main() -> int:
    parser = argparse.ArgumentParser(description="A Baton service in Python: word-count.")
    parser.add_argument("--url", default=os.environ.get("BATON_URL", "http://127.0.0.1:7400"),
                        help="the server's base URL, or several separated by commas (BATON_URL)")
    parser.add_argument("--api-key", default=os.environ.get("BATON_API_KEY"), help="a project API key (BATON_API_KEY)")
    parser.add_argument("--state-dir", default=os.environ.get("BATON_STATE_DIR", os.path.join(".baton", "python")),
                        help="where the instance id is kept between runs (BATON_STATE_DIR)")
    parser.add_argument("--max-concurrency", type=int, default=8, help="tasks run at once")
    parser.add_argument("--trace", action="store_true", default=os.environ.get("BATON_TRACE") == "1",
                        help="print every message in and out (BATON_TRACE=1)")
    args = parser.parse_args()
    if not args.api_key:
        print("set BATON_API_KEY (or --api-key) to a project key", file=sys.stderr)
        return 2

    service = BatonService(
        name="word-count",
        description="Counts the words of a text",
        version="python-example",
        input_schema=WORD_COUNT_INPUT,
        output_schema=WORD_COUNT_OUTPUT,
        handler=count_words,
        effect_free=True,
        max_concurrency=args.max_concurrency,
        trace=args.trace,
    )

    urls = [url.strip() for url in args.url.split(",") if url.strip()]
    try:
        for url in urls:
            websocket_url(url)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2

    def on_signal(_signum: int, _frame: Any) -> None:
        if service.draining:  # a second Ctrl-C: leave now
            os._exit(130)
        service.request_drain()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    return service.run(urls, args.api_key, args.state_dir)


if __name__ == "__main__":
    sys.exit(main())
