// Which source files each test file's coverage counts for (tap's --coverage-map).
// test/main.test.ts runs the switch as a child process through tsx, whose source mappings differ
// from tap's loader: merged, they would count every file twice. It proves the entry point works;
// the in-process tests provide the coverage.
export default function coverageMap(testFile) {
  return testFile.endsWith('main.test.ts') ? null : [];
}
