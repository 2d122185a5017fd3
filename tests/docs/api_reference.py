#!/usr/bin/python3
"""The API reference, checked on Doxygen's XML output (ctest label docs).

    api_reference.py complete --doxygen DOXYGEN --doxyfile DOXYFILE --headers DIR --xml DIR --work DIR
    api_reference.py readable --xml DIR

complete: every public declaration of the library has a documentation entry in the reference.
    The declarations are what Doxygen finds in the headers when told to extract everything
    (EXTRACT_ALL, a second run into --work, with the site's own Doxyfile otherwise): every
    namespace, class, struct, union, and every function, typedef, enum (and enum value) and
    variable declared in namespace orm and below, public in its class. Not counted: namespace
    `detail` and whatever is inside it, text inside @cond INTERNAL (Doxygen skips both in both
    runs), friends, and deleted functions. A declaration has an entry when the site's own XML
    (--xml, the run that makes the HTML) has it with a non-empty description; a declaration of
    a header without a `/// @file` block, for example, is missing there.
readable: every brief description (the first sentence, shown in member lists) ends where its
    sentence ends, not after an abbreviation such as "e.g."; no code example in the reference
    has a line that goes on after a closing `};` (what an automatic reflow of a comment does to
    an example).

Prints one line per problem and exits 1 when there is any.
"""
import argparse
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET


def text_of(element):
    return "" if element is None else "".join(element.itertext()).strip()


def has_detail_scope(qualified_name):
    return "detail" in qualified_name.split("::")


def in_library(qualified_name):
    return (qualified_name == "orm" or qualified_name.startswith("orm::")) and not has_detail_scope(
        qualified_name)


def normalized_args(argsstring):
    return re.sub(r"\s+", "", argsstring or "")


class Declaration:
    def __init__(self, kind, name, args, location, documented):
        self.kind = kind
        self.name = name
        self.args = args
        self.location = location
        self.documented = documented

    @property
    def key(self):
        return (self.kind, self.name, normalized_args(self.args))

    def __str__(self):
        return f"{self.location}: {self.kind} {self.name}{self.args or ''}"


def location_of(element):
    where = element.find("location")
    if where is None:
        return "(unknown place)"
    return f"{where.get('file')}:{where.get('line')}"


def is_documented(element):
    return bool(text_of(element.find("briefdescription")) or
                text_of(element.find("detaileddescription")))


def read_declarations(xml_dir):
    """Every declaration of the library in Doxygen's XML output, by key. `documented` tells
    whether the HTML made from the same run shows it with its description: a class or namespace
    with a description has a page of its own; a member of a class is on the class's page; a
    member of a namespace is on the namespace's page, or on its header's page when only the
    header is documented (`/// @file`). The XML also holds documented members of namespaces and
    headers that have no page at all."""
    index = ET.parse(os.path.join(xml_dir, "index.xml")).getroot()
    compounds = []
    documented_files = set()
    for compound in index.findall("compound"):
        kind = compound.get("kind")
        if kind not in ("namespace", "class", "struct", "union", "file"):
            continue
        root = ET.parse(os.path.join(xml_dir, compound.get("refid") + ".xml")).getroot()
        definition = root.find("compounddef")
        compounds.append((kind, definition))
        if kind == "file" and is_documented(definition):
            documented_files.add(definition.find("location").get("file"))

    found = {}

    def add(declaration):
        known = found.get(declaration.key)
        if known is None or (declaration.documented and not known.documented):
            found[declaration.key] = declaration

    for kind, definition in compounds:
        name = text_of(definition.find("compoundname"))
        scope_shown = is_documented(definition)
        if kind != "file":
            if not in_library(name):
                continue
            add(Declaration(kind, name, "", location_of(definition), scope_shown))
        for member in definition.iter("memberdef"):
            member_kind = member.get("kind")
            if member_kind == "friend" or member.get("prot") != "public":
                continue
            qualified = text_of(member.find("qualifiedname")) or f"{name}::{text_of(member.find('name'))}"
            if not in_library(qualified):
                continue
            args = text_of(member.find("argsstring"))
            if normalized_args(args).endswith("=delete"):
                continue
            where = member.find("location")
            header = where.get("declfile") or where.get("file") if where is not None else None
            if kind in ("namespace", "file"):
                shown = kind == "namespace" and scope_shown or header in documented_files
            else:
                shown = scope_shown
            add(Declaration(member_kind, qualified, args, location_of(member),
                            shown and is_documented(member)))
            if member_kind == "enum":
                for value in member.findall("enumvalue"):
                    add(Declaration("enumvalue", f"{qualified}::{text_of(value.find('name'))}", "",
                                    location_of(member), shown and is_documented(value)))
    return found


