#!/usr/bin/python3
"""The documentation site in a real browser (ctest label docs):

    browser_test.py --html DIR --screenshots DIR [--widths 1280,420]

Opens every page of the site (DIR/*.html, as a reader does: file:// URLs) in headless Chromium
(Debian's chromium + chromium-driver, driven by Debian's python3-selenium), once per window
width, and fails on:
- horizontal overflow of the page: the page, or its scrolling text column (#doc-content), wider
  than the window. A table or a picture may scroll inside its own box; the page may not;
- a picture that did not load (an <img>, or a dot graph's <object> showing its fallback);
- a number in a table cell wrapped away from its unit ("17.8" above "ms");
- an error in the browser's console (a script error, a missing file).
It keeps full-length screenshots of the main pages as DIR-independent artifacts
(--screenshots/<page>-<width>.png) for a person to look at, and prints how long it took.

Prints one line per problem and exits 1 when there is any.
"""
import argparse
import concurrent.futures
import glob
import os
import pathlib
import shutil
import sys
import tempfile
import time

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PACKAGES = "chromium chromium-driver python3-selenium"

# The pages a person looks at first; their screenshots are kept.
MAIN_PAGES = ["index.html", "lesson*.html", "from_flask.html", "migrations.html", "api.html",
              "troubleshooting.html", "benchmarks.html", "solutions.html", "namespaceorm.html",
              "classorm_1_1Session.html", "*models_2book_8hpp-example.html"]

# Runs in the page: what a reader would see go wrong. Returns a list of problems.
PAGE_CHECK = r"""
const problems = [];
const describe = (element) => {
  let name = element.tagName.toLowerCase();
  if (element.id) name += '#' + element.id;
  if (typeof element.className === 'string' && element.className.trim())
    name += '.' + element.className.trim().split(/\s+/).join('.');
  const text = (element.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 50);
  return text ? name + ' "' + text + '"' : name;
};
const scrollsItself = (element) => ['auto', 'scroll', 'hidden'].includes(
    getComputedStyle(element).overflowX);
const column = document.getElementById('doc-content');
for (const box of [document.documentElement, document.body, column]) {
  if (!box || box.scrollWidth <= box.clientWidth + 1) continue;
  // The outermost elements that stick out of the box (and do not scroll inside themselves).
  const right = box.getBoundingClientRect().left + box.clientWidth + 1;
  const culprits = [];
  const visit = (element) => {
    if (culprits.length >= 3) return;
    if (element.getBoundingClientRect().right > right) { culprits.push(describe(element)); return; }
    if (scrollsItself(element) && element !== box) return;
    for (const child of element.children) visit(child);
  };
  for (const child of box.children) visit(child);
  problems.push(describe(box) + ' is ' + box.scrollWidth + ' px wide in ' + box.clientWidth +
                ' px: ' + (culprits.join('; ') || 'no single element to blame'));
}
// A number and its unit on one line: "17.8 ms", not "17.8" above "ms".
const measure = /^\s*[-+]?[0-9][0-9.,]*\s*(ms|s|us|µs|ns|min|KiB|MiB|GiB|KB|MB|GB|x|%)\s*$/;
for (const cell of document.querySelectorAll('td, th')) {
  if (!measure.test(cell.textContent)) continue;
  const range = document.createRange();
  range.selectNodeContents(cell);
  const rects = Array.from(range.getClientRects()).filter((rect) => rect.width > 0);
  const firstLineEnd = Math.min(...rects.map((rect) => rect.bottom));
  if (rects.some((rect) => rect.top >= firstLineEnd - 2))
    problems.push('"' + cell.textContent.trim() + '" wraps inside its cell');
}
for (const image of document.images) {
  if (!image.complete || image.naturalWidth === 0)
    problems.push('picture did not load: <img src="' + image.getAttribute('src') + '">');
}
for (const fallback of document.querySelectorAll('object .svg-missing')) {
  if (fallback.getClientRects().length > 0)
    problems.push('picture did not load: <object data="' +
                  fallback.parentElement.getAttribute('data') + '">');
}
return problems;
"""

