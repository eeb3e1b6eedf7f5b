import { Alert, Anchor, Badge, Button, Center, Group, Loader, Paper, Select, Stack, TagsInput, Text, Title } from '@mantine/core';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type * as Y from 'yjs';
import { PermissionError } from '../../shared/client/permissionError';
import { consentLevels, entry, entryKinds, entryMutators, entrySections, sharingLabels, type Attribution } from '../../shared/records/entry';
import { writeFields } from '../../shared/records/layout';
import { RecordInputError } from '../../shared/records/recordError';
import type { RecordHeader } from '../../shared/records/recordType';
import { isAllowed, ownershipOf } from '../../shared/rules/rules';
import { formatRegion, parseRegion } from '../../shared/records/region';
import { useOrgNames } from '../library/useOrgNames';
import { CommentThread } from '../governance/CommentThread';
import { useSession } from '../session/SessionContext';
import { AutosaveTextInput } from './AutosaveTextInput';
import { editSessionCount } from './editSessions';
import { RichTextField } from './RichTextField';
import { SaveTracker, type SaveState } from './saveTracker';
import { useDocProjection, useEntryDoc } from './useEntryDoc';
import { useQuarantine } from './useQuarantine';

export function EntryEditor({ id }: { id: string }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const opened = useEntryDoc(session.client, id);
  if (opened.kind === 'loading') {
    return (
      <Center p="xl">
        <Loader aria-label={t('app.loading')} />
      </Center>
    );
  }
  if (opened.kind === 'missing') {
    return (
      <Stack p="lg" className="fw-screen">
        <Text role="alert">{t('editor.missing')}</Text>
        <Anchor href="#/library">{t('editor.back')}</Anchor>
      </Stack>
    );
  }
  return <EntryForm doc={opened.doc} header={opened.header} />;
}

const TOUCH_INTERVAL_MS = 30_000;
export const FORCE_EDIT_KEY = 'fieldwise.dev.forceEditable';
const languageOptions = ['zh-CN', 'en', 'bo', 'ug', 'ii', 'za'] as const;

function useSaveState(tracker: SaveTracker): SaveState {
  const [state, setState] = useState(tracker.state);
  useEffect(() => tracker.onDidChange(setState), [tracker]);
  return state;
}

