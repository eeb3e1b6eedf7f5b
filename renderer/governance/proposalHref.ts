/**
 * The address of one proposal (or its editor) under GovernanceScreen's routes. Its own module, not
 * GovernanceScreen's, because the screens that link to a proposal are the ones GovernanceScreen
 * renders: importing it from there would be an import cycle.
 */
export const proposalHref = (id: string, action?: 'edit'): string => `#/governance/proposal/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;
