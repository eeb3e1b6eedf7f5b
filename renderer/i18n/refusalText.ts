import type { TFunction } from 'i18next';
import { PermissionError } from '../../shared/client/permissionError';
import { governanceErrorCodes, type GovernanceErrorCode } from '../../shared/governance/governanceErrorCodes';
import { RecordInputError } from '../../shared/records/recordError';
import { ReportInputError } from '../../shared/reports/reportInputError';
import { errorCodes, type ErrorCode } from '../../shared/sync/protocol';

/*
 * The one place a refusal becomes words in the user's language, whatever refused: the rules table
 * on this device (PermissionError), a record's input check (RecordInputError), a report's filter
 * check (ReportInputError), or the hub (a code with its English message, as the sync engine keeps
 * it in quarantine or a ballot's delivery reports it). Screens never read a refusal's fields
 * themselves, so the same refusal reads the same on every screen.
 *
 * A local refusal reads as a sentence, shown on its own. A hub refusal reads as a clause ("the hub
 * does not let your organization change this record"): the screens set it in a sentence of their
 * own that also names the code. A code this app does not know (a newer hub's, or the engine's
 * `http-<status>`) falls back to the hub's own message rather than to nothing.
 */

/** A refusal the hub sent: its protocol code and its (English) message. */
export interface HubRefusal {
  readonly code: string;
  readonly message: string;
}

export function isHubRefusal(value: unknown): value is HubRefusal {
  if (typeof value !== 'object' || value === null || value instanceof Error) return false;
  const { code, message } = value as Partial<Record<keyof HubRefusal, unknown>>;
  return typeof code === 'string' && typeof message === 'string';
}

const isGovernanceCode = (code: string): code is GovernanceErrorCode => (governanceErrorCodes as readonly string[]).includes(code);
const isProtocolCode = (code: string): code is ErrorCode => (errorCodes as readonly string[]).includes(code);

/** The catalog key of a hub code, or null for a code this app has no words for. */
export function hubRefusalKey(code: string): string | null {
  // Governance refusals belong to the governance catalog, beside the screens that explain them.
  if (isGovernanceCode(code)) return `governance.refusal.${code}`;
  if (isProtocolCode(code)) return `refusals.hub.${code}`;
  return null;
}

export function refusalText(t: TFunction, refusal: unknown): string {
  if (refusal instanceof PermissionError) {
    // Proposals are run by the secretariat and the stewards it authorized; say who may, not only "no".
    return refusal.type === 'proposal' ? t('governance.errors.notAllowed') : t('refusals.notAllowed');
  }
  if (refusal instanceof RecordInputError) {
    // The only rule on sharing a record enforces is consent (shared/records/entry.ts).
    if (refusal.field === 'sharing' || refusal.field.endsWith('.sharing')) return t('refusals.consentNeeded');
    return t('refusals.invalid', { reason: refusal.reason });
  }
  if (refusal instanceof ReportInputError) return t(`reports.screen.errors.${refusal.code}`);
  if (isHubRefusal(refusal)) {
    const key = hubRefusalKey(refusal.code);
    return key ? t(key) : refusal.message;
  }
  return refusal instanceof Error ? refusal.message : String(refusal);
}
