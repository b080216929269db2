"""Keep every page free of remote and duplicated scripts, so the book reads the same offline.

Jupyter Book 1 always loads ``sphinx_thebe`` (live code cells fetched from unpkg.com on click) and, through
the theme, registers its inline configuration and sphinx-togglebutton's twice; the second copy of
``const THEBE_JS_URL`` is a JavaScript error on every page. This book launches notebooks on Colab and
Binder instead of in the page, so thebe's files are dropped and the remaining scripts de-duplicated.
"""

from __future__ import annotations


def _is_thebe(script) -> bool:
    filename = str(getattr(script, "filename", "") or "")
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return "thebe" in filename or "THEBE_JS_URL" in body


def _clean_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        key = (str(getattr(script, "filename", script)), str(getattr(script, "attributes", {}).get("body", "")))
        if _is_thebe(script) or key in seen:
            continue
        seen.add(key)
        kept.append(script)
    context["script_files"] = kept
    context["css_files"] = [css for css in context.get("css_files", []) if "thebe" not in str(getattr(css, "filename", css))]


def setup(app):
    app.connect("html-page-context", _clean_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
