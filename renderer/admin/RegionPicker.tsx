import { MultiSelect, Select } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useNetwork } from '../data/useNetwork';
import { formatRegion, regionKey } from '../../shared/records/region';
import type { FieldwiseClient } from '../../shared/client/client';
import type { NetworkProjection } from '../../shared/records/network';
import type { RegionNode } from './adminApi';
import { optionOfPath, regionOptions, type RegionOption } from './regionTree';

/*
 * Region pickers: an entry's, an organization's, an offer's and the partner finder's region are
 * chosen from the network's list, so one region is one value in every count. The list is the
 * network record's region tree (zh and en names) where the hub wrote one, else its list of region
 * paths. A record's region that is not in the list (typed before the list existed) stays shown as
 * it is, marked, until someone picks one from the list.
 */

/** The network's region choices in the reader's language; empty when the network lists none (the screens then keep free text). */
export function networkRegionOptions(network: NetworkProjection | null, language: string): { readonly options: RegionOption[]; readonly tree: readonly RegionNode[] } {
  if (!network) return { options: [], tree: [] };
  const tree = network.regionTree;
  if (tree.length > 0) return { options: regionOptions(tree, language), tree };
  // Without a tree: every listed path and every level above it, largest first.
  const seen = new Map<string, RegionOption>();
  for (const path of network.regions) {
    for (let depth = 1; depth <= path.length; depth++) {
      const prefix = path.slice(0, depth);
      const key = regionKey(prefix);
      if (!seen.has(key)) seen.set(key, { id: key, path: prefix, label: formatRegion(prefix), depth: depth - 1 });
    }
  }
  return { options: [...seen.values()].sort((a, b) => (regionKey(a.path) < regionKey(b.path) ? -1 : 1)), tree: [] };
}

export function useRegionOptions(client: FieldwiseClient) {
  const { i18n } = useTranslation();
  return networkRegionOptions(useNetwork(client), i18n.language);
}

interface PickerProps {
  readonly label: string;
  readonly options: readonly RegionOption[];
  readonly tree: readonly RegionNode[];
  readonly testId?: string;
  readonly readOnly?: boolean;
  readonly error?: string | null | undefined;
}

function choices(t: (key: string, values?: Record<string, string>) => string, options: readonly RegionOption[], tree: readonly RegionNode[], current: readonly (readonly string[])[]) {
  const data = options.map((option) => ({ value: option.id, label: option.label }));
  const values: string[] = [];
  for (const path of current) {
    if (path.length === 0) continue;
    const option = optionOfPath(options, tree, path);
    if (option) values.push(option.id);
    else {
      const id = `typed:${regionKey(path)}`;
      data.push({ value: id, label: t('admin.picker.notInList', { region: formatRegion(path) }) });
      values.push(id);
    }
  }
  return { data, values };
}

const pathOf = (options: readonly RegionOption[], current: readonly (readonly string[])[], id: string): string[] | null => {
  const option = options.find((o) => o.id === id);
  if (option) return [...option.path];
  const typed = current.find((path) => `typed:${regionKey(path)}` === id);
  return typed ? [...typed] : null;
};

/** One region (an entry's, an organization's, the partner finder's). */
export function RegionPicker({ value, onChange, ...props }: PickerProps & { readonly value: readonly string[]; readonly onChange: (path: string[]) => void }) {
  const { t } = useTranslation();
  const { data, values } = choices(t, props.options, props.tree, [value]);
  return (
    <Select
      label={props.label}
      description={t('admin.picker.help')}
      placeholder={t('admin.picker.placeholder')}
      data={data}
      value={values[0] ?? null}
      onChange={(id) => onChange(id === null ? [] : (pathOf(props.options, [value], id) ?? []))}
      searchable
      clearable
      readOnly={props.readOnly}
      error={props.error}
      nothingFoundMessage={t('admin.picker.none')}
      data-testid={props.testId}
    />
  );
}

/** Several regions (an offer's eligibility). */
export function RegionMultiPicker({ value, onChange, ...props }: PickerProps & { readonly value: readonly (readonly string[])[]; readonly onChange: (paths: string[][]) => void }) {
  const { t } = useTranslation();
  const { data, values } = choices(t, props.options, props.tree, value);
  return (
    <MultiSelect
      label={props.label}
      description={t('admin.picker.help')}
      placeholder={t('admin.picker.placeholder')}
      data={data}
      value={values}
      onChange={(ids) => onChange(ids.map((id) => pathOf(props.options, value, id)).filter((path): path is string[] => path !== null))}
      searchable
      clearable
      readOnly={props.readOnly}
      error={props.error}
      data-testid={props.testId}
    />
  );
}
