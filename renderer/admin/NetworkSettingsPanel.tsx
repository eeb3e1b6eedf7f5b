import { ActionIcon, Alert, Badge, Button, Checkbox, Group, NumberInput, Paper, Stack, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { optionalSections, type OptionalSection } from '../../shared/records/entryTemplates';
import { useNetwork } from '../data/useNetwork';
import { useSession } from '../session/SessionContext';
import { AssessmentEditor } from '../workbench/AssessmentEditor';
import { StageEditor } from '../workbench/StageEditor';
import { formatDateTime } from '../workbench/reasonText';
import type { AdminSettings, RegionNode } from './adminApi';
import { useAdmin } from './adminContext';
import { regionProblemText } from './regionProblemText';
import { childLevel, regionOptions, regionTreeProblems } from './regionTree';
import { useAdminResource } from './useAdminResource';

/**
 * The largest attachment in whole MiB, as the secretariat types it ('' while the field is empty);
 * the optional entry sections turned on. Either is null for a hub that does not report it, whose
 * setting this form leaves alone.
 */
type Draft = Pick<AdminSettings, 'networkName' | 'secretariatName' | 'topic' | 'topics' | 'regions'> & {
  readonly maxAttachmentMiB: number | '' | null;
  readonly optionalSections: readonly OptionalSection[] | null;
};

const MIB = 1024 * 1024;
/** Within the hub's bounds (network.ts maxAttachmentBytesSchema: 1 KiB to 2 GiB), in whole MiB. */
const MAX_ATTACHMENT_MIB = 2048;

const draftOf = (settings: AdminSettings): Draft => ({
  networkName: settings.networkName,
  secretariatName: settings.secretariatName,
  topic: settings.topic,
  topics: settings.topics,
  regions: settings.regions,
  // null: a hub that does not say, whose limit this form leaves alone.
  maxAttachmentMiB: settings.maxAttachmentBytes === undefined ? null : Math.round(settings.maxAttachmentBytes / MIB),
  optionalSections: settings.optionalSections === undefined ? null : optionalSections.filter((name) => settings.optionalSections!.includes(name)),
});

function newRegionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return `r-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The network's name, the secretariat's own name, topics, the region tree, stages and the self-assessment: all the network's settings in one place. */
export function NetworkSettingsPanel() {
  const { t, i18n } = useTranslation();
  const { session, platform } = useSession();
  const network = useNetwork(session.client);
  const { client, failureText } = useAdmin();
  const settings = useAdminResource(platform.settings, session, 'settings', async () => {
    const result = await client.getSettings();
    return result.ok ? { ok: true, value: result.value.settings } : result;
  });
  const [draft, setDraft] = useState<Draft | null>(settings.value ? draftOf(settings.value) : null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [isSaving, setSaving] = useState(false);
  useEffect(() => {
    if (settings.value) setDraft(draftOf(settings.value));
  }, [settings.value]);

  const save = async () => {
    if (!draft) return;
    const problems = regionTreeProblems(draft.regions);
    if (problems[0]) return setMessage({ ok: false, text: regionProblemText(t, problems[0], draft.regions, i18n.language) });
    if (draft.networkName.trim() === '' || draft.secretariatName.trim() === '') return setMessage({ ok: false, text: t('admin.settings.namesNeeded') });
    const { maxAttachmentMiB, optionalSections: turnedOn, ...fields } = draft;
    if (maxAttachmentMiB !== null && !(Number.isInteger(maxAttachmentMiB) && Number(maxAttachmentMiB) >= 1 && Number(maxAttachmentMiB) <= MAX_ATTACHMENT_MIB)) {
      return setMessage({ ok: false, text: t('admin.settings.maxAttachmentBad', { max: MAX_ATTACHMENT_MIB }) });
    }
    setSaving(true);
    setMessage(null);
    const result = await client.putSettings({
      ...fields,
      networkName: draft.networkName.trim(),
      secretariatName: draft.secretariatName.trim(),
      topic: draft.topic.trim(),
      ...(maxAttachmentMiB === null ? {} : { maxAttachmentBytes: Number(maxAttachmentMiB) * MIB }),
      ...(turnedOn === null ? {} : { optionalSections: [...turnedOn] }),
    });
    setSaving(false);
    if (!result.ok) return setMessage({ ok: false, text: failureText(result.failure) });
    settings.replace(result.value.settings);
    setMessage({ ok: true, text: t('admin.settings.saved') });
  };

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((current) => (current ? { ...current, [key]: value } : current));

  return (
    <Stack gap="md" data-testid="admin-settings">
      {settings.failure && (
        <Alert color={settings.failure.kind === 'offline' ? 'yellow' : 'red'}>
          {failureText(settings.failure)}
          {settings.fetchedAt !== null && ` ${t('admin.lastFetched', { time: formatDateTime(i18n.language, settings.fetchedAt) })}`}
        </Alert>
      )}
      {draft && (
        <Paper withBorder p="md" radius="md" maw={760}>
          <Stack gap="sm">
            <Title order={2} size="h5">
              {t('admin.settings.title')}
            </Title>
            <TextInput label={t('admin.settings.networkName')} value={draft.networkName} onChange={(e) => set('networkName', e.currentTarget.value)} maxLength={200} data-testid="settings-network-name" />
            <TextInput label={t('admin.settings.secretariatName')} description={t('admin.settings.secretariatNameHelp')} value={draft.secretariatName} onChange={(e) => set('secretariatName', e.currentTarget.value)} maxLength={200} data-testid="settings-secretariat-name" />
            <TextInput label={t('admin.settings.topic')} value={draft.topic} onChange={(e) => set('topic', e.currentTarget.value)} maxLength={200} data-testid="settings-topic" />
            <TagsInput label={t('admin.settings.topics')} description={t('admin.settings.topicsHelp')} value={draft.topics} onChange={(value) => set('topics', [...new Set(value.map((v) => v.trim()).filter(Boolean))].slice(0, 50))} data-testid="settings-topics" />
            {draft.maxAttachmentMiB !== null && (
              <NumberInput
                label={t('admin.settings.maxAttachment')}
                description={t('admin.settings.maxAttachmentHelp')}
                value={draft.maxAttachmentMiB}
                min={1}
                max={MAX_ATTACHMENT_MIB}
                allowDecimal={false}
                allowNegative={false}
                clampBehavior="none"
                suffix=" MB"
                onChange={(value) => set('maxAttachmentMiB', value === '' ? '' : Number(value))}
                data-testid="settings-max-attachment"
              />
            )}
            {draft.optionalSections !== null && (
              <Checkbox.Group
                label={t('admin.settings.optionalSections')}
                description={t('admin.settings.optionalSectionsHelp')}
                value={[...draft.optionalSections]}
                onChange={(value) => set('optionalSections', optionalSections.filter((name) => value.includes(name)))}
                data-testid="settings-optional-sections"
              >
                <Stack gap={6} mt={6}>
                  {optionalSections.map((name) => (
                    <Checkbox key={name} value={name} label={t(`entry.section.${name}`)} data-testid={`settings-optional-section-${name}`} />
                  ))}
                </Stack>
              </Checkbox.Group>
            )}
            <RegionTreeEditor tree={draft.regions} onChange={(regions) => set('regions', regions)} />
            {message && (
              <Alert color={message.ok ? 'green' : 'red'} role={message.ok ? 'status' : 'alert'} data-testid="settings-message">
                {message.text}
              </Alert>
            )}
            <Group>
              <Button onClick={() => void save()} loading={isSaving} data-testid="settings-save">
                {t('admin.settings.save')}
              </Button>
            </Group>
          </Stack>
        </Paper>
      )}
      {network && (
        <>
          <StageEditor stages={network.stages} />
          <AssessmentEditor network={network} />
        </>
      )}
    </Stack>
  );
}

/** The regions as a tree: province, prefecture, county, township, each named in Chinese and English. */
function RegionTreeEditor({ tree, onChange }: { readonly tree: readonly RegionNode[]; readonly onChange: (tree: RegionNode[]) => void }) {
  const { t, i18n } = useTranslation();
  const options = regionOptions(tree, i18n.language);
  const byId = new Map(tree.map((node) => [node.id, node]));
  const update = (id: string, names: Partial<RegionNode['names']>) => onChange(tree.map((node) => (node.id === id ? { ...node, names: { ...node.names, ...names } } : node)));
  const add = (parent: RegionNode | null) => {
    const level = parent ? childLevel(parent.level) : 'province';
    if (!level) return;
    onChange([...tree, { id: newRegionId(), parentId: parent?.id ?? null, level, names: { zh: '', en: '' } }]);
  };
  const remove = (id: string) => {
    const gone = new Set([id]);
    let isGrowing = true;
    while (isGrowing) {
      isGrowing = false;
      for (const node of tree) {
        if (node.parentId !== null && gone.has(node.parentId) && !gone.has(node.id)) {
          gone.add(node.id);
          isGrowing = true;
        }
      }
    }
    onChange(tree.filter((node) => !gone.has(node.id)));
  };
  return (
    <Stack gap={6} data-testid="region-tree">
      <Text size="sm" fw={500}>
        {t('admin.settings.regions')}
      </Text>
      <Text size="xs" c="dimmed">
        {t('admin.settings.regionsHelp')}
      </Text>
      {options.map((option) => {
        const node = byId.get(option.id);
        if (!node) return null;
        return (
          <Group key={node.id} gap="xs" wrap="nowrap" pl={option.depth * 24} data-testid="region-node" data-level={node.level}>
            <Badge size="xs" variant="light" w={72}>
              {t(`admin.level.${node.level}`)}
            </Badge>
            <TextInput size="xs" aria-label={t('admin.settings.nameZh')} placeholder={t('admin.settings.nameZh')} value={node.names.zh} onChange={(e) => update(node.id, { zh: e.currentTarget.value })} maxLength={80} data-testid="region-zh" />
            <TextInput size="xs" aria-label={t('admin.settings.nameEn')} placeholder={t('admin.settings.nameEn')} value={node.names.en} onChange={(e) => update(node.id, { en: e.currentTarget.value })} maxLength={80} data-testid="region-en" />
            {childLevel(node.level) && (
              <Button size="compact-xs" variant="subtle" onClick={() => add(node)} data-testid="region-add-child">
                {t('admin.settings.addChild', { level: t(`admin.level.${childLevel(node.level) ?? 'township'}`) })}
              </Button>
            )}
            <ActionIcon size="sm" variant="subtle" color="red" aria-label={t('admin.settings.removeRegion')} onClick={() => remove(node.id)}>
              ×
            </ActionIcon>
          </Group>
        );
      })}
      <Group>
        <Button size="xs" variant="light" onClick={() => add(null)} data-testid="region-add-province">
          {t('admin.settings.addProvince')}
        </Button>
      </Group>
    </Stack>
  );
}
