import { Anchor, Badge, Button, Card, Checkbox, Group, Stack, Text, Title } from '@mantine/core';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { InboxGroup, InboxItem, InboxSubject, VoteItem } from '../../shared/inbox/inboxItem';
import { hrefOf, proposalHref } from '../app/route';
import { useNetwork } from '../data/useNetwork';
import { useOrgNames } from '../data/useOrgNames';
import { useDateTime, type DateTimeFormatting } from '../i18n/dateTime';
import { useSession } from '../session/SessionContext';
import { useInbox } from './inboxContext';
import { choiceSummary } from '../governance/ballotForms';
import { timeLeftText } from './timeLeftText';

/** Where an item's subject opens. */
function subjectHref(subject: InboxSubject): string {
  switch (subject.type) {
    case 'proposal':
      return proposalHref(subject.id);
    case 'entry':
      return hrefOf({ screen: 'entry', id: subject.id });
    case 'offer':
      return hrefOf({ screen: 'offer', id: subject.id });
    default:
      return hrefOf({ screen: 'org', id: subject.id });
  }
}

/** The inbox: votes waiting for this organization, then everything else new, by subject. */
export function InboxScreen() {
  const { t } = useTranslation();
  const { inbox, markRead } = useInbox();
  const all = inbox ? [...inbox.votes, ...inbox.groups.flatMap((group) => group.items)] : [];
  return (
    <section className="fw-screen" aria-labelledby="inbox-title" data-testid="inbox-screen">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={1} size="h3" id="inbox-title">
            {t('inbox.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('inbox.help')}
          </Text>
        </div>
        {all.length > 0 && (
          <Button size="xs" variant="default" onClick={() => void markRead(all)} data-testid="inbox-mark-all">
            {t('inbox.markAllRead')}
          </Button>
        )}
      </Group>
      {inbox && all.length === 0 && (
        <Text p="lg" data-testid="inbox-empty">
          {t('inbox.empty')}
        </Text>
      )}
      {inbox && inbox.votes.length > 0 && (
        <Stack gap="xs" mt="md" data-testid="inbox-votes">
          <Title order={2} size="h5">
            {t('inbox.votesTitle')}
          </Title>
          {inbox.votes.map((vote) => (
            <VoteRow key={vote.key} vote={vote} />
          ))}
        </Stack>
      )}
      {inbox && inbox.groups.length > 0 && (
        <Stack gap="sm" mt="md">
          <Title order={2} size="h5">
            {t('inbox.othersTitle')}
          </Title>
          {inbox.groups.map((group) => (
            <GroupCard key={`${group.subject.type}:${group.subject.id}`} group={group} />
          ))}
        </Stack>
      )}
      <FollowTopics />
    </section>
  );
}

function VoteRow({ vote }: { vote: VoteItem }) {
  const { t } = useTranslation();
  const { markRead } = useInbox();
  const dateTime = useDateTime();
  return (
    <Card withBorder padding="sm" data-testid="inbox-vote" data-proposal-id={vote.subject.id} data-closing-soon={vote.isClosingSoon}>
      <Group justify="space-between" wrap="nowrap">
        <div>
          <Anchor href={subjectHref(vote.subject)} fw={600}>
            {vote.subject.title || t('inbox.untitled')}
          </Anchor>
          <Text size="sm">
            {timeLeftText(t, vote.timeLeftMs)} · {t('inbox.closesAt', { date: dateTime.format(vote.closesAt, 'dateTime') })}
          </Text>
        </div>
        <Group gap="xs" wrap="nowrap">
          {vote.isClosingSoon && (
            <Badge color="red" variant="light" data-testid="inbox-closing-soon">
              {t('inbox.closingSoon')}
            </Badge>
          )}
          <Button component="a" href={subjectHref(vote.subject)} size="xs">
            {t('inbox.vote')}
          </Button>
          <Button size="xs" variant="subtle" onClick={() => void markRead([vote])} data-testid="inbox-mark-read">
            {t('inbox.markRead')}
          </Button>
        </Group>
      </Group>
    </Card>
  );
}

function GroupCard({ group }: { group: InboxGroup }) {
  const { t } = useTranslation();
  const { markRead } = useInbox();
  return (
    <Card withBorder padding="sm" data-testid="inbox-group" data-subject-id={group.subject.id}>
      <Group justify="space-between" wrap="nowrap" mb="xs">
        <Group gap="xs" wrap="nowrap">
          <Badge variant="light" color="gray">
            {t(`inbox.subject.${group.subject.type}`)}
          </Badge>
          <Anchor href={subjectHref(group.subject)} fw={600}>
            {group.subject.title || t('inbox.untitled')}
          </Anchor>
        </Group>
        {group.items.length > 1 && (
          <Button size="xs" variant="subtle" onClick={() => void markRead(group.items)}>
            {t('inbox.markGroupRead')}
          </Button>
        )}
      </Group>
      <Stack gap="xs">
        {group.items.map((item) => (
          <ItemRow key={item.key} item={item} hasOutcomeItem={group.items.some((other) => other.kind === 'outcome-written')} />
        ))}
      </Stack>
    </Card>
  );
}

function ItemRow({ item, hasOutcomeItem = false }: { item: InboxItem; hasOutcomeItem?: boolean }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const { markRead } = useInbox();
  const names = useOrgNames(session.client);
  const dateTime = useDateTime();
  const { headline, text } = describe(item, t, (id) => names.get(id) ?? t('inbox.someone'), dateTime, hasOutcomeItem);
  return (
    <Group justify="space-between" align="flex-start" wrap="nowrap" data-testid="inbox-item" data-kind={item.kind}>
      <div>
        <Text size="sm" fw={500}>
          {headline}{' '}
          <Text span size="xs" c="dimmed">
            {dateTime.format(item.at, 'dateTime')}
          </Text>
        </Text>
        {text && (
          <Text size="sm" className="fw-inbox-text" style={{ whiteSpace: 'pre-line' }} data-testid="inbox-item-text">
            {text}
          </Text>
        )}
      </div>
      <Button size="xs" variant="subtle" style={{ flexShrink: 0 }} onClick={() => void markRead([item])} data-testid="inbox-mark-read">
        {t('inbox.markRead')}
      </Button>
    </Group>
  );
}

/**
 * An item's headline and its quoted text (a comment's, a review note's), in the reader's language.
 * `hasOutcomeItem`: the same group shows the outcome statement as its own item, so the sealed
 * result does not quote it a second time.
 */
function describe(item: InboxItem, t: TFunction, orgName: (id: string) => string, dateTime: DateTimeFormatting, hasOutcomeItem: boolean): { headline: string; text: string | null } {
  switch (item.kind) {
    case 'comment':
      return { headline: t(item.isReply ? 'inbox.item.reply' : item.isSuggestion ? 'inbox.item.suggestion' : 'inbox.item.comment', { org: orgName(item.byOrgId) }), text: item.text };
    case 'review-note':
      return { headline: t('inbox.item.reviewNote', { org: orgName(item.byOrgId) }), text: item.text };
    case 'entry-endorsed':
      return { headline: item.byOrgId === null ? t('inbox.item.endorsed') : t('inbox.item.endorsedBy', { org: orgName(item.byOrgId) }), text: item.note || null };
    case 'review-changes-requested':
      return { headline: t('inbox.item.changesRequested', { org: orgName(item.byOrgId) }), text: item.text };
    case 'review-request':
      return { headline: t('inbox.item.reviewRequest', { org: orgName(item.byOrgId) }), text: item.note ? t('inbox.item.reviewRequestNote', { note: item.note }) : null };
    case 'ballot-confirm':
      return {
        headline: t('inbox.item.confirmBallot', { from: item.castOnVersion, to: item.version }),
        text: item.changes
          .map((change) => {
            const fields = change.fields.map((field) => t(`inbox.field.${field}`)).join(t('inbox.fieldSeparator'));
            return change.note ? t('inbox.item.confirmChangeNote', { org: orgName(change.orgId), fields, note: change.note }) : t('inbox.item.confirmChange', { org: orgName(change.orgId), fields });
          })
          .join('\n'),
      };
    case 'ballot-facilitated': {
      const labels = new Map(item.options.map((o) => [o.id, o.label]));
      return {
        headline: t('inbox.item.facilitated', { org: orgName(item.byOrgId), channel: t(`governance.trust.channel.${item.channel}`), witness: item.witness, choice: choiceSummary(item.choice, (id) => labels.get(id) ?? id, t) }),
        text: item.isOpen ? t('inbox.item.facilitatedOpen', { date: dateTime.format(item.closesAt, 'dateTime') }) : t('inbox.item.facilitatedClosed'),
      };
    }
    case 'outcome-written':
      return {
        headline: t('inbox.item.outcomeWritten', { org: orgName(item.byOrgId) }),
        text: [t('inbox.item.outcomeDecided', { text: item.decided }), item.actions ? t('inbox.item.outcomeActions', { text: item.actions }) : null, t('inbox.item.outcomeReviewOn', { date: item.reviewOn })].filter(Boolean).join('\n'),
      };
    case 'review-date-due':
      return { headline: t('inbox.item.reviewDateDue', { date: item.reviewOn }), text: t('inbox.item.reviewDateDecided', { text: item.decided }) };
    case 'result-sealed':
      return { headline: item.outcome ? t('inbox.item.sealed', { outcome: t(`inbox.outcome.${item.outcome}`) }) : t('inbox.item.sealedUnknown'), text: item.statement && !hasOutcomeItem ? t('inbox.item.statement', { text: item.statement }) : null };
    case 'offer-matching':
      return { headline: t('inbox.item.offerMatching', { date: dateTime.format(item.closesAt, 'date') }), text: null };
    case 'interest-moved':
      return { headline: t('inbox.item.interestMoved', { stage: t(`inbox.stage.${item.stage}`) }), text: item.note || null };
    case 'followed-entry':
      return { headline: t('inbox.item.followedEntry', { topic: item.topic, org: orgName(item.byOrgId) }), text: null };
    case 'org-silent':
      return { headline: item.lastSeenAt === null ? t('inbox.item.silentNever') : t('inbox.item.silent', { date: dateTime.format(item.lastSeenAt, 'date') }), text: null };
    case 'device-revoked':
      return { headline: t('inbox.item.revoked', { device: item.deviceName }), text: item.reason ? t('inbox.item.revokedReason', { reason: item.reason }) : null };
    case 'org-revoked':
      return { headline: t('inbox.item.orgRevoked'), text: item.reason ? t('inbox.item.revokedReason', { reason: item.reason }) : null };
    case 'vote-open':
      return { headline: timeLeftText(t, item.timeLeftMs), text: null };
  }
}

/** The topics this device follows: new entries in them by others come to the inbox. */
function FollowTopics() {
  const { t } = useTranslation();
  const { session } = useSession();
  const network = useNetwork(session.client);
  const { followedTopics, setFollowedTopics } = useInbox();
  const topics = network?.topics ?? [];
  return (
    <Card withBorder padding="sm" mt="lg" data-testid="inbox-follow">
      <Title order={2} size="h5">
        {t('inbox.follow.title')}
      </Title>
      <Text size="sm" c="dimmed" mb="xs">
        {t('inbox.follow.help')}
      </Text>
      {topics.length === 0 ? (
        <Text size="sm">{t('inbox.follow.none')}</Text>
      ) : (
        <Group gap="md">
          {topics.map((topic) => (
            <Checkbox
              key={topic}
              label={topic}
              checked={followedTopics.includes(topic)}
              onChange={(event) => void setFollowedTopics(event.currentTarget.checked ? [...followedTopics, topic] : followedTopics.filter((other) => other !== topic))}
              data-testid="inbox-follow-topic"
            />
          ))}
        </Group>
      )}
    </Card>
  );
}
