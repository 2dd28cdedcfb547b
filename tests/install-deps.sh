#!/bin/sh
# Install what building and testing wscli needs on Debian 12 (bookworm).
#
# Run as root, or as a user who may use sudo: sh tests/install-deps.sh
# Only the Debian packages need root (through sudo when not run as root);
# the npm packages are installed as the user who runs it, in the clone.
# Safe to run again: it only installs what is missing.
#
# wscli needs libcurl >= 8.14 with WebSocket support. Debian 12's own libcurl
# (7.88) has none, so libcurl4-openssl-dev comes from <codename>-backports.
# The backports entry is derived from the machine's existing apt sources
# (same archive URI, same Signed-By), so mirrors and proxies keep working.

set -eu

say() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: error: %s\n' "$*" >&2; exit 1; }

# as root: nothing; otherwise sudo, which asks for a password if needed
as_root=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 ||
        die "run as root (su -c 'sh tests/install-deps.sh'), or install sudo"
    as_root=sudo
fi

here=$(cd "$(dirname "$0")" && pwd)

[ -r /etc/os-release ] || die "/etc/os-release not found"
codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
[ -n "$codename" ] || die "VERSION_CODENAME missing from /etc/os-release"
backports="$codename-backports"

export DEBIAN_FRONTEND=noninteractive
etc_apt=/etc/apt
backports_file=$etc_apt/sources.list.d/wscli-backports.sources

# Read every apt source (one-line *.list files and deb822 *.sources files).
# Print "enabled" if <codename>-backports is already configured; otherwise
# print a deb822 stanza for it, built from the entry whose suite is exactly
# <codename>; print nothing if there is no such entry.
scan_sources() {
    set --
    for f in "$etc_apt"/sources.list "$etc_apt"/sources.list.d/*.list \
             "$etc_apt"/sources.list.d/*.sources; do
        [ -f "$f" ] && set -- "$@" "$f"
    done
    [ $# -gt 0 ] || return 0
    awk -v codename="$codename" -v backports="$backports" '
    function has_word(list, w,   n, i, a) {
        n = split(list, a, /[ \t]+/)
        for (i = 1; i <= n; i++) if (a[i] == w) return 1
        return 0
    }
    function reset_stanza() {
        types = ""; uris = ""; suites = ""; signed = ""; enabled = "yes"
        field = ""
    }
    function end_stanza(   u) {
        if (types == "" && uris == "") return
        if (tolower(enabled) != "no" && has_word(types, "deb")) {
            if (has_word(suites, backports)) found_bp = 1
            if (main_uri == "" && has_word(suites, codename)) {
                split(uris, u, /[ \t]+/)
                main_uri = u[1]; main_signed = signed
            }
        }
        reset_stanza()
    }
    function one_line(   n, t, i, opts, uri, suite, k, o, kv) {
        sub(/#.*/, "")
        n = split($0, t, /[ \t]+/)
        i = 1
        if (t[i] == "") i++
        if (t[i] != "deb") return
        i++
        opts = ""
        if (substr(t[i], 1, 1) == "[") {
            while (i <= n) {
                opts = opts " " t[i]
                if (t[i] ~ /\]$/) { i++; break }
                i++
            }
        }
        uri = t[i]; suite = t[i + 1]
        if (suite == backports) found_bp = 1
        if (main_uri == "" && suite == codename) {
            main_uri = uri; main_signed = ""
            gsub(/[][]/, " ", opts)
            k = split(opts, o, /[ \t]+/)
            for (i = 1; i <= k; i++)
                if (tolower(o[i]) ~ /^signed-by=/) {
                    split(o[i], kv, "="); main_signed = " " kv[2]
                }
        }
    }
    FNR == 1 { end_stanza(); deb822 = (FILENAME ~ /\.sources$/) }
    !deb822 { one_line(); next }
    /^[ \t]*#/ { next }
    /^[ \t]*$/ { end_stanza(); next }
    /^[ \t]/ { if (field == "signed-by") signed = signed "\n" $0; next }
    {
        name = tolower($0); sub(/:.*/, "", name)
        value = $0; sub(/^[^:]*:[ \t]*/, "", value); sub(/[ \t]+$/, "", value)
        field = name
        if (name == "types") types = value
        else if (name == "uris") uris = value
        else if (name == "suites") suites = value
        else if (name == "signed-by") signed = (value == "" ? "" : " " value)
        else if (name == "enabled") { enabled = value; gsub(/[ \t]/, "", enabled) }
    }
    BEGIN { reset_stanza() }
    END {
        end_stanza()
        if (found_bp) { print "enabled"; exit }
        if (main_uri == "") exit
        print "Types: deb"
        print "URIs: " main_uri
        print "Suites: " backports
        print "Components: main"
        if (main_signed != "") print "Signed-By:" main_signed
    }' "$@"
}

