import { Group, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useSession } from '../session/SessionContext';
import { NetworkHealth } from './NetworkHealth';
import { OfferDetail } from './OfferDetail';
import { OffersScreen } from './OffersScreen';
import { PartnerFinder } from './PartnerFinder';
import { PipelineBoard } from './PipelineBoard';
import { StagesScreen } from './StagesScreen';

const sections = ['finder', 'offers', 'pipeline', 'health', 'stages'] as const;
type Section = (typeof sections)[number];

/**
 * The secretariat's workbench (#/workbench/<section>/...): partner finder, offers, the interest
 * pipeline, network health and stages. A member organization gets the same sections, narrowed to
 * what concerns it (the offers that fit it, its own interests, its own stage).
 */
export function WorkbenchScreen({ path }: { path: readonly string[] }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const isSecretariat = session.profile.identity.role === 'secretariat';
  const [first, second] = path;
  const section: Section = sections.includes(first as Section) ? (first as Section) : isSecretariat ? 'finder' : 'offers';

  return (
    <section className="fw-screen fw-wb" aria-labelledby="workbench-title" data-testid="workbench-screen" data-path={path.join('/')} data-section={section}>
      <Group justify="space-between" wrap="nowrap">
        <Title order={1} size="h3" id="workbench-title">
          {t('nav.workbench')}
        </Title>
      </Group>
      <nav className="fw-wb-tabs" aria-label={t('workbench.sections')} data-testid="workbench-tabs">
        {sections.map((s) => (
          <a key={s} href={`#/workbench/${s}`} className="fw-wb-tab" aria-current={s === section ? 'page' : undefined} data-testid={`workbench-tab-${s}`}>
            {t(`workbench.section.${s}`)}
          </a>
        ))}
      </nav>
      {section === 'finder' && <PartnerFinder />}
      {section === 'offers' && (second && second !== 'new' ? <OfferDetail key={second} id={second} /> : <OffersScreen isCreating={second === 'new'} />)}
      {section === 'pipeline' && <PipelineBoard />}
      {section === 'health' && <NetworkHealth />}
      {section === 'stages' && <StagesScreen />}
    </section>
  );
}
