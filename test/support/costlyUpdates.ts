import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/*
 * Yjs updates that cost the hub far more time than their bytes, as a hostile member would craft
 * them (issue 12, "Cost"). Built byte by byte where the Yjs API would never write them.
 */

/** `clients` Yjs clients each setting the same key of a top-level map: quadratic to integrate. */
export function manyClientsOneKey(clients: number, map = 'fields', key = 'title'): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, clients);
  // Highest client first, as Y.mergeUpdates writes them.
  for (let i = clients - 1; i >= 0; i--) {
    encoding.writeVarUint(encoder, 1); // one struct
    encoding.writeVarUint(encoder, 1_000_000 + i);
    encoding.writeVarUint(encoder, 0); // clock
    encoding.writeUint8(encoder, 8 | 0x20); // ContentAny, with a parent key (no origins)
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarString(encoder, map);
    encoding.writeVarString(encoder, key);
    encoding.writeVarUint(encoder, 1);
    encoding.writeAny(encoder, 'x');
  }
  encoding.writeVarUint(encoder, 0); // no deletions
  return encoding.toUint8Array(encoder);
}

/**
 * One client writing `count` concurrent values to one map key: each item claims no left or right
 * neighbour, so integrating it walks every earlier one (quadratic, one client, no deletion
 * ranges, a few bytes per struct). Yjs' own API never writes such an update.
 */
export function oneClientConflictingWrites(count: number, client = 4_242_424, map = 'fields', key = 'title'): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1); // clients
  encoding.writeVarUint(encoder, count); // structs of that client
  encoding.writeVarUint(encoder, client);
  encoding.writeVarUint(encoder, 0); // first clock
  for (let i = 0; i < count; i++) {
    encoding.writeUint8(encoder, 8 | 0x20); // ContentAny, with a parent key (no origins)
    encoding.writeVarUint(encoder, 1); // the parent is a top-level type, named
    encoding.writeVarString(encoder, map);
    encoding.writeVarString(encoder, key);
    encoding.writeVarUint(encoder, 1); // one value
    encoding.writeAny(encoder, i);
  }
  encoding.writeVarUint(encoder, 0); // no deletions
  return encoding.toUint8Array(encoder);
}

/** `depth` maps each nested in the one before, under the top-level map `map`. */
export function deeplyNestedMaps(depth: number, map = 'junk'): Uint8Array {
  const doc = new Y.Doc();
  doc.transact(() => {
    let parent: Y.Map<unknown> = doc.getMap(map);
    for (let i = 0; i < depth; i++) {
      const child = new Y.Map<unknown>();
      parent.set('child', child);
      parent = child;
    }
  });
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}
