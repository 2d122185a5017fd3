// Do not change this file: it is the docs' link check (ctest label docs).
//
// link_check <html-dir>: checks every internal link of a generated HTML site.
//
// Reads every .html and .svg file under <html-dir> and every `href`, `src` and `xlink:href` in
// them (in SVG: of <a> and <image>), plus the page links of Doxygen's navigation tree (the
// top-level .js files). A link that leaves the site (http:, mailto:, javascript:, ...) is skipped;
// every other link must name an existing file, and its #fragment, if any, an `id` (or `<a name>`)
// in that file. An empty link on an <a> element (what an unresolved reference in a dot picture
// becomes) is broken too.
//
// Prints one line per broken link and a summary; exits 1 when any link is broken.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Link {
  std::string target;  // as written, entities decoded
  std::string element;
};

struct Page {
  std::set<std::string> ids;
  std::vector<Link> links;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Decodes the character references Doxygen writes in attribute values.
std::string decode_entities(std::string_view text) {
  static const std::map<std::string, std::string, std::less<>> named = {
      {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", " "}};
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const std::size_t end = text[i] == '&' ? text.find(';', i) : std::string_view::npos;
    if (end == std::string_view::npos || end - i > 10) {
      out += text[i];
      continue;
    }
    const std::string_view name = text.substr(i + 1, end - i - 1);
    if (!name.empty() && name[0] == '#') {
      const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
      const std::string digits(name.substr(hex ? 2 : 1));
      char* digits_end = nullptr;
      const unsigned long code = std::strtoul(digits.c_str(), &digits_end, hex ? 16 : 10);
      if (digits.empty() || *digits_end != '\0' || code >= 0x80) {
        out.append(text.substr(i, end - i + 1));  // not ASCII: no id or file name of ours
      } else {
        out += static_cast<char>(code);
      }
    } else if (auto found = named.find(name); found != named.end()) {
      out += found->second;
    } else {
      out.append(text.substr(i, end - i + 1));
    }
    i = end;
  }
  return out;
}

// Decodes %XX escapes in a URL path.
std::string decode_percent(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Reads the tags of an HTML or SVG document: ids and links. Comments and the contents of
// <script> and <style> elements are skipped (their own attributes are read). In SVG only the
// links a reader follows count (<a>, <image>), not references between drawing parts.
Page parse_markup(const std::string& text, bool svg) {
  Page page;
  std::size_t i = 0;
  while ((i = text.find('<', i)) != std::string::npos) {
    if (text.compare(i, 4, "<!--") == 0) {
      i = text.find("-->", i);
      if (i == std::string::npos) break;
      continue;
    }
    ++i;
    if (i >= text.size() || !(std::isalpha(static_cast<unsigned char>(text[i])))) continue;
    std::size_t name_end = i;
    while (name_end < text.size() && (std::isalnum(static_cast<unsigned char>(text[name_end])) ||
                                      text[name_end] == ':' || text[name_end] == '-')) {
      ++name_end;
    }
    const std::string element = lower(text.substr(i, name_end - i));
    i = name_end;
    // Attributes up to the closing '>'.
    while (i < text.size() && text[i] != '>') {
      if (std::isspace(static_cast<unsigned char>(text[i])) || text[i] == '/') {
        ++i;
        continue;
      }
      std::size_t attribute_end = i;
      while (attribute_end < text.size() && text[attribute_end] != '=' &&
             text[attribute_end] != '>' &&
             !std::isspace(static_cast<unsigned char>(text[attribute_end]))) {
        ++attribute_end;
      }
      const std::string attribute = lower(text.substr(i, attribute_end - i));
      i = attribute_end;
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
      if (i >= text.size() || text[i] != '=') continue;  // attribute without a value
      ++i;
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
      std::string value;
      if (i < text.size() && (text[i] == '"' || text[i] == '\'')) {
        const std::size_t close = text.find(text[i], i + 1);
        if (close == std::string::npos) return page;
        value = text.substr(i + 1, close - i - 1);
        i = close + 1;
      } else {
        const std::size_t start = i;
        while (i < text.size() && text[i] != '>' &&
               !std::isspace(static_cast<unsigned char>(text[i])))
          ++i;
        value = text.substr(start, i - start);
      }
      value = decode_entities(value);
      if (attribute == "id" || (attribute == "name" && element == "a")) {
        page.ids.insert(value);
      } else if ((attribute == "href" || attribute == "src" || attribute == "xlink:href") &&
                 (!svg || element == "a" || element == "image")) {
        page.links.push_back({value, element});
      }
    }
    if (element == "script" || element == "style") {
      i = text.find("</" + element, i);
      if (i == std::string::npos) break;
    }
  }
  return page;
}

// The page links in a navigation-tree script: double-quoted strings like "page.html#anchor".
Page parse_navigation_script(const std::string& text) {
  Page page;
  std::size_t i = 0;
  while ((i = text.find('"', i)) != std::string::npos) {
    const std::size_t close = text.find('"', i + 1);
    if (close == std::string::npos) break;
    const std::string value = text.substr(i + 1, close - i - 1);
    i = close + 1;
    const std::size_t html = value.find(".html");
    const bool plain = value.find_first_of(" /\\<>()") == std::string::npos;
    if (plain && html != std::string::npos &&
        (html + 5 == value.size() || value[html + 5] == '#')) {
      page.links.push_back({value, "script"});
    }
  }
  return page;
}

bool leaves_the_site(const std::string& target) {
  const std::size_t colon = target.find(':');
  if (colon == std::string::npos) return false;
  const std::size_t slash = target.find_first_of("/?#");
  return slash == std::string::npos || colon < slash;  // a scheme: http:, mailto:, javascript:
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: link_check <html-dir>\n";
    return 2;
  }
  const fs::path root = argv[1];
  if (!fs::is_regular_file(root / "index.html")) {
    std::cerr << "link_check: no index.html in " << root.string()
              << ": build the docs first (./workbook docs)\n";
    return 2;
  }

  // Read every page once: its ids for fragment checks, its links to check.
  std::map<fs::path, Page> pages;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const fs::path path = fs::weakly_canonical(entry.path());
    const std::string extension = entry.path().extension().string();
    if (extension == ".html" || extension == ".svg") {
      pages[path] = parse_markup(read_file(path), extension == ".svg");
    } else if (extension == ".js" && entry.path().parent_path() == root) {
      pages[path] = parse_navigation_script(read_file(path));
    }
  }

  std::size_t checked = 0;
  std::size_t broken = 0;
  auto report = [&](const fs::path& page, const Link& link, const std::string& problem) {
    ++broken;
    std::cout << fs::relative(page, fs::weakly_canonical(root)).string() << ": <" << link.element
              << "> link \"" << link.target << "\": " << problem << "\n";
  };
  for (const auto& [page_path, page] : pages) {
    for (const Link& link : page.links) {
      if (leaves_the_site(link.target)) continue;
      ++checked;
      if (link.target.empty()) {
        if (link.element == "a") report(page_path, link, "empty link (an unresolved reference?)");
        continue;
      }
      const std::size_t hash = link.target.find('#');
      std::string file_part = link.target.substr(0, std::min(hash, link.target.find('?')));
      const std::string fragment = hash == std::string::npos ? "" : link.target.substr(hash + 1);
      const fs::path target =
          file_part.empty()
              ? page_path
              : fs::weakly_canonical(page_path.parent_path() / decode_percent(file_part));
      if (!fs::exists(target)) {
        report(page_path, link, "no such file");
        continue;
      }
      if (fragment.empty()) continue;
      const auto found = pages.find(target);
      if (found != pages.end() && found->second.ids.count(decode_percent(fragment)) == 0 &&
          found->first.extension() != ".js") {
        report(page_path, link, "no id \"" + fragment + "\" in " + target.filename().string());
      }
    }
  }
  std::cout << "link_check: " << checked << " internal links in " << pages.size() << " files, "
            << broken << " broken\n";
  return broken == 0 ? 0 : 1;
}
