import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { ConnectivityPort } from '../../shared/sync/transport';

/*
 * A TCP proxy on 127.0.0.1 whose link a test can cut and restore, as a field laptop's 2G or
 * satellite link comes and goes. `cut()` drops every open connection and then, by `mode`:
 * - 'blackhole' (the default, what a dead radio link does): new connections are accepted and
 *   never answered, so a request hangs until the client gives up;
 * - 'refuse': new connections are closed at once (a link whose far end answers "no route").
 * `restore()` lets connections through again. Chain it in front of a throttling proxy for a slow
 * link that also drops.
 */

export type CutMode = 'blackhole' | 'refuse';

export interface CuttableProxy {
  readonly url: string;
  readonly isCut: boolean;
  /** Bytes client -> hub and hub -> client that went through. */
  readonly up: number;
  readonly down: number;
  cut(mode?: CutMode): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startCuttableProxy(target: string): Promise<CuttableProxy> {
  const { hostname, port: targetPort } = new URL(target);
  let mode: CutMode | null = null;
  let up = 0;
  let down = 0;
  const open = new Set<Socket>();
  /** Connections accepted while cut: held, never answered, dropped at restore. */
  const held = new Set<Socket>();

  const server: Server = createServer((client) => {
    client.on('error', () => undefined);
    if (mode === 'refuse') {
      client.destroy();
      return;
    }
    if (mode === 'blackhole') {
      held.add(client);
      client.on('close', () => held.delete(client));
      // Whatever the client sends goes nowhere.
      client.on('data', () => undefined);
      return;
    }
    const upstream = createConnection({ host: hostname, port: Number(targetPort) });
    open.add(client);
    open.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('data', (chunk: Buffer) => {
      up += chunk.length;
      if (upstream.writable) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      down += chunk.length;
      if (client.writable) client.write(chunk);
    });
    const finish = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', finish);
    upstream.on('close', finish);
    upstream.on('error', finish);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const dropAll = (sockets: Set<Socket>) => {
    for (const socket of [...sockets]) socket.destroy();
    sockets.clear();
  };

  return {
    url: `http://127.0.0.1:${port}`,
    get isCut() {
      return mode !== null;
    },
    get up() {
      return up;
    },
    get down() {
      return down;
    },
    cut(cutMode: CutMode = 'blackhole') {
      mode = cutMode;
      dropAll(open);
    },
    restore() {
      mode = null;
      // Connections opened while cut fail now (as a far end that never saw them resets them), so
      // the client tries anew. Keeping them hung instead measured a p95 of 6 s from restore to
      // first acknowledgement in the bench (a 5 s probe timeout plus a retry): not yet explained.
      dropAll(held);
    },
    async close() {
      dropAll(open);
      dropAll(held);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A platform online/offline signal a test drives (the renderer wires the window's events). */
export interface TestConnectivity {
  readonly port: ConnectivityPort;
  set(isOnline: boolean): void;
}

export function testConnectivity(initial = true): TestConnectivity {
  let isOnline = initial;
  const listeners = new Set<(isOnline: boolean) => void>();
  return {
    port: {
      isOnline: () => isOnline,
      onDidChange(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    set(next) {
      if (next === isOnline) return;
      isOnline = next;
      for (const listener of [...listeners]) listener(next);
    },
  };
}
