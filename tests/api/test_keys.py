"""The token's form, hash and comparison: a pure module, no database."""

from __future__ import annotations

import hashlib

from cto.api import keys


def test_a_new_token_has_the_prefix_its_public_id_and_a_long_secret() -> None:
    new = keys.token_make()
    prefix, public_id, secret = new.token.split("_")
    assert prefix == "cto"
    assert public_id == new.public_id
    assert len(public_id) == keys.PUBLIC_ID_LENGTH
    assert len(secret) == keys.SECRET_LENGTH
    assert keys.token_public_id(new.token) == new.public_id


def test_tokens_are_not_repeated() -> None:
    made = {keys.token_make().token for _ in range(200)}
    assert len(made) == 200


def test_the_digest_is_the_sha256_of_the_whole_token_and_never_the_token() -> None:
    new = keys.token_make()
    assert new.digest == hashlib.sha256(new.token.encode()).hexdigest()
    assert new.token not in new.digest


def test_only_the_right_token_matches_its_digest() -> None:
    new = keys.token_make()
    assert keys.token_matches(new.token, new.digest)
    assert not keys.token_matches(
        new.token[:-1] + ("a" if new.token[-1] != "a" else "b"), new.digest
    )
    assert not keys.token_matches("", new.digest)


def test_text_that_is_not_a_token_has_no_public_id() -> None:
    good = keys.token_make().token
    for text in [
        "",
        "cto_",
        good[:-1],
        good + "x",
        good.replace("cto_", "ghp_"),
        good.upper(),
        " " + good,
        "cto_abcdefghij_" + "!" * keys.SECRET_LENGTH,
    ]:
        assert keys.token_public_id(text) is None, text
