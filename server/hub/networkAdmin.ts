import { network, networkMutators, NETWORK_RECORD_ID } from '../../shared/records/network';
import { org } from '../../shared/records/org';
import type { EditContext } from '../../shared/records/recordModule';
import type { Role } from '../../shared/records/recordType';
import type { Directory, HubMeta, RecordLog } from '../storage/hubStorage';
import { publishHubKey } from './hubKey';
import { commitSystemChange } from './systemWrites';
import { hashInvitationCode, newId, newInvitationCode, newSecret } from './tokens';

/*
 * What the secretariat does from the command line: create the network, invite organizations,
 * revoke credentials. Each invitation creates (or reuses) the organization, its profile record and
 * its entry in the network's member list.
 */

/** What the secretariat's administration touches: the directory, the network's meta and records. */
export type AdminStorage = HubMeta & Directory & RecordLog;

const INVITATION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export interface Invitation {
  readonly code: string;
  readonly orgId: string;
  readonly role: Role;
  readonly expiresAt: number;
}

function systemContext(orgId: string, now: number): EditContext {
  return { orgId, deviceId: 'hub', role: 'secretariat', now };
}

export async function initNetwork(storage: AdminStorage, options: { name: string; topic?: string; secretariatName?: string; now?: number }): Promise<Invitation> {
  const now = options.now ?? Date.now();
  if (await storage.getMeta('networkId')) throw new Error('this data folder already holds a network');
  await storage.initMeta('secret', newSecret());
  await storage.initMeta('networkId', newId('net'));
  const secretariatId = newId('org');
  await storage.initMeta('secretariatOrg', secretariatId);
  const secretariatName = options.secretariatName ?? `${options.name} secretariat`;
  await storage.createOrg({ id: secretariatId, name: secretariatName, role: 'secretariat', createdAt: now });
  const input = network.parseInput({ name: options.name, topic: options.topic ?? '' });
  await commitSystemChange(storage, { id: NETWORK_RECORD_ID, type: 'network', ownerOrg: secretariatId, createdAt: now }, (doc) =>
    network.create(doc, input, systemContext(secretariatId, now)),
  );
  // The seal key is made now, so the network record every device first pulls already carries it.
  await publishHubKey(storage, now);
  return inviteOrg(storage, { orgId: secretariatId, now });
}

/** Invites a new organization (`orgName`, `role`) or another device of an existing one (`orgId`). */
export async function inviteOrg(
  storage: AdminStorage,
  options: { orgName?: string; role?: Role; orgId?: string; now?: number; ttlMs?: number },
): Promise<Invitation> {
  const now = options.now ?? Date.now();
  const secretariatId = await storage.getMeta('secretariatOrg');
  if (!secretariatId) throw new Error('no network here yet: run `hub init` first');
  let orgRow = options.orgId ? await storage.getOrg(options.orgId) : null;
  if (options.orgId && !orgRow) throw new Error(`no organization ${options.orgId}`);
  if (!orgRow) {
    if (!options.orgName?.trim()) throw new Error('an invitation needs --org-name (a new organization) or --org (another device)');
    const role = options.role ?? 'member';
    const id = newId('org');
    await storage.createOrg({ id, name: options.orgName.trim(), role, createdAt: now });
    orgRow = (await storage.getOrg(id))!;
  }
  const { id: orgId, name, role } = orgRow;
  if (!(await storage.getRecord(orgId))) {
    const input = org.parseInput({ name });
    await commitSystemChange(storage, { id: orgId, type: 'org', ownerOrg: orgId, createdAt: now }, (doc) => org.create(doc, input, systemContext(secretariatId, now)));
  }
  await commitSystemChange(storage, { id: NETWORK_RECORD_ID, type: 'network', ownerOrg: secretariatId, createdAt: now }, (doc) =>
    networkMutators.setMember.apply(doc, { orgId, name, role }, systemContext(secretariatId, now)),
  );
  const code = newInvitationCode();
  const expiresAt = now + (options.ttlMs ?? INVITATION_TTL_MS);
  await storage.createInvitation({ codeHash: hashInvitationCode(code), orgId, role, createdAt: now, expiresAt });
  return { code, orgId, role, expiresAt };
}
