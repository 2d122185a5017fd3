#!/usr/bin/env bash
# ensure_locale.sh LOCALE: makes sure the locale LOCALE (e.g. de_DE.UTF-8) can be used, and that
# libpq and the PostgreSQL server have their translations for its language. The locale tests
# (label security) run their programs in it to show that errors do not depend on English.
#
# On a fresh Debian machine the locale is not generated yet: as root (or with sudo that needs no
# password) this enables it in /etc/locale.gen and runs locale-gen. Anything that cannot be done
# fails with the reason and the command that fixes it; nothing is skipped.
set -euo pipefail

locale=${1:?usage: ensure_locale.sh LOCALE, e.g. de_DE.UTF-8}
language=${locale%%_*}
charset=${locale#*.}

fail() {
  printf 'ensure_locale.sh: %s\n' "$*" >&2
  exit 1
}

# `locale -a` spells UTF-8 as utf8.
listed() {
  local wanted
  wanted=$(printf '%s' "$locale" | tr '[:upper:]' '[:lower:]' | sed 's/utf-8$/utf8/')
  locale -a 2>/dev/null | tr '[:upper:]' '[:lower:]' | grep -qx -- "$wanted"
}

for domain in libpq5-15 postgres-15; do
  [[ -f /usr/share/locale/$language/LC_MESSAGES/$domain.mo ]] ||
    fail "no $language translation of $domain (/usr/share/locale/$language/LC_MESSAGES/$domain.mo); Debian's libpq5 and postgresql-15 packages ship it: reinstall them (if dpkg excludes /usr/share/locale, as slim container images do, remove that path-exclude rule from /etc/dpkg/dpkg.cfg.d/ first)"
done

listed && exit 0

command -v locale-gen >/dev/null ||
  fail "locale $locale is not generated and locale-gen is missing: install the Debian package locales (./workbook setup installs it)"
[[ -f /usr/share/i18n/locales/${locale%%.*} ]] ||
  fail "no locale definition /usr/share/i18n/locales/${locale%%.*}: install the Debian package locales"

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  sudo -n true 2>/dev/null ||
    fail "locale $locale is not generated, and generating it needs root: run  sudo sed -i 's/^# *\\($locale $charset\\)/\\1/' /etc/locale.gen && sudo locale-gen --keep-existing  then run the tests again"
  as_root=(sudo -n)
fi

# Enable the locale in /etc/locale.gen (uncomment it, or add it), then generate what is missing.
if grep -q "^# *$locale $charset\$" /etc/locale.gen 2>/dev/null; then
  "${as_root[@]}" sed -i "s/^# *\\($locale $charset\\)\$/\\1/" /etc/locale.gen
elif ! grep -q "^$locale $charset\$" /etc/locale.gen 2>/dev/null; then
  printf '%s %s\n' "$locale" "$charset" | "${as_root[@]}" tee -a /etc/locale.gen >/dev/null
fi
"${as_root[@]}" locale-gen --keep-existing >/dev/null ||
  fail "locale-gen failed: run  locale-gen --keep-existing  as root to see why"
listed || fail "locale-gen ran but 'locale -a' does not list $locale"
