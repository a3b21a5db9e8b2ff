"""Confirmation codes: unambiguous alphabet, random, unique, typed back in any case."""

from __future__ import annotations

from bot.appointments.codes import ALPHABET, LENGTH, generate_code, normalize_code


def test_alphabet_has_no_confusable_characters() -> None:
    for confusable in "0O1IL":
        assert confusable not in ALPHABET
    assert len(set(ALPHABET)) == len(ALPHABET) == 31
    assert all(ch.isdigit() or ch.isupper() for ch in ALPHABET)


def test_codes_are_eight_characters_from_the_alphabet_and_unique() -> None:
    codes = [generate_code() for _ in range(20_000)]
    assert all(len(code) == LENGTH == 8 for code in codes)
    assert all(set(code) <= set(ALPHABET) for code in codes)
    assert len(set(codes)) == len(codes)
    # every character of the alphabet shows up: the codes use all of it
    assert set("".join(codes)) == set(ALPHABET)


def test_codes_are_read_back_in_any_case_and_with_separators() -> None:
    code = generate_code()
    assert normalize_code(code.lower()) == code
    assert normalize_code(f" {code[:4]}-{code[4:]} ") == code
    assert normalize_code(f"{code[:4]} {code[4:]}") == code


def test_text_that_cannot_be_a_code() -> None:
    assert normalize_code("") is None
    assert normalize_code("ABCDEFG") is None  # too short
    assert normalize_code("ABCDEFGH2") is None  # too long
    assert normalize_code("ABCDEF0H") is None  # 0 is never used
    assert normalize_code("预约号ABCDE") is None
