"""Markdown (with $inline$ and $$display$$ LaTeX) to one self-contained HTML page.

Math becomes MathML (latex2mathml), which browsers render natively, so the page needs no script
and no network; images referenced by relative paths are embedded as base64 data URIs.
"""

import base64
import html
import pathlib
import re

import markdown
from latex2mathml.converter import convert

_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
_INLINE = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<!\\)\$")
_IMAGE = re.compile(r'<img alt="([^"]*)" src="([^"]+)"')

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; line-height: 1.55; color: #1d1d1f;
       max-width: 62rem; margin: 2rem auto; padding: 0 1.2rem; }
h1 { font-size: 1.9rem; } h2 { margin-top: 2.6rem; border-bottom: 2px solid #d0d7de; padding-bottom: .3rem; }
h3 { margin-top: 2rem; }
blockquote { margin: 1rem 0; padding: .6rem 1rem; background: #f3f6fa; border-left: 4px solid #6e8bb5; }
table { border-collapse: collapse; margin: 1rem 0; font-size: .92rem; }
th, td { border: 1px solid #d0d7de; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
img { max-width: 100%; height: auto; display: block; margin: 1rem auto .2rem; }
code { background: #f6f8fa; padding: .1rem .3rem; border-radius: 3px; font-size: .9em; }
math[display="block"] { margin: 1rem 0; font-size: 1.08em; }
.math-error { color: #b00020; }
details { margin: .8rem 0; padding: .2rem .8rem; border: 1px solid #d0d7de; border-radius: 4px; }
summary { cursor: pointer; font-weight: 600; padding: .3rem 0; }
"""


def latex_to_mathml(latex, display):
    """MathML for `latex`; on a conversion error, the LaTeX source in a marked <code>."""
    try:
        return convert(latex.strip(), display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - show the source rather than lose the formula
        return f'<code class="math-error">{html.escape(latex)}</code>'


def markdown_to_html(text, base_dir, title):
    """Render `text` to a complete HTML page; images are read relative to `base_dir` and embedded."""
    formulas = []

    def stash(display):
        def replace(match):
            formulas.append(latex_to_mathml(match.group(1), display))
            return f"MATHFORMULA{len(formulas) - 1}END"
        return replace

    text = _DISPLAY.sub(stash(True), text)
    text = _INLINE.sub(stash(False), text)
    text = text.replace("<details>\n", '<details markdown="1">\n')    # Markdown inside a folded section too
    body = markdown.markdown(text, extensions=["tables", "md_in_html"], output_format="html")
    body = re.sub(r"MATHFORMULA(\d+)END", lambda match: formulas[int(match.group(1))], body)
    body = _IMAGE.sub(lambda match: f'<img alt="{match.group(1)}" src="{_data_uri(base_dir, match.group(2))}"', body)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{html.escape(title)}</title>\n'
            f"<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def _data_uri(base_dir, source):
    path = pathlib.Path(base_dir) / html.unescape(source)
    if source.startswith("data:") or not path.is_file():
        return source
    kind = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg"}.get(path.suffix.lower(), "image/png")
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
