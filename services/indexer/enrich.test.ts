import { enrichChargedAccount } from './enrich';

describe('charged account', () => {
  it('is the proxy account, else the digest user, and absent otherwise', () => {
    const proxy = { sip: { method: 'INVITE', account: 'acme-7', auth_user: '105' } } as Record<string, any>;
    const digest = { sip: { method: 'REGISTER', auth_user: '105' } } as Record<string, any>;
    const none = { sip: { method: 'OPTIONS' } } as Record<string, any>;
    expect([enrichChargedAccount(proxy), enrichChargedAccount(digest), enrichChargedAccount(none)]).toEqual([true, true, false]);
    expect([proxy.sip.charged_account, digest.sip.charged_account, none.sip.charged_account]).toEqual(['acme-7', '105', undefined]);
  });
});
