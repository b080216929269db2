"""Load on each page only what that page uses: the book's pages were 3.7-4.3 MB, 3 MB of it shared.

- **MathJax only where there are formulas.** Sphinx's math domain counts a page as having equations when
  any page in its table of contents has them, so the front page (whose toctree lists every chapter) loaded
  MathJax's 1.2 MB to show no formula. A page gets MathJax when its own body holds math.
- **No fontawesome.js.** pydata-sphinx-theme loads Font Awesome twice: as web fonts through its style
  sheet (the icons' glyphs) and as a 1.5 MB script that swaps every icon for an inline SVG "so that users
  can add custom icons". The book adds none, so the script goes and the style sheet's fonts draw the same
  icons (``book.js`` marks them ``aria-hidden``, as the script did). The script tag is written by the
  theme's template, not by Sphinx's list of scripts, so ``templates/layout.html`` filters it out.
- **MathJax without its menu.** sphinx-mathjax-offline serves ``tex-chtml.js``, MathJax's combined file,
  1.16 MB, of which 0.43 MB is the right-click menu (show the TeX source, zoom, speech settings). Its
  ``startup.js`` loads the same TeX input and HTML output, and the hidden MathML that screen readers read
  (``a11y/assistive-mml``), from the same folder: 0.76 MB, so a chapter stays under 2.5 MB.
- **Figures as 256-colour PNGs.** The notebooks keep matplotlib's full-colour retina PNGs; the built
  book re-encodes each image in ``_images`` with a 256-colour palette (Floyd-Steinberg dithering), which
  keeps same-sized images about 40 % as heavy. Charts hold far fewer than 256 colours; the noisy digit
  images dither invisibly at their size. An image is replaced only when the palette copy is smaller.
- **Code without spans that change nothing.** Pygments wraps every name, bracket and space of a code
  cell in its own ``<span>``; a chapter's highlighted code weighed six times its text. Names, punctuation
  and whitespace take the code block's own text colour in both themes (``pygments.css``), so their spans
  are unwrapped after the build: the page looks the same, and Part V's code-heavy chapters lose
  0.1-0.15 MB each. Which classes are plain is read from the built ``pygments.css``, not assumed, so a
  theme whose style colours names keeps their spans.
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.errors import ExtensionError

TEMPLATES = Path(__file__).with_name("templates")
FONTAWESOME_JS = re.compile(r'\s*<script[^>]*src="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*>\s*</script>')
# The classes MathJax typesets (Sphinx's math roles and directives write these).
MATH_IN_BODY = re.compile(r'class="[^"]*\bmath\b')


def without_fontawesome_js(html: str) -> str:
    """The theme's head without its fontawesome.js tag; an error if the theme no longer writes one, so a
    theme upgrade that moves it is noticed (and this filter revisited)."""
    cleaned, count = FONTAWESOME_JS.subn("", str(html))
    if count != 1:
        raise ExtensionError(f"lean_pages: expected one fontawesome.js script tag in the theme's head, found {count}")
    return type(html)(cleaned) if hasattr(html, "__html__") else cleaned


def _is_mathjax(script) -> bool:
    filename = str(getattr(script, "filename", script) or "")
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return "mathjax" in filename.lower() or body.startswith(("window.MathJax", "MathJax.Hub.Config"))


def _drop_mathjax_without_math(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts or MATH_IN_BODY.search(context.get("body", "")):
        return
    context["script_files"] = [script for script in scripts if not _is_mathjax(script)]


# MathJax's components, loaded by startup.js: tex-chtml.js less ui/menu.
MATHJAX_STARTUP = "mathjax/startup.js"
MATHJAX_COMPONENTS = ["input/tex", "output/chtml", "a11y/assistive-mml"]


def _lean_mathjax(app, config):
    # sphinx-mathjax-offline sets mathjax_path in its setup(); config-inited comes after every setup().
    if str(config.mathjax_path).endswith("mathjax/tex-chtml.js"):
        config.mathjax_path = MATHJAX_STARTUP


def _load_mathjax_components(app):
    # After myst-parser has added its options to mathjax3_config (builder-inited too).
    if app.config.mathjax_path == MATHJAX_STARTUP:
        config = dict(app.config.mathjax3_config or {})
        config["loader"] = {**config.get("loader", {}), "load": MATHJAX_COMPONENTS}
        app.config.mathjax3_config = config


def _add_templates(app, config):
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path.insert(0, str(TEMPLATES))


def _add_filter(app):
    if hasattr(app.builder, "templates") and hasattr(app.builder.templates, "environment"):
        app.builder.templates.environment.filters["without_fontawesome_js"] = without_fontawesome_js


def palette_png(data: bytes) -> bytes:
    """``data`` (a PNG) re-encoded with a 256-colour palette, or unchanged when that is not smaller."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        if image.mode == "P":
            return data
        has_alpha = image.mode in ("RGBA", "LA") and image.getextrema()[-1][0] < 255
        if has_alpha:
            return data  # a palette would lose partial transparency
        buffer = io.BytesIO()
        image.convert("RGB").quantize(256).save(buffer, "PNG", optimize=True)
    smaller = buffer.getvalue()
    return smaller if len(smaller) < len(data) else data


