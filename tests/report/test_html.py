"""The report's HTML is one self-contained file: formulas as MathML, figures embedded."""

import base64

from tfsheet.report.html import markdown_to_html

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def test_math_becomes_mathml_and_figures_are_embedded(tmp_path):
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "dot.png").write_bytes(PNG)
    text = ("Inline $\\partial\\ell/\\partial\\mathbf z = \\mathbf a - \\mathbf e_y$ and a_b_c outside math.\n\n"
            "$$h(x) = \\begin{cases} 0 & x < 3 \\\\ 1 & x > 4 \\end{cases}$$\n\n"
            "| a | b |\n| --- | --- |\n| $x^2$ | 2 |\n\n![a dot](figures/dot.png)\n")
    page = markdown_to_html(text, tmp_path, title="t")
    assert page.count("<math") == 3 and 'display="block"' in page
    assert "<table>" in page and "a_b_c" in page
    assert 'src="data:image/png;base64,' in page and "figures/dot.png" not in page
    assert "$" not in page and "http" not in page.replace('xmlns="http://www.w3.org/1998/Math/MathML"', "")


def test_a_formula_that_cannot_be_converted_is_shown_not_lost(tmp_path):
    page = markdown_to_html("$\\frac{1}{$ and $x$", tmp_path, title="t")
    body = page[page.index("<body>"):]                       # the stylesheet names the class too
    assert '<code class="math-error">\\frac{1}{</code>' in body   # the broken formula, as its source
    assert body.count("<math") == 1                           # the good one still converted
