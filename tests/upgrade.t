#!/bin/sh
# Unit tests for upgrade.c, as TAP.
cd "$(dirname "$0")/.." && CMOCKA_MESSAGE_OUTPUT=TAP exec ./tests/test_upgrade${WSCLI_SANITIZED:+-asan}
