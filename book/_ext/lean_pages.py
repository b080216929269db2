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


def setup(app):
    app.connect("build-finished", _palette_images)
    app.connect("config-inited", _add_templates)
    app.connect("config-inited", _lean_mathjax)
    app.connect("builder-inited", _add_filter)
    app.connect("builder-inited", _load_mathjax_components, priority=900)
    # After sphinx.ext.mathjax has added its scripts (priority 500).
    app.connect("html-page-context", _drop_mathjax_without_math, priority=950)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
