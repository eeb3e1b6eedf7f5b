import { Group, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { hrefOf, segmentsOf, workbenchSections, type WorkbenchRoute, type WorkbenchSection } from '../app/route';
import { StewardScopes } from '../admin/StewardScopes';
import { useSession } from '../session/SessionContext';
import { NetworkHealth } from './NetworkHealth';
import { OfferDetail } from './OfferDetail';
import { OffersScreen } from './OffersScreen';
import { PartnerFinder } from './PartnerFinder';
import { PipelineBoard } from './PipelineBoard';
import { StagesScreen } from './StagesScreen';

/**
 * The secretariat's workbench (#/workbench/<section>/...): partner finder, offers, the interest
 * pipeline, network health and stages. A member organization gets the same sections, narrowed to
 * what concerns it (the offers that fit it, its own interests, its own stage).
 */
export function WorkbenchScreen({ route }: { route: WorkbenchRoute }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const isSecretariat = session.profile.identity.role === 'secretariat';
  const section: WorkbenchSection = route.screen === 'workbench' ? (route.section ?? (isSecretariat ? 'finder' : 'offers')) : 'offers';

  return (
    <section className="fw-screen fw-wb" aria-labelledby="workbench-title" data-testid="workbench-screen" data-path={segmentsOf(route).slice(1).join('/')} data-section={section}>
      <Group justify="space-between" wrap="nowrap">
        <Title order={1} size="h3" id="workbench-title">
          {t('nav.workbench')}
        </Title>
      </Group>
      <StewardScopes />
      <nav className="fw-wb-tabs" aria-label={t('workbench.sections')} data-testid="workbench-tabs">
        {workbenchSections.map((s) => (
          <a key={s} href={hrefOf({ screen: 'workbench', section: s })} className="fw-wb-tab" aria-current={s === section ? 'page' : undefined} data-testid={`workbench-tab-${s}`}>
            {t(`workbench.section.${s}`)}
          </a>
        ))}
      </nav>
      {section === 'finder' && <PartnerFinder />}
      {route.screen === 'offer' ? <OfferDetail key={route.id} id={route.id} /> : section === 'offers' && <OffersScreen isCreating={route.screen === 'offer-new'} />}
      {section === 'pipeline' && <PipelineBoard />}
      {section === 'health' && <NetworkHealth />}
      {section === 'stages' && <StagesScreen />}
    </section>
  );
}
