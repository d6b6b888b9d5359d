// Which source files each test file's coverage counts for (tap's --coverage-map).
// *.process.test.ts files run switches as child processes through tsx, whose source mappings
// differ from tap's loader: merged, they would count every file twice. They prove behaviour
// across processes; the in-process tests provide the coverage.
export default function coverageMap(testFile) {
  return testFile.endsWith('.process.test.ts') ? null : [];
}
