/**
 * A TCP proxy in front of Redis that can lose answers on purpose:
 *  - hold(): requests still reach Redis (which executes them) but the replies are kept back, as
 *    from a Redis too slow to answer in time; release() delivers them, late.
 *  - cut(): every connection is dropped and new ones refused (Redis gone, or the network);
 *    restore() lets them through again. Replies held at a cut are lost.
 *  - cutWhenSent(text): drops every connection as soon as a request carrying `text` goes out,
 *    before it reaches Redis (a connection lost at exactly that step).
 *  - holdWhenSent(text): from the request carrying `text` on, replies are held (a Redis that
 *    freezes at exactly that step).
 */
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket;
  held: Buffer[];
}

export class HoldProxy {
  private readonly pairs = new Set<Pair>();
  private holding = false;
  private refused = false;
  private trigger: string | undefined;
  private holdTrigger: string | undefined;

  private constructor(
    private readonly server: Server,
    private readonly target: number,
  ) {}

  static async start(targetPort: number): Promise<HoldProxy> {
    let proxy: HoldProxy | undefined;
    const server = createServer((client) => proxy!.accept(client));
    proxy = new HoldProxy(server, targetPort);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private accept(client: Socket): void {
    if (this.refused) return void client.destroy();
    const pair: Pair = { client, upstream: connect(this.target, '127.0.0.1'), held: [] };
    this.pairs.add(pair);
    for (const s of [client, pair.upstream]) {
      s.on('error', () => {});
      s.on('close', () => this.drop(pair));
    }
    client.on('data', (chunk: Buffer) => {
      const text =
        this.trigger === undefined && this.holdTrigger === undefined ? '' : chunk.toString('latin1').toLowerCase();
      if (this.trigger !== undefined && text.includes(this.trigger)) return this.cut();
      if (this.holdTrigger !== undefined && text.includes(this.holdTrigger))
        [this.holding, this.holdTrigger] = [true, undefined];
      pair.upstream.write(chunk);
    });
    pair.upstream.on('data', (chunk: Buffer) => (this.holding ? pair.held.push(chunk) : client.write(chunk)));
  }

  private drop(pair: Pair): void {
    pair.client.destroy();
    pair.upstream.destroy();
    this.pairs.delete(pair);
  }

  hold(): void {
    this.holding = true;
  }

  release(): void {
    this.holding = false;
    for (const p of this.pairs) for (const chunk of p.held.splice(0)) p.client.write(chunk);
  }

  cut(): void {
    this.refused = true;
    this.holding = false;
    this.trigger = undefined;
    for (const p of [...this.pairs]) this.drop(p);
  }

  restore(): void {
    this.refused = false;
  }

  holdWhenSent(text: string): void {
    this.holdTrigger = text.toLowerCase();
  }

  /** `text` is matched case-insensitively (ioredis writes command names as they were called). */
  cutWhenSent(text: string): void {
    this.trigger = text.toLowerCase();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
