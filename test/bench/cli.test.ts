/** The command line of npm run bench: defaults, bounds, the two kinds of run. */
import t from 'tap';
import { CliError, type LoadOptions, USAGE, parseCli } from '../../bench/load/cli.js';

const parse = (args: string, cores = 2): LoadOptions => parseCli(args.split(' ').filter(Boolean), cores) as LoadOptions;

t.test('defaults', async (t) => {
  const o = parse('--rate 500');
  t.match(o, {
    kind: 'load',
    rate: 500,
    durationS: 20,
    warmupS: 5,
    connections: 100,
    depth: 1,
    mix: 'default',
    dialect: 'iso93ascii',
    baselines: [],
    workers: 1,
    timeoutMs: 5000,
    seed: 1,
    json: undefined,
    html: undefined,
    redis: 'redis://127.0.0.1:6379',
    maxInFlight: 256,
    processes: 1,
    slow: 0,
    flood: 0,
    switchCommand: undefined,
    idle: 0,
    idleBatch: 500,
  });
  t.equal(parse('--rate 500', 8).workers, 7, 'one per core but one');
  t.equal(parse('--rate 500 --connections 3', 8).workers, 3, 'never more than connections');
  t.equal(parse('--rate 500', 1).workers, 1);
});

t.test('closed loop, every option', async (t) => {
  const o = parse(
    '--rate max --duration 2.5 --warmup 0 --connections 7 --depth 4 --mix ./m.json --dialect iso93binary --baseline --workers 2 --timeout 800 --seed 9 --json a.json --html a.html --redis redis://localhost:6380 --max-in-flight 64 --processes 2 --slow 200 --flood 2000',
  );
  t.match(o, {
    rate: 'max',
    durationS: 2.5,
    warmupS: 0,
    connections: 7,
    depth: 4,
    mix: './m.json',
    dialect: 'iso93binary',
    baselines: ['echo'],
    workers: 2,
    timeoutMs: 800,
    seed: 9,
    json: 'a.json',
    html: 'a.html',
    redis: 'redis://localhost:6380',
    maxInFlight: 64,
    processes: 2,
    slow: 200,
    flood: 2000,
  });
  t.same(parseCli(['--rate', '1', '--switch-command', ' node --import tsx src/main.ts '], 2), {
    ...parse('--rate 1'),
    switchCommand: ['node', '--import', 'tsx', 'src/main.ts'],
  });
  t.equal(
    (parseCli(['--rate', '1', '--switch-command', '  '], 2) as LoadOptions).switchCommand,
    undefined,
    'blank: the default',
  );
  t.equal(parse('--rate 1').profile, undefined, 'not profiled by default');
  t.equal(parse('--rate max --baseline floor --profile /tmp/p').profile, '/tmp/p');
  t.throws(
    () => parseCli(['--rate', '1', '--profile', 'p', '--switch-command', 'node x.js'], 2),
    /--profile profiles the switch it starts itself/,
  );
  t.throws(() => parseCli(['--rate', '1', '--profile', ''], 2), /--profile DIR/);
});

t.test('baselines: echo when bare, floor, or both (run floor first, whatever the order given)', async (t) => {
  t.same(parse('--rate 5 --baseline').baselines, ['echo'], 'bare, last');
  t.same(parse('--baseline --rate 5').baselines, ['echo'], 'bare, before another option');
  t.same(parse('--rate 5 --baseline echo').baselines, ['echo']);
  t.same(parse('--rate 5 --baseline floor').baselines, ['floor']);
  t.same(parse('--rate 5 --baseline echo,floor').baselines, ['floor', 'echo']);
  t.same(parse('--rate 5 --baseline floor,echo,floor').baselines, ['floor', 'echo'], 'each once');
  t.same(parse('--rate 5 --baseline=floor').baselines, ['floor']);
  t.same(parse('--rate 5 --baseline floor --connections 3').connections, 3, 'the value is taken, not the next option');
  t.same(parse('--rate 5').baselines, []);
  t.match(USAGE, /--baseline \[B,\.\.\.\]/);
  for (const bad of ['--baseline fast', '--baseline echo,', '--baseline=', '--baseline floor;echo'])
    t.throws(() => parse(`--rate 5 ${bad}`), /--baseline .*each one of monitoring-off, floor, echo/, bad);
  t.throws(() => parse('--rate 5 --baseline 5'), CliError);
});

t.test('idle', async (t) => {
  t.match(parse('--idle 10000 --idle-batch 250'), { kind: 'idle', idle: 10_000, idleBatch: 250, rate: 'max' });
  t.throws(() => parse('--idle 10 --rate 5'), /separate runs/);
});

t.test('help', async (t) => {
  t.equal(parseCli(['--help'], 2), 'help');
  t.match(USAGE, /--rate R\|max/);
});

t.test('bad input is refused with what is expected', async (t) => {
  const bad: [string, RegExp][] = [
    ['', /give --rate/],
    ['--rate fast', /--rate fast: expected a number from 1/],
    ['--rate 0', /--rate 0/],
    ['--rate 10 --duration 0', /--duration 0/],
    ['--rate 10 --duration 3601', /--duration/],
    ['--rate 10 --connections 2.5', /an integer/],
    ['--rate 10 --connections 20001', /--connections/],
    ['--rate 10 --depth 300', /--depth 300: expected an integer from 1 to 256/],
    ['--rate 10 --dialect iso99', /one of iso93ascii, iso87ascii, iso93binary/],
    ['--rate 10 --workers 0', /--workers/],
    ['--rate 10 --timeout 50', /--timeout/],
    ['--rate 10 --bogus', /Unknown option '--bogus'/],
    ['--rate 10 --warmup', /argument missing|--warmup/],
    ['--rate', /argument missing/],
  ];
  for (const [args, message] of bad) t.throws(() => parse(args), message, args);
  t.throws(() => parse('--rate 10 --seed -1'), CliError);
  t.throws(() => parseCli(['--rate', '10', '--duration', ' '], 2), /--duration/);
});

t.test('the fraud monitoring: on by default, --monitoring off, --fraud, the monitoring-off baseline', async (t) => {
  t.match(parse('--rate 500'), { monitoring: true, fraud: 0 });
  t.match(parse('--rate max --monitoring off --fraud 0.01'), { monitoring: false, fraud: 0.01 });
  t.same(parse('--rate max --baseline echo,monitoring-off,floor').baselines, ['monitoring-off', 'floor', 'echo']);
  t.throws(() => parse('--rate max --monitoring maybe'), new CliError('--monitoring maybe: on or off'));
  t.throws(() => parse('--rate max --fraud 0'), CliError);
  t.throws(() => parse('--rate max --fraud 0.6'), CliError);
  t.match(parse('--rate max'), { cardScale: 1 });
  t.match(parse('--rate max --card-scale 20'), { cardScale: 20 });
  t.throws(() => parse('--rate max --card-scale 0'), CliError);
  t.throws(() => parse('--rate max --card-scale 1.5'), CliError);
  t.throws(
    () => parse('--rate max --monitoring off --baseline monitoring-off'),
    new CliError('--baseline monitoring-off compares with monitoring on: leave out --monitoring off'),
  );
  t.match(USAGE, /--fraud SHARE/);
});
