import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { z } from 'zod';
import type { HubStorage } from './hubStorage';

/*
 * Several hub processes on one PostgreSQL: each tells the others of its commits with NOTIFY, and
 * LISTENs for theirs, so a client live-connected to any process hears of every change. The
 * payload is small (sequence numbers and record ids); readers fetch the data themselves.
 *
 * A NOTIFY payload is limited to 8000 bytes, so a commit of more than MAX_IDS records is sent as
 * its sequence number range instead of its ids, and the receiving process asks storage which
 * records changed in that range. Without that, a /yjs room on another process never heard of a
 * record changed in a large push.
 */

const CHANNEL = 'fieldwise_commits';
const payloadSchema = z.object({
  from: z.string(),
  seq: z.number(),
  recordIds: z.array(z.string()),
  /** Present when the ids were left out: the commit's numbers are (afterSeq, seq]. */
  afterSeq: z.number().optional(),
});
type Payload = z.infer<typeof payloadSchema>;
const MAX_IDS = 100;

export interface FannedOutCommit {
  readonly seq: number;
  readonly recordIds: readonly string[];
  readonly isRemote?: boolean;
}

/** What the fan-out needs of the hub (the Hub class has it): its commit events, in and out. */
export interface CommitAnnouncer {
  onDidCommit(listener: (event: FannedOutCommit) => void): () => void;
  announce(event: FannedOutCommit): void;
}

export async function startPgFanout(storage: HubStorage, hub: CommitAnnouncer): Promise<() => Promise<void>> {
  if (!('pool' in storage) || !(storage.pool instanceof pg.Pool)) throw new Error('fan-out needs the PostgreSQL storage');
  const pool = storage.pool;
  const processId = randomUUID();

  const announceRemote = async (payload: Payload): Promise<void> => {
    let recordIds: readonly string[] = payload.recordIds;
    if (payload.afterSeq !== undefined) {
      // Read after the NOTIFY arrived, so after the commit is visible. Should the read fail, live
      // clients still hear of the number; only the /yjs rooms miss this one change until the next.
      recordIds = await storage.changedIdsBetween(payload.afterSeq, payload.seq).catch(() => []);
    }
    hub.announce({ seq: payload.seq, recordIds, isRemote: true });
  };

  const listener = await pool.connect();
  listener.on('notification', (message) => {
    if (message.channel !== CHANNEL || !message.payload) return;
    let parsed;
    try {
      parsed = payloadSchema.safeParse(JSON.parse(message.payload));
    } catch {
      return;
    }
    if (!parsed.success || parsed.data.from === processId) return;
    void announceRemote(parsed.data);
  });
  await listener.query(`LISTEN ${CHANNEL}`);
  const unsubscribe = hub.onDidCommit((event) => {
    if (event.isRemote) return;
    // A commit's writes get consecutive numbers ending at event.seq (HubStorage.commit), one per
    // record in event.recordIds.
    const payload: Payload =
      event.recordIds.length <= MAX_IDS
        ? { from: processId, seq: event.seq, recordIds: [...event.recordIds] }
        : { from: processId, seq: event.seq, recordIds: [], afterSeq: event.seq - event.recordIds.length };
    void pool.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(payload)]).catch(() => undefined);
  });
  return async () => {
    unsubscribe();
    await listener.query(`UNLISTEN ${CHANNEL}`).catch(() => undefined);
    listener.release();
  };
}
