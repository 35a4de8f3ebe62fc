"""One writer at a time on an S3 output: a lease object taken and renewed with conditional PUTs.

``flock`` has no object-store equivalent, but S3 has compare-and-swap on one
object: a PUT with ``If-None-Match: *`` creates the object only if it does not
exist, and a PUT or DELETE with ``If-Match: <etag>`` replaces or deletes it only
if nobody changed it since (AWS S3 since 2024; MinIO; moto).  The lease is
``<out>/.docpipe.lease``, a small JSON object naming its owner and when it
expires:

* taking it: ``If-None-Match: *``; when it exists but has expired (its holder
  died without releasing it), ``If-Match`` on the etag read, so of two runs
  taking over one dead lease only one wins;
* holding it: a thread renews it every :data:`RENEW_FRACTION` of its lifetime
  with ``If-Match`` on its own etag; a renewal that fails means another run
  took it over, which is logged and raised when the run ends;
* releasing it: ``DELETE`` with ``If-Match`` on its own etag.

Some S3-compatible servers ignore the conditional headers.  Each lease taken is
checked: a second ``If-None-Match: *`` PUT must be refused.  When it is not, the
lease still refuses a second writer it can see (one whose unexpired lease is
there when it starts) and a warning says that two runs started at the same
moment could both write; the README's single-writer rule then applies.

The conditional requests need boto3 (``pip install 'docpipe[s3]'``): pyarrow's
filesystem layer does not send them.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from docpipe.storage import BadLocation, s3_endpoint

LEASE_NAME = ".docpipe.lease"
#: Seconds a lease lives unless renewed: how long a dead run's lease blocks the next one.
LEASE_SECONDS = 300.0
#: Renew when this fraction of the lease's life has passed (three chances before it expires).
RENEW_FRACTION = 0.25
#: Seconds between looks at a held lease while waiting for it.
POLL_SECONDS = 2.0
_logger = logging.getLogger(__name__)


class LeaseHeld(Exception):
    """Another run holds the lease (its owner and expiry are in the message)."""


class LeaseLost(Exception):
    """This run's lease was taken over while it ran (its renewals came too late)."""


@dataclass(frozen=True, slots=True)
class LeaseObject:
    bucket: str
    key: str


def lease_object(out_uri: str) -> LeaseObject:
    """Where the lease of an ``s3://bucket/prefix`` output lives.

    >>> lease_object("s3://archive/parquet/")
    LeaseObject(bucket='archive', key='parquet/.docpipe.lease')
    >>> lease_object("s3://archive")
    LeaseObject(bucket='archive', key='.docpipe.lease')
    """
    parts = urlsplit(out_uri)
    if parts.scheme != "s3" or not parts.netloc:
        raise BadLocation(f"{out_uri}: a lease needs an s3://bucket/prefix output")
    prefix = parts.path.strip("/")
    return LeaseObject(parts.netloc, f"{prefix}/{LEASE_NAME}" if prefix else LEASE_NAME)


def s3_client() -> Any:
    try:
        import boto3
    except ImportError:
        raise BadLocation("writing to s3:// needs boto3 for its lease: pip install 'docpipe[s3]'") from None
    return boto3.client("s3", endpoint_url=s3_endpoint())


def describe_holder(body: dict[str, Any]) -> str:
    """The holder of a lease as a person reads it.

    >>> describe_holder({"owner": "docpipe pid 7 on host", "expires": 0})
    'docpipe pid 7 on host (lease expires 1970-01-01T00:00:00Z)'
    """
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(float(body.get("expires", 0))))
    return f"{body.get('owner', 'another run')} (lease expires {expires})"


