import type { WebSocket } from 'ws';
import { z } from 'zod';
import { closeCodes } from '../../shared/sync/protocol';
import type { AuthenticatedDevice, Hub } from '../hub/hub';
import { HubError } from '../hub/hubError';

/*
 * `/v1/live`: one WebSocket per online client. The token arrives in the first message (never in
 * the URL, so it cannot end up in a proxy's log); after that the hub only talks: the latest
 * sequence number after every commit.
 */

const helloSchema = z.object({ type: z.literal('hello'), token: z.string() });
const HELLO_TIMEOUT_MS = 10_000;
/**
 * Announcements are gathered this long: under a burst of commits each client gets one message
 * with the latest number instead of one per commit (at 200 sockets and 250 commits/s that was
 * 50,000 messages a second and cut the hub's throughput to a third).
 */
const ANNOUNCE_DELAY_MS = 100;

export class LiveConnections {
  private readonly sockets = new Map<WebSocket, AuthenticatedDevice>();
  /** The highest number each socket was told (in its ready or since): it is never told one again. */
  private readonly toldSeq = new WeakMap<WebSocket, number>();
  private latestSeq = 0;
  /** The highest number sent to every socket; `latestSeq` may run ahead until the next flush. */
  private announcedSeq = 0;
  private announceTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly hub: Hub) {
    hub.onDidCommit((event) => this.announce(event.seq));
  }

  get size(): number {
    return this.sockets.size;
  }

  accept(socket: WebSocket): void {
    const timer = setTimeout(() => socket.close(closeCodes.unauthorized, 'no hello'), HELLO_TIMEOUT_MS);
    socket.once('message', (data) => {
      clearTimeout(timer);
      void this.greet(socket, String(data));
    });
    socket.on('close', () => {
      clearTimeout(timer);
      this.sockets.delete(socket);
    });
    socket.on('error', () => socket.terminate());
  }

  private async greet(socket: WebSocket, message: string): Promise<void> {
    try {
      let hello: z.infer<typeof helloSchema>;
      try {
        hello = helloSchema.parse(JSON.parse(message));
      } catch {
        throw new HubError('bad-request', 'the first message must be {"type":"hello","token":"…"}');
      }
      const device = await this.hub.authenticate(hello.token);
      if (socket.readyState !== socket.OPEN) return;
      this.sockets.set(socket, device);
      // The stored number may run ahead of the announcements (a commit whose event has not fired
      // yet). It goes to this socket only: raising `latestSeq` here would make that commit's
      // announce() look old and skip every other socket.
      const seq = Math.max(this.latestSeq, await this.hub.lastSeq());
      this.toldSeq.set(socket, seq);
      socket.send(JSON.stringify({ type: 'ready', seq }));
    } catch (error) {
      const body = error instanceof HubError ? error.toBody() : { error: { code: 'bad-request', message: 'hello failed' } };
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'error', ...body }));
      socket.close(closeCodes.unauthorized, body.error.code);
    }
  }

  /** Announces a sequence number to every connected client, shortly (numbers only ever go up). */
  announce(seq: number): void {
    if (seq <= this.latestSeq) return;
    this.latestSeq = seq;
    this.announceTimer ??= setTimeout(() => this.flushAnnouncement(), ANNOUNCE_DELAY_MS);
  }

  private flushAnnouncement(): void {
    this.announceTimer = null;
    if (this.latestSeq <= this.announcedSeq) return;
    this.announcedSeq = this.latestSeq;
    const seq = this.latestSeq;
    const message = JSON.stringify({ type: 'seq', seq });
    for (const socket of this.sockets.keys()) {
      // A commit announced late (one another process made, found by unheardCommits.ts) may be one
      // this socket's ready already counted: telling it again would only cost it an empty pull.
      if (socket.readyState !== socket.OPEN || (this.toldSeq.get(socket) ?? 0) >= seq) continue;
      this.toldSeq.set(socket, seq);
      socket.send(message);
    }
  }

  /** Closes the sockets of revoked credentials. */
  closeRevoked(credentialIds: ReadonlySet<string>): void {
    for (const [socket, device] of this.sockets) {
      if (credentialIds.has(device.credentialId)) {
        this.sockets.delete(socket);
        socket.close(closeCodes.revoked, 'token-revoked');
      }
    }
  }

  /** Closes the sockets of credentials expired at `now`. */
  closeExpired(now: number): void {
    for (const [socket, device] of this.sockets) {
      if (device.expiresAt <= now) {
        this.sockets.delete(socket);
        socket.close(closeCodes.unauthorized, 'token-expired');
      }
    }
  }

  closeAll(): void {
    if (this.announceTimer) clearTimeout(this.announceTimer);
    this.announceTimer = null;
    for (const socket of this.sockets.keys()) socket.terminate();
    this.sockets.clear();
  }
}
