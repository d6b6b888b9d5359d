/**
 * The atomic file writer on real files: the content and mode it leaves, what the name shows at
 * each step of a write (the crash points), that a failed write leaves no temporary file and the
 * old file in place, and the clearing of temporaries a dead process left.
 */
import t, { type Test } from 'tap';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type WriteStep, removeStaleTemporaries, writeFileAtomic } from '../../src/files/atomic-file.js';

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'atomic-file-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const temporaries = (dir: string): string[] => readdirSync(dir).filter((n) => n.startsWith('.') && n.endsWith('.tmp'));

t.test('the bytes under the name, mode 0600 whatever the umask, no temporary file left', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'file.txt');
  await writeFileAtomic(path, 'Søren\n', { encoding: 'latin1' });
  t.same(readFileSync(path), Buffer.from([0x53, 0xf8, 0x72, 0x65, 0x6e, 0x0a]), 'latin1: one byte per character');
  await writeFileAtomic(path, 'Søren\n');
  t.equal(readFileSync(path, 'utf8'), 'Søren\n', 'utf8 by default, and an existing file is replaced');
  const umask = process.umask(0o277); // would leave open()'s 0600 as 0400
  try {
    await writeFileAtomic(path, Buffer.from('bytes'));
  } finally {
    process.umask(umask);
  }
  t.equal(statSync(path).mode & 0o777, 0o600);
  t.equal(readFileSync(path, 'utf8'), 'bytes');
  t.same(readdirSync(dir), ['file.txt']);
});

t.test('a missing directory is made, with the mode asked for', async (t) => {
  const dir = join(tempDir(t), 'a', 'b');
  await writeFileAtomic(join(dir, 'x'), 'x', { directoryMode: 0o700 });
  t.equal(statSync(dir).mode & 0o777, 0o700);
  await writeFileAtomic(join(dir, 'y'), 'y', { directoryMode: 0o755 });
  t.equal(statSync(dir).mode & 0o777, 0o700, 'an existing directory is left as it is');
});

t.test('at each step the name shows the old file or the new, never part of one', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'delivery.txt');
  writeFileSync(path, 'old');
  const text = 'new content, long enough to have two halves';
  const seen: [WriteStep, string, string[]][] = [];
  await writeFileAtomic(path, text, {
    onStep: (step) => {
      const temp = temporaries(dir);
      seen.push([step, readFileSync(path, 'utf8'), temp.map((n) => readFileSync(join(dir, n), 'utf8'))]);
    },
  });
  t.same(seen, [
    ['mid-write', 'old', [text.slice(0, text.length >> 1)]],
    ['before-rename', 'old', [text]],
    ['after-rename', text, []],
  ]);
});

t.test('the temporary file is hidden, beside the file, named after it', async (t) => {
  const dir = tempDir(t);
  let names: string[] = [];
  await writeFileAtomic(join(dir, 'block-list-2026-11-19.txt'), 'x', {
    onStep: (step) => void (step === 'before-rename' && (names = temporaries(dir))),
  });
  t.match(names, [/^\.block-list-2026-11-19\.txt\.[0-9a-f]{12}\.tmp$/]);
});

t.test('a failure at any step: the error comes out, no temporary file stays, the old file is untouched', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'file.txt');
  writeFileSync(path, 'old');
  for (const step of ['mid-write', 'before-rename'] as WriteStep[]) {
    const failAt = (s: WriteStep): void => {
      if (s === step) throw new Error(`stopped at ${s}`);
    };
    await t.rejects(writeFileAtomic(path, 'new', { onStep: failAt }), { message: `stopped at ${step}` });
    t.same(readdirSync(dir), ['file.txt'], `${step}: no temporary file`);
    t.equal(readFileSync(path, 'utf8'), 'old');
  }
  // The rename fails: a directory has the file's name.
  const taken = join(dir, 'taken');
  mkdirSync(join(taken, 'inside'), { recursive: true });
  await t.rejects(writeFileAtomic(taken, 'new'), { code: /^(EISDIR|EEXIST|ENOTEMPTY|EPERM)$/ });
  t.same(readdirSync(dir).sort(), ['file.txt', 'taken'], 'no temporary file');
  // The directory cannot be made: a file has its name.
  await t.rejects(writeFileAtomic(join(path, 'x'), 'new'), { code: /^(EEXIST|ENOTDIR)$/ });
});

t.test('removeStaleTemporaries: only hidden .tmp files older than the limit', async (t) => {
  const dir = tempDir(t);
  const old = new Date(Date.now() - 120_000);
  for (const name of ['.a.txt.1.tmp', '.b.txt.2.tmp', 'c.tmp', '.d.txt']) writeFileSync(join(dir, name), '');
  for (const name of ['.a.txt.1.tmp', 'c.tmp', '.d.txt']) utimesSync(join(dir, name), old, old);
  await removeStaleTemporaries(dir, 60_000);
  t.same(
    readdirSync(dir).sort(),
    ['.b.txt.2.tmp', '.d.txt', 'c.tmp'],
    'the old hidden temporary is gone; a fresh one (being written) stays',
  );
  await removeStaleTemporaries(join(dir, 'absent'), 60_000); // no directory yet: nothing to do
});
