#!/usr/bin/env bash
# The GitHub Action's scan step (action.yml): runs the CLI with --sarif, records its exit code as the step
# output `exit-code`, and always succeeds itself so the SARIF is uploaded before the job is failed
# (action-result.sh). By default it runs the action's own checkout (pinned by the `uses: …@ref` of the workflow),
# never a package name resolved on the registry at run time; LAMBDALENS_PACKAGE picks a package spec instead, and
# LAMBDALENS_CMD replaces the command (the tests use the checkout's bin). Paths: one per line (spaces allowed).
set -uo pipefail
mapfile -t paths < <(printf '%s\n' "${LAMBDALENS_PATHS:-.}" | sed '/^[[:space:]]*$/d')
sarif=${LAMBDALENS_SARIF:-lambdalens.sarif}
if [ -n "${LAMBDALENS_CMD:-}" ]; then
  read -r -a cmd <<< "$LAMBDALENS_CMD"
elif [ -n "${LAMBDALENS_PACKAGE:-}" ]; then
  cmd=(npx --yes "$LAMBDALENS_PACKAGE")
else
  (cd "$GITHUB_ACTION_PATH" && npm ci --no-audit --no-fund >&2) || { echo "exit-code=2" >> "${GITHUB_OUTPUT:-/dev/null}"; exit 0; }
  cmd=(node "$GITHUB_ACTION_PATH/bin/lambdalens.mjs")
fi
rm -f "$sarif"
"${cmd[@]}" scan --sarif "$sarif" --fail-on "${LAMBDALENS_FAIL_ON:-high}" --no-hash -- "${paths[@]}"
code=$?
# "Findings" (1) only counts when the scan wrote its log; anything else is an error.
if [ "$code" = 1 ] && [ ! -s "$sarif" ]; then code=2; fi
echo "exit-code=$code" >> "${GITHUB_OUTPUT:-/dev/null}"
echo "lambdalens: exit $code; SARIF in $sarif"
exit 0
