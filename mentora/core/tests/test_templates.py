"""Page titles: every page names itself, and a title never carries private text.

A title ends up in the browser's tab, history and bookmarks, and in screenshots, so it may
name only what is never private: a page, a programme, an organisation, a person, a number.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.template import engines
from django.template.base import Node, TextNode, VariableNode
from django.template.loader_tags import BlockNode, ExtendsNode
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.urls import reverse

from conftest import REPO

# Attributes that name something public; anything else in a title needs a decision first.
PUBLIC_NAME_SUFFIXES = (
    ".name",
    ".full_name",
    ".number",
    "event.title",
    ".get_wave_display",
    "run.file_name",
    # What kind of request it is (a copy of someone's data, or an erasure), never whose.
    "subject.get_kind_display",
)


def page_templates() -> Iterator[str]:
    root = REPO / "templates"
    for path in sorted(root.rglob("*.html")):
        if '{% extends "base.html" %}' in path.read_text(encoding="utf-8"):
            yield str(path.relative_to(root))


def title_block(name: str) -> BlockNode | None:
    template = engines["django"].get_template(name).template  # type: ignore[attr-defined]
    extends = next(n for n in template.nodelist if isinstance(n, ExtendsNode))
    return extends.blocks.get("title")


def walk(nodes: list[Node]) -> Iterator[Node]:
    for node in nodes:
        yield node
        for attr in getattr(node, "child_nodelists", ()):
            yield from walk(list(getattr(node, attr, None) or []))


def variables_in(node: Node) -> list[str]:
    if isinstance(node, VariableNode):
        return [str(node.filter_expression.var)]
    if isinstance(node, BlockTranslateNode):
        return [str(value.var) for value in node.extra_context.values()]
    return []


@pytest.mark.parametrize("name", list(page_templates()))
def test_every_page_has_a_title_naming_only_public_things(name: str) -> None:
    block = title_block(name)
    assert block is not None, f"{name} has no title"
    nodes = list(walk(list(block.nodelist)))
    text = "".join(n.s for n in nodes if isinstance(n, TextNode))
    assert "<" not in text, f"{name}: markup inside the title block"
    assert any(isinstance(n, TranslateNode | BlockTranslateNode | VariableNode) for n in nodes)
    for node in nodes:
        for variable in variables_in(node):
            assert variable.endswith(PUBLIC_NAME_SUFFIXES), f"{name}: {variable} in the title"


def test_a_page_title_reads_page_then_product(client_for: Any, personas: Any) -> None:
    html = client_for(personas.manager).get(reverse("dashboard")).content.decode()
    assert "<title>Dashboard · Mentora</title>" in html


def test_the_check_sees_markup_in_a_title() -> None:
    leaky = engines["django"].from_string(
        '{% extends "base.html" %}{% block title %}Hi<section>{{ note.text }}</section>'
        "{% endblock %}"
    )
    extends = next(n for n in leaky.template.nodelist if isinstance(n, ExtendsNode))  # type: ignore[attr-defined]
    nodes = list(walk(list(extends.blocks["title"].nodelist)))
    assert "<" in "".join(n.s for n in nodes if isinstance(n, TextNode))
    assert [v for n in nodes for v in variables_in(n)] == ["note.text"]
