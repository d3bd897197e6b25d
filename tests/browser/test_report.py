"""The HTML batch report (`nrscreen eval --format html`) in a real browser.

Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright for
Python) opens the report from file://, and the test checks what a reader
gets: no request leaves the file, no console or page error, the headline
counts account for the batch, each chart's bars match its data table, no
script, every link an in-page fragment that exists. A full-page screenshot
is kept in target/artifacts/report.png.

The DOM contract the report follows is in tests/browser/README.md.

Environment:
  NRSCREEN_REPORT_HTML=PATH   test this HTML file instead of running
                              `nrscreen eval --format html` (the counts are
                              still taken from the real binary's run over the
                              example batch)
  NRSCREEN_BIN=PATH           the binary (default target/debug/nrscreen)
  NRSCREEN_CHROMIUM=PATH      the browser (default /usr/bin/chromium)
  NRSCREEN_UPDATE_SCREENSHOT=1  also write examples/reports/cases.png
                              (only the value 1; refused with
                              NRSCREEN_REPORT_HTML, which is not the real report)
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"
CASES = ROOT / "rules" / "examples" / "cases.jsonl"
ARTIFACT = ROOT / "target" / "artifacts" / "report.png"
README_SCREENSHOT = ROOT / "examples" / "reports" / "cases.png"

CHART_IDS = {"chart-gaps", "chart-months", "chart-states", "chart-cities", "chart-programs"}
OUTCOMES = ("flagged", "needs-review", "clear")
# Bar lengths against counts, in CSS pixels as rendered.
TOLERANCE_PX = 1.5

# The last line `eval` writes on stderr.
ACCOUNTING = re.compile(
    r"^read (\d+), evaluated (\d+), rejected (\d+); "
    r"flagged (\d+), needs review (\d+), clear (\d+)$"
)

# Flags for a closed network, as root, with a fresh profile: without the
# background-networking ones Chromium tries Google's hosts at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]


def binary():
    path = Path(os.environ.get("NRSCREEN_BIN", ROOT / "target" / "debug" / "nrscreen"))
    if not path.is_file():
        pytest.fail(f"{path} does not exist: build it first (cargo build --locked)")
    return path


def accounting(stderr):
    """The counts of `eval`'s accounting line (its last stderr line)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines, "eval wrote nothing on stderr (no accounting line)"
    m = ACCOUNTING.match(lines[-1].strip())
    assert m, f"the last stderr line is not eval's accounting line: {lines[-1]!r}"
    read, evaluated, rejected, flagged, review, clear = map(int, m.groups())
    assert read == evaluated + rejected, lines[-1]
    assert evaluated == flagged + review + clear, lines[-1]
    return {
        "evaluated": evaluated,
        "flagged": flagged,
        "needs-review": review,
        "clear": clear,
    }


