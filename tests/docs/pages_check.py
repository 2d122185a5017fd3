#!/usr/bin/python3
"""The site's pages read as written (ctest label docs):

    pages_check.py --html DIR --doxyfile DOXYFILE

Checks every page of the generated site (DIR/*.html) and the Markdown pages Doxygen reads (the
.md files in the Doxyfile's INPUT):
- at most one "Previous:" and one "Next:" link line per page;
- no option turned into a dash: an en dash glued to a word ("–help" for `--help`);
- the solutions' listings (*-example.html) hold no TODO: they are the finished code;
- no paragraph printed twice in a row (a brief repeated as its description);
- every `@code` block of a Markdown page names its language (`@code{.cpp}`), so it is highlighted.

Prints one line per problem and exits 1 when there is any.
"""
import argparse
import glob
import html
import os
import re
import sys


def visible_text(markup):
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def markdown_pages(doxyfile):
    """The .md files in the Doxyfile's INPUT."""
    text = open(doxyfile, encoding="utf-8").read().replace("\\\n", " ")
    match = re.search(r"^INPUT\s*=(.*)$", text, flags=re.M)
    if not match:
        return []
    return [name for name in re.findall(r'"([^"]+)"|(\S+)', match.group(1))
            for name in name if name.endswith(".md")]


def check_page(path, problems):
    name = os.path.basename(path)
    markup = open(path, encoding="utf-8", errors="replace").read()
    contents = markup.split('<div class="contents">', 1)[-1]
    text = visible_text(contents)
    for word in ("Previous:", "Next:"):
        count = text.count(word)
        if count > 1:
            problems.append(f"{name}: {count} '{word}' links; a page has one Previous/Next line")
    for dash in re.findall(r"\S*\u2013[A-Za-z]\S*", text):
        problems.append(f"{name}: '{dash.strip()}': an option written --x outside a code span "
                        "became an en dash")
    if name.endswith("-example.html") and "TODO" in text:
        problems.append(f"{name}: a solution's listing shows a TODO comment")
    previous = None
    for paragraph in re.finditer(r"<p\b[^>]*>(.*?)</p>", contents, flags=re.S):
        words = visible_text(paragraph.group(1)).split()
        if (previous and words and words == previous[1] and
                not contents[previous[0]:paragraph.start()].strip()):
            problems.append(f"{name}: the paragraph \"{' '.join(words)[:60]}\" is printed twice "
                            "in a row")
        previous = (paragraph.end(), words)


def check_markdown(path, problems):
    for number, line in enumerate(open(path, encoding="utf-8"), start=1):
        for match in re.finditer(r"[@\\]code(\{[^}]*\})?", line):
            if not match.group(1):
                problems.append(f"{path}:{number}: @code without a language: write @code{{.cpp}} "
                                "(or .sql, .py, .sh, ...) so the block is highlighted")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", required=True)
    parser.add_argument("--doxyfile", required=True)
    arguments = parser.parse_args()
    problems = []
    pages = sorted(glob.glob(os.path.join(arguments.html, "*.html")))
    for page in pages:
        check_page(page, problems)
    sources = markdown_pages(arguments.doxyfile)
    for source in sources:
        check_markdown(source, problems)
    for problem in problems:
        print(problem)
    print(f"pages_check: {len(pages)} pages, {len(sources)} Markdown sources, "
          f"{len(problems)} problems")
    return 1 if problems or not pages or not sources else 0


if __name__ == "__main__":
    sys.exit(main())
