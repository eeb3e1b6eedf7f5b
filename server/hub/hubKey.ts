import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { network, networkMutators } from '../../shared/records/network';
import type { HubMeta, RecordLog } from '../storage/hubStorage';
import { NETWORK_RECORD_ID } from '../../shared/records/network';
import { commitSystemChange } from './systemWrites';

/*
 * The hub's Ed25519 signing key: generated once per hub data store (at `hub init`, or at the first
 * start of a hub initialized before seals existed) and kept in its storage's meta table beside the
 * token secret, so every hub process on one PostgreSQL signs with the same key. The public half is
 * written into the network record, where every device gets it by sync and checks seals (and sync
 * bundles) offline. The secret half never leaves the hub's storage; see docs/SECURITY.md.
 */

/** The meta key holding the hex secret key. */
export const HUB_KEY_META = 'hubSigningKey';

export interface HubKey {
  /** Hex Ed25519 public key: what network.hubKey holds and verifiers trust. */
  readonly publicKey: string;
  /** The Ed25519 signature (64 bytes) of `message`. Callers sign domain-separated messages only. */
  sign(message: Uint8Array): Uint8Array;
}

/** The hub's key, creating it if this storage has none; two processes racing get the same one. */
export async function loadHubKey(storage: HubMeta): Promise<HubKey> {
  const secretHex = await storage.initMeta(HUB_KEY_META, bytesToHex(ed25519.utils.randomSecretKey()));
  const secretKey = hexToBytes(secretHex);
  const publicKey = bytesToHex(ed25519.getPublicKey(secretKey));
  return { publicKey, sign: (message) => ed25519.sign(message, secretKey) };
}

/**
 * Makes sure the network record carries this hub's public key (written by the hub, through the
 * same commit path as any change). Returns the key. Does nothing when it already does.
 */
export async function publishHubKey(storage: HubMeta & RecordLog, now: number): Promise<HubKey> {
  const key = await loadHubKey(storage);
  const stored = await storage.getRecord(NETWORK_RECORD_ID);
  const secretariatId = await storage.getMeta('secretariatOrg');
  if (!stored || !secretariatId) return key;
  // Decided on the record's state, not its stored projection: a network stored before seals
  // existed has a projection without hubKey. A key already in place commits nothing.
  await commitSystemChange(storage, stored.header, (doc) => {
    if (network.read(doc).hubKey === key.publicKey) return;
    networkMutators.setHubKey.apply(doc, key.publicKey, { orgId: secretariatId, deviceId: 'hub', role: 'secretariat', now });
  });
  return key;
}
