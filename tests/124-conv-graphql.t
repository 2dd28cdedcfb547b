#!/bin/sh
# wscli --test --proto graphql against a graphql-ws server: a line is an
# operation, each next payload a message; a query, a subscription's
# values in order, an operation with variables.
. tests/lib.sh
need_wscli
start_gql || { skip_all "graphql-ws server did not start"; }

cat >"$T/gql.conv" <<'EOF'
> { hello }
< {"data":{"hello":"world"}}
> subscription { tick(n: 3) }
< /jq .data.tick == 1
< /jq .data.tick == 2
< /jq .data.tick == 3
> {"query":"query ($a: Int!, $b: Int!) { add(a: $a, b: $b) }","variables":{"a":2,"b":{{B}}}}
< /jq .data.add == 5
EOF
run_wscli --test --var B=3 --proto graphql "$(url)" "$T/gql.conv"
status_is 0 "graphql: a query, a subscription, variables"
is "$(grep -c '^ok ' "$OUT")" "5" "graphql: 5 points ok"
like "$SERVER_LOG" '"variables":\{"a":2,"b":3\}' "graphql: {{B}} from --var sent"

sed 's/tick == 2/tick == 7/' "$T/gql.conv" >"$T/bad.conv"
run_wscli --test --var B=3 --proto graphql "$(url)" "$T/bad.conv"
status_is 1 "graphql: an edited expectation fails"
like "$ERR" '^#        got: < \{"data":\{"tick":2\}\}$' "graphql: ... with the payload that came"

done_testing
