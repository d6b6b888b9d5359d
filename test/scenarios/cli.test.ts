/**
 * `npm run scenario -- …` in process (main(argv, io)): the report, exit codes (0 all passed,
 * 1 a step failed, 2 usage or schema error), JUnit XML (well-formed, counting failures), no full
 * PAN anywhere in what it writes.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { USAGE, main } from '../../terminals/scenario/cli.js';
import { junitXml, summary, textReport, xmlText } from '../../terminals/scenario/report.js';
import type { ScenarioResult } from '../../terminals/scenario/runner.js';
import { BLOCK_SERVICE, ISSUER, VENDOR, startScenarioSwitch } from './fixtures/switch.js';
import { SANDBOX_BLOCK_SERVICE_TOKEN } from '../../src/config/sandbox.js';
import { scenario, scenarioFiles } from './fixtures/files.js';
import type { TestSwitch } from '../support/switch.js';

async function run(
  argv: string[],
  env?: Record<string, string | undefined>,
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    out: (s) => (out += s),
    err: (s) => (err += s),
    ...(env === undefined ? {} : { env }),
  });
  return { code, out, err };
}

const connection = (s: TestSwitch): string[] => [
  '--port',
  String(s.port('iso93')),
  '--admin',
  s.adminUrl,
  '--listener',
  `iso87ascii=${s.port('iso87')}`,
];

/** A small XML well-formedness check: every tag closed in order, attributes quoted, only the five entities, no stray < or &. */
function wellFormed(xml: string): string | undefined {
  const NAME = '[A-Za-z_][\\w.-]*';
  const ATTR = `\\s+${NAME}="[^"<]*"`;
  const TOKEN = new RegExp(`<\\?xml[^?]*\\?>|<(/?)(${NAME})((?:${ATTR})*)\\s*(/?)>|([^<]+)|(<)`, 'gy');
  const stack: string[] = [];
  let roots = 0;
  for (const m of xml.matchAll(TOKEN)) {
    if (m[6] !== undefined) return `a stray < at ${m.index}`;
    if (m[5] !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(m[5])) return `a bare & at ${m.index}`;
      if (stack.length === 0 && m[5].trim() !== '') return `text outside the root at ${m.index}`;
      continue;
    }
    if (m[2] === undefined) continue; // the declaration
    for (const a of (m[3] ?? '').matchAll(/"([^"]*)"/g))
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(a[1]!)) return `a bare & in an attribute at ${m.index}`;
    if (m[1] === '/') {
      if (stack.pop() !== m[2]) return `</${m[2]}> closes another element at ${m.index}`;
    } else if (m[4] !== '/') {
      if (stack.length === 0) roots++;
      stack.push(m[2]);
    } else if (stack.length === 0) roots++;
  }
  if (stack.length > 0) return `unclosed ${stack.join(', ')}`;
  return roots === 1 ? undefined : `${roots} root elements`;
}

/** The value of an attribute of the first element with that name. */
function attr(xml: string, element: string, name: string): string | undefined {
  return new RegExp(`<${element}\\b[^>]*\\s${name}="([^"]*)"`).exec(xml)?.[1];
}

t.test('the well-formedness check itself catches what it should', async (t) => {
  t.equal(wellFormed('<?xml version="1.0"?>\n<a x="1"><b/>t &amp; u</a>\n'), undefined);
  t.equal(wellFormed('<a><b></a></b>'), '</a> closes another element at 6');
  t.equal(wellFormed('<a>x & y</a>'), 'a bare & at 3');
  t.equal(wellFormed('<a x="&">x</a>'), 'a bare & in an attribute at 0');
  t.equal(wellFormed('<a>1 < 2</a>'), 'a stray < at 5');
  t.equal(wellFormed('<a>'), 'unclosed a');
  t.equal(wellFormed('<a/><b/>'), '2 root elements');
  t.equal(wellFormed('x<a/>'), 'text outside the root at 0');
});

