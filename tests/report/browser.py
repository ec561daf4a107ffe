"""Headless Chromium for the report's tests: installed from Debian's package when absent.

`inspect_page(html_path)` loads a copy of the page with a probe script appended, lets Chromium
render it (images decoded, MathML laid out), and returns what the probe saw as a dict;
`screenshot(html_path, png_path)` saves what a reader would see at the top of the page.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars")

PROBE = """
<script>
window.addEventListener("load", () => {
  const images = [...document.images];
  const report = {
    images: images.length,
    broken_images: images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt),
    sections: [...document.querySelectorAll("a[id^='q']")].map(a => a.id),
    headings: [...document.querySelectorAll("h2, h3")].map(h => h.textContent),
    math: document.querySelectorAll("math").length,
    math_errors: document.querySelectorAll(".math-error").length,
    text: document.body.innerText,
  };
  const out = document.createElement("pre");
  out.id = "tfsheet-probe";
  out.textContent = JSON.stringify(report);
  document.body.appendChild(out);
});
</script>
"""


def chromium():
    """The path of a Chromium binary, installing Debian's `chromium` package when there is none."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise RuntimeError("Chromium is not installed and cannot be installed here (needs root and apt-get): "
                           "install Debian's 'chromium' package and run the tests again.")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=environment, timeout=900, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=environment, timeout=1800,
                   capture_output=True)
    found = shutil.which("chromium")
    if not found:
        raise RuntimeError("apt-get installed 'chromium' but no chromium binary is on PATH.")
    return found


def _run(binary, arguments, timeout=180):
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([binary, *FLAGS, f"--user-data-dir={profile}", *arguments], capture_output=True,
                              text=True, timeout=timeout)


def inspect_page(binary, html_path):
    """Render `html_path` with a probe appended; return the probe's findings (see PROBE)."""
    probed = html_path.with_name(html_path.stem + ".probe.html")
    probed.write_text(html_path.read_text().replace("</body>", PROBE + "</body>"))
    try:
        completed = _run(binary, ["--virtual-time-budget=10000", "--dump-dom", probed.resolve().as_uri()])
    finally:
        probed.unlink()
    match = re.search(r'<pre id="tfsheet-probe">(.*?)</pre>', completed.stdout, re.DOTALL)
    if not match:
        raise AssertionError(f"Chromium did not run the page's probe; stderr:\n{completed.stderr[-2000:]}")
    import html

    return json.loads(html.unescape(match.group(1)))


def screenshot(binary, html_path, png_path, width=1200, height=2400):
    completed = _run(binary, [f"--window-size={width},{height}", f"--screenshot={png_path}",
                              html_path.resolve().as_uri()])
    if not png_path.is_file():
        raise AssertionError(f"Chromium wrote no screenshot; stderr:\n{completed.stderr[-2000:]}")
    return png_path
