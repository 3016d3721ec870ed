"""Encryption of sensitive fields at rest, and keyed hashes to find them again.

Settings (read when first used and kept until a test changes them; `check_settings()` validates
them up front):

- `WANGGE_FIELD_KEYS`: {key_id: 32-byte master key, base64 (or raw bytes)}. Old keys stay here
  so that their tokens can still be read.
- `WANGGE_FIELD_KEY_ID`: the key id new tokens are written with.
- `WANGGE_FIELD_CIPHER`: "aes-256-gcm" (default) or "sm4-gcm" for new tokens. The cipher of an
  existing token is read from the token, so switching does not strand old data.
- `WANGGE_LOOKUP_KEY`: at least 32 bytes, base64 (or raw bytes), for `lookup_hash` and
  `tail_hashes`. Changing it means recomputing every stored hash.

Each cipher gets its own subkey derived from the master key with HKDF-SHA256, so the same
master never keys two algorithms.

A token is "v1:<cipher>:<key_id>:<base64url(nonce | ciphertext | tag)>"; `context` (say
"person.id_number") is bound as associated data, so a token copied into another field fails.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, TypeVar, cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

__all__ = [
    "CIPHERS",
    "DecryptionError",
    "check_settings",
    "decrypt",
    "encrypt",
    "encrypt_with_key",
    "generate_key",
    "key_ids",
    "lookup_hash",
    "tail_hashes",
]

AES_256_GCM = "aes-256-gcm"
SM4_GCM = "sm4-gcm"
CIPHERS = (AES_256_GCM, SM4_GCM)
_DEFAULT_CIPHER = AES_256_GCM
_VERSION = "v1"
_NONCE_BYTES = 12
_TAG_BYTES = 16
_MASTER_KEY_BYTES = 32
_MIN_LOOKUP_KEY_BYTES = 32
_LOOKUP_HEX_CHARS = 32  # 128 bits: collision-free for any register we will hold
_SHA256_BLOCK = 64

_SUBKEY = {
    AES_256_GCM: (32, b"wangge field encryption v1 aes-256-gcm"),
    SM4_GCM: (16, b"wangge field encryption v1 sm4-gcm"),
}
_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}")
_KIND = re.compile(r"[a-z0-9_.]{1,64}")
_WHITESPACE = re.compile(r"\s+")


class DecryptionError(ValueError):
    """The token is malformed, names an unknown key or cipher, or fails authentication."""


# --- settings ---------------------------------------------------------------------------------

# What the settings below resolve to, read once: an import hashes half a million values, and each
# read of `settings` costs more than the hash. Emptied when a test overrides one of them.
_resolved: dict[str, Any] = {}
_T = TypeVar("_T")


@receiver(setting_changed)
def _forget_resolved(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("WANGGE_FIELD_") or setting == "WANGGE_LOOKUP_KEY":
        _resolved.clear()


def _once(name: str, read: Callable[[], _T]) -> _T:
    try:
        return cast(_T, _resolved[name])
    except KeyError:
        value = _resolved[name] = read()  # not kept when `read` raises: a broken setting raises each time
        return value


def _decode_key(value: object, *, name: str) -> bytes:
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        raise ImproperlyConfigured(f"{name} must be base64 text or bytes.")
    try:
        return _b64_key(value)
    except binascii.Error as exc:
        raise ImproperlyConfigured(f"{name} is not valid base64.") from exc


@lru_cache(maxsize=32)
def _b64_key(value: str) -> bytes:
    """Decoded once per configured value: every encryption and keyed hash needs the keys."""
    text = value.strip().replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _master_keys() -> dict[str, bytes]:
    return _once("keys", _read_master_keys)


def _read_master_keys() -> dict[str, bytes]:
    configured = getattr(settings, "WANGGE_FIELD_KEYS", None)
    if not isinstance(configured, dict) or not configured:
        raise ImproperlyConfigured("WANGGE_FIELD_KEYS must be a non-empty dict of key id → base64 key.")
    try:
        return _master_keys_of(tuple(configured.items()))
    except TypeError as exc:  # a value that is neither text nor bytes (unhashable)
        raise ImproperlyConfigured("WANGGE_FIELD_KEYS values must be base64 text or bytes.") from exc


@lru_cache(maxsize=8)
def _master_keys_of(configured: tuple[tuple[object, object], ...]) -> dict[str, bytes]:
    """Validated once per configured value: every encryption needs the keys (the dict is not to be changed)."""
    keys: dict[str, bytes] = {}
    for key_id, value in configured:
        if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
            raise ImproperlyConfigured(f"WANGGE_FIELD_KEYS: key id {key_id!r} must be 1-32 of A-Z a-z 0-9 _ . -")
        key = _decode_key(value, name=f"WANGGE_FIELD_KEYS[{key_id!r}]")
        if len(key) != _MASTER_KEY_BYTES:
            raise ImproperlyConfigured(
                f"WANGGE_FIELD_KEYS[{key_id!r}] must be {_MASTER_KEY_BYTES} bytes, got {len(key)}."
            )
        keys[key_id] = key
    return keys


def _current_key_id(keys: dict[str, bytes]) -> str:
    key_id = getattr(settings, "WANGGE_FIELD_KEY_ID", None)
    if key_id not in keys:
        raise ImproperlyConfigured(f"WANGGE_FIELD_KEY_ID {key_id!r} is not a key of WANGGE_FIELD_KEYS.")
    assert isinstance(key_id, str)
    return key_id


def _writing() -> tuple[str, str, bytes]:
    """The cipher, key id and subkey new tokens are sealed with."""
    return _once("writing", _read_writing)


def _read_writing() -> tuple[str, str, bytes]:
    keys = _master_keys()
    key_id = _current_key_id(keys)
    cipher = _current_cipher()
    return cipher, key_id, _subkey(keys[key_id], cipher)


def _current_cipher() -> str:
    cipher = getattr(settings, "WANGGE_FIELD_CIPHER", _DEFAULT_CIPHER)
    if cipher not in CIPHERS:
        raise ImproperlyConfigured(f"WANGGE_FIELD_CIPHER must be one of {', '.join(CIPHERS)}, got {cipher!r}.")
    return str(cipher)


def _lookup_key() -> bytes:
    return _once("lookup", _read_lookup_key)


def _read_lookup_key() -> bytes:
    configured = getattr(settings, "WANGGE_LOOKUP_KEY", None)
    if configured is None or configured in ("", b""):
        raise ImproperlyConfigured("WANGGE_LOOKUP_KEY is required.")
    key = _decode_key(configured, name="WANGGE_LOOKUP_KEY")
    if len(key) < _MIN_LOOKUP_KEY_BYTES:
        raise ImproperlyConfigured(f"WANGGE_LOOKUP_KEY must be at least {_MIN_LOOKUP_KEY_BYTES} bytes.")
    return key


def check_settings() -> None:
    """Raise `ImproperlyConfigured` unless every setting above is usable (call at start-up)."""
    _writing()
    _lookup_key()


def generate_key() -> str:
    """A fresh 32-byte key as base64, for `WANGGE_FIELD_KEYS` or `WANGGE_LOOKUP_KEY`."""
    return base64.b64encode(os.urandom(_MASTER_KEY_BYTES)).decode("ascii")


# --- ciphers ----------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _subkey(master: bytes, cipher: str) -> bytes:
    length, info = _SUBKEY[cipher]
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(master)


@lru_cache(maxsize=16)
def _aesgcm(key: bytes) -> AESGCM:
    """One cipher object per subkey (building it costs as much as sealing a short value)."""
    return AESGCM(key)


def _seal(cipher: str, key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """nonce | ciphertext | tag"""
    nonce = os.urandom(_NONCE_BYTES)
    if cipher == AES_256_GCM:
        return nonce + _aesgcm(key).encrypt(nonce, plaintext, aad)
    # cryptography has no AEAD class for SM4: GCM through the generic Cipher interface.
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    return nonce + ciphertext + encryptor.tag


def _open(cipher: str, key: bytes, sealed: bytes, aad: bytes) -> bytes:
    nonce, body = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
    if cipher == AES_256_GCM:
        return _aesgcm(key).decrypt(nonce, body, aad)
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, body[-_TAG_BYTES:])).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(body[:-_TAG_BYTES]) + decryptor.finalize()


def _associated_data(context: str) -> bytes:
    if not context:
        raise ValueError("context is required, e.g. 'person.id_number'")
    return f"wangge:{_VERSION}:{context}".encode()


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("The token's payload is not base64url.") from exc


def encrypt(plaintext: str, *, context: str) -> str:
    """Encrypt with the current key and cipher; the token is ASCII and safe in any text column."""
    cipher, key_id, key = _writing()
    sealed = _seal(cipher, key, plaintext.encode("utf-8"), _associated_data(context))
    return f"{_VERSION}:{cipher}:{key_id}:{_b64encode(sealed)}"


def encrypt_with_key(plaintext: str, *, context: str, key_id: str) -> str:
    """Encrypt with a given configured key id (an old one too), e.g. to prove which key is configured."""
    keys = _master_keys()
    if key_id not in keys:
        raise ImproperlyConfigured(f"No field key {key_id!r} is configured.")
    cipher = _current_cipher()
    sealed = _seal(cipher, _subkey(keys[key_id], cipher), plaintext.encode("utf-8"), _associated_data(context))
    return f"{_VERSION}:{cipher}:{key_id}:{_b64encode(sealed)}"


def key_ids() -> list[str]:
    """The ids of every configured field key (the current one and the old ones)."""
    return list(_master_keys())


def decrypt(token: str, *, context: str) -> str:
    """Decrypt with the key and cipher the token names; `DecryptionError` if anything is off."""
    aad = _associated_data(context)
    parts = token.split(":")
    if len(parts) != 4 or parts[0] != _VERSION:
        raise DecryptionError("Not a v1 field token.")
    _, cipher, key_id, payload = parts
    if cipher not in CIPHERS:
        raise DecryptionError(f"Unknown cipher {cipher!r}.")
    keys = _master_keys()
    if key_id not in keys:
        raise DecryptionError(f"Unknown key id {key_id!r}: is an old key missing from WANGGE_FIELD_KEYS?")
    raw = _b64decode(payload)
    if len(raw) < _NONCE_BYTES + _TAG_BYTES:
        raise DecryptionError("The token is too short.")
    try:
        plaintext = _open(cipher, _subkey(keys[key_id], cipher), raw, aad)
    except InvalidTag as exc:
        raise DecryptionError("The token fails authentication: wrong context, key or a modified token.") from exc
    return plaintext.decode("utf-8")


# --- keyed hashes -----------------------------------------------------------------------------


def _normalize(value: str) -> str:
    """Full-width to half-width, no whitespace, upper case: "1101 0519…x" hashes as "…X"."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", value)).upper()