t.test('--help, and usage errors exit 2 with the reason and the usage', async (t) => {
  const help = await run(['--help']);
  const one = await run(['--dialect', 'iso87ascii', join(t.testdir({ 'bad.json': '[]' }), 'bad.json')], {});
  t.equal(one.code, 2);
  t.match(one.err, /^scenario: not run, 1 file with problems:\n.*bad\.json: \/ must be a scenario/);
  t.same([help.code, help.out, help.err], [0, USAGE, '']);
  const dir = t.testdir({ empty: {}, 'a.json': '{}' });
  const cases: [string[], string][] = [
    [[], 'give at least one scenario file or directory'],
    [['--colour', 'x.json'], "Unknown option '--colour'"],
    [['--dialect', 'iso99', 'x.json'], '--dialect: one of iso93ascii, iso87ascii, iso93binary'],
    [['--header', 'ascii9', 'x.json'], '--header: one of binary2, ascii4, bcd2'],
    [
      ['--listener', 'iso87ascii', 'x.json'],
      '--listener: DIALECT=PORT, the dialect one of iso93ascii, iso87ascii, iso93binary',
    ],
    [['--listener', 'iso87ascii=70000', 'x.json'], '--listener iso87ascii: a port from 1 to 65535'],
    [['--port', '0', 'x.json'], '--port: a port from 1 to 65535'],
    [['--admin', 'localhost:8080', 'x.json'], "--admin: the admin API's base URL, e.g. http://127.0.0.1:8080"],
    [['--settle-ms', 'soon', 'x.json'], '--settle-ms: a whole number of milliseconds'],
    [[join(dir, 'empty')], `no *.json scenario file in ${join(dir, 'empty')}`],
  ];
  for (const [argv, reason] of cases) {
    const r = await run(argv);
    t.equal(r.code, 2, argv.join(' '));
    t.ok(r.err.startsWith(`scenario: ${reason}`), `${reason}: ${r.err.split('\n')[0]}`);
    t.ok(r.err.includes('Usage: npm run scenario'), 'with the usage');
    t.equal(r.out, '');
  }
});

t.test(
  'a file that is not a valid scenario, or options it lacks: exit 2, every problem with file and path, nothing run',
  async (t) => {
    const files = scenarioFiles(t, {
      'good.json': scenario([{ name: 'echo', echo: true }]),
      'bad.json': scenario([
        { name: 'x', purchase: { card: 'c', amount: 'lots' } },
        { name: 'y', wait: 10, echo: true },
      ]),
      'needs-vendor.json': scenario([{ name: 'x', purchase: { card: 'c', amount: '1.00' }, expect: { postings: [] } }]),
    });
    const r = await run(
      [
        '--issuer-token',
        ISSUER,
        '--admin',
        'http://127.0.0.1:9',
        files['good.json']!,
        files['bad.json']!,
        files['needs-vendor.json']!,
        'no-such.json',
      ],
      { SCENARIO_VENDOR_TOKEN: '' },
    );
    t.equal(r.code, 2);
    t.equal(r.out, '', 'nothing was run');
    t.equal(
      r.err,
      [
        'scenario: not run, 3 files with problems:',
        `${files['bad.json']}: /steps/0/purchase/amount must be an amount in DKK as a string, at most two decimals, e.g. "125.50"`,
        `${files['bad.json']}: /steps/1 must do exactly one of purchase, remote, refund, fuel, withdraw, signOn, echo, sendPendingReversals, fetchBlockList, uploadAdvices, retransmit, wait, admin, report`,
        `${files['needs-vendor.json']}: needs a vendor token (--vendor-token): /steps/0 sets a fault rule or checks postings or notices`,
        'no-such.json: cannot be read (ENOENT)',
        '',
      ].join('\n'),
    );
  },
);

