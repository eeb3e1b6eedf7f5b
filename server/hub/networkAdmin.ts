import type * as Y from 'yjs';
import { canonicalOptionalSections, network, networkMutators, networkProjectionSchema, NETWORK_RECORD_ID, stewardScopes, type NetworkProjection, type StewardScope } from '../../shared/records/network';
import { org, orgMutators } from '../../shared/records/org';
import type { EditContext } from '../../shared/records/recordModule';
import type { Role } from '../../shared/records/recordType';
import { regionNamePath, regionTreeProblem } from '../../shared/records/regionTree';
import {
  DEFAULT_INVITATION_DAYS,
  invitationLink,
  MAX_INVITATION_DAYS,
  type CreatedInvitation,
  type DeviceView,
  type InvitationView,
  type NetworkSettings,
  type OrgView,
  type SettingsUpdate,
} from '../../shared/sync/adminProtocol';
import type { AuditEntry, AuditEntryInput, DeviceRow, HubStorage, InvitationListRow, OrgRow, Revocation } from '../storage/hubStorage';
import type { CommitEvent } from './hub';
import { HubError } from './hubError';
import { publishHubKey } from './hubKey';
import { isOrgNameTaken } from './orgNames';
import { commitSystemChange } from './systemWrites';
import { hashInvitationCode, newId, newInvitationCode, newSecret } from './tokens';

/*
 * What the secretariat does to run the network (docs/PROTOCOL.md, "Administration"), for the app's
 * admin endpoints (server/http/adminRoutes.ts) and the `hub` command line alike: invitations,
 * organizations and their devices, revocation with wipe, roles, steward scopes, network settings,
 * the audit log. Every act is checked whole before anything is written, refuses with a HubError
 * code, and appends one audit entry when done. Records the hub writes here (the network record,
 * organization profiles) are announced like any commit, so devices pull them: the console's acts
 * through `AdminContext.announce`, the command line's (another process) by the serving hub, which
 * announces every commit no event told it of (unheardCommits.ts).
 */

/** Who performs an administrative act: a secretariat device, or the command line on the server. */
export interface AdminActor {
  readonly orgId: string | null;
  readonly credentialId: string | null;
  readonly deviceName: string;
}

export const COMMAND_LINE_ACTOR: AdminActor = { orgId: null, credentialId: null, deviceName: 'hub command line' };

