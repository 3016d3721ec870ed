import base64
import hmac
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from wangge.core import crypto
from wangge.core.crypto import DecryptionError, decrypt, encrypt, lookup_hash, tail_hashes

KEY_1 = base64.b64encode(bytes(range(32))).decode()
KEY_2 = base64.b64encode(bytes(range(100, 132))).decode()
LOOKUP_KEY = base64.b64encode(b"L" * 32).decode()
CONTEXT = "person.id_number"
PLAINTEXT = "11010519491231002X"


def field_settings(**overrides: object) -> override_settings:
    values: dict[str, object] = {
        "WANGGE_FIELD_KEYS": {"k1": KEY_1},
        "WANGGE_FIELD_KEY_ID": "k1",
        "WANGGE_FIELD_CIPHER": "aes-256-gcm",
        "WANGGE_LOOKUP_KEY": LOOKUP_KEY,
    }
    return override_settings(**(values | overrides))


@pytest.fixture(autouse=True)
def keys() -> Iterator[None]:
    with field_settings():
        yield


@pytest.mark.parametrize("cipher", crypto.CIPHERS)
@pytest.mark.parametrize("plaintext", [PLAINTEXT, "", "湖北省恩施州咸丰县 高乐山镇 12号", "x" * 5000])
def test_round_trip(cipher: str, plaintext: str) -> None:
    with field_settings(WANGGE_FIELD_CIPHER=cipher):
        token = encrypt(plaintext, context=CONTEXT)
        assert decrypt(token, context=CONTEXT) == plaintext


@pytest.mark.parametrize("cipher", crypto.CIPHERS)
def test_the_token_is_compact_ascii_that_names_its_cipher_and_key(cipher: str) -> None:
    with field_settings(WANGGE_FIELD_CIPHER=cipher):
        token = encrypt(PLAINTEXT, context=CONTEXT)
    version, token_cipher, key_id, payload = token.split(":")
    assert (version, token_cipher, key_id) == ("v1", cipher, "k1")
    assert token.isascii()
    assert "=" not in payload
    assert len(base64.urlsafe_b64decode(payload + "==")) == 12 + len(PLAINTEXT) + 16


def test_each_encryption_uses_a_fresh_nonce() -> None:
    assert encrypt(PLAINTEXT, context=CONTEXT) != encrypt(PLAINTEXT, context=CONTEXT)


@pytest.mark.parametrize("cipher", crypto.CIPHERS)
def test_a_token_does_not_decrypt_in_another_context(cipher: str) -> None:
    with field_settings(WANGGE_FIELD_CIPHER=cipher):
        token = encrypt(PLAINTEXT, context=CONTEXT)
        with pytest.raises(DecryptionError):
            decrypt(token, context="person.phone")


@pytest.mark.parametrize("cipher", crypto.CIPHERS)
def test_a_tampered_token_fails(cipher: str) -> None:
    with field_settings(WANGGE_FIELD_CIPHER=cipher):
        token = encrypt(PLAINTEXT, context=CONTEXT)
        prefix, payload = token.rsplit(":", 1)
        raw = bytearray(base64.urlsafe_b64decode(payload + "=="))
        for position in (0, 12, len(raw) - 1):  # nonce, ciphertext, tag
            flipped = raw.copy()
            flipped[position] ^= 0x01
            with pytest.raises(DecryptionError):
                decrypt(f"{prefix}:{base64.urlsafe_b64encode(flipped).decode().rstrip('=')}", context=CONTEXT)


def test_a_token_relabelled_with_another_cipher_fails() -> None:
    token = encrypt(PLAINTEXT, context=CONTEXT)
    with pytest.raises(DecryptionError):
        decrypt(token.replace("aes-256-gcm", "sm4-gcm"), context=CONTEXT)


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "v2:aes-256-gcm:k1:AAAA", "v1:des:k1:AAAA", "v1:aes-256-gcm:k9:AAAA", "v1:aes-256-gcm:k1:AAAA"],
)
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(DecryptionError):
        decrypt(token, context=CONTEXT)


def test_key_rotation_reads_old_tokens_and_writes_with_the_new_key() -> None:
    old_token = encrypt(PLAINTEXT, context=CONTEXT)
    with field_settings(WANGGE_FIELD_KEYS={"k1": KEY_1, "k2": KEY_2}, WANGGE_FIELD_KEY_ID="k2"):
        new_token = encrypt(PLAINTEXT, context=CONTEXT)
        assert new_token.split(":")[2] == "k2"
        assert decrypt(old_token, context=CONTEXT) == PLAINTEXT
        assert decrypt(new_token, context=CONTEXT) == PLAINTEXT
    with field_settings(WANGGE_FIELD_KEYS={"k2": KEY_2}, WANGGE_FIELD_KEY_ID="k2"), pytest.raises(DecryptionError):
        decrypt(old_token, context=CONTEXT)


def test_switching_cipher_keeps_old_tokens_readable() -> None:
    aes_token = encrypt(PLAINTEXT, context=CONTEXT)
    with field_settings(WANGGE_FIELD_CIPHER="sm4-gcm"):
        assert encrypt(PLAINTEXT, context=CONTEXT).startswith("v1:sm4-gcm:k1:")
        assert decrypt(aes_token, context=CONTEXT) == PLAINTEXT


def test_a_different_key_under_the_same_id_fails() -> None:
    token = encrypt(PLAINTEXT, context=CONTEXT)
    with field_settings(WANGGE_FIELD_KEYS={"k1": KEY_2}), pytest.raises(DecryptionError):
        decrypt(token, context=CONTEXT)