function EntryForm({ doc, header }: { doc: Y.Doc; header: RecordHeader }) {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const { identity } = session.profile;
  const p = useDocProjection(doc);
  const orgNames = useOrgNames(client);
  const tracker = useMemo(() => new SaveTracker(), []);
  const saveState = useSaveState(tracker);
  const quarantined = useQuarantine(session, header.id);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const isAllowedToEdit = isAllowed({ role: identity.role, type: 'entry', ownership: ownershipOf(identity, header.ownerOrg), action: 'edit' }, entry.facts(p));
  // For end-to-end tests of the hub's enforcement only (see renderer/README.md): rich text becomes
  // editable anyway, so the hub's refusal and the kept local text can be seen. It grants nothing.
  const isForced = !isAllowedToEdit && session.platform.settings.getItem(FORCE_EDIT_KEY) === '1';
  const canEdit = isAllowedToEdit || isForced;

  const describeError = (error: unknown): string => {
    if (error instanceof PermissionError) return t('editor.errors.notAllowed');
    if (error instanceof RecordInputError) {
      if (error.field.endsWith('sharing')) return t('editor.errors.consentNeeded');
      return t('editor.errors.invalid', { reason: error.reason });
    }
    return error instanceof Error ? error.message : String(error);
  };

  const save = (field: string, write: () => Promise<void>) => {
    tracker.markClean(field);
    const run = write();
    void tracker.track(run);
    run.then(
      () => setFieldErrors(({ [field]: _dropped, ...rest }) => rest),
      (error: unknown) => setFieldErrors((current) => ({ ...current, [field]: describeError(error) })),
    );
  };
  const setFields = (field: string, values: Parameters<typeof entryMutators.setFields.apply>[1]) => save(field, () => client.mutate(header.id, entryMutators.setFields, values));
  const setAttribution = (patch: Partial<Attribution>) => save('attribution', () => client.mutate(header.id, entryMutators.setAttribution, { ...p.attribution, ...patch }));

  const dirty = (field: string) => () => tracker.markDirty(field);
  const touchedAt = useRef(0);
  const onRichTextChange = () => {
    // Rich text is edited on the doc directly, not through a mutator, so the "last changed" time
    // (which sorts the library) is set here; at most twice a minute, since every write of it
    // stays in the record as a small tombstone.
    const now = Date.now();
    if (now - touchedAt.current > TOUCH_INTERVAL_MS) {
      touchedAt.current = now;
      doc.transact(() => writeFields(doc, { updatedAt: now }));
    }
    void tracker.track(client.flush());
  };
  const lang = p.language === 'und' ? undefined : p.language;
  const dateFormat = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });
  const reviewers = [...new Set(p.reviewNotes.map((note) => orgNames.get(note.byOrg) ?? note.byOrg))];
  // Read on every render: the projection changes with every update to the doc.
  const sessions = editSessionCount(doc);

  return (
    <>
    <section className="fw-screen fw-editor" aria-labelledby="editor-heading" data-testid="entry-editor" data-entry-id={header.id}>
      <Group justify="space-between" wrap="nowrap" className="fw-editor-head">
        <Group gap="xs" wrap="nowrap" miw={0}>
          <Anchor href="#/library" size="sm" data-testid="editor-back">
            {t('editor.back')}
          </Anchor>
          <Title order={1} size="h4" id="editor-heading" lang={lang} lineClamp={1}>
            {p.title || t('editor.untitled')}
          </Title>
        </Group>
        <Group gap="xs" wrap="nowrap">
          <Badge variant="dot" color={p.status === 'endorsed' ? 'teal' : p.status === 'shared' ? 'blue' : 'gray'} data-testid="editor-status">
            {t(`entry.status.${p.status}`)}
          </Badge>
          {canEdit && <SaveIndicator state={saveState} />}
        </Group>
      </Group>

      {!isAllowedToEdit && (
        <Alert color={isForced ? 'orange' : 'gray'} data-testid="read-only-notice">
          {t('editor.readOnly', { org: orgNames.get(header.ownerOrg) ?? header.ownerOrg })}
        </Alert>
      )}
      {quarantined.length > 0 && (
        <Alert color="red" title={t('editor.refusedTitle')} role="alert" data-testid="refused-notice">
          <Stack gap="xs">
            <Text size="sm">{t('editor.refused', { message: quarantined[0]!.code === 'forbidden' ? t('editor.errors.forbiddenByHub') : quarantined[0]!.message, code: quarantined[0]!.code })}</Text>
            <Group>
              <Button size="xs" variant="light" color="red" onClick={() => void session.syncEngine?.releaseQuarantine([header.id])}>
                {t('editor.retry')}
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}

      <div className="fw-editor-grid">
        <Stack gap="md" className="fw-editor-main">
          <Paper withBorder p="md" radius="md">
            <Stack gap="sm">
              <AutosaveTextInput
                label={t('editor.title')}
                value={p.title}
                onDirty={dirty('title')}
                onCommit={(title) => setFields('title', { title })}
                isReadOnly={!canEdit}
                error={fieldErrors['title']}
                testId="editor-title"
                lang={lang}
              />
              <AutosaveTextInput
                label={t('editor.summary')}
                value={p.summary}
                onDirty={dirty('summary')}
                onCommit={(summary) => setFields('summary', { summary })}
                isReadOnly={!canEdit}
                isMultiline
                error={fieldErrors['summary']}
                testId="editor-summary"
                lang={lang}
              />
            </Stack>
          </Paper>

          <Paper withBorder p="md" radius="md">
            <Title order={2} size="h5" mb="xs">
              {t('editor.template')}
            </Title>
            <Text size="xs" c="dimmed" mb="sm">
              {t('editor.templateHelp')}
            </Text>
            <Stack gap="md">
              {entrySections.map((section) => (
                <RichTextField
                  key={section}
                  doc={doc}
                  field={`section.${section}`}
                  label={t(`entry.section.${section}`)}
                  isEditable={canEdit}
                  onDidChangeLocally={onRichTextChange}
                  testId={`editor-section-${section}`}
                  lang={lang}
                />
              ))}
            </Stack>
          </Paper>

          <Paper withBorder p="md" radius="md">
            <RichTextField doc={doc} field="body" label={t('editor.body')} isEditable={canEdit} onDidChangeLocally={onRichTextChange} testId="editor-body" lang={lang} />
          </Paper>
        </Stack>

        <Stack gap="md" className="fw-editor-side">
          <Paper withBorder p="md" radius="md">
            <Stack gap="sm">
              <Select
                label={t('editor.kind')}
                data={entryKinds.map((value) => ({ value, label: t(`entry.kind.${value}`) }))}
                value={p.kind}
                onChange={(kind) => kind && setFields('kind', { kind: kind as (typeof entryKinds)[number] })}
                readOnly={!canEdit}
                allowDeselect={false}
                data-testid="editor-kind"
              />
              <Select
                label={t('editor.sharing')}
                description={t(`entry.sharingHelp.${p.sharing}`)}
                data={sharingLabels.map((value) => ({ value, label: t(`entry.sharing.${value}`) }))}
                value={p.sharing}
                onChange={(sharing) => {
                  if (!sharing) return;
                  // The record refuses this too; saying so first keeps the doc untouched.
                  if (sharing !== 'private' && p.attribution.consent === 'pending') {
                    setFieldErrors((current) => ({ ...current, sharing: t('editor.errors.consentNeeded') }));
                    return;
                  }
                  save('sharing', () => client.mutate(header.id, entryMutators.setSharing, sharing as (typeof sharingLabels)[number]));
                }}
                readOnly={!canEdit}
                allowDeselect={false}
                error={fieldErrors['sharing']}
                data-testid="editor-sharing"
              />
              <TagsInput
                label={t('editor.tags')}
                description={t('editor.tagsHelp')}
                value={p.tags}
                onChange={(tags) => save('tags', () => client.mutate(header.id, entryMutators.setTags, tags))}
                readOnly={!canEdit}
                error={fieldErrors['tags']}
                data-testid="editor-tags"
              />
              <AutosaveTextInput
                label={t('editor.region')}
                description={t('editor.regionHelp')}
                value={formatRegion(p.region)}
                onDirty={dirty('region')}
                onCommit={(text) => setFields('region', { region: parseRegion(text) })}
                isReadOnly={!canEdit}
                error={fieldErrors['region']}
                testId="editor-region"
              />
              <Select
                label={t('editor.language')}
                data={[...new Set([...languageOptions, ...(p.language === 'und' ? [] : [p.language])])].map((value) => ({ value, label: t(`languages.${value}`, { defaultValue: value }) }))}
                value={p.language === 'und' ? null : p.language}
                onChange={(language) => language && setFields('language', { language })}
                readOnly={!canEdit}
                allowDeselect={false}
                data-testid="editor-language"
              />
              <AutosaveTextInput
                label={t('editor.author')}
                description={t('editor.authorHelp')}
                value={p.author}
                onDirty={dirty('author')}
                onCommit={(author) => setFields('author', { author })}
                isReadOnly={!canEdit}
                error={fieldErrors['author']}
                testId="editor-author"
              />
            </Stack>
          </Paper>

          <Paper withBorder p="md" radius="md">
            <Title order={2} size="h5" mb="xs">
              {t('editor.attribution')}
            </Title>
            <Stack gap="sm">
              <Select
                label={t('editor.holderKind')}
                data={(['person', 'community'] as const).map((value) => ({ value, label: t(`entry.holderKind.${value}`) }))}
                value={p.attribution.holderKind}
                onChange={(holderKind) => holderKind && setAttribution({ holderKind: holderKind as Attribution['holderKind'] })}
                readOnly={!canEdit}
                allowDeselect={false}
                data-testid="editor-holder-kind"
              />
              <AutosaveTextInput
                label={t('editor.holderName')}
                value={p.attribution.holderName}
                onDirty={dirty('attribution')}
                onCommit={(holderName) => setAttribution({ holderName })}
                isReadOnly={!canEdit}
                testId="editor-holder-name"
              />
              <Select
                label={t('editor.consent')}
                description={t('editor.consentHelp')}
                data={consentLevels.map((value) => ({ value, label: t(`entry.consent.${value}`) }))}
                value={p.attribution.consent}
                onChange={(consent) => consent && setAttribution({ consent: consent as Attribution['consent'] })}
                readOnly={!canEdit}
                allowDeselect={false}
                error={fieldErrors['attribution']}
                data-testid="editor-consent"
              />
            </Stack>
          </Paper>

          <Paper withBorder p="md" radius="md" data-testid="editor-history">
            <Title order={2} size="h5" mb="xs">
              {t('editor.history')}
            </Title>
            <Stack gap={4}>
              <Text size="xs">{t('editor.ownedBy', { org: orgNames.get(header.ownerOrg) ?? header.ownerOrg })}</Text>
              <Text size="xs">{t('editor.created', { time: dateFormat.format(p.createdAt) })}</Text>
              <Text size="xs">{t('editor.updated', { time: dateFormat.format(p.updatedAt) })}</Text>
              <Text size="xs" data-testid="edit-sessions" data-count={sessions}>
                {t('editor.sessions', { count: sessions })}
              </Text>
              {reviewers.length > 0 && <Text size="xs">{t('editor.reviewedBy', { orgs: reviewers.join(', ') })}</Text>}
              {p.reviewNotes.map((note, index) => (
                <Text key={index} size="xs" c="dimmed" className="fw-review-note">
                  {t('editor.reviewNote', { org: orgNames.get(note.byOrg) ?? note.byOrg, text: note.text })}
                </Text>
              ))}
            </Stack>
          </Paper>
        </Stack>
      </div>
    </section>
    {/* Comments and suggestions on the entry sit apart from the editor: anyone who may comment writes here, editor or not. */}
    <div className="fw-screen fw-entry-comments">
      <CommentThread targetId={header.id} />
    </div>
    </>
  );
}

function SaveIndicator({ state }: { state: SaveState }) {
  const { t } = useTranslation();
  return (
    <Text size="xs" c={state.state === 'failed' ? 'red.8' : 'dimmed'} data-testid="save-state" data-state={state.state} role="status" aria-live="polite" title={state.state === 'failed' ? state.message : undefined}>
      {t(`editor.save.${state.state}`)}
    </Text>
  );
}
