import { createContext, useContext } from 'react';
import type { AdminClient, AdminFailure, AdminInvitation, AdminOrg } from './adminApi';
import type { AdminResource } from './useAdminResource';

/** What every console section shares: the client, the lists several of them show, and failures in words. */
export interface AdminContextValue {
  readonly client: AdminClient;
  readonly orgs: AdminResource<AdminOrg[]>;
  readonly invitations: AdminResource<AdminInvitation[]>;
  readonly failureText: (failure: AdminFailure) => string;
}

export const AdminContext = createContext<AdminContextValue | null>(null);

export function useAdmin(): AdminContextValue {
  const value = useContext(AdminContext);
  if (!value) throw new Error('useAdmin outside the console');
  return value;
}