t.test(
  'a run with a failing step: exit 1, a report per step, JUnit XML well-formed and counting failures; no full PAN anywhere',
  async (t) => {
    const s = await startScenarioSwitch(t);
    const files = scenarioFiles(t, {
      'a-pass.json': scenario(
        [
          {
            name: 'approved',
            purchase: { card: 'c', amount: '10.00', pin: 'right' },
            expect: { outcome: 'approved', postings: [{ type: 'purchase', amount: '10.00' }] },
          },
          { name: 'echo & "friends" <ok>', echo: true, expect: { outcome: 'networkAccepted' } },
        ],
        { name: 'Passing <one> & "only"', source: 'DOMAIN.md' },
      ),
      'b-fail.json': scenario(
        [
          {
            name: 'wrong expectation',
            purchase: { card: 'c', amount: '10.00', pin: 'wrong' },
            expect: { outcome: 'approved', notices: [] },
          },
          { name: 'fine', echo: true },
        ],
        { name: 'Failing' },
      ),
    });
    const junit = join(dirname(files['a-pass.json']!), 'out.xml');
    const r = await run([
      ...connection(s),
      '--issuer-token',
      ISSUER,
      '--vendor-token',
      VENDOR,
      '--junit',
      junit,
      '--settle-ms',
      '300',
      files['a-pass.json']!,
      files['b-fail.json']!,
    ]);
    t.equal(r.code, 1, r.err);
    t.equal(r.err, '');
    t.match(
      r.out,
      /^Scenario: Passing <one> & "only"\n {2}file: {2}.*a-pass\.json\n {2}rule: {2}"A rule\." \(DOMAIN\.md\)\n {2}card: {2}c 5019\d\d\*{6}\d{4}: active, balance 1000\.00 DKK, expiry 3012\n {2}PASS {2}1\. approved\n/,
    );
    t.match(r.out, / {2}PASSED: 2 of 2 steps passed \(\d+\.\d s\)\n/);
    t.match(
      r.out,
      / {2}FAIL {2}1\. wrong expectation\n {10}purchase 10\.00 DKK, wrong PIN, card c 5019\d\d\*{6}\d{4} on pos \(chip TEST0001\)\n {10}-> 117 wrong PIN, txn TEST0001-\d{12}-\d{6}\n {10}x action code: expected 000 \(approved\), got 117 \(wrong PIN\)\n {10}x notices: expected none, got wrongPin \(try 1\) \(card c\)\n {10}exchanges:\n {12}>> 1100/,
    );
    t.match(r.out, / {2}PASS {2}2\. fine\n/);
    t.match(r.out, / {2}FAILED: 1 of 2 steps passed/);
    t.match(
      r.out,
      /\n2 scenarios: 1 passed, 1 failed; 4 steps: 3 passed, 1 failed\nJUnit XML written to .*out\.xml\n$/,
    );
    t.notMatch(r.out, /\d{13,19}/, 'no full PAN (nor any long digit run) in the report');

    const xml = readFileSync(junit, 'utf8');
    t.equal(wellFormed(xml), undefined, 'well-formed');
    t.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites '));
    t.same(
      [attr(xml, 'testsuites', 'tests'), attr(xml, 'testsuites', 'failures'), attr(xml, 'testsuites', 'errors')],
      ['4', '1', '0'],
    );
    const suites = [...xml.matchAll(/<testsuite name="([^"]*)" tests="(\d+)" failures="(\d+)" errors="(\d+)"/g)].map(
      (m) => m.slice(1),
    );
    t.same(suites, [
      ['Passing &lt;one&gt; &amp; &quot;only&quot;', '2', '0', '0'],
      ['Failing', '2', '1', '0'],
    ]);
    t.equal((xml.match(/<testcase /g) ?? []).length, 4, 'a testcase per step');
    t.equal((xml.match(/<failure /g) ?? []).length, 1);
    t.match(
      xml,
      /<testcase name="2\. echo &amp; &quot;friends&quot; &lt;ok&gt;" classname="Passing &lt;one&gt; &amp; &quot;only&quot;" time="\d+\.\d{3}"\/>/,
    );
    t.match(
      xml,
      /<failure message="action code: expected 000 \(approved\), got 117 \(wrong PIN\); notices: expected none, got wrongPin \(try 1\) \(card c\)" type="expectation">purchase 10\.00 DKK/,
    );
    t.match(xml, /<property name="rule" value="A rule\."\/>\n\s*<property name="source" value="DOMAIN\.md"\/>/);
    t.notMatch(xml, /\d{13,19}/, 'no full PAN in the XML');
  },
);

t.test('all passing: exit 0; a directory means its *.json files; tokens from the environment', async (t) => {
  const s = await startScenarioSwitch(t);
  const dir = t.testdir({
    'one.json': JSON.stringify(
      scenario(
        [
          {
            name: 'approved',
            purchase: { card: 'c', amount: '1.00' },
            expect: { outcome: 'approved', postings: [{ type: 'purchase' }] },
          },
        ],
        { name: 'One' },
      ),
    ),
    'two.json': JSON.stringify(scenario([{ name: 'echo', echo: true }], { name: 'Two' })),
    'notes.txt': 'not a scenario',
  });
  const r = await run([...connection(s), '--header', 'binary2', dir], {
    SCENARIO_ISSUER_TOKEN: ISSUER,
    SCENARIO_VENDOR_TOKEN: VENDOR,
  });
  t.equal(r.code, 0, r.out + r.err);
  t.match(
    r.out,
    /^Scenario: One\n[\s\S]*Scenario: Two\n[\s\S]*\n2 scenarios: 2 passed, 0 failed; 2 steps: 2 passed, 0 failed\n$/,
  );
  const empty = await run([...connection(s), dir], { SCENARIO_ISSUER_TOKEN: '', SCENARIO_VENDOR_TOKEN: '' });
  t.equal(empty.code, 2, 'an empty variable is no token');
  t.match(empty.err, /needs an issuer token/);
});

