"""Label the bibliography list the way the text cites: "Zhang and Zhou, 2014", not "[ZZ14]".

The chapters cite author-year (``bibtex_reference_style: author_year``), but sphinxcontrib-bibtex labels
the list with the formatting style's label style, pybtex's alpha labels by default ("[MKGD12]"), so a
reader could not match a citation to its entry. This module registers the pybtex formatting style
``author_year_labels`` (pybtex's ``plain`` with the labels below); ``_config.yml`` selects it with
``bibtex_default_style``.
"""

from __future__ import annotations

from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle


def _surname(person) -> str:
    """A person's surname as a reader sees it: LaTeX accents decoded ("D{\\v{z}}eroski" -> "Džeroski")."""
    raw = " ".join(person.prelast_names + person.last_names)
    return Text.from_latex(raw).render_as("text")


def author_year_label(entry) -> str:
    """"Last, 2014", "Last and Other, 2014" or "Last et al., 2014", as the author_year citations read."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_surname(person) for person in persons]
    if not names:
        author = entry.fields.get("key") or entry.key
    elif len(names) == 1:
        author = names[0]
    elif len(names) == 2:
        author = f"{names[0]} and {names[1]}"
    else:
        author = f"{names[0]} et al."
    year = entry.fields.get("year", "n.d.")
    return f"{author}, {year}"


class AuthorYearLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        labels = [author_year_label(entry) for entry in sorted_entries]
        total, seen = Counter(labels), Counter()
        for label in labels:
            if total[label] == 1:
                yield label
            else:  # two papers with the same authors and year: 2011a, 2011b
                yield label + chr(ord("a") + seen[label])
                seen[label] += 1


class AuthorYearLabelsStyle(PlainStyle):
    default_label_style = "author_year_labels"


register_plugin("pybtex.style.labels", "author_year_labels", AuthorYearLabelStyle)
register_plugin("pybtex.style.formatting", "author_year_labels", AuthorYearLabelsStyle)


def setup(app):
    return {"parallel_read_safe": True, "parallel_write_safe": True}
