import type { TFunction } from 'i18next';
import { formatDateTime } from '../workbench/reasonText';
import type { AdminDevice, AdminInvitation, AdminOrg, AuditEntry, InvitationState } from './adminApi';

/*
 * What the console's screens show, worked out from the hub's answers: pure functions, tested
 * beside the screens (test/unit/adminView.test.ts). The hub decides every act; these only keep
 * the console from offering one the hub would refuse.
 */

export function invitationStateColor(state: InvitationState): string {
  switch (state) {
    case 'pending':
      return 'blue';
    case 'used':
      return 'green';
    case 'expired':
      return 'gray';
    case 'withdrawn':
      return 'red';
  }
}

/** The second line of an invitation's state: by which device and when it was used, or when withdrawn. */
export function invitationStateLine(t: TFunction, language: string, invitation: AdminInvitation): string | null {
  if (invitation.state === 'used' && invitation.usedAt !== null) return t('admin.invitations.usedBy', { device: invitation.usedBy?.deviceName ?? '', time: formatDateTime(language, invitation.usedAt) });
  if (invitation.state === 'withdrawn' && invitation.withdrawnAt !== null) return t('admin.invitations.withdrawnAt', { time: formatDateTime(language, invitation.withdrawnAt) });
  return null;
}

/** Why a device cannot be revoked from the console, or null when it can (or can still be marked for wipe). */
export type RevokeBlock = 'already-revoked' | 'last-secretariat-device';

export function deviceRevokeBlock(org: AdminOrg, device: AdminDevice): RevokeBlock | null {
  if (device.revokedAt !== null) return device.wipe ? 'already-revoked' : null;
  if (org.role === 'secretariat' && org.devices.filter((d) => d.revokedAt === null).length <= 1) return 'last-secretariat-device';
  return null;
}

export function orgRevokeBlock(org: AdminOrg): 'already-revoked' | 'secretariat' | null {
  if (org.role === 'secretariat') return 'secretariat';
  if (org.revokedAt !== null) return 'already-revoked';
  return null;
}

/** A device's standing in a few words' key: active, revoked, or revoked and to be (or already) wiped. */
export function deviceStandingKey(device: AdminDevice): string {
  if (device.revokedAt === null) return 'admin.orgs.active';
  return device.wipe ? 'admin.orgs.revokedWipe' : 'admin.orgs.revoked';
}

/** The organizations, active first in the hub's order, then the revoked ones. */
export function orderedOrgs(orgs: readonly AdminOrg[]): AdminOrg[] {
  return [...orgs.filter((org) => org.revokedAt === null), ...orgs.filter((org) => org.revokedAt !== null)];
}

const detailText = (value: unknown): string => (Array.isArray(value) ? value.map(String).join(', ') : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));

/** One audit entry as a sentence: who did what to whom, with the details that matter. */
export function auditLine(t: TFunction, entry: AuditEntry): string {
  const target = entry.target.name ?? entry.target.id;
  const action = t(`admin.audit.action.${entry.action}`, { defaultValue: entry.action });
  const details = Object.entries(entry.details)
    // Ids are for the CSV, not for reading: the target's name is already in the line.
    .filter(([key, value]) => value !== null && value !== undefined && value !== '' && !/Id$/.test(key))
    .map(([key, value]) => {
      if (key === 'role') return t('admin.audit.detail.role', { role: t(`roles.${String(value)}`, { defaultValue: String(value) }) });
      if (key === 'scopes') return t('admin.audit.detail.scopes', { scopes: Array.isArray(value) && value.length > 0 ? value.map((scope) => t(`admin.scope.${String(scope)}.name`, { defaultValue: String(scope) })).join(', ') : t('admin.audit.detail.none') });
      if (key === 'wipe') return value === true ? t('admin.audit.detail.wipe') : '';
      if (key === 'reason') return t('admin.audit.detail.reason', { reason: detailText(value) });
      if (key === 'orgName') return t('admin.audit.detail.orgName', { org: detailText(value) });
      if (key === 'appVersion') return t('admin.audit.detail.appVersion', { version: detailText(value) });
      if (key === 'newOrganization') return value === true ? t('admin.audit.detail.newOrganization') : '';
      if (key === 'secretariatName') return t('admin.audit.detail.secretariatName', { name: detailText(value) });
      if (key === 'fields' && Array.isArray(value)) {
        const names = value.map((field) => t(`admin.audit.detail.field.${String(field)}`, { defaultValue: String(field) }));
        return t('admin.audit.detail.fields', { fields: names.length > 0 ? names.join(t('admin.audit.detail.fieldSeparator')) : t('admin.audit.detail.none') });
      }
      if (key === 'expiresAt' && typeof value === 'number') return t('admin.audit.detail.expires', { time: new Date(value).toISOString().slice(0, 10) });
      return `${key}: ${detailText(value)}`;
    })
    .filter(Boolean);
  return [`${action} · ${target}`, ...details].join(' · ');
}
