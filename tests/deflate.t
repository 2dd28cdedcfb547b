#!/bin/sh
# Unit tests of deflate.c, permessage-deflate (cmocka, TAP output).
cd "$(dirname "$0")/.." && CMOCKA_MESSAGE_OUTPUT=TAP exec ./tests/test_deflate${WSCLI_SANITIZED:+-asan}
