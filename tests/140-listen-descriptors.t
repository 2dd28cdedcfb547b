#!/bin/sh
# Listen mode at the descriptor limit: wscli raises its soft limit to the
# hard one at start, and when even that runs out it says so once, goes on
# serving the clients it has, and accepts the waiting ones as descriptors
# come free.
. tests/lib.sh
need_wscli

# N clients at once against an --echo server: each sends its number once
# it is open and counts its echo. After HOLD ms without a new echo it
# prints "first K" (how many came back); then CLOSE of them close, and it
# prints "all N" once every client has had its echo, and closes them all.
cat >"$T/hold.js" <<'EOF'
'use strict';
const WebSocket = require('ws');
const [url, n, hold, nclose] = [process.argv[2], +process.argv[3], +process.argv[4], +process.argv[5]];
const ws = [], echoed = [];
let count = 0, first = -1, quiet;
setTimeout(() => { console.log(`timeout: ${count} of ${n}`); process.exit(2); }, 20000);
function settle() {
  clearTimeout(quiet);
  quiet = setTimeout(() => {
    if (first >= 0) return;
    first = count;
    console.log(`first ${first}`);
    for (const w of echoed.slice(0, nclose)) w.close(1000);
    done();
  }, hold);
}
function done() {
  if (first < 0 || count !== n) return;
  console.log(`all ${n}`);
  // closed cleanly, so that the server has nothing to say about them
  let open = 0;
  for (const w of ws)
    if (w.readyState !== WebSocket.CLOSED) {
      open++;
      w.on('close', () => { if (--open === 0) process.exit(0); });
      w.close(1000);
    }
  if (open === 0) process.exit(0);
}
for (let i = 0; i < n; i++) {
  const w = new WebSocket(url, { perMessageDeflate: false });
  w.on('open', () => w.send(`c${i}`));
  w.on('message', (d) => {
    if (d.toString() !== `c${i}`) { console.log(`bad echo ${i}`); process.exit(1); }
    echoed.push(w);
    count++;
    settle();
    done();
  });
  w.on('error', (e) => { console.log(`error ${e.message}`); process.exit(1); });
  ws.push(w);
}
settle();
EOF

# lowfd LIMIT-ARGS: $T/lowfd is a wscli that starts under ulimit LIMIT-ARGS
case $WSCLI in /*) real=$WSCLI ;; *) real=$PWD/$WSCLI ;; esac
lowfd() {
    printf '#!/bin/sh\nulimit %s || exit 99\nexec "%s" "$@"\n' "$1" "$real" \
        >"$T/lowfd"
    chmod +x "$T/lowfd"
}

hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt 200 ]; then
    skip_all "the hard limit of descriptors is $hard: 200 are needed"
fi

# ------------------------------------------------- the soft limit is raised

lowfd "-S -n 40"
WSCLI=$T/lowfd start_listen --echo -q ||
    { echo "Bail out! wscli -l did not start under ulimit -S -n 40"; exit 1; }
NODE_PATH=$PWD/$SERVERS/node_modules timeout 30 node "$T/hold.js" "$(lurl)" \
    100 1000 0 >"$T/soft.out" 2>&1
is "$(cat "$T/soft.out")" "$(printf 'first 100\nall 100')" \
    "soft limit 40: all of 100 clients are served at once (raised to the hard limit)"
unlike "$LERR" 'cannot accept' "soft limit 40: descriptors never ran out"
kill "$LPID"
wait_listen
is "$LSTATUS" 0 "soft limit 40: exit 0"

# ------------------------------------------------- the hard limit runs out

lowfd "-n 40"
WSCLI=$T/lowfd start_listen --echo ||
    { echo "Bail out! wscli -l did not start under ulimit -n 40"; exit 1; }
NODE_PATH=$PWD/$SERVERS/node_modules timeout 30 node "$T/hold.js" "$(lurl)" \
    50 1000 20 >"$T/hard.out" 2>&1
first=$(sed -n 's/^first //p' "$T/hard.out")
ok "hard limit 40: some of 50 clients are served at first ($first)" \
    [ "${first:-0}" -ge 20 -a "${first:-50}" -lt 50 ]
like "$T/hard.out" '^all 50$' \
    "hard limit 40: the others are served as clients leave, none turned away"
is "$(grep -c 'cannot accept' "$LERR")" 1 "hard limit 40: said once"
like "$LERR" '^wscli: cannot accept more clients: all 40 descriptors wscli may open are in use \(ulimit -Hn\); the next wait until one is free$' \
    "hard limit 40: the line says which limit, and that clients wait"
like "$LERR" '^wscli: descriptors are free again: accepting clients$' \
    "hard limit 40: and when it accepts again"
unlike "$LERR" 'lost|protocol error|accept:' "hard limit 40: no client was lost"
ok "hard limit 40: wscli is still listening" kill -0 "$LPID"
kill "$LPID"
wait_listen
is "$LSTATUS" 0 "hard limit 40: exit 0"

done_testing
