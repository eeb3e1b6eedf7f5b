import * as Y from 'yjs';
import { limits } from '../../shared/sync/protocol';
import { HubError } from './hubError';

/*
 * What one update holds, read from its structure before it touches a record: the clients it
 * introduces, its structs, its deletion ranges, and how deep the nested types it creates go.
 * Integrating Yjs structs can cost far more than their bytes (many clients' concurrent writes
 * to one map key integrate in quadratic time), so the write path refuses, before applying, an
 * update larger on any of these counts than real editing ever makes (limits in
 * shared/sync/protocol.ts). The time budget (validationRunner) still bounds what these counts
 * cannot foresee.
 */

export interface UpdateComplexity {
  /** Client ids in the update that the record's state does not know yet. */
  readonly newClients: number;
  readonly structs: number;
  readonly deleteRanges: number;
  /** Deepest nested type the update creates (1 = a type directly inside a top-level type). */
  readonly nestingDepth: number;
}

type Struct = Y.Item | Y.GC | Y.Skip;

/** The struct of `structs` (one client's, in clock order) that covers `clock`, if any. */
function findCovering(structs: readonly Struct[], clock: number): Struct | undefined {
  let low = 0;
  let high = structs.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const struct = structs[middle]!;
    if (clock < struct.id.clock) high = middle - 1;
    else if (clock >= struct.id.clock + struct.length) low = middle + 1;
    else return struct;
  }
  return undefined;
}

/** Nesting depth of the type an existing item of the record sits in (0 = a top-level type). */
function storedContainerDepth(doc: Y.Doc, id: Y.ID): number {
  let item: Y.Item | Y.GC;
  try {
    item = Y.getItem(doc.store, id) as Y.Item | Y.GC;
  } catch {
    return 0; // not in the record: applying refuses it as a missing dependency
  }
  let depth = 0;
  let type = item instanceof Y.Item ? (item.parent as Y.AbstractType<unknown> | null) : null;
  while (type?._item) {
    depth++;
    type = type._item.parent as Y.AbstractType<unknown> | null;
  }
  return depth;
}

/**
 * Measures `update` against the record state already applied to `doc`. Throws `bad-update` for
 * bytes that do not decode; never applies anything.
 */
export function measureUpdate(doc: Y.Doc, update: Uint8Array): UpdateComplexity {
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  try {
    decoded = Y.decodeUpdate(update);
  } catch {
    throw new HubError('bad-update', 'the update is not a valid Yjs update');
  }
  const known = doc.store.clients;
  const byClient = new Map<number, Struct[]>();
  for (const struct of decoded.structs as Struct[]) {
    const list = byClient.get(struct.id.client);
    if (list) list.push(struct);
    else byClient.set(struct.id.client, [struct]);
  }
  let newClients = 0;
  for (const client of byClient.keys()) if (!known.has(client)) newClients++;
  let deleteRanges = 0;
  for (const ranges of decoded.ds.clients.values()) deleteRanges += ranges.length;

  const inUpdate = (id: Y.ID): Y.Item | undefined => {
    const struct = findCovering(byClient.get(id.client) ?? [], id.clock);
    return struct instanceof Y.Item ? struct : undefined;
  };
  // Container depth of each item of the update, found by following parent / origin links (an
  // item encoded with an origin lives in its origin's container). Iterative: an update may chain
  // thousands of items, and a hostile one may chain them in a circle.
  const containerDepth = new Map<Y.Item, number>();
  const depthOf = (start: Y.Item, level: number): number => {
    // Each level is one nested type further in: past the limit, stop before going deeper.
    if (level > limits.maxUpdateNestingDepth) throw tooComplex(`nested types at most ${limits.maxUpdateNestingDepth} deep`);
    const path: Y.Item[] = [];
    const onPath = new Set<Y.Item>();
    let base = 0;
    let item: Y.Item | undefined = start;
    while (item) {
      const memo = containerDepth.get(item);
      if (memo !== undefined) {
        base = memo;
        break;
      }
      if (onPath.has(item)) throw new HubError('bad-update', 'the update is not a valid Yjs update');
      path.push(item);
      onPath.add(item);
      const parent = item.parent as unknown;
      if (typeof parent === 'string') break; // in a top-level type
      if (parent instanceof Y.ID) {
        // In the type that the parent item holds: one deeper than the parent item's container.
        const parentItem = inUpdate(parent);
        base = (parentItem ? depthOf(parentItem, level + 1) : storedContainerDepth(doc, parent)) + 1;
        break;
      }
      const link = item.origin ?? item.rightOrigin;
      if (!link) break;
      const next = inUpdate(link);
      if (!next) {
        base = storedContainerDepth(doc, link);
        break;
      }
      item = next;
    }
    for (const visited of path) containerDepth.set(visited, base);
    return base;
  };
  let nestingDepth = 0;
  for (const struct of decoded.structs as Struct[]) {
    if (struct instanceof Y.Item && struct.content instanceof Y.ContentType) nestingDepth = Math.max(nestingDepth, depthOf(struct, 0) + 1);
  }
  return { newClients, structs: decoded.structs.length, deleteRanges, nestingDepth };
}

function tooComplex(what: string): HubError {
  return new HubError('update-too-complex', `an update may hold ${what}`);
}

/** Refuses with `update-too-complex` an update above any of the limits; returns its measure. */
export function checkUpdateComplexity(doc: Y.Doc, update: Uint8Array): UpdateComplexity {
  const measured = measureUpdate(doc, update);
  if (measured.newClients > limits.maxUpdateNewClients) throw tooComplex(`at most ${limits.maxUpdateNewClients} new client ids`);
  if (measured.structs > limits.maxUpdateStructs) throw tooComplex(`at most ${limits.maxUpdateStructs} structs`);
  if (measured.deleteRanges > limits.maxUpdateDeleteRanges) throw tooComplex(`at most ${limits.maxUpdateDeleteRanges} deletion ranges`);
  if (measured.nestingDepth > limits.maxUpdateNestingDepth) throw tooComplex(`nested types at most ${limits.maxUpdateNestingDepth} deep`);
  return measured;
}
