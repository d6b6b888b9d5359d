/**
 * Nothing a client sends can crash the switch: the fuzzer's generator and runner (scripts/fuzz,
 * `npm run fuzz` runs a million frames against a switch process) with a fixed seed and a few
 * thousand frames against an in-process switch with every fuzzed listener: random bytes,
 * mutated messages of every kind, huge and non-numeric length headers, keep-alives, short TPDUs,
 * stalled frames and interleaved partial frames. Every frame must get what docs/PROTOCOL.md
 * promises (an answer, a format error, a close), never silence; afterwards the switch still
 * approves a purchase.
 */
import t from 'tap';
import { FUZZ_TARGETS, listenerConfigs } from '../../scripts/fuzz/targets.js';
import { runFuzz } from '../../scripts/fuzz/runner.js';
import { formatSummary } from '../../scripts/fuzz/report.js';
import { OPERATOR_HEADERS, startSwitch } from '../support/switch.js';
import { TestTerminal, purchase87, purchase93 } from '../support/terminal.js';

const SEED = 20261121;
const FRAMES = 4000;
const FRAME_TIMEOUT_MS = 300;

t.test(
  `${FRAMES} fuzzed frames (seed ${SEED}) over TCP: each answered or closed as documented, never a crash`,
  async (t) => {
    const s = await startSwitch(t, {
      listeners: listenerConfigs(FUZZ_TARGETS, { frameTimeoutMs: FRAME_TIMEOUT_MS }),
      log: { level: 'info' },
    });
    const ports = Object.fromEntries(FUZZ_TARGETS.map((x) => [x.listener, s.port(x.listener)]));
    const summary = await runFuzz({
      ports,
      frames: FRAMES,
      seed: SEED,
      connections: 6,
      answerTimeoutMs: 5000,
      frameTimeoutMs: FRAME_TIMEOUT_MS,
    });
    t.comment(formatSummary(summary));
    t.equal(summary.aborted, undefined, 'the run went to the end');
    t.same(summary.firstViolations, [], 'no violation');
    t.ok(summary.frames >= FRAMES, `${summary.frames} frames judged`);
    const categories = Object.keys(summary.byCategory);
    for (const c of [
      'valid',
      'random-bytes',
      'huge-length',
      'bad-header',
      'keep-alive',
      'short-tpdu',
      'stalled',
      'interleaved',
    ])
      t.ok(categories.includes(c), `category ${c} ran`);
    t.equal(categories.filter((c) => c.startsWith('mutated/')).length, 8, 'every mutation ran');
    const { totals } = summary;
    t.ok(
      totals.answered > 0 && totals.formatError > 0 && totals.closed > 0 && totals.ignored > 0,
      'every outcome occurred',
    );

    const iso93 = await TestTerminal.open(s.port('iso93'));
    const iso87 = await TestTerminal.open(s.port('iso87'), 'iso87ascii', 'ascii4');
    t.teardown(() => (iso93.close(), iso87.close()));
    t.equal((await iso93.send(purchase93()))[39], '000', 'a purchase is still approved (iso93)');
    t.equal((await iso87.send(purchase87()))[39], '00', 'and on iso87');
    const metrics = await (await fetch(`${s.adminUrl}/metrics`, { headers: OPERATOR_HEADERS })).text();
    t.match(
      metrics,
      /switch_decode_errors_total\{listener="iso93",kind="message"\} [1-9]/,
      'undecodable messages were counted',
    );
    t.match(
      metrics,
      /switch_connection_timeouts_total\{listener="[^"]+",timeout="frame"\} [1-9]/,
      'stalled frames were timed out',
    );
  },
);
