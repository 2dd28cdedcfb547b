#!/bin/sh
# Unit tests of display.c (cmocka, TAP output).
cd "$(dirname "$0")/.." && CMOCKA_MESSAGE_OUTPUT=TAP exec ./tests/test_display${WSCLI_SANITIZED:+-asan}
