import { promisify } from 'node:util';
import { brotliCompress, constants as zlib } from 'node:zlib';
import { canRead, type Actor } from '../../shared/rules/rules';
import { encodeBootstrapInSlices, type BootstrapRecord } from '../../shared/sync/bootstrap';
import { limits } from '../../shared/sync/protocol';
import type { RecordLog } from '../storage/hubStorage';
import { pullFrames, withdrawnFrom } from './pullFrames';

/*
 * Bootstraps (docs/PROTOCOL.md, "Bootstrap"): for one read scope, everything a new device of that
 * scope would pull from checkpoint 0, encoded for the compressor (shared/sync/bootstrap.ts) and
 * compressed once at brotli 11 with a 16 MiB window, then served as the same bytes to every new
 * device of the scope. Brotli 11 costs about 40 s of one core for 10,000 records, so a build runs
 * on the thread pool, one at a time, and a device that asks before it is ready gets the plain pull.
 *
 * A read scope is (organization, role): pull filters with `canRead(actor, header, facts)`, which
 * reads nothing of the actor but those two, so two devices with the same pair read the same
 * records; a bootstrap is built for {orgId, role} alone and only ever looked up by that pair.
 *
 * Before bytes are served, the records changed after the bootstrap's checkpoint are read (at most
 * `maxRest` of them): if any of the bootstrap's records was withdrawn from this reader since (made
 * private, a consent withdrawal, a hidden comment: pull's own `withdrawnFrom` test), or more
 * changed than can be checked, or the storage is behind the checkpoint (restored from a backup),
 * the bootstrap is dropped, a new one is built, and the device gets the plain pull. So a device
 * never receives, in a bootstrap, a record its credential may no longer read. When readable
 * records changed since, the bootstrap is still served (the device pulls the rest from its
 * checkpoint) and a fresh one is built behind it (at most every `refreshAfterMs`).
 */

const brotli = promisify(brotliCompress);

export interface BootstrapOptions {
  /** Total compressed bytes kept in memory; the least recently served bootstraps go first. */
  readonly maxBytes?: number;
  /** Changes after the checkpoint a served bootstrap may have; beyond, it is rebuilt. */
  readonly maxRest?: number;
  /** Scopes with fewer records get no bootstrap (the plain pull is as good for them). */
  readonly minRecords?: number;
  /** Brotli quality of the stored bytes (11 unless a test wants speed). */
  readonly quality?: number;
  /** A bootstrap still served while readable records changed after it is rebuilt at most this often. */
  readonly refreshAfterMs?: number;
}

export interface BuiltBootstrap {
  readonly key: string;
  readonly checkpoint: number;
  readonly records: number;
  /** The body, brotli-compressed (Content-Encoding: br). */
  readonly bytes: Uint8Array;
  readonly rawBytes: number;
  /** performance.now() when it was built. */
  readonly builtAt: number;
}

export interface ServedBootstrap {
  readonly bytes: Uint8Array;
  readonly checkpoint: number;
  /** Nothing this reader may read changed after the checkpoint: no pull needs to follow. */
  readonly isComplete: boolean;
}

interface TooSmall {
  readonly tooSmallAt: number;
}
const isTooSmall = (entry: BuiltBootstrap | TooSmall | undefined): entry is TooSmall => entry !== undefined && 'tooSmallAt' in entry;

export const bootstrapDefaults = { maxBytes: 128 * 1024 * 1024, maxRest: limits.pullPageRecords, minRecords: limits.pullPageRecords, quality: 11, refreshAfterMs: 5 * 60_000 } as const;

/** The read scope of an actor: all `canRead` looks at. */
export const scopeKeyOf = (actor: Actor): string => `${actor.role}\u0000${actor.orgId}`;

export class Bootstraps {
  /** Per scope: its bootstrap, or the checkpoint at which it held too few records for one. */
  private readonly ready = new Map<string, BuiltBootstrap | TooSmall>();
  private readonly building = new Map<string, Promise<BuiltBootstrap | null>>();
  /** Per scope whose bootstrap was dropped: when (performance.now()) the next may be built on an ask. */
  private readonly notBefore = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly options: Required<BootstrapOptions>;

  constructor(
    private readonly storage: RecordLog,
    options: BootstrapOptions = {},
  ) {
    this.options = { ...bootstrapDefaults, ...options };
  }

  /** The bootstrap of `actor`'s scope: the one kept, or one built now (waits for builds ahead of it). */
  async prepare(actor: Actor): Promise<BuiltBootstrap | null> {
    const kept = this.ready.get(scopeKeyOf(actor));
    if (isTooSmall(kept)) return null;
    return kept ?? this.build(actor);
  }

