"""Database URLs: parse into a typed DatabaseUrl, render back, and mask every secret in them.

Written by hand over ``urllib.parse`` because the URLs users paste are not always RFC 3986: a password
with an unencoded ``@`` (split at the LAST ``@`` of the authority), a driver suffix from SQLAlchemy
(``postgresql+psycopg2://``), and SQLite's ``sqlite:///relative.db`` / ``sqlite:////absolute.db``,
where ``sqlite://notes.db`` (two slashes) is a mistake that must not become a file named ``otes.db``.

    >>> parse_url("postgresql+psycopg2://app:p@ss@db:5433/app?sslmode=require").password
    'p@ss'
    >>> mask("mysql://root:pw@h/db?password=pw")
    'mysql://root:***@h/db?password=***'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlencode

from .errors import ConfigError, Problem

__all__ = ["DatabaseUrl", "mask", "parse_url", "BACKENDS"]

# written scheme -> backend (the lead's SQL target picks drivers from the backend)
BACKENDS: dict[str, str] = {"sqlite": "sqlite", "postgresql": "postgresql", "postgres": "postgresql",
                            "mysql": "mysql", "mariadb": "mysql"}
MASK = "***"
_SUB_DELIMS = "!$&'()*+,;="   # RFC 3986: allowed as they are in userinfo and paths, so they stay as written
# query keys whose values are secrets (substring match, any case): sslpassword, auth_token, client_secret...
_SECRET_KEY = re.compile(r"pass(?:word|wd)?|pwd|secret|token|api_?key", re.I)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9.\-]*)(?:\+([A-Za-z0-9_.\-]+))?://")
URL_HINT = "write scheme://user:password@host:port/database, e.g. postgresql://app@localhost:5432/app"


@dataclass(frozen=True)
class DatabaseUrl:
    """One parsed database URL; ``database`` is the SQLite file path for ``sqlite``."""

    scheme: str                      # as written, lower case, without the driver: postgres, mariadb...
    driver: str | None = None        # the dropped ``+psycopg2`` suffix, kept for messages only
    user: str | None = None
    password: str | None = None
    host: str | None = None
    port: int | None = None
    database: str = ""
    query: tuple[tuple[str, str], ...] = ()

    @property
    def backend(self) -> str | None:
        """``sqlite``, ``postgresql``, ``mysql``, or None for a scheme syncspec has no SQL target for."""
        return BACKENDS.get(self.scheme)

    @property
    def options(self) -> dict[str, str]:
        return dict(self.query)

    def render(self, masked: bool = False) -> str:
        """The URL as text (user and password percent-encoded); ``masked`` hides every secret."""
        query = ""
        if self.query:
            pairs = [(k, MASK if masked and _SECRET_KEY.search(k) else v) for k, v in self.query]
            query = "?" + urlencode(pairs, safe="*/:")
        if self.scheme == "sqlite":
            return f"sqlite:///{self.database}{query}"
        auth = ""
        if self.user is not None or self.password is not None:
            auth = quote(self.user or "", safe=_SUB_DELIMS)
            if self.password is not None:
                auth += ":" + (MASK if masked else quote(self.password, safe=_SUB_DELIMS))
            auth += "@"
        host = self.host or ""
        if ":" in host:
            host = f"[{host}]"   # IPv6
        port = f":{self.port}" if self.port is not None else ""
        database = f"/{quote(self.database, safe=_SUB_DELIMS)}" if self.database else ""
        return f"{self.scheme}://{auth}{host}{port}{database}{query}"

    def __str__(self) -> str:
        return self.render(masked=True)   # never leak a password by printing the object


def parse_url(text: str) -> DatabaseUrl:
    """Parse a database URL; a ConfigError (exit 1) with a hint if it is malformed.

    Accepts a driver suffix (``mysql+pymysql://``, dropped), an unencoded ``@`` in the password
    (the authority is split at its last ``@``), IPv6 hosts in brackets. Refuses ports outside 1-65535,
    and ``sqlite://x`` (two slashes), which would silently name a different file.
    """
    text = text.strip()
    m = _SCHEME.match(text)
    if m is None:
        raise _error(f"database URL {_mask_loosely(text)!r} has no scheme", URL_HINT + ", or sqlite:///notes.db")
    scheme, driver = m.group(1).lower(), m.group(2)
    rest = text[m.end():]
    if scheme == "sqlite":
        return _sqlite(text, rest, driver)
    # the authority ends at the first '/' or '?' after the userinfo; the userinfo ends at the last '@'
    # before the query, so a password may hold '@', '/', ':' or '#' unencoded (but not '?')
    q = rest.find("?")
    at = rest.rfind("@", 0, q if q >= 0 else len(rest))
    userinfo, hostpart = (rest[:at], rest[at + 1:]) if at >= 0 else (None, rest)
    end = len(hostpart)
    for sep in "/?":
        i = hostpart.find(sep)
        if 0 <= i < end:
            end = i
    authority, tail = hostpart[:end], hostpart[end:]
    path, _, query_text = tail.partition("?")
    user = password = None
    if userinfo is not None:
        name, colon, secret = userinfo.partition(":")
        user = unquote(name)
        password = unquote(secret) if colon else None
    host, port = _host_port(authority, text)
    database = unquote(path[1:]) if path.startswith("/") else unquote(path)
    return DatabaseUrl(scheme=scheme, driver=driver, user=user, password=password, host=host or None, port=port,
                       database=database, query=tuple(parse_qsl(query_text, keep_blank_values=True)))


def _sqlite(text: str, rest: str, driver: str | None) -> DatabaseUrl:
    path, _, query_text = rest.partition("?")
    if not path.startswith("/") or path == "/":
        if path in ("", "/") or path.startswith(":memory:"):
            hint = "write sqlite:///:memory: for an in-memory database"
        else:
            name = path.lstrip("/")
            hint = (f"write sqlite:///{name} (three slashes: relative to the workspace) or "
                    f"sqlite:////full/path/{name} (four: absolute)")
        raise _error(f"SQLite URL {text!r} names no file: a SQLite URL has three slashes before the path", hint)
    return DatabaseUrl(scheme="sqlite", driver=driver, database=path[1:],
                       query=tuple(parse_qsl(query_text, keep_blank_values=True)))


def _host_port(authority: str, text: str) -> tuple[str, int | None]:
    if authority.startswith("["):
        close = authority.find("]")
        if close < 0:
            raise _error(f"database URL {_mask_loosely(text)!r} has an unclosed '[' in its host", URL_HINT)
        host, after = authority[1:close], authority[close + 1:]
        if after and not after.startswith(":"):
            raise _error(f"database URL {_mask_loosely(text)!r}: unexpected {after!r} after the host", URL_HINT)
        port_text = after[1:] if after else None
    else:
        host, colon, port_text_ = authority.rpartition(":")
        if not colon:
            host, port_text = authority, None
        else:
            port_text = port_text_
    if port_text is None or port_text == "":
        return unquote(host), None
    if not port_text.isascii() or not port_text.isdigit():
        raise _error(f"database URL {_mask_loosely(text)!r}: port {port_text!r} is not a number",
                     "write the port as digits (postgresql://host:5432/db); percent-encode a ':' or '@' in the "
                     "password as %3A / %40")
    port = int(port_text)
    if not 1 <= port <= 65535:
        raise _error(f"database URL {_mask_loosely(text)!r}: port {port} is out of range (1-65535)",
                     "use the server's port: 5432 for PostgreSQL, 3306 for MySQL/MariaDB")
    return unquote(host), port


def _error(message: str, hint: str) -> ConfigError:
    return ConfigError(problems=[Problem(message, hint=hint)])


def mask(text: str) -> str:
    """``text`` with the password of its authority and every secret query value replaced by ``***``.

    Works on URLs that do not parse too (a malformed one is still shown in its error message).
    """
    try:
        parsed = parse_url(text)
    except ConfigError:
        return _mask_loosely(text)
    return parsed.render(masked=True) if parsed.password is not None or _has_secret(parsed) else _mask_loosely(text)


def _has_secret(url: DatabaseUrl) -> bool:
    return any(_SECRET_KEY.search(k) for k, _ in url.query)


def _mask_loosely(text: str) -> str:
    """Regex masking for text that is not a URL we parse: the userinfo up to the last '@' before any '?'."""
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*://)([^?]*)@", text)
    if m is not None and ":" in m.group(2):
        user = m.group(2).split(":", 1)[0]
        text = f"{m.group(1)}{user}:{MASK}@{text[m.end():]}"
    return re.sub(r"(?i)([?&;][^=&;#]*(?:pass(?:word|wd)?|pwd|secret|token|api_?key)[^=&;#]*=)[^&;#]*",
                  rf"\g<1>{MASK}", text)