@lru_cache(maxsize=64)
def _check_kind(kind: str) -> None:
    if not _KIND.fullmatch(kind):
        raise ValueError("kind must be 1-64 of a-z 0-9 _ . (e.g. 'citizen_id', 'phone')")


@lru_cache(maxsize=8)
def _hmac_pads(key: bytes) -> tuple[Any, Any]:
    """HMAC-SHA256 (RFC 2104) with the key's inner and outer blocks hashed once.

    Copying these two states per message is five times faster than `hmac.digest`, which sets the
    key up again each time; an import hashes half a million values. Same output (tested).
    """
    if len(key) > _SHA256_BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_SHA256_BLOCK, b"\x00")
    return hashlib.sha256(bytes(b ^ 0x36 for b in key)), hashlib.sha256(bytes(b ^ 0x5C for b in key))


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    inner, outer = _hmac_pads(key)
    inner = inner.copy()
    inner.update(message)
    outer = outer.copy()
    outer.update(inner.digest())
    return outer.digest()


def _hash(kind: str, label: str, value: str) -> str:
    _check_kind(kind)
    message = f"{kind}\x00{label}\x00{value}".encode()
    return hmac_sha256(_lookup_key(), message).hex()[:_LOOKUP_HEX_CHARS]


def lookup_hash(value: str, *, kind: str) -> str:
    """A keyed hash of the whole normalised value, for exact lookup (32 hex characters)."""
    return _hash(kind, "exact", _normalize(value))