@pytest.mark.parametrize(
    "overrides",
    [
        {"WANGGE_FIELD_KEYS": {}},
        {"WANGGE_FIELD_KEYS": {"k1": base64.b64encode(b"short").decode()}},
        {"WANGGE_FIELD_KEYS": {"k1": "not base64!"}},
        {"WANGGE_FIELD_KEYS": {"k:1": KEY_1}, "WANGGE_FIELD_KEY_ID": "k:1"},
        {"WANGGE_FIELD_KEY_ID": "k2"},
        {"WANGGE_FIELD_CIPHER": "des"},
        {"WANGGE_LOOKUP_KEY": ""},
        {"WANGGE_LOOKUP_KEY": base64.b64encode(b"short").decode()},
    ],
)
def test_bad_settings_are_reported_clearly(overrides: dict[str, object]) -> None:
    with field_settings(**overrides), pytest.raises(ImproperlyConfigured):
        crypto.check_settings()


def test_missing_settings_are_reported_clearly() -> None:
    with override_settings(), pytest.raises(ImproperlyConfigured):
        delattr(settings, "WANGGE_FIELD_KEYS")
        encrypt(PLAINTEXT, context=CONTEXT)


def test_keys_may_be_raw_bytes_and_generated() -> None:
    generated = crypto.generate_key()
    assert len(base64.b64decode(generated)) == 32
    with field_settings(WANGGE_FIELD_KEYS={"k1": base64.b64decode(generated)}, WANGGE_LOOKUP_KEY=b"B" * 32):
        crypto.check_settings()
        assert decrypt(encrypt("x", context=CONTEXT), context=CONTEXT) == "x"
        assert len(lookup_hash("x", kind="phone")) == 32


def test_a_context_is_required() -> None:
    with pytest.raises(ValueError):
        encrypt(PLAINTEXT, context="")


# --- keyed hashes -------------------------------------------------------------------------------


def test_lookup_hash_is_stable_and_normalised() -> None:
    digest = lookup_hash(PLAINTEXT, kind="citizen_id")
    assert len(digest) == 32
    assert int(digest, 16) >= 0
    assert lookup_hash("１１０１０５ 19491231002x", kind="citizen_id") == digest


@pytest.mark.parametrize("length", [32, 63, 64, 65, 200])
def test_the_keyed_hash_is_standard_hmac_sha256(length: int) -> None:
    """The precomputed-pad HMAC gives what the standard library's HMAC gives, for any key length."""
    key = bytes((7 * i + 3) % 256 for i in range(length))
    for message in (b"", b"id\x00exact\x00" + PLAINTEXT.encode(), "电话".encode() * 50):
        assert crypto.hmac_sha256(key, message) == hmac.digest(key, message, "sha256")
    with field_settings(WANGGE_LOOKUP_KEY=base64.b64encode(key).decode()):
        expected = hmac.digest(key, b"citizen_id\x00exact\x00" + PLAINTEXT.encode(), "sha256").hex()[:32]
        assert lookup_hash(PLAINTEXT, kind="citizen_id") == expected


def test_lookup_hash_depends_on_key_kind_and_value() -> None:
    digest = lookup_hash(PLAINTEXT, kind="citizen_id")
    assert lookup_hash(PLAINTEXT, kind="passport") != digest
    assert lookup_hash("110105194912310010", kind="citizen_id") != digest
    with field_settings(WANGGE_LOOKUP_KEY=base64.b64encode(b"M" * 32).decode()):
        assert lookup_hash(PLAINTEXT, kind="citizen_id") != digest
    # the keys are read once and kept: leaving the override reads them again
    assert lookup_hash(PLAINTEXT, kind="citizen_id") == digest
    with field_settings(WANGGE_LOOKUP_KEY=""), pytest.raises(ImproperlyConfigured):
        lookup_hash(PLAINTEXT, kind="citizen_id")
    assert lookup_hash(PLAINTEXT, kind="citizen_id") == digest


def test_lookup_kind_must_be_a_plain_name() -> None:
    with pytest.raises(ValueError):
        lookup_hash(PLAINTEXT, kind="citizen id")


def test_tail_hashes_find_a_number_by_its_last_digits() -> None:
    stored = tail_hashes(PLAINTEXT, kind="citizen_id")
    assert set(stored) == {4, 6}
    assert tail_hashes("002x", kind="citizen_id", lengths=(4,)) == {4: stored[4]}
    assert tail_hashes("31002X", kind="citizen_id", lengths=(6,)) == {6: stored[6]}
    assert tail_hashes("102X", kind="citizen_id", lengths=(4,))[4] != stored[4]


def test_tail_hashes_for_phones() -> None:
    stored = tail_hashes("13812345678", kind="phone", lengths=(4,))
    assert stored == tail_hashes("5678", kind="phone", lengths=(4,))
    assert stored != tail_hashes("5678", kind="citizen_id", lengths=(4,))


def test_tail_hashes_skip_lengths_the_value_is_too_short_for() -> None:
    assert set(tail_hashes("12345", kind="phone", lengths=(4, 6))) == {4}


def test_tail_and_exact_hashes_are_apart() -> None:
    assert tail_hashes("5678", kind="phone", lengths=(4,))[4] != lookup_hash("5678", kind="phone")


def test_tail_hashes_are_keyed() -> None:
    stored = tail_hashes("13812345678", kind="phone")
    with field_settings(WANGGE_LOOKUP_KEY=base64.b64encode(b"M" * 32).decode()):
        assert tail_hashes("13812345678", kind="phone") != stored
