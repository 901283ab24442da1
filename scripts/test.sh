#!/usr/bin/env bash
# The whole test suite: build, then every unit and end-to-end test with vitest, then one closing
# line "N passed, N failed, N skipped" that CI reads.
set -uo pipefail
cd "$(dirname "$0")/.."
npm run --silent build || exit 1
# The tests are TypeScript too: type-check them (vitest itself only strips types).
npx tsc -p test/tsconfig.json || exit 1
results="$(mktemp -d)/vitest.json"
npx vitest run --reporter=default --reporter=json --outputFile="$results" "$@"
code=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  // A file that failed outside its tests (a beforeAll, an import) counts as one failure: its tests are only skipped.
  const failedFiles = r.testResults.filter((f) => f.status === "failed" && !f.assertionResults.some((t) => t.status === "failed")).length;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests + failedFiles} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$results" || echo "0 passed, 1 failed"
exit $code
