#!/bin/sh
# Make /usr/bin/chromium available for the browser test (Debian's package; Playwright's own
# browser download does not work offline). Without root or apt, the browser test skips.
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser test"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
        || echo "could not install chromium: the browser test will skip"
else
    echo "no /usr/bin/chromium and no root apt-get: the browser test will skip (sudo apt-get install chromium)"
fi
exit 0
