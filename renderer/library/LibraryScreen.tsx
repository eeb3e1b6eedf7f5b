import { Badge, Button, Group, Loader, Text, TextInput, Title, type SelectProps } from '@mantine/core';
import { noticeLabels } from '../../shared/records/entryLabels';
import { EntryLabelBadges, EntryLabelNotices } from './EntryLabelBadges';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useMemo, useRef, useState, type ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { entryKinds, entryStatuses, type EntryProjection } from '../../shared/records/entry';
import type { RecordView } from '../../shared/client/client';
import { isAllowed } from '../../shared/rules/rules';
import { formatRegion, parseRegion } from '../../shared/records/region';
import { hrefOf } from '../app/route';
import { usePopupComponents } from '../app/usePopupComponents';
import { navigate } from '../app/useRoute';
import { useSession } from '../session/SessionContext';
import { FIRST_PAGE, NEXT_PAGE, useEntryRows, type EntryFilters } from './useEntryRows';
import { useSearchedText } from './searchTiming';
import { useOrgNames } from '../data/useOrgNames';
import { loadScreenCatalog } from '../i18n/i18n';
import { useObservable } from '../app/useObservable';
import { refusalText } from '../i18n/refusalText';
import { screenDateFormat } from '../i18n/dateTime';
import { pinnedForReader, type VersionFields } from '../../shared/records/entryReview';
import { ReviewQueue } from './ReviewQueue';
import { versionsFor } from '../../shared/records/entryTranslation';
import { EntryThumbnail } from '../media/EntryThumbnail';
import { EntryStatusBadge } from './EntryStatusBadge';

const ROW_HEIGHT = 78;
/** The longest the other screens' strings wait for an idle moment after the first rows. */
const IDLE_CATALOG_TIMEOUT_MS = 2_000;