# Runs in the page: whether the text column shows all of it.
ALL_SHOWN = r"""
const column = document.getElementById('doc-content');
return !column || column.scrollHeight <= column.clientHeight + 1;
"""

# Runs in the page: the height that shows all of it (the text column scrolls by itself).
FULL_HEIGHT = r"""
const column = document.getElementById('doc-content');
if (!column) return document.documentElement.scrollHeight;
return column.scrollHeight + (window.innerHeight - column.clientHeight);
"""


def start_browser(profile):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={profile}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(300)  # generous: a busy machine is slow, not broken
    return driver


def console_errors(driver):
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def screenshot(driver, width, path):
    """A screenshot of the whole page: the window made as tall as the page. The text column
    scrolls by itself and is sized by the page's resize handler, so wait until it shows all."""
    for _ in range(20):
        height = max(600, min(int(driver.execute_script(FULL_HEIGHT)), 16000))
        if driver.get_window_size()["height"] != height:
            driver.set_window_size(width, height)
        time.sleep(0.25)
        if driver.execute_script(ALL_SHOWN):
            break
    driver.save_screenshot(path)
    driver.set_window_size(width, 900)


def wait_for_pictures(driver):
    """Until every picture of the page has loaded or failed (the search box adds some late).
    The limit only guards against a hang; a busy machine may take a while."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if driver.execute_script("return Array.from(document.images).every(i => i.complete)"):
            return
        time.sleep(0.05)


def check_at_width(pages, width, main_pages, screenshots):
    """Opens every page at this width in a browser of its own; returns the problems, the
    number of screenshots and the time taken."""
    started = time.monotonic()
    problems = []
    shots = 0
    profile = tempfile.mkdtemp(prefix="docs-browser-")
    driver = start_browser(profile)
    try:
        driver.set_window_size(width, 900)
        for page in pages:
            name = os.path.basename(page)
            driver.get(pathlib.Path(page).resolve().as_uri())
            wait_for_pictures(driver)
            found = driver.execute_script(PAGE_CHECK)
            found += [f"console error: {message}" for message in console_errors(driver)]
            problems += [f"{width} px {name}: {problem}" for problem in found]
            if name in main_pages:
                screenshot(driver, width, os.path.join(screenshots, f"{name[:-5]}-{width}.png"))
                shots += 1
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return problems, shots, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--widths", default="1280,420")
    parser.add_argument("pages", nargs="*", help="only these pages (file names in --html)")
    arguments = parser.parse_args()

    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("python3-selenium (for /usr/bin/python3)")
    if missing:
        print(f"browser_test: missing {', '.join(missing)}: install the Debian packages "
              f"{PACKAGES} (./workbook test installs them)")
        return 1

    pages = sorted(glob.glob(os.path.join(arguments.html, "*.html")))
    if arguments.pages:
        pages = [page for page in pages if os.path.basename(page) in arguments.pages]
    if not pages:
        print(f"browser_test: no pages in {arguments.html}: build the site first (./workbook docs)")
        return 1
    main_pages = {os.path.basename(page) for pattern in MAIN_PAGES
                  for page in glob.glob(os.path.join(arguments.html, pattern))}
    shutil.rmtree(arguments.screenshots, ignore_errors=True)
    os.makedirs(arguments.screenshots)

    widths = [int(width) for width in arguments.widths.split(",")]
    started = time.monotonic()
    # One browser per width, side by side.
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(widths)) as pool:
        runs = list(pool.map(
            lambda width: check_at_width(pages, width, main_pages, arguments.screenshots), widths))
    problems = [problem for run in runs for problem in run[0]]
    for problem in problems:
        print(problem)
    for width, (_, _, seconds) in zip(widths, runs):
        print(f"browser_test: {len(pages)} pages at {width} px in {seconds:.1f} s")
    print(f"browser_test: {len(pages)} pages x {len(widths)} widths, {len(problems)} problems, "
          f"{sum(run[1] for run in runs)} screenshots in {arguments.screenshots}, "
          f"{time.monotonic() - started:.1f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