def check_complete(arguments):
    os.makedirs(arguments.work, exist_ok=True)
    everything_xml = os.path.join(arguments.work, "xml")
    doxyfile = os.path.join(arguments.work, "Doxyfile")
    with open(doxyfile, "w", encoding="utf-8") as out:
        out.write(f'@INCLUDE = "{arguments.doxyfile}"\n'
                  f'INPUT = "{arguments.headers}"\n'
                  "EXTRACT_ALL = YES\n"
                  f'OUTPUT_DIRECTORY = "{arguments.work}"\n'
                  f'XML_OUTPUT = "{everything_xml}"\n'
                  "GENERATE_HTML = NO\nGENERATE_XML = YES\nHAVE_DOT = NO\nSOURCE_BROWSER = NO\n"
                  "USE_MDFILE_AS_MAINPAGE =\nWARNINGS = NO\nWARN_LOGFILE =\nQUIET = YES\n")
    run = subprocess.run([arguments.doxygen, doxyfile], capture_output=True, text=True)
    if run.returncode != 0:
        print(f"api_reference: doxygen failed on {doxyfile}:\n{run.stderr}")
        return 1
    declared = read_declarations(everything_xml)
    in_reference = read_declarations(arguments.xml)
    if not declared:
        print(f"api_reference: no declaration of namespace orm found in {arguments.headers}")
        return 1
    missing = [declaration for key, declaration in sorted(declared.items())
               if not (key in in_reference and in_reference[key].documented)]
    for declaration in missing:
        if declaration.kind == "namespace":
            fix = "describe it in docs/namespaces.dox"
        else:
            fix = "a `///` comment on it, and a `/// @file` block on its header"
        print(f"{declaration}: no documentation entry in the reference ({fix})")
    print(f"api_reference: {len(declared)} public declarations, {len(missing)} without an entry")
    return 1 if missing else 0


ABBREVIATION_AT_END = re.compile(r"(^|[\s(])(e\.g|i\.e|cf|vs|etc)\.$")
REFLOWED_EXAMPLE_LINE = re.compile(r"\}\s*;\s*[^\s/]")


def check_readable(arguments):
    problems = []
    for file_name in sorted(os.listdir(arguments.xml)):
        if not file_name.endswith(".xml") or file_name in ("index.xml", "Doxyfile.xml"):
            continue
        root = ET.parse(os.path.join(arguments.xml, file_name)).getroot()
        for element in root.iter():
            if element.tag not in ("compounddef", "memberdef", "enumvalue"):
                continue
            name = text_of(element.find("qualifiedname")) or text_of(element.find("compoundname")) \
                or text_of(element.find("name"))
            brief = text_of(element.find("briefdescription"))
            if ABBREVIATION_AT_END.search(brief):
                problems.append(f"{location_of(element)}: the brief description of {name} stops "
                                f"at an abbreviation: \"{brief}\"")
            for listing in element.findall("./detaileddescription//programlisting"):
                for line in listing.findall("codeline"):
                    code = "".join(line.itertext())
                    if REFLOWED_EXAMPLE_LINE.search(code):
                        problems.append(f"{location_of(element)}: the example of {name} has a line "
                                        f"that goes on after `}};` (reflowed?): {code.strip()}")
    for problem in sorted(set(problems)):
        print(problem)
    print(f"api_reference: {len(set(problems))} unreadable brief descriptions or examples")
    return 1 if problems else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    complete = commands.add_parser("complete")
    for option in ("--doxygen", "--doxyfile", "--headers", "--xml", "--work"):
        complete.add_argument(option, required=True)
    readable = commands.add_parser("readable")
    readable.add_argument("--xml", required=True)
    arguments = parser.parse_args()
    return check_complete(arguments) if arguments.command == "complete" else check_readable(arguments)


if __name__ == "__main__":
    sys.exit(main())
