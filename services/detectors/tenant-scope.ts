// Policies that some tenants require and others do not (TLS signalling, SRTP media): the setting
// names the tenants (organization ids) or says `all`. A record without a tenant falls only under `all`.
import type { SipFlow } from '../core/records';

export type TenantScope = 'all' | string[];

export const TENANT_SCOPE_SCHEMA = {
  anyOf: [{ const: 'all' }, { type: 'array', items: { type: 'string', minLength: 1, maxLength: 128 } }],
};

export function inScope(scope: TenantScope, r: SipFlow): boolean {
  if (scope === 'all') return true;
  const tenant = r.organization?.id;
  return tenant !== undefined && scope.includes(tenant);
}