def run_eval(fmt, output):
    cmd = [str(binary()), "eval", "--format", fmt, "--rules", str(RULES), str(CASES), "--output", str(output)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, (
        f"{' '.join(cmd)} exited {proc.returncode}\nstderr:\n{proc.stderr}"
    )
    return accounting(proc.stderr)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """(path of the HTML report, the batch's counts from the binary)."""
    tmp = tmp_path_factory.mktemp("report")
    given = os.environ.get("NRSCREEN_REPORT_HTML")
    if given:
        path = Path(given).resolve()
        assert path.is_file(), f"NRSCREEN_REPORT_HTML={given}: no such file"
        counts = run_eval("summary", tmp / "summary.txt")
        print(f"\ntesting {path} (NRSCREEN_REPORT_HTML), against the counts of {CASES.relative_to(ROOT)}")
    else:
        path = tmp / "report.html"
        counts = run_eval("html", path)
        assert path.is_file(), "eval --format html --output wrote no file"
    return path, counts


@pytest.fixture(scope="module")
def page(report):
    """The report loaded in headless Chromium, with what happened on the way:
    requests (all but the file's own aborted), console messages, page errors."""
    path, _ = report
    url = path.as_uri()
    executable = os.environ.get("NRSCREEN_CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).is_file():
        pytest.fail(f"no browser at {executable} (apt-get install chromium, as .ci/run does)")
    seen = {"requests": [], "foreign": [], "console": [], "errors": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)

        def route(r):
            if r.request.url == url:
                r.continue_()
            else:
                seen["foreign"].append(f"{r.request.method} {r.request.url}")
                r.abort()

        # Interception, and the request events too: file:// subresources are
        # reported as requests even where a route handler does not see them.
        context.route("**/*", route)
        pg = context.new_page()
        pg.on("request", lambda r: seen["requests"].append(r.url))
        pg.on("console", lambda m: seen["console"].append((m.type, m.text, m.location)))
        pg.on("pageerror", lambda e: seen["errors"].append(str(e)))
        response = pg.goto(url, wait_until="load")
        assert response is None or response.ok, f"loading {url} failed"
        pg.wait_for_load_state("networkidle")
        yield pg, url, seen
        context.close()
        browser.close()


def test_no_request_leaves_the_file(page):
    pg, url, seen = page
    assert seen["foreign"] == [], "requests other than the file itself (aborted):\n" + "\n".join(seen["foreign"])
    others = [u for u in seen["requests"] if u != url]
    assert others == [], "requests other than the file itself:\n" + "\n".join(others)
    assert url in seen["requests"], "the file itself was never requested"


def test_no_console_or_page_error(page):
    pg, _, seen = page
    assert seen["errors"] == [], "page errors:\n" + "\n".join(seen["errors"])
    errors = [f"{text} ({loc})" for kind, text, loc in seen["console"] if kind == "error"]
    assert errors == [], "console errors:\n" + "\n".join(errors)


def test_sections(page):
    pg, _, _ = page
    for sid in ("provenance", "headline", "decide", "rejections"):
        assert pg.locator(f"section#{sid}").count() == 1, f"no single <section id={sid}>"


def test_headline_counts_account_for_the_batch(page, report):
    pg, _, _ = page
    _, counts = report
    items = pg.eval_on_selector_all(
        "section#headline [data-outcome]",
        "els => els.map(e => [e.dataset.outcome, e.getAttribute('data-count')])",
    )
    outcomes = [o for o, _ in items]
    assert sorted(outcomes) == sorted(OUTCOMES), f"headline outcomes: {outcomes}"
    shown = {}
    for outcome, count in items:
        assert count is not None and re.fullmatch(r"[0-9]+", count), (
            f"headline {outcome}: data-count={count!r} is not a non-negative integer"
        )
        shown[outcome] = int(count)
    assert sum(shown.values()) == counts["evaluated"], (
        f"headline counts {shown} add up to {sum(shown.values())}, not the {counts['evaluated']} cases evaluated"
    )
    for outcome in OUTCOMES:
        assert shown[outcome] == counts[outcome], (
            f"headline {outcome}: {shown[outcome]}, eval's accounting line: {counts[outcome]}"
        )


def test_decide_rows(page, report):
    pg, _, _ = page
    _, counts = report
    rows = pg.eval_on_selector_all(
        "section#decide [data-findings], section#decide [data-cases]",
        "els => els.map(e => [e.getAttribute('data-findings'), e.getAttribute('data-cases')])",
    )
    if counts["flagged"] + counts["needs-review"] > 0:
        assert rows, "the batch has findings but section#decide has no row with data-findings/data-cases"
    for findings, cases in rows:
        for name, value in (("data-findings", findings), ("data-cases", cases)):
            assert value is not None and re.fullmatch(r"[0-9]+", value), (
                f"decide row: {name}={value!r} is not a non-negative integer"
            )
        assert int(cases) <= counts["evaluated"], f"decide row: data-cases={cases} > {counts['evaluated']} evaluated"


# Each chart: its bars as drawn (rendered boxes, CSS pixels) and its table rows.
CHARTS_JS = """
figs => figs.map(fig => {
  const svgs = fig.querySelectorAll('svg');
  const tables = fig.querySelectorAll('table.chart-data');
  const chart = {id: fig.id, svgs: svgs.length, tables: tables.length, bars: [], rows: []};
  if (svgs.length === 1) {
    const svg = svgs[0];
    const frame = svg.getBoundingClientRect();
    const w = parseFloat(svg.getAttribute('width')), h = parseFloat(svg.getAttribute('height'));
    for (const r of svg.querySelectorAll('rect')) {
      const a = n => parseFloat(r.getAttribute(n) || '0');
      // plotters' background: the whole drawing area.
      if (a('x') === 0 && a('y') === 0 && a('width') === w && a('height') === h) continue;
      const box = r.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      chart.bars.push({left: box.left - frame.left, top: box.top - frame.top,
                       width: box.width, height: box.height, x: a('x'), y: a('y')});
    }
  }
  if (tables.length === 1) {
    for (const tr of tables[0].querySelectorAll('tr')) {
      const tds = tr.querySelectorAll('td[data-count]');
      const ths = tr.querySelectorAll('th');
      if (tr.closest('thead') && tds.length === 0) continue;
      chart.rows.push({ths: ths.length, tds: tds.length,
                       label: ths.length ? ths[0].textContent.trim() : null,
                       count: tds.length ? tds[0].getAttribute('data-count') : null});
    }
  }
  return chart;
})
"""


def test_charts_bars_match_their_tables(page, report):
    pg, _, _ = page
    _, counts = report
    charts = pg.eval_on_selector_all("figure.chart", CHARTS_JS)
    ids = [c["id"] for c in charts]
    assert len(ids) == len(set(ids)), f"chart ids repeat: {ids}"
    if counts["flagged"] + counts["needs-review"] > 0:
        assert charts, "the batch has findings but the report has no figure.chart"
    for c in charts:
        name = c["id"] or "(figure.chart without id)"
        assert c["id"] in CHART_IDS, f"{name}: not one of {sorted(CHART_IDS)}"
        assert c["svgs"] == 1, f"{name}: {c['svgs']} <svg> elements, not one"
        assert c["tables"] == 1, f"{name}: {c['tables']} table.chart-data, not one"
        assert c["rows"], f"{name}: its table has no rows"
        for i, row in enumerate(c["rows"]):
            assert row["ths"] == 1 and row["tds"] == 1, (
                f"{name}, row {i + 1}: {row['ths']} <th> and {row['tds']} <td data-count>, not one of each"
            )
            assert re.fullmatch(r"[0-9]+", row["count"] or ""), (
                f"{name}, row {i + 1} ({row['label']}): data-count={row['count']!r} is not a non-negative integer"
            )
        # A row counting 0 draws a bar of no length, which is not a bar.
        rows = [r for r in c["rows"] if int(r["count"]) > 0]
        bars = sorted(c["bars"], key=lambda b: b["top"])
        assert len(bars) == len(rows), (
            f"{name}: {len(bars)} bars drawn, {len(rows)} table rows with a count above 0"
        )
        if not bars:
            continue
        # Horizontal bars, one per band, from a common baseline.
        left = bars[0]["left"]
        for b in bars:
            assert abs(b["left"] - left) <= TOLERANCE_PX, f"{name}: bars start at {left} and {b['left']}"
        for upper, lower in zip(bars, bars[1:]):
            assert lower["top"] >= upper["top"] + upper["height"] - TOLERANCE_PX, (
                f"{name}: bars at y={upper['y']} and y={lower['y']} overlap: not one bar per row"
            )
        # Same order as the table, lengths proportional to the counts:
        # the least-squares scale through the origin, then each bar within
        # the tolerance of count × scale.
        values = [int(r["count"]) for r in rows]
        widths = [b["width"] for b in bars]
        scale = sum(w * v for w, v in zip(widths, values)) / sum(v * v for v in values)
        assert scale > 0, f"{name}: bars of no length"
        for row, bar in zip(rows, bars):
            expected = int(row["count"]) * scale
            assert abs(bar["width"] - expected) <= TOLERANCE_PX, (
                f"{name}: the bar at y={bar['y']} is {bar['width']:.1f} px long; row "
                f"{row['label']!r} ({row['count']}) wants {expected:.1f} px "
                f"(scale {scale:.3f} px per case, table order top to bottom: "
                + ", ".join(f"{r['label']}={r['count']}" for r in rows)
                + "; bar lengths top to bottom: "
                + ", ".join(f"{w:.0f}" for w in widths)
                + ")"
            )


def test_no_script(page):
    pg, _, _ = page
    assert pg.locator("script").count() == 0, "the report has <script> elements"
    handlers = pg.evaluate(
        """() => [...document.querySelectorAll('*')].flatMap(e =>
             [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))"""
    )
    assert handlers == [], f"event-handler attributes: {handlers}"


def test_links_are_fragments_of_the_page(page):
    pg, _, _ = page
    links = pg.evaluate(
        """() => [...document.querySelectorAll('*')].flatMap(e =>
             [...e.attributes].filter(a => a.name === 'href' || a.name.endsWith(':href') || a.name === 'src'
                                        || a.name === 'srcset' || a.name === 'action' || a.name === 'poster')
               .map(a => [e.tagName, a.name, a.value]))"""
    )
    for tag, attr, value in links:
        assert attr.endswith("href"), f"<{tag.lower()} {attr}={value!r}>: the report loads nothing"
        assert value.startswith("#") and len(value) > 1, f"<{tag.lower()} {attr}={value!r}> is not a #fragment"
        target = value[1:]
        found = pg.evaluate("id => document.getElementById(decodeURIComponent(id)) !== null", target)
        assert found, f"<{tag.lower()} {attr}={value!r}>: no element has that id"


def test_full_page_screenshot(page):
    pg, _, _ = page
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACT), full_page=True)
    assert ARTIFACT.stat().st_size > 0
    print(f"\nscreenshot: {ARTIFACT}")
    if os.environ.get("NRSCREEN_UPDATE_SCREENSHOT") == "1":
        if os.environ.get("NRSCREEN_REPORT_HTML"):
            pytest.fail(
                "NRSCREEN_UPDATE_SCREENSHOT=1 with NRSCREEN_REPORT_HTML: the README's screenshot "
                "is of the real report; unset NRSCREEN_REPORT_HTML"
            )
        # The README shows the headline and the first charts, not the
        # whole long page the artifact keeps (nor the provenance's paths,
        # which are this machine's).
        README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        top = pg.locator("#headline").bounding_box()["y"]
        pg.screenshot(
            path=str(README_SCREENSHOT),
            full_page=True,
            clip={"x": 0, "y": max(top - 16, 0), "width": 1280, "height": 1400},
        )
        print(f"screenshot: {README_SCREENSHOT} (NRSCREEN_UPDATE_SCREENSHOT=1)")
