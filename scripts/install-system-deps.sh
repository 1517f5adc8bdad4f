#!/usr/bin/env bash
# Installs the Debian packages jcportal needs (idempotent; run as root, or it uses sudo when present).
# chromium: browser tests; clamav-daemon: malware scan; tesseract-ocr-*: OCR text layer;
# ghostscript/qpdf/unpaper/pngquant: OCRmyPDF; gettext: compiling translations; fonts-noto-core:
# Arabic/Persian/Ethiopic glyphs; libpango: WeasyPrint PDFs; poppler-utils: PDF checks in tests;
# redis-server: the fault tests start private Redis servers; postgresql: scripts/with-postgres.sh starts a
# throwaway server when none answers on localhost.
set -euo pipefail
PACKAGES=(chromium clamav clamav-daemon tesseract-ocr tesseract-ocr-deu tesseract-ocr-ara tesseract-ocr-fas
  tesseract-ocr-tir tesseract-ocr-tur ghostscript qpdf unpaper pngquant gettext fonts-noto-core fonts-dejavu-core
  poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b redis-server postgresql)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing system packages: ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