  /** Builds the scope's bootstrap anew (one build per scope at a time; builds of all scopes queue). */
  build(actor: Actor): Promise<BuiltBootstrap | null> {
    const key = scopeKeyOf(actor);
    const running = this.building.get(key);
    if (running) return running;
    const scope: Actor = { orgId: actor.orgId, role: actor.role };
    const done = this.queue.then(() => this.buildNow(key, scope));
    this.queue = done.catch(() => undefined);
    const tracked = done.finally(() => this.building.delete(key));
    this.building.set(key, tracked);
    return tracked;
  }

  private async buildNow(key: string, scope: Actor): Promise<BuiltBootstrap | null> {
    const records: BootstrapRecord[] = [];
    let checkpoint = 0;
    for await (const frame of pullFrames(this.storage, scope, 0)) {
      if (frame.kind !== 'page') continue;
      for (const record of frame.records) records.push({ meta: record.meta, update: record.update });
      checkpoint = frame.checkpoint;
    }
    if (records.length < this.options.minRecords) {
      this.ready.set(key, { tooSmallAt: checkpoint });
      return null;
    }
    // In slices: the hub's thread answers /health, pushes and live sockets between them.
    const raw = await encodeBootstrapInSlices(checkpoint, records, () => new Promise((resolve) => setImmediate(resolve)));
    const bytes = await brotli(raw, {
      params: { [zlib.BROTLI_PARAM_QUALITY]: this.options.quality, [zlib.BROTLI_PARAM_LGWIN]: 24, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length },
    });
    const built: BuiltBootstrap = { key, checkpoint, records: records.length, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), rawBytes: raw.length, builtAt: performance.now() };
    this.ready.delete(key);
    this.ready.set(key, built);
    this.evict();
    return built;
  }

  private evict(): void {
    let total = 0;
    for (const entry of this.ready.values()) if (!isTooSmall(entry)) total += entry.bytes.length;
    for (const [key, entry] of this.ready) {
      if (total <= this.options.maxBytes) break;
      if (isTooSmall(entry)) continue;
      this.ready.delete(key);
      total -= entry.bytes.length;
    }
  }

  /**
   * The bootstrap to serve `actor` now, or null (the device takes the plain pull): none is ready
   * (one is then built for the next device), or the kept one may not be served (see the file's
   * comment; it is dropped and rebuilt).
   */
  async take(actor: Actor): Promise<ServedBootstrap | null> {
    const key = scopeKeyOf(actor);
    const kept = this.ready.get(key);
    if (isTooSmall(kept)) {
      // A scope that was too small is looked at again once the network has grown by as much.
      if ((await this.storage.lastSeq()) - kept.tooSmallAt >= this.options.minRecords) this.build(actor).catch(() => undefined);
      return null;
    }
    if (!kept) {
      this.buildIfDue(actor, key);
      return null;
    }
    const stale = () => {
      if (this.ready.get(key) === kept) this.ready.delete(key);
      // Not rebuilt before refreshAfterMs: one member editing 251 of its own records before each
      // ask made the hub rebuild the whole scope at brotli 11 every time (adversarial pass).
      this.notBefore.set(key, kept.builtAt + this.options.refreshAfterMs);
      this.buildIfDue(actor, key);
      return null;
    };
    if ((await this.storage.lastSeq()) < kept.checkpoint) return stale();
    const changed = await this.storage.changedSince(kept.checkpoint, this.options.maxRest + 1);
    if (changed.length > this.options.maxRest) return stale();
    if ((await withdrawnFrom(this.storage, actor, kept.checkpoint, changed)).length > 0) return stale();
    const isComplete = !changed.some((record) => canRead(actor, record.header, record.facts));
    // Still good, but a device pulls the rest: a fresh one is built for the next (not more often
    // than refreshAfterMs, so a busy network does not keep a core compressing).
    if (!isComplete && performance.now() - kept.builtAt >= this.options.refreshAfterMs) this.build(actor).catch(() => undefined);
    // Most recently served last: eviction takes the front.
    this.ready.delete(key);
    this.ready.set(key, kept);
    return { bytes: kept.bytes, checkpoint: kept.checkpoint, isComplete };
  }

  /** A build for the scope unless its last bootstrap was dropped less than refreshAfterMs after it was built. */
  private buildIfDue(actor: Actor, key: string): void {
    if (performance.now() < (this.notBefore.get(key) ?? 0)) return;
    this.build(actor).catch(() => undefined);
  }

  /** Forgets every bootstrap (tests; a hub that wants memory back). */
  clear(): void {
    this.ready.clear();
  }
}
