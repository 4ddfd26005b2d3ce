#!/bin/sh
# Tools the browser and site tests need, from Debian's packages: Chromium (Playwright's own
# browser download does not work offline) and npm (the site and the slides fetch MathJax,
# reveal.js and the widget manager from the npm registry once, into build/npm).
# Without root or apt, the tests that need them skip.
need=""
[ -x /usr/bin/chromium ] || need="$need chromium"
command -v npm >/dev/null 2>&1 || need="$need npm"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's$need for the browser and site tests"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null) \
        || echo "could not install$need: the tests that need them will skip"
else
    echo "missing$need and no root apt-get: the tests that need them will skip (sudo apt-get install$need)"
fi
exit 0
