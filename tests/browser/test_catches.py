"""The browser test catches what it is meant to: test_report.py run (in a
subprocess, on NRSCREEN_REPORT_HTML) over the contract's example passes, and
over each broken copy of it fails with the expected message."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE / "fixtures" / "contract-example.html"

STATES = (
    '<tr><th scope="row">MX-BCN</th><td data-count="48">48</td></tr>\n'
    '<tr><th scope="row">MX-TAM</th><td data-count="45">45</td></tr>'
)
STATES_SWAPPED = (
    '<tr><th scope="row">MX-TAM</th><td data-count="45">45</td></tr>\n'
    '<tr><th scope="row">MX-BCN</th><td data-count="48">48</td></tr>'
)
BAR = re.compile(r'<rect x="\d+" y="\d+" width="\d+" height="\d+" opacity="1" fill="#3B6EA5" stroke="none"/>\n')


def replace(old, new):
    def edit(text):
        assert old in text, f"the example no longer holds {old!r}"
        return text.replace(old, new, 1)

    return edit


# name: (edit of the example's text, a line the failure must print)
BREAKS = {
    "external image": (
        replace("<h1>Screening report</h1>", '<h1>Screening report</h1><img src="https://example.org/x.png" alt="">'),
        "GET https://example.org/x.png",
    ),
    "file beside it": (
        replace("</head>", '<link rel="stylesheet" href="report.css"></head>'),
        "report.css",
    ),
    "css url": (
        replace("body {", "body { background: url(http://127.0.0.1:9/x.png);"),
        "GET http://127.0.0.1:9/x.png",
    ),
    "script": (
        replace("</body>", '<script>console.error("boom")</script></body>'),
        "boom",
    ),
    "page error": (
        replace("</body>", '<img src="data:," onerror="undefinedFunction()"></body>'),
        "undefinedFunction is not defined",
    ),
    "headline": (
        replace('data-outcome="clear" data-count="76"', 'data-outcome="clear" data-count="75"'),
        "add up to 299, not the 300 cases evaluated",
    ),
    "headline not a number": (
        replace('data-outcome="flagged" data-count="182"', 'data-outcome="flagged" data-count="182.0"'),
        "is not a non-negative integer",
    ),
    "rows out of order": (replace(STATES, STATES_SWAPPED), "chart-states: the bar at y="),
    "count off": (
        replace('<td data-count="79">79</td>', '<td data-count="75">75</td>'),
        "chart-states: the bar at y=",
    ),
    "bar missing": (lambda t: BAR.sub("", t, count=1), "chart-gaps: 13 bars drawn, 14 table rows"),
    "extra bar": (
        replace("</svg>", '<rect x="158" y="2" width="40" height="5" fill="#000"/></svg>'),
        "chart-gaps: 15 bars drawn, 14 table rows",
    ),
    "external link": (
        replace('<a href="#decide">Back', '<a href="https://example.org/">Back'),
        "is not a #fragment",
    ),
    "dangling link": (
        replace('<a href="#decide">Back', '<a href="#nowhere">Back'),
        "no element has that id",
    ),
    "unknown chart": (replace('id="chart-programs"', 'id="chart-program"'), "chart-program: not one of"),
}


def run_report_test(tmp_path, text):
    page = tmp_path / "report.html"
    page.write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "NRSCREEN_UPDATE_SCREENSHOT"}
    env["NRSCREEN_REPORT_HTML"] = str(page)
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(HERE / "test_report.py"), "-q", "-p", "no:cacheprovider",
         "-k", "not screenshot"],
        env=env, capture_output=True, text=True, timeout=300,
    )


def test_the_example_passes(tmp_path):
    proc = run_report_test(tmp_path, EXAMPLE.read_text(encoding="utf-8"))
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_a_broken_report_fails(tmp_path, name):
    edit, message = BREAKS[name]
    text = EXAMPLE.read_text(encoding="utf-8")
    broken = edit(text)
    assert broken != text
    proc = run_report_test(tmp_path, broken)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, f"{name}: the browser test did not fail\n{out}"
    assert message in out, f"{name}: the failure does not say {message!r}\n{out}"
