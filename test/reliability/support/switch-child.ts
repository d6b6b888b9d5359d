/**
 * A switch as a child process with a config file written for it (loopback listeners on free
 * ports, the operator token, clearing off unless asked), and the ports it reports in its log.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeepPartial } from '../../../src/config/load.js';
import type { SwitchConfig } from '../../../src/config/types.js';
import { OPERATOR_TOKEN } from '../../support/switch.js';
import { type SwitchProcess, startSwitchProcess } from '../../support/process.js';

export interface SwitchChild {
  proc: SwitchProcess;
  file: string;
  dir: string;
  /** Listener name -> port, from the 'listening' log lines. */
  ports: Record<string, number>;
  adminPort: number;
}

/** Both test dialects on loopback: iso93 (binary length header) and iso87 (4 ASCII digits). */
export const TWO_LISTENERS = [
  { name: 'iso93', host: '127.0.0.1', port: 0, dialect: 'iso93ascii', framing: { header: 'binary2' } },
  { name: 'iso87', host: '127.0.0.1', port: 0, dialect: 'iso87ascii', framing: { header: 'ascii4' } },
] as const;

export function writeSwitchConfig(
  config: DeepPartial<SwitchConfig>,
  dir = mkdtempSync(join(tmpdir(), 'switch-reliability-')),
): { file: string; dir: string } {
  const file = join(dir, 'switch.json');
  const full: DeepPartial<SwitchConfig> = {
    listeners: [...TWO_LISTENERS] as DeepPartial<SwitchConfig>['listeners'],
    log: { level: 'info' },
    ...config,
    admin: {
      host: '127.0.0.1',
      port: 0,
      ...config.admin,
      tokens: { [OPERATOR_TOKEN]: { role: 'operator' }, ...config.admin?.tokens },
    },
    clearing: {
      enabled: false,
      directory: join(dir, 'clearing'),
      ...config.clearing,
      blockList: { time: '23:59', directory: join(dir, 'block-list'), ...config.clearing?.blockList },
    },
    register: { pendingBlocksFile: join(dir, 'pending-blocks.jsonl'), ...config.register },
    // Off as in every test switch (test/support/switch.ts): these tests use a card far more than the rules allow.
    monitoring: { enabled: false, ...config.monitoring },
  };
  writeFileSync(file, JSON.stringify(full));
  return { file, dir };
}

/** Starts the switch on a config file and waits until every listener and the admin API listen. */
export async function startSwitchChild(
  file: string,
  dir: string,
  env: Record<string, string> = {},
  listeners: number = TWO_LISTENERS.length,
): Promise<SwitchChild> {
  const proc = startSwitchProcess({ SWITCH_CONFIG: file, ...env });
  const admin = await proc.waitForLog((l) => l.msg === 'admin listening');
  const ports: Record<string, number> = {};
  for (const until = Date.now() + 30_000; Object.keys(ports).length < listeners;) {
    for (const l of proc.logs()) if (l.msg === 'listening') ports[l.listener as string] = l.port as number;
    if (Date.now() > until) throw new Error(`listeners did not start: ${proc.stderr().slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, file, dir, ports, adminPort: admin.port as number };
}

export interface ClusterChild {
  proc: SwitchProcess;
  /** The one ISO 8583 port every worker serves. */
  port: number;
  adminPort: number;
  /** Process id of each worker that has started listening. */
  pids(): number[];
  /** Waits until `n` workers (other than `except`) are listening. */
  waitForWorkers(n: number, except?: number[]): Promise<number[]>;
}

/** The switch with `processes` > 1 in its config: a supervisor and its workers, one listener. */
export async function startCluster(
  file: string,
  processes: number,
  env: Record<string, string> = {},
): Promise<ClusterChild> {
  const proc = startSwitchProcess({ SWITCH_CONFIG: file, ...env });
  const listening = (): Record<string, unknown>[] => proc.logs().filter((l) => l.msg === 'listening');
  const pids = (): number[] => [...new Set(listening().map((l) => l.pid as number))];
  const waitForWorkers = async (n: number, except: number[] = []): Promise<number[]> => {
    for (const until = Date.now() + 60_000; ;) {
      const ready = pids().filter(
        (p) => !except.includes(p) && proc.logs().some((l) => l.msg === 'admin listening' && l.pid === p),
      );
      if (ready.length >= n) return ready;
      if (Date.now() > until || proc.child.exitCode !== null)
        throw new Error(`${ready.length} of ${n} workers listening; stderr: ${proc.stderr().slice(0, 500)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await waitForWorkers(processes);
  const ports = new Set(listening().map((l) => l.port as number));
  const adminPorts = new Set(
    proc
      .logs()
      .filter((l) => l.msg === 'admin listening')
      .map((l) => l.port as number),
  );
  if (ports.size !== 1 || adminPorts.size !== 1)
    throw new Error(`workers listen on different ports: ${[...ports].join(', ')} / ${[...adminPorts].join(', ')}`);
  return { proc, port: [...ports][0]!, adminPort: [...adminPorts][0]!, pids, waitForWorkers };
}