export function LibraryScreen() {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const { client } = session;
  const orgNames = useOrgNames(client);
  // The search runs in a worker, at once or once typing pauses (SearchBox); results for older text are dropped.
  const [searchedText, setSearchedText] = useState('');
  const [kind, setKind] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [ownerOrg, setOwnerOrg] = useState<string | null>(null);
  const [tag, setTag] = useState('');
  const [region, setRegion] = useState('');
  const [debouncedTag] = useDebouncedValue(tag.trim(), 300);
  const [debouncedRegion] = useDebouncedValue(region, 300);
  const [limit, setLimit] = useState(FIRST_PAGE);

  const filters = useMemo<EntryFilters>(
    () => ({
      ...(kind ? { kind } : {}),
      ...(status ? { status } : {}),
      ...(ownerOrg ? { ownerOrg } : {}),
      ...(debouncedTag ? { tag: debouncedTag } : {}),
      ...(parseRegion(debouncedRegion).length > 0 ? { region: parseRegion(debouncedRegion) } : {}),
    }),
    [kind, status, ownerOrg, debouncedTag, debouncedRegion],
  );
  // A new filter starts from the first page again.
  useEffect(() => setLimit(FIRST_PAGE), [filters, searchedText]);
  const { rows: loaded, hasMore, isLoading, hitCount, searchError } = useEntryRows(client, filters, searchedText, limit);
  // Each original once, in the reader's language where a translation into it is held (entryTranslation.ts).
  const versions = useMemo(
    () => versionsFor(loaded.map((view) => ({ id: view.header.id, language: view.projection.language, translation: view.projection.translation ?? null, view })), i18n.language),
    [loaded, i18n.language],
  );
  const rows = useMemo(() => versions.map((version) => version.shown.view), [versions]);
  // The author's drafts of endorsed entries (entryDraft.ts): only this organization's are held.
  const draftViews = useObservable(() => client.observe({ type: 'draft' }), [client], []);
  const drafts = useMemo(() => new Map(draftViews.map((view) => [view.projection.draftOf, view.projection])), [draftViews]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length + (hasMore ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length > 0 ? items[items.length - 1]!.index : 0;
  useEffect(() => {
    if (hasMore && lastIndex >= rows.length - 10) setLimit((current) => (current < rows.length + NEXT_PAGE ? rows.length + NEXT_PAGE : current));
  }, [hasMore, lastIndex, rows.length]);

  const { identity } = session.profile;
  const canCreate = isAllowed({ role: identity.role, type: 'entry', ownership: 'own', action: 'create' });
  const createEntry = async () => {
    try {
      const id = await client.create('entry', { kind: 'practice', title: t('editor.untitled'), language: i18n.language === 'zh-CN' ? 'zh-CN' : 'en' });
      navigate({ screen: 'entry', id });
    } catch (error) {
      notifications.show({ color: 'red', title: t('errors.createFailed'), message: refusalText(t, error) });
    }
  };

  // Once the first rows are on screen, never before them: the filters' dropdowns, and (when the
  // page is idle) the other screens' strings, so the next screen opened does not wait for them.
  const hasShownRows = !isLoading || rows.length > 0;
  const popups = usePopupComponents(hasShownRows);
  useEffect(() => {
    if (!hasShownRows) return;
    const handle = requestIdleCallback(() => void loadScreenCatalog().catch(() => undefined), { timeout: IDLE_CATALOG_TIMEOUT_MS });
    return () => cancelIdleCallback(handle);
  }, [hasShownRows]);
  const Select = popups?.Select ?? SelectStandIn;
  const orgOptions = useMemo(() => [...orgNames].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label)), [orgNames]);
  const dateFormat = useMemo(() => screenDateFormat(i18n.language, 'date'), [i18n.language]);
  const hasFilters = Boolean(kind || status || ownerOrg || tag || region || searchedText);

  return (
    <section className="fw-screen fw-library" aria-labelledby="library-title">
      <Group justify="space-between" wrap="nowrap">
        <Title order={1} size="h3" id="library-title">
          {t('library.title')}
        </Title>
        {canCreate && (
          <Button onClick={() => void createEntry()} data-testid="new-entry">
            {t('library.newEntry')}
          </Button>
        )}
      </Group>
      <ReviewQueue orgNames={orgNames} />
      <LibraryFilters Select={Select} orgOptions={orgOptions} onSearch={setSearchedText} kind={kind} setKind={setKind} status={status} setStatus={setStatus} ownerOrg={ownerOrg} setOwnerOrg={setOwnerOrg} tag={tag} setTag={setTag} region={region} setRegion={setRegion} />
      <Text size="xs" c={searchError !== null ? 'red' : 'dimmed'} aria-live="polite" data-testid="result-count">
        {searchError !== null ? t('library.searchFailed', { reason: searchError }) : hitCount !== null ? t('library.hits', { count: hitCount }) : hasMore ? t('library.showingMore', { count: rows.length }) : t('library.showing', { count: rows.length })}
      </Text>
      <div ref={scrollRef} className="fw-list-scroll" data-testid="entry-list" role="list" aria-label={t('library.listLabel')} aria-busy={isLoading}>
        {!isLoading && rows.length === 0 && searchError === null && (
          <Text c="dimmed" p="lg" ta="center" data-testid="entry-list-empty">
            {hasFilters ? t('library.noMatches') : t('library.empty')}
          </Text>
        )}
        <div className="fw-list-inner" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const view = rows[item.index];
            return (
              <div key={item.key} className="fw-list-item" role="listitem" style={{ transform: `translateY(${item.start}px)`, height: item.size }}>
                {view ? <EntryRow view={view} draft={drafts.get(view.header.id) ?? null} readerOrg={identity.orgId} otherLanguages={versions[item.index]!.others.map((other) => other.language).join(', ')} orgName={orgNames.get(view.header.ownerOrg) ?? view.header.ownerOrg} date={dateFormat.format(view.projection.updatedAt)} /> : <Loader size="xs" m="md" aria-label={t('app.loading')} />}
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}

interface LibraryFiltersProps {
  readonly Select: ComponentType<SelectProps>;
  readonly orgOptions: readonly { readonly value: string; readonly label: string }[];
  /** Told the text to search for, as the search box settles on it. */
  readonly onSearch: (text: string) => void;
  readonly kind: string | null;
  readonly setKind: (kind: string | null) => void;
  readonly status: string | null;
  readonly setStatus: (status: string | null) => void;
  readonly ownerOrg: string | null;
  readonly setOwnerOrg: (ownerOrg: string | null) => void;
  readonly tag: string;
  readonly setTag: (tag: string) => void;
  readonly region: string;
  readonly setRegion: (region: string) => void;
}

/**
 * The search box. Its text is its own, so a keystroke redraws this input alone; the screen is told
 * the text to search for, at once or once typing pauses, never pinyin mid-composition
 * (searchTiming.ts).
 */
const SearchBox = memo(function SearchBox({ onSearch }: { onSearch: (text: string) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [isComposing, setIsComposing] = useState(false);
  const searchedText = useSearchedText(text, isComposing);
  useEffect(() => onSearch(searchedText), [onSearch, searchedText]);
  return (
    <TextInput
      type="search"
      placeholder={t('library.searchPlaceholder')}
      aria-label={t('library.search')}
      value={text}
      onChange={(event) => setText(event.currentTarget.value)}
      onCompositionStart={() => setIsComposing(true)}
      onCompositionEnd={(event) => {
        setText(event.currentTarget.value);
        setIsComposing(false);
      }}
      data-testid="search-input"
    />
  );
});

/**
 * The search box and filters, drawn again only when one of them changes: while a sync writes page
 * after page, the list follows each page and these six inputs, most of a redraw's time, stay as
 * they are (issue 17).
 */
const LibraryFilters = memo(function LibraryFilters({ Select, orgOptions, onSearch, kind, setKind, status, setStatus, ownerOrg, setOwnerOrg, tag, setTag, region, setRegion }: LibraryFiltersProps) {
  const { t } = useTranslation();
  return (
    <>
      <SearchBox onSearch={onSearch} />
      <div className="fw-filters" role="group" aria-label={t('library.filters')}>
        <Select size="xs" placeholder={t('library.filter.kind')} aria-label={t('library.filter.kind')} data={entryKinds.map((value) => ({ value, label: t(`entry.kind.${value}`) }))} value={kind} onChange={setKind} clearable data-testid="filter-kind" />
        <Select size="xs" placeholder={t('library.filter.status')} aria-label={t('library.filter.status')} data={entryStatuses.map((value) => ({ value, label: t(`entry.status.${value}`) }))} value={status} onChange={setStatus} clearable data-testid="filter-status" />
        <Select size="xs" placeholder={t('library.filter.org')} aria-label={t('library.filter.org')} data={[...orgOptions]} value={ownerOrg} onChange={setOwnerOrg} clearable searchable data-testid="filter-org" />
        <TextInput size="xs" placeholder={t('library.filter.tag')} aria-label={t('library.filter.tag')} value={tag} onChange={(event) => setTag(event.currentTarget.value)} data-testid="filter-tag" />
        <TextInput size="xs" placeholder={t('library.filter.region')} aria-label={t('library.filter.region')} value={region} onChange={(event) => setRegion(event.currentTarget.value)} data-testid="filter-region" />
      </div>
    </>
  );
});

/**
 * One row, drawn again only when what it shows changes: the screen redraws at each keystroke in
 * the search box and each page a sync writes, and redrawing every visible row's badges was most of
 * a keystroke's time there (issue 17). `otherLanguages` is the translations' languages, joined.
 */
const EntryRow = memo(function EntryRow({ view, draft, readerOrg, otherLanguages, orgName, date }: { view: RecordView<EntryProjection>; draft: VersionFields | null; readerOrg: string; otherLanguages: string; orgName: string; date: string }) {
  const { t } = useTranslation();
  const { projection: p } = view;
  // Another organization reads the endorsed version while the author drafts: its title and summary too.
  const pinned = pinnedForReader(p, readerOrg, view.header.ownerOrg);
  const title = pinned ? pinned.version.title : p.title;
  const summary = pinned ? pinned.version.summary : p.summary;
  return (
    <a className="fw-entry-row" href={hrefOf({ screen: 'entry', id: view.header.id })} data-testid="entry-row" data-entry-id={view.header.id} data-pinned={pinned ? 'true' : undefined}>
      <EntryThumbnail attachments={p.attachments ?? []} />
      <div className="fw-entry-row-main">
        <Text fw={600} size="sm" truncate="end" lang={p.language === 'und' ? undefined : p.language} data-testid="entry-row-title">
          {title || t('editor.untitled')}
        </Text>
        {/* A seasonal notice takes the summary's line: it must show, and a row has a fixed height. */}
        {noticeLabels(p.labels ?? []).length > 0 ? (
          <EntryLabelNotices labels={p.labels} isCompact />
        ) : (
          <Text size="xs" c="dimmed" truncate="end" lang={p.language === 'und' ? undefined : p.language}>
            {summary}
          </Text>
        )}
        <Text size="xs" c="dimmed" truncate="end">
          {[orgName, formatRegion(p.region), date].filter(Boolean).join(' · ')}
        </Text>
      </div>
      <div className="fw-entry-row-badges">
        <Badge size="sm" variant="light">
          {t(`entry.kind.${p.kind}`)}
        </Badge>
        <EntryStatusBadge p={p} draft={draft} size="sm" testId="entry-row-status" />
        {otherLanguages && (
          <Badge size="sm" variant="outline" data-testid="entry-row-other-languages">
            {t('library.alsoIn', { languages: otherLanguages })}
          </Badge>
        )}
        <EntryLabelBadges labels={p.labels} />
      </div>
    </a>
  );
});

/**
 * A filter while its dropdown's code loads (usePopupComponents): the same input, showing its
 * choice, not yet open-able. It carries no test id, so a test waits for the real one.
 */
function SelectStandIn({ size, placeholder, 'aria-label': ariaLabel, data, value }: SelectProps) {
  const chosen = (data ?? []).find((option) => typeof option === 'object' && 'value' in option && option.value === value);
  const label = chosen && typeof chosen === 'object' && 'label' in chosen ? chosen.label : '';
  return <TextInput size={size} placeholder={placeholder} aria-label={ariaLabel} value={label} readOnly />;
}
