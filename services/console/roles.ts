// Who may do what in the console. Viewers read; operators acknowledge, unblock and extend;
// admins also change the allowlist, which exempts ranges from every block.
export type Role = 'viewer' | 'operator' | 'admin';

export type Permission = 'read' | 'act' | 'allowlist';

const GRANTS: Record<Role, readonly Permission[]> = {
  viewer: ['read'],
  operator: ['read', 'act'],
  admin: ['read', 'act', 'allowlist'],
};

export function can(role: Role, p: Permission): boolean {
  return GRANTS[role].includes(p);
}

export function permissions(role: Role): readonly Permission[] {
  return GRANTS[role];
}
