import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/*
 * The network between one browser and the hub: a TCP relay on 127.0.0.1 that the browser knows as
 * its hub address. `cut()` resets every open connection (HTTP and the live WebSocket alike) and
 * every new one until `restore()`, as a dropped link does. Playwright's `setOffline` alone is not
 * enough: a WebSocket opened before it stays open and merely stops carrying messages (Chromium
 * 156), so the app would never see its live connection drop.
 */

export interface HubLink {
  /** The hub's address as seen through this link. */
  readonly url: string;
  readonly isUp: boolean;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function openHubLink(hubUrl: string): Promise<HubLink> {
  const target = new URL(hubUrl);
  const sockets = new Set<Socket>();
  let isUp = true;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server: Server = createServer((client) => {
    track(client);
    if (!isUp) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    track(upstream);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const resetAll = () => {
    for (const socket of sockets) socket.resetAndDestroy();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    get isUp() {
      return isUp;
    },
    cut() {
      isUp = false;
      resetAll();
    },
    restore() {
      isUp = true;
    },
    async close() {
      resetAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
