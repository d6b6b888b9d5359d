/**
 * Writing a file so that its name shows the old content or the new, never part of it, also after
 * a crash or a power loss: the data goes to a temporary file in the same directory (a rename
 * across file systems is no rename), is fsynced, renamed over the name, and the directory is
 * fsynced so that the rename itself is on disk. Mode 0600: the switch's files hold full PANs
 * (deliveries, block lists) or are only the switch's business (reports).
 *
 * Temporary files are hidden and end in '.tmp' (`.<name>.<random>.tmp`): a crash leaves at most
 * one such file per write, which removeStaleTemporaries clears later.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const FILE_MODE = 0o600;
const TEMP_SUFFIX = '.tmp';

/** The moments between the steps of a write, in order: where the crash tests stop a process. */
export type WriteStep = 'mid-write' | 'before-rename' | 'after-rename';

export interface AtomicWriteOptions {
  /** How a string is turned into bytes; default utf8. */
  encoding?: BufferEncoding;
  /** The mode of the directory if it must be created; default mkdir's (0777 less the umask). */
  directoryMode?: number;
  /** Called at each step (mid-write: half the bytes are in the temporary file). */
  onStep?: (step: WriteStep) => void;
}

/** Writes `data` to `path` all or nothing (see above); creates the directory if needed. */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: options.directoryMode });
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  const body = typeof data === 'string' ? Buffer.from(data, options.encoding ?? 'utf8') : data;
  try {
    await writeTemporary(temp, body, options.onStep);
    options.onStep?.('before-rename');
    await rename(temp, path);
  } catch (e) {
    // Whatever failed, no temporary file stays behind (a process killed here leaves one: see below).
    await unlink(temp).catch(() => {});
    throw e;
  }
  await syncDirectory(dir);
  options.onStep?.('after-rename');
}

async function writeTemporary(temp: string, body: Uint8Array, onStep: AtomicWriteOptions['onStep']): Promise<void> {
  // 'wx': a name of our own, never an existing file (or a link someone placed there).
  const handle = await open(temp, 'wx', FILE_MODE);
  try {
    // The mode given to open() passes through the umask, which may take bits away: set it outright.
    await handle.chmod(FILE_MODE);
    const half = body.length >> 1;
    // A file handle's writeFile writes from the current position, to the end of what it is given.
    await handle.writeFile(body.subarray(0, half));
    onStep?.('mid-write');
    await handle.writeFile(body.subarray(half));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A rename is an entry in the directory: on disk only once the directory is. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Removes the temporary files of writes that never finished (their process died) from `dir`,
 * those older than `olderThanMs`, so never one that a running write is still filling.
 */
export async function removeStaleTemporaries(dir: string, olderThanMs: number): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const before = Date.now() - olderThanMs;
  for (const name of names.filter((n) => n.startsWith('.') && n.endsWith(TEMP_SUFFIX))) {
    const st = await stat(join(dir, name)).catch(() => undefined);
    if (st !== undefined && st.mtimeMs < before) await unlink(join(dir, name)).catch(() => {});
  }
}