class Lease:
    """A lease on one S3 object, taken, renewed and released with conditional requests."""

    def __init__(self, where: LeaseObject, *, client: Any = None, seconds: float = LEASE_SECONDS) -> None:
        self.where = where
        self.client = client if client is not None else s3_client()
        self.seconds = seconds
        self.owner = f"docpipe pid {os.getpid()} on {socket.gethostname()}"
        self.token = uuid.uuid4().hex
        self.etag: str | None = None
        self.conditions_honoured = True
        self.lost = threading.Event()

    # --- requests ------------------------------------------------------------------

    def _body(self) -> bytes:
        body = {"owner": self.owner, "token": self.token, "expires": time.time() + self.seconds}
        return json.dumps(body).encode()

    def _put(self, **condition: str) -> str | None:
        """PUT this lease under ``condition``; its new etag, or None when the condition failed."""
        try:
            response = self.client.put_object(
                Bucket=self.where.bucket, Key=self.where.key, Body=self._body(), **condition
            )
        except self.client.exceptions.ClientError as error:
            if _refused(error):
                return None
            raise
        return str(response["ETag"])

    def read(self) -> tuple[dict[str, Any], str] | None:
        """The lease object now there and its etag, or None."""
        try:
            response = self.client.get_object(Bucket=self.where.bucket, Key=self.where.key)
        except self.client.exceptions.NoSuchKey:
            return None
        try:
            body = json.loads(response["Body"].read())
        except ValueError:
            body = {}  # not ours to read: treat it as expired, the etag still guards the takeover
        return body, str(response["ETag"])

    # --- taking, renewing, releasing ---------------------------------------------------

    def try_take(self) -> dict[str, Any] | None:
        """Take the lease if free or expired; None when taken, else the holder's lease body."""
        current = self.read()
        if current is None:
            self.etag = self._put(IfNoneMatch="*")
        else:
            body, etag = current
            if float(body.get("expires", 0)) > time.time():
                return body
            self.etag = self._put(IfMatch=etag)  # a dead run's lease: only one taker wins
        if self.etag is None:
            return self.read_holder()
        self._check_conditions_honoured()
        return None

    def read_holder(self) -> dict[str, Any]:
        current = self.read()
        return current[0] if current is not None else {}

    def _check_conditions_honoured(self) -> None:
        """A second create-if-absent must be refused; a server that accepts it ignores conditions."""
        probe = self._put(IfNoneMatch="*")
        if probe is None:
            return
        self.etag = probe  # it overwrote our own lease: harmless, and now the current etag
        self.conditions_honoured = False
        _logger.warning(
            "s3://%s/%s: the server ignores conditional PUTs (If-None-Match), so the lease only "
            "refuses a writer that is already running; never start two runs on one output at once",
            self.where.bucket,
            self.where.key,
        )

    def renew(self) -> bool:
        """Extend the lease; False when another run has taken it over."""
        assert self.etag is not None
        etag = self._put(IfMatch=self.etag)
        if etag is None:
            self.lost.set()
            return False
        self.etag = etag
        return True

    def release(self) -> None:
        if self.etag is None:
            return
        try:
            self.client.delete_object(Bucket=self.where.bucket, Key=self.where.key, IfMatch=self.etag)
        except self.client.exceptions.ClientError as error:
            if not _refused(error):
                raise
            # Another run took it over (or the server refuses conditional deletes): delete it
            # only if the object there is still ours.
            current = self.read()
            if current is not None and current[0].get("token") == self.token:
                self.client.delete_object(Bucket=self.where.bucket, Key=self.where.key)
        self.etag = None


def _refused(error: Any) -> bool:
    """Whether a ClientError is a failed condition (412) or a concurrent conditional write (409)."""
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = error.response.get("Error", {}).get("Code")
    return status in (409, 412) or code in ("PreconditionFailed", "ConditionalRequestConflict")


@contextmanager
def hold_lease(
    out_uri: str,
    *,
    wait: bool = True,
    seconds: float = LEASE_SECONDS,
    poll_seconds: float = POLL_SECONDS,
    client: Any = None,
) -> Iterator[Lease]:
    """Hold the output's lease for the duration of the block; wait for it, or raise :class:`LeaseHeld`."""
    lease = Lease(lease_object(out_uri), client=client, seconds=seconds)
    while (holder := lease.try_take()) is not None:
        if not wait:
            raise LeaseHeld(f"{out_uri} is in use by {describe_holder(holder)}")
        time.sleep(poll_seconds)
    stop = threading.Event()
    renewer = threading.Thread(
        target=_renew_until, args=(lease, stop, seconds * RENEW_FRACTION), name="docpipe-lease", daemon=True
    )
    renewer.start()
    try:
        yield lease
    finally:
        stop.set()
        renewer.join()
        if not lease.lost.is_set():
            lease.release()
    if lease.lost.is_set():
        raise LeaseLost(f"{out_uri}: another run took over this run's lease; check the datasets")


def _renew_until(lease: Lease, stop: threading.Event, every: float) -> None:
    while not stop.wait(every):
        try:
            if not lease.renew():
                _logger.error("lease on %s lost to another run", lease.where.key)
                return
        except Exception as error:  # a network hiccup: try again at the next tick, well before expiry
            _logger.warning("lease renewal failed (%s); retrying", error)


def check_lease_free(out_uri: str, *, client: Any = None) -> None:
    """Raise :class:`LeaseHeld` if another run holds the output's lease now."""
    lease = Lease(lease_object(out_uri), client=client)
    current = lease.read()
    if current is not None and float(current[0].get("expires", 0)) > time.time():
        raise LeaseHeld(f"{out_uri} is in use by {describe_holder(current[0])}")
