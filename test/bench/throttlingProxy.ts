import { createConnection, createServer, type Server, type Socket } from 'node:net';

/*
 * An emulated slow link on loopback, e.g. EDGE: each direction has its own `bytesPerSecond` pipe
 * and `oneWayDelayMs` propagation delay. A chunk starts transmitting when the pipe is free, takes
 * bytes / rate to transmit, and arrives `oneWayDelayMs` after its last byte left; chunks are cut
 * into segments of `segmentBytes` so a large response streams as it would on the air. A new
 * connection pays one round trip before the client's first byte can leave (the TCP handshake).
 */

export interface LinkOptions {
  readonly bytesPerSecond: number;
  readonly oneWayDelayMs: number;
  readonly segmentBytes?: number;
  /** Whether a new connection waits one round trip before its first byte (default true). */
  readonly isHandshakeEmulated?: boolean;
}

export interface ThrottlingProxy {
  readonly url: string;
  /** Bytes client -> hub and hub -> client. */
  readonly up: number;
  readonly down: number;
  readonly connections: number;
  close(): Promise<void>;
}

/** One direction of the link: paced transmission, then a fixed delay, delivery in order. */
class LinkDirection {
  private freeAt = 0;
  private lastDeliveryAt = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly options: Required<LinkOptions>,
    private readonly deliver: (chunk: Buffer) => void,
    startAt: number,
  ) {
    this.freeAt = startAt;
  }

  send(chunk: Buffer): void {
    const segment = this.options.segmentBytes;
    for (let offset = 0; offset < chunk.length; offset += segment) {
      const part = chunk.subarray(offset, offset + segment);
      const now = performance.now();
      const start = Math.max(now, this.freeAt);
      const end = start + (part.length / this.options.bytesPerSecond) * 1000;
      this.freeAt = end;
      const at = Math.max(end + this.options.oneWayDelayMs, this.lastDeliveryAt);
      this.lastDeliveryAt = at;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.deliver(part);
      }, Math.max(0, at - now));
      this.timers.add(timer);
    }
  }

  /** Calls `then` once everything sent so far has been delivered. */
  afterDelivered(then: () => void): void {
    const wait = Math.max(0, this.lastDeliveryAt - performance.now());
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      then();
    }, wait + 1);
    this.timers.add(timer);
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

export async function startThrottlingProxy(target: string, link: LinkOptions): Promise<ThrottlingProxy> {
  const options: Required<LinkOptions> = { segmentBytes: 1460, isHandshakeEmulated: true, ...link };
  const { hostname, port: targetPort } = new URL(target);
  let up = 0;
  let down = 0;
  let connections = 0;
  const open = new Set<Socket>();
  const directions = new Set<LinkDirection>();

  const server: Server = createServer((client) => {
    connections += 1;
    const upstream = createConnection({ host: hostname, port: Number(targetPort) });
    open.add(client);
    open.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const acceptedAt = performance.now();
    const toHub = new LinkDirection(options, (chunk) => upstream.writable && upstream.write(chunk), acceptedAt + (options.isHandshakeEmulated ? 2 * options.oneWayDelayMs : 0));
    const toClient = new LinkDirection(options, (chunk) => client.writable && client.write(chunk), acceptedAt);
    directions.add(toHub);
    directions.add(toClient);
    client.on('data', (chunk: Buffer) => {
      up += chunk.length;
      toHub.send(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      down += chunk.length;
      toClient.send(chunk);
    });
    const finish = () => {
      toHub.stop();
      toClient.stop();
      directions.delete(toHub);
      directions.delete(toClient);
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    // A half-close travels with the data before it.
    client.on('end', () => toHub.afterDelivered(() => upstream.end()));
    upstream.on('end', () => toClient.afterDelivered(() => client.end()));
    client.on('close', () => toHub.afterDelivered(finish));
    upstream.on('close', () => toClient.afterDelivered(finish));
    client.on('error', finish);
    upstream.on('error', finish);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    get up() {
      return up;
    },
    get down() {
      return down;
    },
    get connections() {
      return connections;
    },
    async close() {
      for (const direction of directions) direction.stop();
      directions.clear();
      for (const socket of open) socket.destroy();
      open.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
