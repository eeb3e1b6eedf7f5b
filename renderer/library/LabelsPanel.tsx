import { Checkbox, Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { audienceLabelIds, bcLabelIds, ownerOnlyLabelIds, tkLabelIds, type EntryLabel, type EntryLabelId, type LabelTexts } from '../../shared/records/entryLabels';
import { AutosaveTextInput } from '../forms/AutosaveTextInput';
import type { SaveTracking } from '../forms/useSaveTracking';

/*
 * The owner's editor of an entry's sharing and cultural labels (shared/records/entryLabels.ts):
 * apply a label, and write what the community asks of readers in its own words, in English and
 * in Chinese. Labels that keep the entry in its organization say so: the hub enforces them.
 */

interface LabelsPanelProps {
  readonly labels: readonly EntryLabel[];
  readonly canEdit: boolean;
  readonly saving: SaveTracking;
  /** Applies or takes off one label (applyLabel). */
  readonly applyLabel: (id: EntryLabelId, isOn: boolean) => void;
  /** Sets one label's texts (setLabelTexts). */
  readonly setTexts: (id: EntryLabelId, texts: Partial<LabelTexts>) => void;
}

export function LabelsPanel({ labels, canEdit, saving, applyLabel, setTexts }: LabelsPanelProps) {
  const { t } = useTranslation();
  // A click shows at once: the label itself is read back from the doc a frame or more after its
  // write, and a checkbox that lags its click reads as one that did not take. Each clicked state
  // stands until the labels say the same, or the write is refused.
  const [clicked, setClicked] = useState<ReadonlyMap<EntryLabelId, boolean>>(new Map());
  const isRefused = saving.fieldErrors['labels'] !== undefined;
  useEffect(() => {
    setClicked((current) => {
      if (current.size === 0) return current;
      const ids = new Set(labels.map((label) => label.id));
      const next = new Map([...current].filter(([id, isOn]) => !isRefused && ids.has(id) !== isOn));
      return next.size === current.size ? current : next;
    });
  }, [labels, isRefused]);
  // A reader sees the applied labels as badges and notices beside the title: seventeen disabled
  // checkboxes would say nothing more and read as a form it may not use.
  if (!canEdit) return null;
  const applied = new Map(labels.map((label) => [label.id, label]));

  const group = (heading: string, ids: readonly EntryLabelId[]) => (
    <Stack gap="xs">
      <Text size="sm" fw={600}>
        {heading}
      </Text>
      {ids.map((id) => {
        const label = applied.get(id);
        return (
          <Stack key={id} gap={4} data-testid="label-option" data-label-id={id}>
            <Checkbox
              label={t(`labels.name.${id}`)}
              description={
                <>
                  {t(`labels.meaning.${id}`)}{' '}
                  {ownerOnlyLabelIds.includes(id) && (
                    <Text span size="xs" c="red" fw={600} data-testid="label-enforced">
                      {t('labels.editor.enforced')}
                    </Text>
                  )}
                  {audienceLabelIds.includes(id) && (
                    <Text span size="xs" c="orange" fw={600} data-testid="label-enforced-audience">
                      {t('labels.editor.enforcedAudience')}
                    </Text>
                  )}
                </>
              }
              checked={clicked.get(id) ?? label !== undefined}
              disabled={!canEdit}
              onChange={(event) => {
                const isOn = event.currentTarget.checked;
                setClicked((current) => new Map(current).set(id, isOn));
                applyLabel(id, isOn);
              }}
              data-testid={`label-apply-${id}`}
            />
            {label && (
              <Stack gap={4} pl="xl">
                <AutosaveTextInput label={t('labels.editor.textEn')} value={label.texts.en} lang="en" onDirty={saving.dirty('labels')} onCommit={(en) => setTexts(id, { en })} isReadOnly={!canEdit} testId={`label-text-en-${id}`} />
                <AutosaveTextInput label={t('labels.editor.textZh')} value={label.texts.zh} lang="zh-CN" onDirty={saving.dirty('labels')} onCommit={(zh) => setTexts(id, { zh })} isReadOnly={!canEdit} testId={`label-text-zh-${id}`} />
              </Stack>
            )}
          </Stack>
        );
      })}
    </Stack>
  );

  return (
    <Paper withBorder p="md" radius="md" data-testid="labels-panel">
      <Title order={2} size="h5" mb={4}>
        {t('labels.editor.heading')}
      </Title>
      <Text size="xs" c="dimmed" mb="sm">
        {t('labels.editor.help')}
      </Text>
      {saving.fieldErrors['labels'] && (
        <Text size="sm" c="red" role="alert" mb="xs" data-testid="labels-error">
          {saving.fieldErrors['labels']}
        </Text>
      )}
      <Stack gap="md">
        {group(t('labels.group.tk'), tkLabelIds)}
        {group(t('labels.group.bc'), bcLabelIds)}
      </Stack>
    </Paper>
  );
}