def tail_hashes(value: str, *, kind: str, lengths: Iterable[int] = (4, 6)) -> dict[int, str]:
    """Keyed hashes of the value's last n characters for each n it is long enough for.

    Hashing what a user typed ("1234") with `lengths=(len(typed),)` gives the value to look up.
    A tail of 4 digits has only 10,000 values: these hashes hide it from whoever lacks the key,
    not from whoever holds it.
    """
    normalized = _normalize(value)
    hashes_by_length: dict[int, str] = {}
    for length in lengths:
        if length < 1:
            raise ValueError("tail lengths must be positive")
        if len(normalized) >= length:
            hashes_by_length[length] = _hash(kind, f"tail{length}", normalized[-length:])
    return hashes_by_length


# --- files ------------------------------------------------------------------------------------


def encrypt_bytes(data: bytes, *, context: str) -> bytes:
    """Encrypt a whole file (an uploaded ledger holds ID numbers): header `v1:cipher:key_id:` then the sealed bytes."""
    cipher, key_id, key = _writing()
    sealed = _seal(cipher, key, data, _associated_data(context))
    return f"{_VERSION}:{cipher}:{key_id}:".encode("ascii") + sealed


def decrypt_bytes(blob: bytes, *, context: str) -> bytes:
    parts = blob.split(b":", 3)
    if len(parts) != 4 or parts[0].decode("ascii", "replace") != _VERSION:
        raise DecryptionError("Not a v1 encrypted file.")
    cipher, key_id = parts[1].decode("ascii", "replace"), parts[2].decode("ascii", "replace")
    keys = _master_keys()
    if cipher not in CIPHERS or key_id not in keys:
        raise DecryptionError("Unknown cipher or key id.")
    try:
        return _open(cipher, _subkey(keys[key_id], cipher), parts[3], _associated_data(context))
    except InvalidTag as exc:
        raise DecryptionError("The file fails authentication.") from exc
