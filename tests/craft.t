#!/bin/sh
# Unit tests for craft.c, as TAP.
cd "$(dirname "$0")/.." && CMOCKA_MESSAGE_OUTPUT=TAP exec ./tests/test_craft${WSCLI_SANITIZED:+-asan}