enable_backports() {
    stanza=$(scan_sources)
    case $stanza in
    enabled)
        say "$backports already enabled"
        return 0 ;;
    "")
        die "no apt source for suite '$codename' found in /etc/apt; cannot enable $backports" ;;
    esac
    say "enabling $backports in $backports_file"
    {
        echo "# Added by wscli's tests/install-deps.sh: wscli needs libcurl >= 8.14."
        printf '%s\n' "$stanza"
    } | $as_root tee "$backports_file.tmp" >/dev/null
    $as_root mv "$backports_file.tmp" "$backports_file"
}

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

curl_ok() {
    installed libcurl4-openssl-dev || return 1
    v=$(dpkg-query -W -f='${Version}' libcurl4-openssl-dev)
    dpkg --compare-versions "$v" ge 8.14
}

apt_updated=no
apt_update() {
    [ "$apt_updated" = yes ] && return 0
    say "apt-get update"
    # A failing third-party source should not stop us; a missing package will.
    $as_root apt-get update -q || say "warning: apt-get update reported errors"
    apt_updated=yes
}

apt_install() {
    $as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "$@"
}

enable_backports

# libcurl from backports. The curl tool is upgraded with it so that it stays
# in step with libcurl4 (bookworm's curl wants bookworm's libcurl4 exactly).
if ! curl_ok; then
    apt_update
    say "installing libcurl4-openssl-dev and curl from $backports"
    apt_install -t "$backports" libcurl4-openssl-dev curl
fi

# mosquitto from backports too: its websockets listener needs the newer
# libwebsockets build.
if ! installed mosquitto; then
    apt_update
    say "installing mosquitto from $backports"
    apt_install -t "$backports" mosquitto
    # the package starts a system broker on port 1883; the tests start
    # their own on free ports
    if command -v systemctl >/dev/null 2>&1; then
        $as_root systemctl disable --now mosquitto >/dev/null 2>&1 || true
    fi
    if [ -x /etc/init.d/mosquitto ]; then
        $as_root /etc/init.d/mosquitto stop >/dev/null 2>&1 || true
    fi
fi

packages="build-essential pkg-config libreadline-dev libssl-dev libcmocka-dev
zlib1g-dev mandoc tmux socat openssl python3 python3-websockets websocketd
perl tinyproxy curl clang libclang-rt-14-dev python3-websocket hyperfine
valgrind time libjq-dev jq
chromium libwebsockets-test-server"
# Keep an existing Node.js/npm (e.g. a newer one from elsewhere) untouched.
command -v node >/dev/null 2>&1 || packages="$packages nodejs"
command -v npm >/dev/null 2>&1 || packages="$packages npm"

missing=""
for p in $packages; do
    installed "$p" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    apt_update
    say "installing:$missing"
    # shellcheck disable=SC2086
    apt_install $missing
    case " $missing " in
    *" tinyproxy "*)
        # The package starts a system proxy on port 8888; the tests start
        # their own instances on free ports.
        if command -v systemctl >/dev/null 2>&1; then
            $as_root systemctl disable --now tinyproxy >/dev/null 2>&1 || true
        fi
        if [ -x /etc/init.d/tinyproxy ]; then
            $as_root /etc/init.d/tinyproxy stop >/dev/null 2>&1 || true
        fi ;;
    esac
else
    say "all Debian packages present"
fi

# The Node packages the test servers use (ws, socket.io, graphql-ws, mqtt,
# a STOMP broker), pinned by package-lock.json; npm ls fails when one is
# missing or not the pinned version.
# tests/servers/.npmrc keeps registry addresses out of the lockfile.
cd "$here/servers"
if [ ! -f package-lock.json ]; then
    say "no package-lock.json: npm install"
    npm install --no-audit --no-fund
elif npm ls --depth=0 >/dev/null 2>&1; then
    say "node packages for the test servers present"
else
    say "installing the node packages for the test servers: npm ci"
    npm ci --no-audit --no-fund
fi

# wscat for tests/bench.sh (make bench), pinned by tests/bench/package-lock.json.
cd "$here/bench"
want=$(node -p 'require("./package-lock.json").packages["node_modules/wscat"].version')
have=$(node -p 'try { require("./node_modules/wscat/package.json").version } catch (e) { "" }')
if [ "$want" = "$have" ]; then
    say "wscat $have present"
else
    say "installing wscat $want: npm ci"
    npm ci --no-audit --no-fund
fi

# Artillery for tests/bench/load.sh (make bench-load), pinned by
# tests/bench/artillery/package-lock.json: some 970 packages and 590 MiB,
# so only on request (BENCH_ARTILLERY=1), never for make check. Its
# Playwright engine would fetch browsers of its own; the WebSocket engine
# needs none.
if [ "${BENCH_ARTILLERY:-}" = 1 ]; then
    cd "$here/bench/artillery"
    if npm ls --depth=0 >/dev/null 2>&1; then
        say "artillery present"
    else
        say "installing artillery for the load benchmark: npm ci"
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
    fi
fi

say "done"
