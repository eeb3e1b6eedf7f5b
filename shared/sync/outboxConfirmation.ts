import * as Y from 'yjs';
import type { FieldwiseClient } from '../client/client';
import { timeSlicer } from '../client/yieldToMain';

/*
 * The hub can get a device's changes without a push: a USB bundle imported at the hub. What the
 * hub sends back (a pull page, a hub bundle) then carries those changes, and an outbox entry
 * wholly contained in it is one the hub has: it is dropped from the outbox like an acknowledged
 * push, so the device stops counting it as "not sent". Containment is checked struct by struct
 * and deletion by deletion, so a false "contained" (which would lose a change) cannot come from
 * a partial overlap; a false "not contained" only costs a push the hub answers as unchanged.
 */

type Ranges = Map<number, [number, number][]>;

function addRange(ranges: Ranges, client: number, start: number, end: number): void {
  const list = ranges.get(client);
  if (list) list.push([start, end]);
  else ranges.set(client, [[start, end]]);
}

/** Sorted, merged ranges per client. */
function normalize(ranges: Ranges): Ranges {
  for (const [client, list] of ranges) {
    list.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const [start, end] of list) {
      const last = merged[merged.length - 1];
      if (last && start <= last[1]) last[1] = Math.max(last[1], end);
      else merged.push([start, end]);
    }
    ranges.set(client, merged);
  }
  return ranges;
}

function covers(ranges: Ranges, client: number, start: number, end: number): boolean {
  for (const [from, to] of ranges.get(client) ?? []) if (from <= start && end <= to) return true;
  return false;
}

interface Coverage {
  /** Struct ranges the update holds (Skips left out: they stand for structs it does not hold). */
  readonly structs: Ranges;
  /** Ranges the update marks deleted: its delete set and its garbage-collected structs. */
  readonly deleted: Ranges;
}

function coverageOf(update: Uint8Array): Coverage {
  const { structs, ds } = Y.decodeUpdate(update);
  const held: Ranges = new Map();
  const deleted: Ranges = new Map();
  for (const struct of structs) {
    if (struct instanceof Y.Skip) continue;
    addRange(held, struct.id.client, struct.id.clock, struct.id.clock + struct.length);
    if (struct instanceof Y.GC) addRange(deleted, struct.id.client, struct.id.clock, struct.id.clock + struct.length);
  }
  for (const [client, items] of ds.clients) for (const item of items) addRange(deleted, client, item.clock, item.clock + item.len);
  return { structs: normalize(held), deleted: normalize(deleted) };
}

/** Whether everything `update` holds and deletes is in `within`. */
export function isUpdateContained(update: Uint8Array, within: Coverage | Uint8Array): boolean {
  const outer = within instanceof Uint8Array ? coverageOf(within) : within;
  const inner = coverageOf(update);
  for (const [client, list] of inner.structs) for (const [start, end] of list) if (!covers(outer.structs, client, start, end)) return false;
  for (const [client, list] of inner.deleted) for (const [start, end] of list) if (!covers(outer.deleted, client, start, end)) return false;
  return true;
}

/**
 * Drops the outbox entries wholly contained in what the hub sent for their records. Returns how
 * many were dropped.
 */
export async function confirmOutboxAgainst(client: FieldwiseClient, fromHub: readonly { readonly id: string; readonly update: Uint8Array }[]): Promise<number> {
  if (fromHub.length === 0 || (await client.pendingCount()) === 0) return 0;
  const byRecord = new Map<string, Uint8Array[]>();
  for (const { id, update } of fromHub) byRecord.set(id, [...(byRecord.get(id) ?? []), update]);
  const outbox = (await client.pendingUpdates()).filter((entry) => byRecord.has(entry.header.id));
  if (outbox.length === 0) return 0;
  const coverage = new Map<string, Coverage>();
  const confirmed: string[] = [];
  // Each entry decodes its update and its record's: in slices, so a long outbox against a whole
  // bundle does not hold the UI thread in one task (issue 17).
  const slice = timeSlicer();
  for (const entry of outbox) {
    await slice();
    let within = coverage.get(entry.header.id);
    if (!within) {
      const updates = byRecord.get(entry.header.id)!;
      within = coverageOf(updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates));
      coverage.set(entry.header.id, within);
    }
    if (isUpdateContained(entry.update, within)) confirmed.push(entry.id);
  }
  if (confirmed.length > 0) await client.acknowledge(confirmed);
  return confirmed.length;
}
