#!/bin/sh
# Unit tests for frame.c, as TAP.
cd "$(dirname "$0")/.." && CMOCKA_MESSAGE_OUTPUT=TAP exec ./tests/test_frame${WSCLI_SANITIZED:+-asan}
