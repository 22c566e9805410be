"""Who may use the desk: a token per editor (given in a file, or made when the desk starts), a session cookie
set from the one-time link `?token=…`, and a CSRF token per session that every POST must carry."""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import BriefkitError
from toolkit.read.yamlfile import read_text

MIN_TOKEN = 16
COOKIE = "briefkit_desk"


@dataclass(frozen=True)
class Session:
    editor: str
    csrf: str


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_tokens(path: Path) -> dict[str, str]:
    """Editors' tokens from a file, one a line: the token, then the editor's name (`#` starts a comment)."""
    tokens: dict[str, str] = {}
    for number, line in enumerate(read_text(path).splitlines(), 1):
        words = line.split("#", 1)[0].split(None, 1)
        if not words:
            continue
        if len(words) < 2:
            raise BriefkitError("a token without an editor's name after it", path, number, "write: TOKEN Name")
        token, name = words[0], " ".join(words[1].split())
        if len(token) < MIN_TOKEN:
            raise BriefkitError(f"a token must be at least {MIN_TOKEN} characters", path, number)
        if token in tokens:
            raise BriefkitError(f"this token is also {tokens[token]}'s", path, number)
        tokens[token] = name
    if not tokens:
        raise BriefkitError("no tokens in the file", path, hint="one line per editor: TOKEN Name")
    return tokens


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Access:
    """Tokens to editors, and the sessions logged in with them (kept in memory: a restart logs everyone out)."""

    def __init__(self, tokens: dict[str, str]) -> None:
        self.tokens = dict(tokens)
        self.sessions: dict[str, Session] = {}
        self.lock = threading.Lock()

    def editor_of(self, token: str) -> str | None:
        for known, editor in self.tokens.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                return editor
        return None

    def log_in(self, token: str) -> str | None:
        """A new session id for a valid token, else None."""
        editor = self.editor_of(token)
        if editor is None:
            return None
        session_id = secrets.token_urlsafe(32)
        with self.lock:
            self.sessions[session_id] = Session(editor, secrets.token_urlsafe(32))
        return session_id

    def session(self, session_id: str) -> Session | None:
        with self.lock:
            return self.sessions.get(session_id)

    def bearer_session(self, token: str) -> Session | None:
        """A script's session, from `Authorization: Bearer TOKEN` (its CSRF token from GET /api/session)."""
        editor = self.editor_of(token)
        if editor is None:
            return None
        key = "bearer:" + token
        with self.lock:
            if key not in self.sessions:
                self.sessions[key] = Session(editor, secrets.token_urlsafe(32))
            return self.sessions[key]


def csrf_ok(session: Session, given: str) -> bool:
    return bool(given) and hmac.compare_digest(session.csrf.encode(), given.encode())
