import { useMemo } from 'react';
import type { ReportData } from '../../shared/reports/reportData';

/** The organizations on this device as select options, by name. */
export function useOrgOptions(data: ReportData): { value: string; label: string }[] {
  return useMemo(
    () => data.orgs.map((org) => ({ value: org.header.id, label: org.projection.name || org.header.id })).sort((a, b) => a.label.localeCompare(b.label)),
    [data.orgs],
  );
}
