import { Alert, Button, Group, MultiSelect, NumberInput, Paper, Select, Stack, TagsInput, Textarea, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { NetworkProjection } from '../../shared/records/network';
import { offerKinds, offerMutators, type OfferInput, type OfferProjection } from '../../shared/records/offer';
import { RecordInputError } from '../../shared/records/recordError';
import { formatRegions, parseRegions } from '../../shared/records/region';
import { navigate } from '../app/useRoute';
import { refusalText } from '../i18n/refusalText';
import { networkRegionOptions, RegionMultiPicker } from '../admin/RegionPicker';
import { useSession } from '../session/SessionContext';
import { stageLabel } from './reasonText';
import { stageIds } from './useWorkbenchData';

const DAY_MS = 24 * 60 * 60 * 1000;

/** 'YYYY-MM-DD' of a time (UTC), and back to the start of that day. */
const toDay = (at: number) => new Date(at).toISOString().slice(0, 10);
const fromDay = (day: string) => {
  const at = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(at) ? null : at;
};

interface Draft {
  title: string;
  kind: (typeof offerKinds)[number];
  description: string;
  places: number;
  opensOn: string;
  closesOn: string;
  stages: string[];
  regions: string;
  capabilities: string[];
  minStaff: number | null;
  maxStaff: number | null;
}

function draftOf(offer: OfferProjection | null, now: number): Draft {
  return {
    title: offer?.title ?? '',
    kind: offer?.kind ?? 'training',
    description: offer?.description ?? '',
    places: offer?.places ?? 10,
    opensOn: toDay(offer?.opensAt ?? now),
    closesOn: toDay(offer?.closesAt ?? now + 30 * DAY_MS),
    stages: offer?.eligibility.stages ?? [],
    regions: formatRegions(offer?.eligibility.regions ?? []),
    capabilities: offer?.eligibility.capabilities ?? [],
    minStaff: offer?.eligibility.minStaff ?? null,
    maxStaff: offer?.eligibility.maxStaff ?? null,
  };
}

/** Creates an offer (as a draft, or published at once) or edits one's terms. */
export function OfferForm({ id, offer, network, onDone }: { id: string | null; offer: OfferProjection | null; network: NetworkProjection | null; onDone?: () => void }) {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const regionChoices = networkRegionOptions(network, i18n.language);
  const [draft, setDraft] = useState<Draft>(() => draftOf(offer, Date.now()));
  const [error, setError] = useState<string | null>(null);
  const [isSaving, setSaving] = useState(false);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const save = async (isPublishing: boolean) => {
    const opensAt = fromDay(draft.opensOn);
    const closesAt = fromDay(draft.closesOn);
    if (opensAt === null || closesAt === null) {
      setError(t('workbench.offer.badDates'));
      return;
    }
    const terms = {
      title: draft.title,
      kind: draft.kind,
      description: draft.description,
      places: draft.places,
      opensAt,
      // The closing day is included: interest is taken until the end of it.
      closesAt: closesAt + DAY_MS,
      eligibility: {
        stages: draft.stages,
        regions: parseRegions(draft.regions),
        capabilities: draft.capabilities,
        minStaff: draft.minStaff,
        maxStaff: draft.maxStaff,
      },
    } satisfies OfferInput;
    setSaving(true);
    setError(null);
    try {
      let offerId = id;
      if (offerId === null) offerId = await client.create('offer', terms);
      else {
        if (terms.closesAt <= terms.opensAt) throw new RecordInputError('closesAt', t('workbench.offer.badDates'));
        await client.mutate(offerId, offerMutators.setTerms, terms);
      }
      if (isPublishing) await client.mutate(offerId, offerMutators.setState, 'published');
      onDone?.();
      navigate({ screen: 'offer', id: offerId });
    } catch (caught) {
      setError(refusalText(t, caught));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Paper withBorder p="md" radius="md" data-testid="offer-form">
      <Stack gap="sm">
        <Title order={3} size="h5">
          {id === null ? t('workbench.offer.newTitle') : t('workbench.offer.editTitle')}
        </Title>
        {error && (
          <Alert color="red" data-testid="offer-form-error">
            {error}
          </Alert>
        )}
        <div className="fw-wb-form">
          <TextInput label={t('workbench.offer.title')} value={draft.title} onChange={(e) => set('title', e.currentTarget.value)} required data-testid="offer-title" />
          <Select
            label={t('workbench.offer.kind')}
            data={offerKinds.map((k) => ({ value: k, label: t(`workbench.kind.${k}`) }))}
            value={draft.kind}
            onChange={(k) => k && set('kind', k as Draft['kind'])}
            allowDeselect={false}
            data-testid="offer-kind"
          />
          <NumberInput label={t('workbench.offer.places')} value={draft.places} min={1} max={100_000} allowDecimal={false} onChange={(v) => set('places', Number(v) || 1)} data-testid="offer-places" />
          <TextInput type="date" label={t('workbench.offer.opens')} value={draft.opensOn} onChange={(e) => set('opensOn', e.currentTarget.value)} data-testid="offer-opens" />
          <TextInput type="date" label={t('workbench.offer.closes')} value={draft.closesOn} onChange={(e) => set('closesOn', e.currentTarget.value)} data-testid="offer-closes" />
        </div>
        <Textarea label={t('workbench.offer.description')} autosize minRows={2} value={draft.description} onChange={(e) => set('description', e.currentTarget.value)} data-testid="offer-description" />
        <Title order={4} size="h6">
          {t('workbench.offer.eligibility')}
        </Title>
        <div className="fw-wb-form">
          <MultiSelect
            label={t('workbench.offer.stages')}
            data={stageIds(network).map((s) => ({ value: s, label: stageLabel(t, network, s) }))}
            value={draft.stages}
            onChange={(v) => set('stages', v)}
            data-testid="offer-stages"
          />
          {regionChoices.options.length > 0 ? (
            <RegionMultiPicker label={t('workbench.offer.regions')} options={regionChoices.options} tree={regionChoices.tree} value={parseRegions(draft.regions)} onChange={(paths) => set('regions', formatRegions(paths))} testId="offer-regions" />
          ) : (
            <TextInput label={t('workbench.offer.regions')} description={t('workbench.offer.regionsHelp')} value={draft.regions} onChange={(e) => set('regions', e.currentTarget.value)} data-testid="offer-regions" />
          )}
          <TagsInput label={t('workbench.offer.capabilities')} value={draft.capabilities} onChange={(v) => set('capabilities', v)} data-testid="offer-capabilities" />
          <NumberInput label={t('workbench.offer.minStaff')} value={draft.minStaff ?? ''} min={0} allowDecimal={false} onChange={(v) => set('minStaff', v === '' ? null : Number(v))} data-testid="offer-min-staff" />
          <NumberInput label={t('workbench.offer.maxStaff')} value={draft.maxStaff ?? ''} min={0} allowDecimal={false} onChange={(v) => set('maxStaff', v === '' ? null : Number(v))} data-testid="offer-max-staff" />
        </div>
        <Group justify="flex-end">
          {onDone && (
            <Button variant="default" onClick={onDone}>
              {t('workbench.cancel')}
            </Button>
          )}
          <Button variant="default" loading={isSaving} onClick={() => void save(false)} data-testid="offer-save">
            {id === null ? t('workbench.offer.saveDraft') : t('workbench.offer.save')}
          </Button>
          {(id === null || offer?.state === 'draft') && (
            <Button loading={isSaving} onClick={() => void save(true)} data-testid="offer-publish">
              {t('workbench.offer.publish')}
            </Button>
          )}
        </Group>
      </Stack>
    </Paper>
  );
}
