#!/usr/bin/env bash
# What the tests need from Debian: Chromium for browser tests, Thai fonts (without them
# every Thai glyph renders as a box), gettext for translations, Pango for WeasyPrint's
# quotation PDFs, poppler-utils to read those PDFs back, and Dovecot as the real IMAP
# server the support mail-in tests read. Installs only what is
# missing, and only as root; otherwise says what to install.
set -euo pipefail
missing=()
command -v chromium >/dev/null || missing+=(chromium)
fc-list 2>/dev/null | grep -i 'tlwg\|loma\|garuda' >/dev/null || missing+=(fonts-thai-tlwg)
command -v msgfmt >/dev/null || missing+=(gettext)
ldconfig -p | grep -F libpangoft2-1.0.so.0 >/dev/null || missing+=(libpangoft2-1.0-0)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
[ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Please install: ${missing[*]} (e.g. sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "Installing ${missing[*]} from Debian…"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
