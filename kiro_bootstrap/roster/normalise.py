"""One normalisation of user identifiers, used by the publisher and by every workstation.

Both halves hash what this returns, so any change here is a roster schema change.
"""

from __future__ import annotations

import unicodedata


def normalise(identifier: str) -> str:
    """Case-folded Unicode NFC text without surrounding whitespace or a `DOMAIN\\` prefix.

    "CORP\\Alice", " alice ", "ALICE" all become "alice"; e-mail addresses and UPNs keep their
    "@domain" and are case-folded whole.
    """
    text = unicodedata.normalize("NFC", identifier).strip()
    text = text.rpartition("\\")[2].strip()
    # Case folding can leave decomposed sequences behind (e.g. "İ"), so compose again after it.
    return unicodedata.normalize("NFC", text.casefold())


def workstation_identifiers(login: str, email_domain: str | None) -> list[str]:
    """What a workstation tries for one person: the login name and the e-mail derived from it.

    A UPN login ("alice@corp.example") is tried as it is, as its local part, and, when
    `email_domain` differs from its suffix, as local part @ email_domain.
    """
    name = normalise(login)
    if not name:
        return []
    candidates = [name]
    local, at, suffix = name.partition("@")
    domain = normalise(email_domain) if email_domain else ""
    if at:
        candidates.append(local)
        if domain and suffix != domain:
            candidates.append(f"{local}@{domain}")
    elif domain:
        candidates.append(f"{name}@{domain}")
    return [candidate for candidate in dict.fromkeys(candidates) if candidate]