t.test(
  "the block service's token: --block-service-token, else SCENARIO_BLOCK_SERVICE_TOKEN, unset the sandbox's, empty none",
  async (t) => {
    t.equal(BLOCK_SERVICE, SANDBOX_BLOCK_SERVICE_TOKEN, "the test switch takes the sandbox's token");
    const s = await startScenarioSwitch(t);
    const files = scenarioFiles(t, {
      'report.json': scenario([
        {
          name: 'reported',
          report: { card: 'c', reason: 'lost' },
          expect: { status: 201, cardState: { c: { block: 'lost' } } },
        },
      ]),
    });
    const env = { SCENARIO_ISSUER_TOKEN: ISSUER, SCENARIO_VENDOR_TOKEN: VENDOR };
    const unset = await run([...connection(s), files['report.json']!], env);
    t.equal(unset.code, 0, unset.out + unset.err);
    const empty = await run([...connection(s), files['report.json']!], { ...env, SCENARIO_BLOCK_SERVICE_TOKEN: '' });
    t.equal(empty.code, 2);
    t.match(
      empty.err,
      /report\.json: needs a block service token \(--block-service-token\): \/steps\/0 reports a card/,
    );
    const other = { ...env, SCENARIO_BLOCK_SERVICE_TOKEN: 'not-a-configured-token' };
    const wrong = await run([...connection(s), files['report.json']!], other);
    t.equal(wrong.code, 1);
    t.match(wrong.out, /HTTP status: expected 201, got 401 \(unknown token\)/);
    const option = await run([...connection(s), '--block-service-token', BLOCK_SERVICE, files['report.json']!], other);
    t.equal(option.code, 0, 'the option before the environment');
    t.match(USAGE, /--block-service-token TOKEN {4}the block service's token \(or SCENARIO_BLOCK_SERVICE_TOKEN\)/);
  },
);

t.test(
  'setup that fails: exit 1, the reason in the report and as a JUnit error; an unwritable JUnit file: exit 2',
  async (t) => {
    const s = await startScenarioSwitch(t);
    const files = scenarioFiles(t, { 'x.json': scenario([{ name: 'echo', echo: true }], { name: 'Setup & co' }) });
    const junit = join(dirname(files['x.json']!), 'out.xml');
    const r = await run([
      ...connection(s),
      '--issuer-token',
      'not-a-configured-token',
      '--junit',
      junit,
      files['x.json']!,
    ]);
    t.equal(r.code, 1);
    t.match(r.out, / {2}SETUP FAILED: card c: POST \/cards: 401 unknown token\n {2}no step was run\n/);
    t.match(r.out, /1 scenario: 0 passed, 1 failed; 0 steps: 0 passed, 0 failed; 1 could not be set up\n/);
    const xml = readFileSync(junit, 'utf8');
    t.equal(wellFormed(xml), undefined);
    t.same(
      [attr(xml, 'testsuites', 'tests'), attr(xml, 'testsuites', 'failures'), attr(xml, 'testsuites', 'errors')],
      ['1', '0', '1'],
    );
    t.match(
      xml,
      /<testcase name="setup" classname="Setup &amp; co" time="[\d.]+">\n\s*<error message="card c: POST \/cards: 401 unknown token" type="setup">/,
    );

    const bad = await run([
      ...connection(s),
      '--issuer-token',
      ISSUER,
      '--junit',
      join(dirname(files['x.json']!), 'no', 'such', 'dir.xml'),
      files['x.json']!,
    ]);
    t.equal(bad.code, 2);
    t.match(bad.err, /^scenario: cannot write .*dir\.xml: ENOENT\n$/);
  },
);

t.test('report helpers: XML text, summaries, an empty suite', async (t) => {
  t.equal(
    xmlText('a\u0001b & <c> "d" \'e\' \ud83d\ude00'),
    'a\ufffdb &amp; &lt;c&gt; &quot;d&quot; &apos;e&apos; \ud83d\ude00',
  );
  const r: ScenarioResult = {
    file: 'f.json',
    name: 'n',
    rule: 'r',
    cards: [],
    steps: [],
    passed: true,
    startedAt: new Date('2026-11-21T10:00:00Z'),
    durationMs: 1500,
  };
  t.equal(summary([r]), '1 scenario: 1 passed, 0 failed; 0 steps: 0 passed, 0 failed');
  t.equal(textReport(r), 'Scenario: n\n  file:  f.json\n  rule:  "r"\n  PASSED: 0 of 0 steps passed (1.5 s)\n');
  const xml = junitXml([r]);
  t.equal(wellFormed(xml), undefined);
  t.match(
    xml,
    /<testsuite name="n" tests="0" failures="0" errors="0" skipped="0" time="1\.500" timestamp="2026-11-21T10:00:00" file="f\.json">\n {4}<properties>\n {6}<property name="rule" value="r"\/>\n {4}<\/properties>\n {2}<\/testsuite>/,
  );
  t.equal(
    junitXml([]),
    '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="scenarios" tests="0" failures="0" errors="0" time="0.000">\n</testsuites>\n',
  );
});