export interface AdminContext {
  readonly storage: HubStorage;
  readonly actor: AdminActor;
  readonly now: number;
  /**
   * Tells live connections about a record the act wrote (the Hub's announce). None from the command
   * line: a hub serving the same storage finds those commits itself within a second (unheardCommits.ts).
   */
  readonly announce?: (event: CommitEvent) => void;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function systemContext(orgId: string, now: number): EditContext {
  return { orgId, deviceId: 'hub', role: 'secretariat', now };
}

async function secretariatOrgId(storage: HubStorage): Promise<string> {
  const id = await storage.getMeta('secretariatOrg');
  if (!id) throw new Error('no network here yet: run `hub init` first');
  return id;
}

async function writeNetwork(ctx: AdminContext, change: (doc: Y.Doc, edit: EditContext) => void): Promise<void> {
  const secretariatId = await secretariatOrgId(ctx.storage);
  const seq = await commitSystemChange(ctx.storage, { id: NETWORK_RECORD_ID, type: 'network', ownerOrg: secretariatId, createdAt: ctx.now }, (doc) =>
    change(doc, systemContext(secretariatId, ctx.now)),
  );
  ctx.announce?.({ seq, recordIds: [NETWORK_RECORD_ID] });
}

async function loadNetwork(storage: HubStorage): Promise<NetworkProjection> {
  const stored = await storage.getRecord(NETWORK_RECORD_ID);
  if (!stored) throw new Error('the hub holds no network record');
  return networkProjectionSchema.parse(stored.projection);
}

function audit(ctx: AdminContext, entry: Omit<AuditEntryInput, 'at' | 'actor'>): Promise<number> {
  return ctx.storage.appendAudit({ ...entry, at: ctx.now, actor: ctx.actor });
}

async function requireOrg(storage: HubStorage, orgId: string): Promise<OrgRow> {
  const row = await storage.getOrg(orgId);
  if (!row) throw new HubError('not-found', `no organization ${orgId}`);
  return row;
}

async function isOrgRevoked(storage: HubStorage, orgId: string): Promise<boolean> {
  return (await storage.orgRevocations()).some((row) => row.orgId === orgId);
}

// ---- The network -------------------------------------------------------------------------------

export async function initNetwork(
  storage: HubStorage,
  options: { name: string; topic?: string; secretariatName?: string; now?: number },
): Promise<{ code: string; orgId: string; role: Role; expiresAt: number }> {
  const now = options.now ?? Date.now();
  if (await storage.getMeta('networkId')) throw new Error('this data folder already holds a network');
  await storage.initMeta('secret', newSecret());
  await storage.initMeta('networkId', newId('net'));
  const secretariatId = newId('org');
  await storage.initMeta('secretariatOrg', secretariatId);
  const secretariatName = options.secretariatName?.trim() || `${options.name} secretariat`;
  await storage.createOrg({ id: secretariatId, name: secretariatName, role: 'secretariat', createdAt: now });
  const input = network.parseInput({ name: options.name, topic: options.topic ?? '' });
  await commitSystemChange(storage, { id: NETWORK_RECORD_ID, type: 'network', ownerOrg: secretariatId, createdAt: now }, (doc) =>
    network.create(doc, input, systemContext(secretariatId, now)),
  );
  // The seal key is made now, so the network record every device first pulls already carries it.
  await publishHubKey(storage, now);
  const ctx: AdminContext = { storage, actor: COMMAND_LINE_ACTOR, now };
  await audit(ctx, { action: 'init', target: { kind: 'network', id: NETWORK_RECORD_ID, name: options.name }, details: { secretariatName } });
  const created = await createInvitation(ctx, { orgId: secretariatId, expiresInDays: DEFAULT_INVITATION_DAYS });
  return { code: created.code, orgId: secretariatId, role: 'secretariat', expiresAt: created.invitation.expiresAt };
}

// ---- Invitations -------------------------------------------------------------------------------

function invitationState(row: InvitationListRow, now: number): InvitationView['state'] {
  if (row.usedAt !== null) return 'used';
  if (row.withdrawnAt !== null) return 'withdrawn';
  return row.expiresAt <= now ? 'expired' : 'pending';
}

function invitationView(row: InvitationListRow, orgs: ReadonlyMap<string, OrgRow>, devices: ReadonlyMap<string, DeviceRow>, now: number): InvitationView {
  const device = row.usedBy ? devices.get(row.usedBy) : undefined;
  return {
    id: row.id,
    orgId: row.orgId,
    orgName: orgs.get(row.orgId)?.name ?? '',
    role: row.role,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    state: invitationState(row, now),
    usedAt: row.usedAt,
    usedBy: device ? { credentialId: device.id, deviceId: device.deviceId, deviceName: device.deviceName } : null,
    withdrawnAt: row.withdrawnAt,
  };
}

async function viewInvitation(storage: HubStorage, row: InvitationListRow, now: number): Promise<InvitationView> {
  const orgRow = await storage.getOrg(row.orgId);
  const device = row.usedBy ? await storage.getDevice(row.usedBy) : null;
  return invitationView(row, new Map(orgRow ? [[orgRow.id, orgRow]] : []), new Map(device ? [[device.id, device]] : []), now);
}

const isInvitationDays = (days: number): boolean => Number.isInteger(days) && days >= 1 && days <= MAX_INVITATION_DAYS;

/** The one refusal of an invitation's validity outside 1 to 90 whole days, for the admin route and the command line alike. */
export function invitationDaysRefusal(): HubError {
  return new HubError('bad-request', `expiresInDays: an invitation is valid for 1 to ${MAX_INVITATION_DAYS} whole days`);
}

/**
 * Invites a new organization (`orgName`, `role`) or another device of an existing one (`orgId`).
 * A new organization gets its directory row, its profile record and its entry in the network's
 * member list. The code is in the answer only: the hub keeps its hash.
 */
export async function createInvitation(
  ctx: AdminContext,
  request: { orgName?: string; orgId?: string; role?: Role; expiresInDays?: number; ttlMs?: number; hubAddress?: string },
): Promise<CreatedInvitation> {
  const { storage, now } = ctx;
  // Before anything is written: a 0 must never become some other expiry (the console once made it 1).
  if (request.expiresInDays !== undefined && !isInvitationDays(request.expiresInDays)) throw invitationDaysRefusal();
  const secretariatId = await secretariatOrgId(storage);
  let orgRow: OrgRow;
  if (request.orgId !== undefined) {
    orgRow = await requireOrg(storage, request.orgId);
    if (await isOrgRevoked(storage, orgRow.id)) throw new HubError('org-revoked', `organization ${orgRow.id} was revoked`);
  } else {
    const name = request.orgName?.trim();
    if (!name) throw new HubError('bad-request', 'an invitation needs orgName (a new organization) or orgId (another device)');
    const role = request.role ?? 'member';
    if (role === 'secretariat') throw new HubError('secretariat-protected', 'the network has one secretariat, fixed when it was made');
    // The same rule as a profile rename (orgNames.ts): no second organization under a taken name.
    if (await isOrgNameTaken(storage, name, null)) throw new HubError('name-taken', 'another organization already has this name');
    const id = newId('org');
    await storage.createOrg({ id, name, role, createdAt: now });
    orgRow = (await storage.getOrg(id))!;
  }
  const { id: orgId, name, role } = orgRow;
  if (!(await storage.getRecord(orgId))) {
    const input = org.parseInput({ name });
    const seq = await commitSystemChange(storage, { id: orgId, type: 'org', ownerOrg: orgId, createdAt: now }, (doc) => org.create(doc, input, systemContext(secretariatId, now)));
    ctx.announce?.({ seq, recordIds: [orgId] });
  }
  await writeNetwork(ctx, (doc, edit) => networkMutators.setMember.apply(doc, { orgId, name, role }, edit));
  const code = newInvitationCode();
  const codeHash = hashInvitationCode(code);
  const expiresAt = now + (request.ttlMs ?? (request.expiresInDays ?? DEFAULT_INVITATION_DAYS) * DAY_MS);
  await storage.createInvitation({ codeHash, orgId, role, createdAt: now, expiresAt });
  const row = (await storage.getInvitation({ codeHash }))!;
  await audit(ctx, {
    action: 'invite',
    target: { kind: 'org', id: orgId, name },
    details: { invitationId: row.id, role, expiresAt, newOrganization: request.orgId === undefined },
  });
  const invitation = await viewInvitation(storage, row, now);
  return { code, link: request.hubAddress ? invitationLink(request.hubAddress, code) : '', invitation };
}

/** The old command-line entry: invitation code, organization, role and expiry. */
export async function inviteOrg(
  storage: HubStorage,
  options: { orgName?: string; role?: Role; orgId?: string; now?: number; ttlMs?: number },
): Promise<{ code: string; orgId: string; role: Role; expiresAt: number }> {
  const created = await createInvitation(
    { storage, actor: COMMAND_LINE_ACTOR, now: options.now ?? Date.now() },
    options.orgId !== undefined
      ? { orgId: options.orgId, ...(options.ttlMs !== undefined ? { ttlMs: options.ttlMs } : {}) }
      : { ...(options.orgName !== undefined ? { orgName: options.orgName } : {}), role: options.role ?? 'member', ...(options.ttlMs !== undefined ? { ttlMs: options.ttlMs } : {}) },
  );
  return { code: created.code, orgId: created.invitation.orgId, role: created.invitation.role, expiresAt: created.invitation.expiresAt };
}

export async function listInvitations(storage: HubStorage, now: number): Promise<InvitationView[]> {
  const [rows, orgs, devices] = await Promise.all([storage.listInvitations(), storage.listOrgs(), storage.listDevices()]);
  const orgsById = new Map(orgs.map((row) => [row.id, row]));
  const devicesById = new Map(devices.map((row) => [row.id, row]));
  return rows.map((row) => invitationView(row, orgsById, devicesById, now));
}

export async function withdrawInvitation(ctx: AdminContext, invitationId: string): Promise<InvitationView> {
  const row = await ctx.storage.getInvitation({ id: invitationId });
  if (!row) throw new HubError('not-found', `no invitation ${invitationId}`);
  if ((await ctx.storage.withdrawInvitations({ codeHash: row.codeHash }, ctx.now)) === 0) {
    throw new HubError('invitation-not-pending', `invitation ${invitationId} is ${invitationState(row, ctx.now)}, not pending`);
  }
  const orgRow = await ctx.storage.getOrg(row.orgId);
  await audit(ctx, { action: 'withdraw-invitation', target: { kind: 'invitation', id: row.id, name: orgRow?.name ?? '' }, details: { orgId: row.orgId } });
  return viewInvitation(ctx.storage, (await ctx.storage.getInvitation({ codeHash: row.codeHash }))!, ctx.now);
}

/**
 * Why a code that redeemed nothing was refused: the most specific code the invitation's state
 * gives (a code the hub never issued stays `invitation-invalid`).
 */
export async function invitationRefusal(storage: HubStorage, codeHash: string, now: number): Promise<HubError> {
  const row = await storage.getInvitation({ codeHash });
  if (!row) return new HubError('invitation-invalid', 'the invitation code is unknown');
  if (row.usedAt !== null) return new HubError('invitation-used', 'this invitation was used already by another device');
  if (row.withdrawnAt !== null) return new HubError('invitation-withdrawn', 'the secretariat withdrew this invitation');
  if (row.expiresAt <= now) return new HubError('invitation-expired', 'this invitation has expired');
  return new HubError('invitation-invalid', 'the invitation could not be used');
}

// ---- Organizations and devices -----------------------------------------------------------------

function deviceView(row: DeviceRow, selfCredentialId: string | null): DeviceView {
  return {
    credentialId: row.id,
    deviceId: row.deviceId,
    deviceName: row.deviceName,
    role: row.role,
    joinedAt: row.createdAt,
    lastSeenAt: row.lastSeenAt,
    appVersion: row.appVersion,
    revokedAt: row.revokedAt,
    revokeReason: row.revokeReason,
    wipe: row.wipe,
    isYou: row.id === selfCredentialId,
  };
}

/** Every organization with its devices, in the order they were made (the secretariat first). */
export async function listOrganizations(storage: HubStorage, selfCredentialId: string | null): Promise<OrgView[]> {
  const [orgs, devices, revocations, networkRecord] = await Promise.all([storage.listOrgs(), storage.listDevices(), storage.orgRevocations(), loadNetwork(storage)]);
  const revoked = new Map(revocations.map((row) => [row.orgId, row]));
  return [...orgs]
    .sort((a, b) => (a.role === 'secretariat' ? -1 : 0) - (b.role === 'secretariat' ? -1 : 0) || a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
    .map((row) => {
      const own = devices.filter((device) => device.orgId === row.id).map((device) => deviceView(device, selfCredentialId));
      const seen = [row.lastSeenAt, ...own.map((device) => device.lastSeenAt)].filter((at): at is number => at !== null);
      const revocation = revoked.get(row.id);
      return {
        id: row.id,
        name: row.name,
        role: row.role,
        createdAt: row.createdAt,
        lastSeenAt: seen.length > 0 ? Math.max(...seen) : null,
        revokedAt: revocation?.revokedAt ?? null,
        revokeReason: revocation?.reason ?? null,
        stewardScopes: row.role === 'steward' ? (networkRecord.stewardGrants.find((grant) => grant.orgId === row.id)?.scopes ?? []) : [],
        devices: own,
      };
    });
}

async function orgView(storage: HubStorage, orgId: string, selfCredentialId: string | null): Promise<OrgView> {
  return (await listOrganizations(storage, selfCredentialId)).find((row) => row.id === orgId)!;
}

export async function revokeDevice(ctx: AdminContext, credentialId: string, revocation: Revocation): Promise<DeviceView> {
  const { storage, now } = ctx;
  const device = await storage.getDevice(credentialId);
  if (!device) throw new HubError('not-found', `no device credential ${credentialId}`);
  if (device.revokedAt !== null) {
    // Revoked without wipe, then found stolen: it may still be told to erase.
    if (!revocation.wipe || device.wipe || !(await storage.markWipe(credentialId, revocation.reason))) {
      throw new HubError('already-revoked', `device ${device.deviceName} was revoked already`);
    }
  } else {
    if (device.orgId === (await secretariatOrgId(storage))) {
      // Checked and revoked in one storage step: revocations sent at once must not strip every device.
      const outcome = await storage.revokeDeviceKeepingOne(credentialId, device.orgId, now, revocation);
      if (outcome === 'last-standing') throw new HubError('secretariat-protected', "this is the secretariat's last device: the network would lose its administrator");
      if (outcome === 'already-revoked') throw new HubError('already-revoked', `device ${device.deviceName} was revoked already`);
    } else if ((await storage.revokeDevices({ credentialId }, now, revocation)).length === 0) {
      throw new HubError('already-revoked', `device ${device.deviceName} was revoked already`);
    }
  }
  await audit(ctx, { action: 'revoke-device', target: { kind: 'device', id: credentialId, name: device.deviceName }, details: { orgId: device.orgId, reason: revocation.reason, wipe: revocation.wipe } });
  return deviceView((await storage.getDevice(credentialId))!, ctx.actor.credentialId);
}

export async function revokeOrganization(ctx: AdminContext, orgId: string, revocation: Revocation): Promise<OrgView> {
  const { storage, now } = ctx;
  const row = await requireOrg(storage, orgId);
  if (orgId === (await secretariatOrgId(storage))) throw new HubError('secretariat-protected', 'the secretariat cannot revoke its own organization');
  const result = await storage.revokeOrg(orgId, now, revocation);
  if (!result) throw new HubError('already-revoked', `organization ${row.name} was revoked already`);
  await audit(ctx, {
    action: 'revoke-org',
    target: { kind: 'org', id: orgId, name: row.name },
    details: { reason: revocation.reason, wipe: revocation.wipe, revokedDevices: result.revokedCredentials.length, withdrawnInvitations: result.withdrawnInvitations },
  });
  return orgView(storage, orgId, ctx.actor.credentialId);
}

export async function setOrganizationRole(ctx: AdminContext, orgId: string, role: Role): Promise<OrgView> {
  const { storage } = ctx;
  const row = await requireOrg(storage, orgId);
  if (row.role === 'secretariat' || role === 'secretariat') throw new HubError('secretariat-protected', 'the network has one secretariat, fixed when it was made');
  if (await isOrgRevoked(storage, orgId)) throw new HubError('org-revoked', `organization ${row.name} was revoked`);
  if (row.role !== role) {
    await storage.setOrgRole(orgId, role);
    await writeNetwork(ctx, (doc, edit) => {
      networkMutators.setMember.apply(doc, { orgId, name: row.name, role }, edit);
      // Steward scopes mean nothing for another role: leaving steward withdraws them.
      if (row.role === 'steward') networkMutators.setStewardGrant.apply(doc, { orgId, scopes: [] }, edit);
    });
    await audit(ctx, { action: 'set-role', target: { kind: 'org', id: orgId, name: row.name }, details: { from: row.role, to: role } });
  }
  return orgView(storage, orgId, ctx.actor.credentialId);
}

export async function setStewardScopes(ctx: AdminContext, orgId: string, scopes: readonly string[]): Promise<OrgView> {
  const { storage } = ctx;
  const unknown = scopes.filter((scope) => !(stewardScopes as readonly string[]).includes(scope));
  if (unknown.length > 0) throw new HubError('unknown-scope', `no steward scope ${unknown.join(', ')}; the scopes are ${stewardScopes.join(', ')}`);
  if (new Set(scopes).size !== scopes.length) throw new HubError('bad-request', 'scopes must not repeat');
  const row = await requireOrg(storage, orgId);
  if (await isOrgRevoked(storage, orgId)) throw new HubError('org-revoked', `organization ${row.name} was revoked`);
  if (row.role !== 'steward') throw new HubError('not-steward', `organization ${row.name} is a ${row.role}, not a steward`);
  const ordered = stewardScopes.filter((scope) => scopes.includes(scope)) as StewardScope[];
  await writeNetwork(ctx, (doc, edit) => networkMutators.setStewardGrant.apply(doc, { orgId, scopes: ordered }, edit));
  await audit(ctx, { action: 'set-steward-scopes', target: { kind: 'org', id: orgId, name: row.name }, details: { scopes: ordered } });
  return orgView(storage, orgId, ctx.actor.credentialId);
}

// ---- Network settings --------------------------------------------------------------------------

export async function getSettings(storage: HubStorage): Promise<NetworkSettings> {
  const networkRecord = await loadNetwork(storage);
  const secretariat = await storage.getOrg(await secretariatOrgId(storage));
  return {
    networkName: networkRecord.name,
    secretariatName: secretariat?.name ?? '',
    topic: networkRecord.topic,
    topics: networkRecord.topics,
    regions: networkRecord.regionTree,
    stages: networkRecord.stages,
    assessment: networkRecord.assessment,
    maxAttachmentBytes: networkRecord.maxAttachmentBytes,
    optionalSections: networkRecord.optionalSections,
  };
}

/** JSON with object keys sorted, so two equal settings values compare equal whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : inner,
  );
}

export async function updateSettings(ctx: AdminContext, requested: SettingsUpdate): Promise<NetworkSettings> {
  const { storage, now } = ctx;
  if (requested.regions) {
    const problem = regionTreeProblem(requested.regions);
    if (problem) throw new HubError('bad-region-tree', problem);
  }
  // The console sends its whole form: only what differs from the current settings is written and audited.
  const current = await getSettings(storage);
  const canonical: SettingsUpdate = requested.optionalSections ? { ...requested, optionalSections: canonicalOptionalSections(requested.optionalSections) } : requested;
  const update = Object.fromEntries(
    Object.entries(canonical).filter(([key, value]) => value !== undefined && canonicalJson(value) !== canonicalJson(current[key as keyof NetworkSettings])),
  ) as SettingsUpdate;
  const changedFields = Object.keys(update).sort();
  if (changedFields.length === 0) return current;
  const secretariatId = await secretariatOrgId(storage);
  const details = {
    ...(update.networkName !== undefined ? { name: update.networkName } : {}),
    ...(update.topic !== undefined ? { topic: update.topic } : {}),
    ...(update.topics !== undefined ? { topics: [...update.topics] } : {}),
    ...(update.stages !== undefined ? { stages: [...update.stages] } : {}),
    ...(update.maxAttachmentBytes !== undefined ? { maxAttachmentBytes: update.maxAttachmentBytes } : {}),
    ...(update.optionalSections !== undefined ? { optionalSections: [...update.optionalSections] } : {}),
    ...(update.regions !== undefined
      ? { regionTree: [...update.regions], regions: update.regions.map((node) => regionNamePath(update.regions!, node.id, 'zh')) }
      : {}),
  };
  if (Object.keys(details).length > 0 || update.assessment !== undefined) {
    await writeNetwork(ctx, (doc, edit) => {
      if (Object.keys(details).length > 0) networkMutators.setDetails.apply(doc, details, edit);
      if (update.assessment !== undefined) networkMutators.setAssessment.apply(doc, update.assessment, edit);
    });
  }
  if (update.secretariatName !== undefined) {
    const name = update.secretariatName;
    await storage.renameOrg(secretariatId, name);
    const seq = await commitSystemChange(storage, { id: secretariatId, type: 'org', ownerOrg: secretariatId, createdAt: now }, (doc) => {
      if (doc.share.size === 0) org.create(doc, org.parseInput({ name }), systemContext(secretariatId, now));
      else orgMutators.setProfile.apply(doc, { name }, systemContext(secretariatId, now));
    });
    ctx.announce?.({ seq, recordIds: [secretariatId] });
    await writeNetwork(ctx, (doc, edit) => networkMutators.setMember.apply(doc, { orgId: secretariatId, name, role: 'secretariat' }, edit));
  }
  await audit(ctx, { action: 'settings', target: { kind: 'network', id: NETWORK_RECORD_ID, name: (await loadNetwork(storage)).name }, details: { fields: changedFields } });
  return getSettings(storage);
}

// ---- The audit log -----------------------------------------------------------------------------

export function listAudit(storage: HubStorage, options: { before?: number; limit?: number } = {}): Promise<AuditEntry[]> {
  return storage.listAudit({ ...(options.before !== undefined ? { before: options.before } : {}), limit: options.limit ?? 200 });
}

/** Every entry, oldest first. */
export async function allAuditEntries(storage: HubStorage): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for (let before: number | undefined; ; ) {
    const page = await storage.listAudit({ ...(before !== undefined ? { before } : {}), limit: 1000 });
    entries.push(...page);
    if (page.length < 1000) break;
    before = page.at(-1)!.id;
  }
  return entries.reverse();
}

/** A cell that a spreadsheet would read as a formula is given a leading `'`. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const AUDIT_CSV_COLUMNS = ['id', 'at', 'action', 'actorOrgId', 'actorDeviceName', 'targetKind', 'targetId', 'targetName', 'details'] as const;

export function auditCsv(entries: readonly AuditEntry[]): string {
  const rows = entries.map((entry) =>
    [
      String(entry.id),
      new Date(entry.at).toISOString(),
      entry.action,
      entry.actor.orgId ?? '',
      entry.actor.deviceName,
      entry.target.kind,
      entry.target.id,
      entry.target.name,
      JSON.stringify(entry.details),
    ].map(csvCell),
  );
  return `\ufeff${[AUDIT_CSV_COLUMNS.join(','), ...rows.map((row) => row.join(','))].join('\r\n')}\r\n`;
}
