from __future__ import annotations

from typing import Any

import polib
from django.conf import settings
from django.urls import reverse

from mentora.core.i18n import catalogue_gaps, catalogues, compile_catalogues


def test_the_danish_catalogue_has_no_gaps() -> None:
    [danish] = [po for po in catalogues() if "/da/" in str(po)]
    assert catalogue_gaps(danish) == []


def test_the_gap_check_finds_an_untranslated_message(tmp_path: Any) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Hello"\nmsgstr ""\n\n#, fuzzy\nmsgid "Bye"\nmsgstr "Farvel"\n'
    )
    assert [(g.msgid, g.problem) for g in catalogue_gaps(po)] == [
        ("Hello", "untranslated"),
        ("Bye", "fuzzy"),
    ]


def test_compiling_replaces_the_catalogue_whole_and_leaves_nothing_beside_it(
    tmp_path: Any, settings: Any
) -> None:
    folder = tmp_path / "da" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Hello"\nmsgstr "Hej"\n'
    )
    (folder / "django.mo").write_bytes(b"an older, broken catalogue")
    settings.LOCALE_PATHS = [tmp_path]
    assert compile_catalogues() == [folder / "django.mo"]
    assert sorted(p.name for p in folder.iterdir()) == ["django.mo", "django.po"]
    assert polib.mofile(str(folder / "django.mo")).find("Hello").msgstr == "Hej"


def test_the_login_page_speaks_danish_when_asked(client: Any, db: None) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    page = client.get(reverse("login")).content.decode()
    assert 'lang="da"' in page
    assert "Log ind" in page


def test_switching_language_is_remembered_on_the_account(client_for: Any, personas: Any) -> None:
    client = client_for(personas.mentor)
    response = client.post(reverse("language_set"), {"language": "da", "next": "/dashboard/"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    personas.mentor.refresh_from_db()
    assert personas.mentor.language == "da"
    # The account's language wins over a stale cookie from another session.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert 'lang="da"' in client.get(reverse("dashboard")).content.decode()


def test_the_language_switch_never_redirects_off_site(client: Any, db: None) -> None:
    response = client.post(
        reverse("language_set"), {"language": "da", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_the_settings_page_saves_the_language(client_for: Any, personas: Any) -> None:
    client = client_for(personas.sponsor)
    response = client.post(
        reverse("account_settings"),
        {"full_name": "Sofie Sponsor", "language": "da", "time_zone": "Europe/Oslo"},
    )
    assert response.status_code == 302
    personas.sponsor.refresh_from_db()
    assert (personas.sponsor.full_name, personas.sponsor.language, personas.sponsor.time_zone) == (
        "Sofie Sponsor",
        "da",
        "Europe/Oslo",
    )
