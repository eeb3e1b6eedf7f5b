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
  /**
   * Whether all connections share one pipe per direction, as they do on one radio link (default
   * false: each connection gets the whole rate). A ballot's push and a photo's chunk then compete.
   */
  readonly isShared?: boolean;
}

/** When a pipe is next free to transmit: per connection, or one for the whole link. */
interface Pipe {
  freeAt: number;
}

export interface ThrottlingProxy {
  readonly url: string;
  /** Bytes client -> hub and hub -> client. */
  readonly up: number;
  readonly down: number;
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * One direction of the link: paced transmission, then a fixed delay, delivery in order. Segments
 * wait in one queue behind one timer: a timer per segment reordered bytes, since Node runs timers
 * by whole milliseconds from the loop's cached clock, and a later segment with a shorter
 * fractional delay fired first (a 1 MiB upload arrived with its segments shuffled).
 */
class LinkDirection {
  private lastDeliveryAt = 0;
  /** The end of this connection's last transmission on the pipe. */
  private reservedUntil = 0;
  private readonly queue: { readonly at: number; readonly part: Buffer | null; readonly then?: () => void }[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly options: Required<LinkOptions>,
    private readonly deliver: (chunk: Buffer) => void,
    private readonly pipe: Pipe,
    /** No byte of this connection leaves before this (its handshake). */
    private readonly startAt: number,
  ) {}

  send(chunk: Buffer): void {
    const segment = this.options.segmentBytes;
    for (let offset = 0; offset < chunk.length; offset += segment) {
      const part = chunk.subarray(offset, offset + segment);
      const now = performance.now();
      const start = Math.max(now, this.pipe.freeAt, this.startAt);
      const end = start + (part.length / this.options.bytesPerSecond) * 1000;
      this.pipe.freeAt = end;
      this.reservedUntil = end;
      const at = Math.max(end + this.options.oneWayDelayMs, this.lastDeliveryAt);
      this.lastDeliveryAt = at;
      this.queue.push({ at, part });
    }
    this.arm();
  }

  /** Calls `then` once everything sent so far has been delivered. */
  afterDelivered(then: () => void): void {
    this.queue.push({ at: Math.max(this.lastDeliveryAt, performance.now()) + 1, part: null, then });
    this.arm();
  }

  private arm(): void {
    if (this.timer !== null || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const now = performance.now();
      while (this.queue.length > 0 && this.queue[0]!.at <= now + 0.5) {
        const item = this.queue.shift()!;
        if (item.part) this.deliver(item.part);
        item.then?.();
      }
      this.arm();
    }, Math.max(0, this.queue[0]!.at - performance.now()));
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
    // Bytes of a dropped connection not yet on the air never will be: a shared pipe whose last
    // reservation was this connection's is free again (a reservation after it stays).
    if (this.pipe.freeAt === this.reservedUntil) this.pipe.freeAt = Math.min(this.pipe.freeAt, performance.now());
  }
}

export async function startThrottlingProxy(target: string, link: LinkOptions): Promise<ThrottlingProxy> {
  const options: Required<LinkOptions> = { segmentBytes: 1460, isHandshakeEmulated: true, isShared: false, ...link };
  const sharedUp: Pipe = { freeAt: 0 };
  const sharedDown: Pipe = { freeAt: 0 };
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
    const toHub = new LinkDirection(options, (chunk) => upstream.writable && upstream.write(chunk), options.isShared ? sharedUp : { freeAt: 0 }, acceptedAt + (options.isHandshakeEmulated ? 2 * options.oneWayDelayMs : 0));
    const toClient = new LinkDirection(options, (chunk) => client.writable && client.write(chunk), options.isShared ? sharedDown : { freeAt: 0 }, acceptedAt);
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