def _palette_images(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for path in sorted((Path(app.outdir) / "_images").glob("*.png")):
        data = path.read_bytes()
        lighter = palette_png(data)
        if lighter is not data:
            path.write_bytes(lighter)


# `html[data-theme="light"] .highlight .n { color: #080808 }`: a theme, an optional token class, its rule.
_PYGMENTS_RULE = re.compile(r'html\[data-theme="(\w+)"\] \.highlight(?: \.([\w-]+))? \{([^}]*)\}')
_HIGHLIGHTED_PRE = re.compile(r'(<div class="highlight"><pre>)(.*?)(</pre>)', re.DOTALL)


def _declarations(rule: str) -> dict[str, str]:
    pairs = (part.split(":", 1) for part in rule.split(";") if ":" in part)
    return {name.strip(): value.strip().lower() for name, value in pairs}


def plain_token_classes(css: str) -> frozenset[str]:
    """The token classes of ``css`` (a theme's ``pygments.css``) whose rule in every theme only repeats
    the code block's own text colour: their spans can go without changing how code looks."""
    base: dict[str, dict[str, str]] = {}
    tokens: dict[str, dict[str, dict[str, str]]] = {}
    for theme, token, rule in _PYGMENTS_RULE.findall(css):
        if token:
            tokens.setdefault(token, {})[theme] = _declarations(rule)
        else:
            base.setdefault(theme, {}).update(_declarations(rule))
    if not base or any("color" not in rules for rules in base.values()):
        return frozenset()
    return frozenset(token for token, by_theme in tokens.items()
                     if set(by_theme) == set(base)
                     and all(rules == {"color": base[theme]["color"]} for theme, rules in by_theme.items()))


def without_plain_spans(html: str, classes: frozenset[str]) -> str:
    """``html`` with each highlighted-code span of one of ``classes`` (and no markup inside) unwrapped,
    and the empty span Pygments opens each block with dropped."""
    if not classes:
        return html
    span = re.compile(r'<span class="(?:%s)">([^<]*)</span>' % "|".join(map(re.escape, sorted(classes))))

    def clean(block: re.Match) -> str:
        code = span.sub(r"\1", block.group(2))
        return block.group(1) + (code[len("<span></span>"):] if code.startswith("<span></span>") else code) + block.group(3)

    return _HIGHLIGHTED_PRE.sub(clean, html)


def _unwrap_plain_spans(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    css = Path(app.outdir) / "_static" / "pygments.css"
    classes = plain_token_classes(css.read_text(encoding="utf-8")) if css.is_file() else frozenset()
    for path in sorted(Path(app.outdir).rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        lighter = without_plain_spans(html, classes)
        if lighter != html:
            path.write_text(lighter, encoding="utf-8")


def setup(app):
    app.connect("build-finished", _palette_images)
    # After pydata-sphinx-theme has written its light and dark pygments.css (default priority 500).
    app.connect("build-finished", _unwrap_plain_spans, priority=900)
    app.connect("config-inited", _add_templates)
    app.connect("config-inited", _lean_mathjax)
    app.connect("builder-inited", _add_filter)
    app.connect("builder-inited", _load_mathjax_components, priority=900)
    # After sphinx.ext.mathjax has added its scripts (priority 500).
    app.connect("html-page-context", _drop_mathjax_without_math, priority=950)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
