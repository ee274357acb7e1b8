#!/usr/bin/env bash
# The GitHub Action's last step: fail the job with the scan's exit code (1 findings, 2 errors).
set -u
case "${LAMBDALENS_EXIT:-2}" in
  0) echo "lambdalens: nothing at or above the threshold" ;;
  1) echo "::error title=Lambda Lens::a model file carries code at or above the threshold (see the code-scanning alerts)"; exit 1 ;;
  *) echo "::error title=Lambda Lens::the scan failed (exit ${LAMBDALENS_EXIT:-unknown})"; exit 2 ;;
esac
