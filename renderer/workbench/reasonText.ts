import type { TFunction } from 'i18next';
import type { EligibilityReason } from '../../shared/matching/offerEligibility';
import type { PartnerReason } from '../../shared/matching/rankPartners';
import type { NetworkProjection } from '../../shared/records/network';
import { formatRegion } from '../../shared/records/region';
import { screenDateFormat } from '../i18n/dateTime';

/** A stage's name: the translated default name where there is one, else the network's label, else its id. */
export function stageLabel(t: TFunction, network: Pick<NetworkProjection, 'stages'> | null, id: string): string {
  if (!id) return t('workbench.stageUnknown');
  const label = network?.stages.find((s) => s.id === id)?.label ?? id;
  return t(`orgs.stages.${id}`, { defaultValue: label });
}

/** "same county", "2 of 3 capabilities", "stage: growing": the words behind a partner score. */
export function partnerReasonText(t: TFunction, network: Pick<NetworkProjection, 'stages'> | null, reason: PartnerReason): string {
  switch (reason.key) {
    case 'same-township':
    case 'same-county':
    case 'same-province':
    case 'different-region':
    case 'region-unknown':
    case 'size-unknown':
    case 'stage-unknown':
      return t(`workbench.reason.${reason.key}`);
    case 'distance':
      return t('workbench.reason.distance', { km: reason.km });
    case 'capabilities':
      return t('workbench.reason.capabilities', { matched: reason.matched, wanted: reason.wanted });
    case 'size-match':
    case 'size-adjacent':
    case 'size-mismatch':
      return t(`workbench.reason.${reason.key}`, { staff: reason.staff, band: reason.band });
    case 'stage':
    case 'stage-adjacent':
    case 'stage-mismatch':
      return t(`workbench.reason.${reason.key}`, { stage: stageLabel(t, network, reason.stage) });
  }
}

/** One eligibility criterion, met or not. */
export function eligibilityText(t: TFunction, network: Pick<NetworkProjection, 'stages'> | null, reason: EligibilityReason): string {
  switch (reason.key) {
    case 'stage':
      return t('workbench.eligibility.stage', { stage: stageLabel(t, network, reason.stage), wanted: reason.wanted.map((s) => stageLabel(t, network, s)).join(', ') });
    case 'region':
      return reason.within
        ? t('workbench.eligibility.regionWithin', { region: formatRegion(reason.within) })
        : t('workbench.eligibility.regionOutside', { region: formatRegion(reason.region) || t('workbench.unknown') });
    case 'capabilities':
      return reason.missing.length === 0
        ? t('workbench.eligibility.capabilities', { matched: reason.matched, wanted: reason.wanted })
        : t('workbench.eligibility.capabilitiesMissing', { matched: reason.matched, wanted: reason.wanted, missing: reason.missing.join(', ') });
    case 'min-staff':
      return t('workbench.eligibility.minStaff', { staff: reason.staff, min: reason.minStaff });
    case 'max-staff':
      return t('workbench.eligibility.maxStaff', { staff: reason.staff, max: reason.maxStaff });
  }
}

export function formatDate(language: string, at: number): string {
  return screenDateFormat(language, 'date').format(at);
}

export function formatDateTime(language: string, at: number): string {
  return screenDateFormat(language, 'dateTime').format(at);
}
