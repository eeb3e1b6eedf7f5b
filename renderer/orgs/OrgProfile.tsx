import { Alert, Anchor, Badge, Center, Group, Loader, NumberInput, Paper, Select, Stack, TagsInput, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { defaultStages } from '../../shared/records/network';
import { orgMutators } from '../../shared/records/org';
import { isAllowed, ownershipOf } from '../../shared/rules/rules';
import { formatRegion, parseRegion } from '../../shared/records/region';
import { hrefOf } from '../app/route';
import { useObservable } from '../app/useObservable';
import { AutosaveTextInput } from '../forms/AutosaveTextInput';
import { SaveIndicator } from '../forms/SaveIndicator';
import { useSaveTracking } from '../forms/useSaveTracking';
import { RegionPicker, useRegionOptions } from '../admin/RegionPicker';
import { useSession } from '../session/SessionContext';
import { screenDateFormat } from '../i18n/dateTime';
import { PositionInput } from './PositionInput';

/** One organization's profile: its own members edit it; the secretariat edits any. */
export function OrgProfile({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const { identity } = session.profile;
  const regions = useRegionOptions(client);
  const view = useObservable(() => client.observeRecord<'org'>(id), [client, id], undefined);
  const { tracker, fieldErrors: errors, save, dirty } = useSaveTracking();

  if (view === undefined) {
    return (
      <Center p="xl">
        <Loader aria-label={t('app.loading')} />
      </Center>
    );
  }
  if (view === null || view.header.type !== 'org') {
    return (
      <Stack className="fw-screen">
        <Text role="alert">{t('orgs.missing')}</Text>
        <Anchor href={hrefOf({ screen: 'orgs' })}>{t('orgs.back')}</Anchor>
      </Stack>
    );
  }
  const p = view.projection;
  const canEdit = isAllowed({ role: identity.role, type: 'org', ownership: ownershipOf(identity, view.header.ownerOrg), action: 'edit' });

  const setProfile = (field: string, values: Parameters<typeof orgMutators.setProfile.apply>[1]) => save(field, () => client.mutate(id, orgMutators.setProfile, values));

  return (
    <section className="fw-screen fw-org" aria-labelledby="org-heading" data-testid="org-profile">
      <Group justify="space-between" wrap="nowrap">
        <Group gap="xs" wrap="nowrap" miw={0}>
          <Anchor href={hrefOf({ screen: 'orgs' })} size="sm">
            {t('orgs.back')}
          </Anchor>
          <Title order={1} size="h4" id="org-heading" lineClamp={1}>
            {p.name || id}
          </Title>
        </Group>
        {canEdit && <SaveIndicator tracker={tracker} />}
      </Group>
      {!canEdit && <Alert color="gray">{t('orgs.readOnly')}</Alert>}
      <Paper withBorder p="md" radius="md" maw={720}>
        <Stack gap="sm">
          <AutosaveTextInput label={t('orgs.name')} value={p.name} onDirty={dirty('name')} onCommit={(name) => setProfile('name', { name })} isReadOnly={!canEdit} error={errors['name']} testId="org-name-input" />
          {regions.options.length > 0 ? (
            <RegionPicker label={t('orgs.region')} options={regions.options} tree={regions.tree} value={p.region} onChange={(region) => setProfile('region', { region })} readOnly={!canEdit} error={errors['region']} testId="org-region" />
          ) : (
            <AutosaveTextInput label={t('orgs.region')} description={t('editor.regionHelp')} value={formatRegion(p.region)} onDirty={dirty('region')} onCommit={(text) => setProfile('region', { region: parseRegion(text) })} isReadOnly={!canEdit} error={errors['region']} />
          )}
          <PositionInput value={p.coordinates} onSave={(coordinates) => setProfile('coordinates', { coordinates })} isReadOnly={!canEdit} error={errors['coordinates']} />
          <Group grow align="flex-start">
            <Select
              label={t('orgs.stage')}
              data={[...new Set([...defaultStages.map((stage) => stage.id), ...(p.stage ? [p.stage] : [])])].map((value) => ({ value, label: t(`orgs.stages.${value}`, { defaultValue: value }) }))}
              value={p.stage || null}
              onChange={(stage) => stage && save('stage', () => client.mutate(id, orgMutators.setStage, stage))}
              readOnly={!canEdit}
              allowDeselect={false}
              error={errors['stage']}
            />
            <NumberInput
              label={t('orgs.staff')}
              value={p.staffSize}
              min={0}
              max={1_000_000}
              allowDecimal={false}
              readOnly={!canEdit}
              onBlur={(event) => {
                const staffSize = Number(event.currentTarget.value.replace(/[^0-9]/g, ''));
                if (Number.isSafeInteger(staffSize) && staffSize !== p.staffSize) setProfile('staffSize', { staffSize });
              }}
              error={errors['staffSize']}
            />
          </Group>
          <TagsInput label={t('orgs.capabilities')} value={p.capabilities} onChange={(values) => save('capabilities', () => client.mutate(id, orgMutators.setCapabilities, values))} readOnly={!canEdit} error={errors['capabilities']} />
          <TagsInput label={t('orgs.topics')} value={p.topics} onChange={(values) => save('topics', () => client.mutate(id, orgMutators.setTopics, values))} readOnly={!canEdit} error={errors['topics']} />
          <Title order={2} size="h6" mt="sm">
            {t('orgs.contact')}
          </Title>
          <Group grow align="flex-start">
            <AutosaveTextInput label={t('orgs.contactPerson')} value={p.contact.person} onDirty={dirty('contact')} onCommit={(person) => setProfile('contact', { contact: { ...p.contact, person } })} isReadOnly={!canEdit} />
            <AutosaveTextInput label={t('orgs.phone')} value={p.contact.phone} onDirty={dirty('contact')} onCommit={(phone) => setProfile('contact', { contact: { ...p.contact, phone } })} isReadOnly={!canEdit} />
          </Group>
          <AutosaveTextInput label={t('orgs.email')} value={p.contact.email} onDirty={dirty('contact')} onCommit={(email) => setProfile('contact', { contact: { ...p.contact, email } })} isReadOnly={!canEdit} error={errors['contact']} />
          {p.stageHistory.length > 0 && (
            <Group gap="xs">
              <Text size="xs" c="dimmed">
                {t('orgs.stageHistory')}
              </Text>
              {p.stageHistory.map((step, index) => (
                <Badge key={index} size="xs" variant="outline" color="gray">
                  {t(`orgs.stages.${step.stage}`, { defaultValue: step.stage })} · {screenDateFormat(i18n.language, 'date').format(step.at)}
                </Badge>
              ))}
            </Group>
          )}
        </Stack>
      </Paper>
    </section>
  );
}
