#!/usr/bin/env bash
# The GitHub Action's scan step (action.yml): runs the CLI with --sarif, records its exit code as the step
# output `exit-code`, and always succeeds itself so the SARIF is uploaded before the job is failed
# (action-result.sh). LAMBDALENS_CMD replaces `npx --yes $LAMBDALENS_PACKAGE` (the tests use the checkout's bin).
set -uo pipefail
read -r -a paths <<< "${LAMBDALENS_PATHS:-.}"
sarif=${LAMBDALENS_SARIF:-lambdalens.sarif}
if [ -n "${LAMBDALENS_CMD:-}" ]; then
  read -r -a cmd <<< "$LAMBDALENS_CMD"
else
  cmd=(npx --yes "${LAMBDALENS_PACKAGE:-lambdalens}")
fi
"${cmd[@]}" scan "${paths[@]}" --sarif "$sarif" --fail-on "${LAMBDALENS_FAIL_ON:-high}" --no-hash
code=$?
echo "exit-code=$code" >> "${GITHUB_OUTPUT:-/dev/null}"
echo "lambdalens: exit $code; SARIF in $sarif"
exit 0
