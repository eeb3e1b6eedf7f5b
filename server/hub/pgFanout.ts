import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import type { HubStorage } from '../storage/hubStorage';
import type { Hub } from './hub';

/*
 * Several hub processes on one PostgreSQL: each tells the others of its commits with NOTIFY, and
 * LISTENs for theirs, so a client live-connected to any process hears of every change. The
 * payload is small (sequence number and record ids); readers fetch the data themselves.
 */

const CHANNEL = 'fieldwise_commits';
const payloadSchema = z.object({ from: z.string(), seq: z.number(), recordIds: z.array(z.string()) });
/** NOTIFY payloads are limited to 8000 bytes; past this many ids, listeners learn only the seq. */
const MAX_IDS = 100;

export async function startPgFanout(storage: HubStorage, hub: Hub): Promise<() => Promise<void>> {
  const pool = (storage as HubStorage & { pool?: pg.Pool }).pool;
  if (!pool) throw new Error('fan-out needs the PostgreSQL storage');
  const processId = randomUUID();
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
    hub.announce({ seq: parsed.data.seq, recordIds: parsed.data.recordIds, isRemote: true });
  });
  await listener.query(`LISTEN ${CHANNEL}`);
  const unsubscribe = hub.onDidCommit((event) => {
    if (event.isRemote) return;
    const recordIds = event.recordIds.length <= MAX_IDS ? event.recordIds : [];
    void pool.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ from: processId, seq: event.seq, recordIds })]).catch(() => undefined);
  });
  return async () => {
    unsubscribe();
    await listener.query(`UNLISTEN ${CHANNEL}`).catch(() => undefined);
    listener.release();
  };
}
